"""Reporting periods pages: list by year, create a year's periods or a custom one, open/close, deadlines."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.accounts.permissions import Action, requires

from . import services, windows
from .forms import CustomPeriodForm, DeadlinesForm, YearForm
from .models import DeadlinePolicy, Period, PeriodKind

KIND_ORDER = [PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF_YEAR, PeriodKind.YEAR, PeriodKind.CUSTOM]


def _list_url(year: int | None = None) -> str:
    url = reverse("periods:list")
    return f"{url}?year={year}" if year else url


def _selected_year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    if windows.MIN_YEAR <= year <= windows.MAX_YEAR:
        return year
    return timezone.localdate().year


@requires(Action.VIEW)
def period_list(request: HttpRequest) -> HttpResponse:
    year = _selected_year(request)
    periods = list(Period.objects.filter(year=year).order_by("start", "end", "code"))
    groups = []
    for kind in KIND_ORDER:
        rows = [p for p in periods if p.kind == kind]
        if rows:
            groups.append({"kind": kind, "label": kind.label, "periods": rows})
    years = set(Period.objects.values_list("year", flat=True).distinct())
    years |= {year, timezone.localdate().year}
    return render(
        request,
        "periods/list.html",
        {
            "year": year,
            "years": sorted(years, reverse=True),
            "groups": groups,
            "count": len(periods),
            "year_form": YearForm(initial={"year": year}),
        },
    )


@require_POST
@requires(Action.MANAGE_PERIODS, write=True, url_name="periods:create_year")
def create_year(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("year", []):
            messages.error(request, error)
        return redirect(_list_url())
    year = form.cleaned_data["year"]
    result = services.ensure_year_periods(year)
    messages.success(
        request,
        _("Periods of %(year)s: %(created)s created, %(existing)s already existed.")
        % {"year": year, "created": result.created, "existing": result.existing},
    )
    return redirect(_list_url(year))


@requires(Action.MANAGE_PERIODS, write=True, url_name="periods:create_custom")
def create_custom(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CustomPeriodForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                period = services.create_custom_period(data["code"], data["name"], data["start"], data["end"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Created period %(code)s.") % {"code": period.code})
                return redirect(_list_url(period.year))
    else:
        form = CustomPeriodForm(initial={"code": f"{timezone.localdate().year}-C-"})
    return render(request, "periods/custom.html", {"form": form}, status=200)


@require_POST
@requires(Action.MANAGE_PERIODS, write=True, url_name="periods:toggle")
def toggle(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    action = request.POST.get("action", "")
    if action == "open":
        services.open_period(period)
        text = _("Period %(code)s is open.")
    elif action == "close":
        services.close_period(period)
        text = _("Period %(code)s is closed.")
    else:
        return HttpResponseBadRequest(_("Action: choose “open” or “close”."))
    if request.htmx:
        return render(request, "periods/_row.html", {"p": period})
    messages.success(request, text % {"code": period.code})
    return redirect(_list_url(period.year))


@requires(Action.MANAGE_PERIODS, write=True, url_name="periods:deadlines")
def deadlines(request: HttpRequest) -> HttpResponse:
    current = {kind.value: services.deadline_for(kind.value) for kind in PeriodKind}
    form = DeadlinesForm(request.POST or None, initial_days=current)
    if request.method == "POST" and form.is_valid():
        changed_kinds, changed_periods = 0, 0
        for kind in PeriodKind:
            days = form.cleaned_data[kind.value]
            if days != current[kind.value] or not DeadlinePolicy.objects.filter(kind=kind.value).exists():
                changed_periods += services.set_deadline_days(kind.value, days)
                changed_kinds += days != current[kind.value]
        messages.success(
            request,
            _(
                "Deadlines saved: %(kinds)s period kinds changed, "
                "deadlines of %(periods)s open periods recomputed."
            )
            % {"kinds": changed_kinds, "periods": changed_periods},
        )
        return redirect("periods:deadlines")
    example = windows.parse(f"{timezone.localdate().year}-H1")
    return render(
        request,
        "periods/deadlines.html",
        {"form": form, "example": example, "example_deadline": windows.deadline(example, current["half"])},
    )
