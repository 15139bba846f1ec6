"""Home dashboard: what a CCHC officer, a reporter or a leader needs to see first."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cchc.accounts.permissions import Action, requires
from cchc.periods.models import Period
from cchc.units.models import Unit, UnitKind

OPEN_PERIODS_SHOWN = 12


@requires(Action.VIEW)
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    counts = dict(
        Unit.objects.valid_at(today)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    unit_counts = [(label, counts.get(value, 0)) for value, label in UnitKind.choices]
    # The cycle in progress first (soonest deadline first), then overdue periods, most recently due first.
    upcoming = Period.objects.filter(is_open=True, deadline__gte=today).order_by("deadline", "code")
    overdue = Period.objects.filter(is_open=True, deadline__lt=today).order_by("-deadline", "code")
    open_periods = list(upcoming[:OPEN_PERIODS_SHOWN])
    open_periods += list(overdue[: OPEN_PERIODS_SHOWN - len(open_periods)])
    for period in open_periods:
        period.days_left = (period.deadline - today).days
        period.days_overdue = -period.days_left
    context = {
        "unit_counts": unit_counts,
        "units_total": sum(counts.values()),
        "open_periods": open_periods,
        "own_unit": request.user.unit,
    }
    return render(request, "web/home.html", context)
