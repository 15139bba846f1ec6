"""Audit log browsing for the province officer and the administrator."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

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


def _changes(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) with field labels and choice names when the model still exists."""
    try:
        changes = entry.changes_display_dict
    except (AttributeError, LookupError, ValueError, TypeError):
        changes = entry.changes_dict
    rows = []
    for field, values in changes.items():
        before, after = (list(values) + ["", ""])[:2] if isinstance(values, list | tuple) else ("", values)
        rows.append((str(field), "" if before in (None, "None") else str(before),
                     "" if after in (None, "None") else str(after)))
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
