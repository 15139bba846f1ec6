"""Audit log browsing for the province officer and the administrator."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import User
from .permissions import Action, requires

PAGE_SIZE = 50
SYSTEM_ACTOR = "-"  # filter value for entries with no web user: command line, migrations, jobs

ACTION_LABELS = {
    LogEntry.Action.CREATE: _("created"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
    LogEntry.Action.ACCESS: _("viewed"),
}

BOOLEAN_LABELS = {"True": pgettext_lazy("boolean", "yes"), "False": pgettext_lazy("boolean", "no")}


def _text(value: Any) -> str:
    return "" if value is None or value == "None" else str(value)


def _m2m(change: dict[str, Any]) -> tuple[str, str]:
    objects = ", ".join(str(o) for o in change.get("objects", []))
    if change.get("operation") == "add":
        return "", "+ " + objects
    if change.get("operation") == "delete":
        return "− " + objects, ""
    return "", objects


def _hidden(field: Any) -> bool:
    """Reverse relations and the primary key: nothing a reader of the log needs."""
    return bool(getattr(field, "primary_key", False) or (field.auto_created and not field.concrete))


def _changes(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field label, before, after) for display: labels and choice names from the model when it
    still exists; reverse relations and the primary key, which say nothing to a reader, left out."""
    model = entry.content_type.model_class()
    raw = entry.changes_dict or {}
    try:
        display = entry.changes_display_dict if model is not None else {}
    except (AttributeError, LookupError, ValueError, TypeError):
        display = {}
    rows = []
    for name, values in raw.items():
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
        if field is not None and _hidden(field):
            continue
        label = str(capfirst(field.verbose_name)) if field is not None else name
        if isinstance(values, dict) and values.get("type") == "m2m":
            before, after = _m2m(values)
        else:
            pair = list(values) if isinstance(values, list | tuple) else ["", values]
            shown = display.get(getattr(field, "verbose_name", name), pair) if field is not None else pair
            shown = list(shown) if isinstance(shown, list | tuple) and len(shown) == 2 else pair
            if isinstance(field, models.BooleanField):
                shown = [BOOLEAN_LABELS.get(str(v), v) for v in pair]
            before, after = _text(shown[0]), _text(shown[1])
        rows.append((label, before, after))
    return rows


def _type_label(content_type: ContentType) -> str:
    model = content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else content_type.model


@requires(Action.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    type_id = request.GET.get("type", "")
    actor = request.GET.get("actor", "").strip()
    query = request.GET.get("q", "").strip()
    if type_id.isdigit():
        entries = entries.filter(content_type_id=int(type_id))
    if actor == SYSTEM_ACTOR:
        entries = entries.filter(actor__isnull=True)
    elif actor:
        entries = entries.filter(actor__username__iexact=actor)
    if query:
        entries = entries.filter(object_repr__icontains=query)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[dict[str, Any]] = [
        {
            "entry": e,
            "type": _type_label(e.content_type),
            "action": ACTION_LABELS.get(e.action, e.get_action_display()),
            "changes": _changes(e),
        }
        for e in page
    ]
    type_ids = LogEntry.objects.order_by().values_list("content_type_id", flat=True).distinct()
    types = sorted(
        ((ct.pk, _type_label(ct)) for ct in ContentType.objects.filter(pk__in=list(type_ids))),
        key=lambda item: item[1],
    )
    actor_ids = LogEntry.objects.order_by().filter(actor__isnull=False).values_list("actor_id", flat=True)
    actors = User.objects.filter(pk__in=actor_ids.distinct()).order_by("username")
    actors = actors.values_list("username", flat=True)
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page,
            "rows": rows,
            "types": types,
            "actors": list(actors),
            "type_id": int(type_id) if type_id.isdigit() else None,
            "actor": actor,
            "system_actor": SYSTEM_ACTOR,
            "q": query,
        },
    )
