"""Creating, opening and closing reporting periods; submission deadlines per period kind.

The deadline of a period is `days_after_window` days after the end of its data window, taken from
the DeadlinePolicy row of its kind. The defaults below are only what `cchc init` writes the first
time; the province changes them in the periods page (“Hạn nộp báo cáo”) or the Django admin, and
the deadlines of open periods of that kind follow. Every change goes through `Model.save()` so
django-auditlog records it.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import windows
from .models import DeadlinePolicy, Period, PeriodKind

# Days after the end of the data window, per kind, written when no policy exists yet.
DEFAULT_DEADLINE_DAYS: dict[str, int] = {
    PeriodKind.MONTH: 3,
    PeriodKind.QUARTER: 5,
    PeriodKind.HALF_YEAR: 5,
    PeriodKind.YEAR: 10,
    PeriodKind.CUSTOM: 5,
}
MAX_DEADLINE_DAYS = 365


class YearPeriods(NamedTuple):
    periods: list[Period]
    created: int
    existing: int


def ensure_reference_data(today: dt.date | None = None) -> dict[str, int]:
    """Default deadline policies (when missing) and the periods of the current year; idempotent."""
    created_policies = 0
    for kind, days in DEFAULT_DEADLINE_DAYS.items():
        _, created = DeadlinePolicy.objects.get_or_create(kind=kind, defaults={"days_after_window": days})
        created_policies += created
    year = (today or timezone.localdate()).year
    result = ensure_year_periods(year)
    return {
        "deadline_policies_created": created_policies,
        "year": year,
        "periods_created": result.created,
        "periods_existing": result.existing,
    }


def deadline_for(kind: str) -> int:
    """Days after the window end that reports of `kind` are due (the default when none is set)."""
    days = DeadlinePolicy.objects.filter(kind=kind).values_list("days_after_window", flat=True).first()
    if days is None:
        return DEFAULT_DEADLINE_DAYS[kind]
    return days


def check_year(year: int) -> None:
    if not windows.MIN_YEAR <= year <= windows.MAX_YEAR:
        raise ValidationError(
            {"year": _("Year %(year)s is out of range: enter a year from %(min)s to %(max)s.")
             % {"year": year, "min": windows.MIN_YEAR, "max": windows.MAX_YEAR}}
        )


def ensure_year_periods(year: int) -> YearPeriods:
    """The 19 standard periods of `year`, creating the missing ones; existing rows are left as they are."""
    check_year(year)
    specs = windows.periods_of_year(year)
    days = {kind: deadline_for(kind) for kind in windows.STANDARD_KINDS}
    with transaction.atomic():
        existing = {p.code: p for p in Period.objects.filter(code__in=[s.code for s in specs])}
        periods, created = [], 0
        for spec in specs:
            period = existing.get(spec.code)
            if period is None:
                period = Period.objects.create(
                    code=spec.code,
                    kind=spec.kind,
                    year=spec.year,
                    name=spec.name_vi,
                    start=spec.start,
                    end=spec.end,
                    deadline=windows.deadline(spec, days[spec.kind]),
                )
                created += 1
            periods.append(period)
    return YearPeriods(periods, created, len(specs) - created)


def create_year_periods(year: int) -> list[Period]:
    """All standard periods of `year` (12 months, 4 quarters, 2 halves, the year); idempotent."""
    return ensure_year_periods(year).periods


def create_custom_period(code: str, name: str, start: dt.date, end: dt.date) -> Period:
    """A period with explicit dates (an inspection round, a campaign); raises ValidationError per field."""
    code = (code or "").strip()
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not windows.is_custom_code(code):
        errors["code"] = _(
            "Code: “%(code)s” is not a valid custom period code. Write the year, “-C-”, then lowercase "
            "letters without accents, digits and hyphens, at most %(max)s characters, e.g. 2021-C-kiem-tra."
        ) % {"code": code, "max": windows.MAX_CODE_LENGTH}
    elif not windows.MIN_YEAR <= int(code[:4]) <= windows.MAX_YEAR:
        errors["code"] = _("Code: the year in “%(code)s” must be from %(min)s to %(max)s.") % {
            "code": code, "min": windows.MIN_YEAR, "max": windows.MAX_YEAR}
    elif Period.objects.filter(code=code).exists():
        errors["code"] = _("Code: a period with code “%(code)s” already exists.") % {"code": code}
    if not name:
        errors["name"] = _("Name: enter the name of the period.")
    elif len(name) > Period._meta.get_field("name").max_length:
        errors["name"] = _("Name: at most %(max)s characters.") % {
            "max": Period._meta.get_field("name").max_length}
    if not isinstance(start, dt.date):
        errors["start"] = _("Start date: enter a valid date (dd/mm/yyyy).")
    if not isinstance(end, dt.date):
        errors["end"] = _("End date: enter a valid date (dd/mm/yyyy).")
    elif isinstance(start, dt.date) and end < start:
        errors["end"] = _("End date: %(end)s is before the start date %(start)s.") % {
            "end": end.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")}
    if errors:
        raise ValidationError(errors)
    spec = windows.custom(code, start, end, name)
    try:
        with transaction.atomic():
            return Period.objects.create(
                code=spec.code,
                kind=spec.kind,
                year=spec.year,
                name=spec.name_vi,
                start=spec.start,
                end=spec.end,
                deadline=windows.deadline(spec, deadline_for(PeriodKind.CUSTOM)),
            )
    except IntegrityError as exc:  # created by someone else in the meantime
        raise ValidationError(
            {"code": _("Code: a period with code “%(code)s” already exists.") % {"code": code}}
        ) from exc


def close_period(period: Period) -> Period:
    """Stop accepting reports for the period (audited)."""
    return _set_open(period, False)


def open_period(period: Period) -> Period:
    """Accept reports for the period again (audited)."""
    return _set_open(period, True)


def _set_open(period: Period, is_open: bool) -> Period:
    if period.is_open != is_open:
        period.is_open = is_open
        period.save(update_fields=["is_open"])
    return period


def set_deadline_days(kind: str, days: int) -> int:
    """Change the deadline policy of `kind` and recompute the deadlines of its open periods.

    Closed periods keep the deadline they were run with. Returns how many periods changed.
    """
    if kind not in PeriodKind.values:
        raise ValidationError({"kind": _("Unknown period kind “%(kind)s”.") % {"kind": kind}})
    if not 0 <= days <= MAX_DEADLINE_DAYS:
        raise ValidationError(
            {kind: _("%(kind)s: the number of days must be a whole number from 0 to %(max)s.")
             % {"kind": PeriodKind(kind).label, "max": MAX_DEADLINE_DAYS}}
        )
    changed = 0
    with transaction.atomic():
        policy, created = DeadlinePolicy.objects.get_or_create(
            kind=kind, defaults={"days_after_window": days}
        )
        if not created and policy.days_after_window != days:
            policy.days_after_window = days
            policy.save(update_fields=["days_after_window"])
        for period in Period.objects.filter(kind=kind, is_open=True):
            new_deadline = windows.deadline_after(period.end, days)
            if period.deadline != new_deadline:
                period.deadline = new_deadline
                period.save(update_fields=["deadline"])
                changed += 1
    return changed


def find_period(code: str) -> Period:
    """The period with `code`; ValidationError (Vietnamese) when ill-formed or not created yet."""
    code = (code or "").strip()
    period = Period.objects.filter(code=code).first()
    if period is not None:
        return period
    if windows.is_custom_code(code):
        raise ValidationError(_("Period “%(code)s” does not exist.") % {"code": code})
    try:
        spec = windows.parse(code)
    except windows.PeriodCodeError as exc:
        raise ValidationError(str(exc)) from exc
    raise ValidationError(
        _("Period “%(code)s” has not been created yet; create the periods of %(year)s first.")
        % {"code": code, "year": spec.year}
    )
