"""Home dashboard: what a CCHC officer needs to see first."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cchc.periods.models import Period
from cchc.units.models import Unit, UnitKind


@login_required
def home(request: HttpRequest) -> HttpResponse:
    counts = dict(
        Unit.objects.valid_at().values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    unit_counts = [(label, counts.get(value, 0)) for value, label in UnitKind.choices]
    context = {
        "unit_counts": unit_counts,
        "units_total": sum(counts.values()),
        "open_periods": Period.objects.filter(is_open=True).order_by("deadline")[:12],
    }
    return render(request, "web/home.html", context)
