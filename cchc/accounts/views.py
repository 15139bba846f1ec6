"""Audit log browsing for the province officer."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .permissions import Action, requires


@requires(Action.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    model = request.GET.get("model", "")
    actor = request.GET.get("actor", "")
    query = request.GET.get("q", "").strip()
    if model:
        entries = entries.filter(content_type__model=model)
    if actor:
        entries = entries.filter(actor__username=actor)
    if query:
        entries = entries.filter(object_repr__icontains=query)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    models = (
        LogEntry.objects.values_list("content_type__model", flat=True).distinct().order_by("content_type__model")
    )
    return render(
        request,
        "accounts/audit.html",
        {"page": page, "models": models, "model": model, "actor": actor, "q": query},
    )
