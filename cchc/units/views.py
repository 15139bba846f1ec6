"""Unit pages: the tree (lazy, searchable, with history), one unit, its form, and the list import."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.permissions import Action, can, require, requires, unit_scope

from .forms import ImportForm, UnitForm
from .importer import UnitImportError, import_units
from .models import Unit
from .queries import ancestors, current_successors

SEARCH_LIMIT = 200


def _visible_q(history: bool, prefix: str = "") -> Q:
    """Units shown today; with history also those whose validity has ended (not future ones)."""
    today = timezone.localdate()
    started = Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": today})
    if history:
        return started
    return started & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today}))


def _with_child_counts(units: QuerySet[Unit], history: bool) -> QuerySet[Unit]:
    return units.annotate(
        child_count=Count("children", filter=_visible_q(history, "children__"), distinct=True)
    )


def _history_flag(request: HttpRequest) -> bool:
    return request.GET.get("history") == "1"


@requires(Action.VIEW)
def tree(request: HttpRequest) -> HttpResponse:
    history = _history_flag(request)
    query = request.GET.get("q", "").strip()
    visible = Unit.objects.filter(_visible_q(history))
    context: dict = {"history": history, "q": query, "today": timezone.localdate()}
    if query:
        matches = visible.filter(Q(name__icontains=query) | Q(code__icontains=query)).select_related("parent")
        context["results"] = list(matches[: SEARCH_LIMIT + 1])
        context["truncated"] = len(context["results"]) > SEARCH_LIMIT
        context["results"] = context["results"][:SEARCH_LIMIT]
    else:
        # Roots: top-level units, and units whose parent is hidden (e.g. a commune of an abolished district).
        roots = visible.filter(Q(parent__isnull=True) | ~Q(parent__in=visible))
        context["nodes"] = _with_child_counts(roots, history)
    context["can_manage"] = can(request.user, Action.MANAGE_UNITS)
    partial = request.htmx and not request.htmx.history_restore_request
    template = "units/_tree_body.html" if partial else "units/tree.html"
    return render(request, template, context)


@requires(Action.VIEW)
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """The next level of the tree, loaded by HTMX when a node is opened."""
    parent = get_object_or_404(Unit, pk=pk)
    history = _history_flag(request)
    nodes = _with_child_counts(parent.children.filter(_visible_q(history)), history)
    return render(
        request,
        "units/_nodes.html",
        {"nodes": nodes, "history": history, "today": timezone.localdate()},
    )


@requires(Action.VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    today = timezone.localdate()
    is_current = unit.is_valid_at(today)
    context = {
        "unit": unit,
        "today": today,
        "is_current": is_current,
        "ancestors": ancestors(unit),
        "children": unit.children.order_by("code"),
        "predecessors": unit.predecessors.order_by("code"),
        "successors": unit.successors.order_by("code"),
        "current_successors": [] if is_current else current_successors(unit, today),
        "can_manage": can(request.user, Action.MANAGE_UNITS, unit),
    }
    return render(request, "units/detail.html", context)


def _require_parent(request: HttpRequest, parent: Unit | None, old: Unit | None) -> None:
    """A new or moved unit must land under a unit the user manages; only admins add top-level units."""
    if old is not None and old.parent_id == (parent.pk if parent else None):
        return
    if parent is None:
        if unit_scope(request.user) is not None:
            raise PermissionDenied
        return
    require(request.user, Action.MANAGE_UNITS, parent)


@requires(Action.MANAGE_UNITS, write=True, url_name="units:create")
def create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("parent", "").isdigit():
        parent = get_object_or_404(Unit, pk=int(request.GET["parent"]))
        require(request.user, Action.MANAGE_UNITS, parent)
        initial["parent_code"] = parent.code
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        _require_parent(request, form.parent, None)
        unit = form.save()
        messages.success(request, _("Unit %(unit)s was created.") % {"unit": unit})
        return redirect("units:detail", pk=unit.pk)
    return render(request, "units/form.html", {"form": form, "unit": None})


@requires(Action.MANAGE_UNITS, write=True, url_name="units:edit")
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    require(request.user, Action.MANAGE_UNITS, unit)
    stored = Unit.objects.get(pk=pk)  # the form updates `unit` while validating
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        _require_parent(request, form.parent, stored)
        unit = form.save()
        messages.success(request, _("Unit %(unit)s was saved.") % {"unit": unit})
        return redirect("units:detail", pk=unit.pk)
    return render(request, "units/form.html", {"form": form, "unit": unit})


@requires(Action.MANAGE_UNITS, write=True, url_name="units:import")
def import_list(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/XLSX list; officers may only touch units of their own province."""
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="cchc-units-") as folder:
            path = Path(folder) / f"upload{Path(upload.name).suffix.lower()}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                result = import_units(path, scope=unit_scope(request.user))
            except UnitImportError as exc:
                errors = exc.errors
                # Rows outside the user's units are a refusal, not a typo: say so with 403.
                status = 403 if any(e.reason == "scope" for e in errors) else 200
                messages.error(request, _("The file %(name)s was not imported: %(summary)s")
                               % {"name": upload.name, "summary": exc.summary()})
            else:
                messages.success(
                    request,
                    _("Imported %(name)s: %(created)s units created, %(updated)s updated.")
                    % {"name": upload.name, "created": result.created, "updated": result.updated},
                )
                return redirect("units:tree")
    return render(request, "units/import.html", {"form": form, "errors": errors}, status=status)
