"""Reporting pages: my submissions, the data-entry form, validation report, aggregates, completeness.

Thin layer over `cchc.reporting.services`: every write goes through a service (which checks the
permission again and records the audit trail); the views only turn form fields into the raw input
the services take and their errors into Vietnamese messages beside the fields. Numbers are shown
the Vietnamese way ("1.964", "28,94") with `format_vi`, the text the exports use too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts.models import Role
from cchc.accounts.permissions import Action, can, effective_role, require, requires, unit_scope
from cchc.periods.models import Period, PeriodKind
from cchc.units.models import Unit, UnitKind

from . import services
from .aggregate import RatioInput
from .aggregate import rate as ratio_rate
from .catalog import Aggregation, Indicator, ValueType
from .entry import EntryError, parse_entry
from .forms import ReturnForm, UploadForm
from .models import Source, Status, Submission, Value
from .numbers import format_vi
from .xlsx import XlsxImportError, export_xlsx, template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- formatting ------------------------------------------------------------------------------------


def vi(value: Decimal | int | None, places: int | None = None) -> str:
    """Vietnamese number text without trailing zeros ("1.964", "28,94"); empty for no value."""
    if value is None:
        return ""
    number = Decimal(value)
    if places is not None:
        return format_vi(number, places)
    return format_vi(number.normalize())


def slug(code: str) -> str:
    """An HTML id / CSS-selector-safe form of an indicator code (1.1.2 → 1-1-2)."""
    return code.replace(".", "-")


# --- lookups -----------------------------------------------------------------------------------------


def _unit(code: str) -> Unit:
    return get_object_or_404(Unit, code=code)


def _period(code: str) -> Period:
    return get_object_or_404(Period, code=code)


def _submission(unit: Unit, period: Period) -> Submission | None:
    catalog = services.default_catalog()
    return (
        Submission.objects.filter(unit=unit, period=period, catalog=catalog)
        .select_related("unit", "period", "catalog")
        .first()
    )


def _scope_unit(request: HttpRequest, action: Action) -> Unit:
    """The unit a period-wide page is about: ?unit=CODE, else the user's own (an admin: the first
    province); the user must hold `action` on it."""
    code = request.GET.get("unit", "").strip()
    if code:
        unit = _unit(code)
    elif request.user.unit_id is not None:
        unit = request.user.unit
    else:
        unit = Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("code").first()
        if unit is None:
            raise Http404
    require(request.user, action, unit)
    return unit


def _posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _messages_of(exc: ValidationError) -> list[str]:
    return services.entry_error_message(exc)


# --- index ---------------------------------------------------------------------------------------------


def _reporting_periods() -> list[Period]:
    """Periods the appendix is reported for: quarters, half-years and years (not months) the catalog
    applies to, that have started, or that already hold a submission; newest first."""
    catalog = services.default_catalog()
    with_data = set(Submission.objects.values_list("period_id", flat=True))
    today = timezone.localdate()
    return [
        p
        for p in Period.objects.exclude(kind=PeriodKind.MONTH).order_by("-end", "-start", "code")
        if p.pk in with_data or (catalog.applies_to_year(p.year) and p.is_open and p.start <= today)
    ]


@requires(Action.VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Periods × the user's reporting units, with each submission's status."""
    user = request.user
    catalog = services.default_catalog()
    periods = _reporting_periods()
    role = effective_role(user)
    own_units: list[Unit] = []
    if role == Role.REPORTER and user.unit_id is not None:
        own_units = [user.unit]
    subs = {
        (s.unit_id, s.period_id): s
        for s in Submission.objects.filter(catalog=catalog, unit__in=own_units, period__in=periods)
    }
    rows = [
        {"period": p, "unit": u, "submission": subs.get((u.pk, p.pk))} for p in periods for u in own_units
    ]
    scope = unit_scope(user)
    waiting = Submission.objects.none()
    if can(user, Action.APPROVE):
        waiting = Submission.objects.filter(catalog=catalog, status=Status.SUBMITTED).select_related(
            "unit", "period"
        )
        if scope is not None:
            waiting = waiting.filter(unit_id__in=scope)
    overview_unit = None
    if can(user, Action.APPROVE):
        overview_unit = user.unit or Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("code").first()
    return render(
        request,
        "reporting/index.html",
        {
            "rows": rows,
            "periods": periods,
            "waiting": list(waiting.order_by("submitted_at")[:200]),
            "overview_unit": overview_unit,
            "catalog": catalog,
        },
    )


# --- the data-entry form -------------------------------------------------------------------------------


@dataclass
class Row:
    """One catalog line of the form: a heading or an indicator with its current input."""

    indicator: Indicator
    depth: int
    value: str = ""
    numerator: str = ""
    denominator: str = ""
    note: str = ""
    rate: str = ""
    source: str = ""
    error: str = ""
    stored: Value | None = None
    failed_rules: list[dict[str, str]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slug(self.indicator.code)

    @property
    def is_ratio(self) -> bool:
        return self.indicator.aggregation is Aggregation.RATIO

    @property
    def is_choice(self) -> bool:
        return self.indicator.value_type is ValueType.CHOICE

    @property
    def is_text(self) -> bool:
        return self.indicator.value_type is ValueType.TEXT

    @property
    def from_dossiers(self) -> bool:
        return self.source == Source.DOSSIERS


@dataclass
class Area:
    indicator: Indicator
    rows: list[Row] = field(default_factory=list)


def _input_text(stored: Value | None, indicator: Indicator) -> tuple[str, str, str]:
    if stored is None or stored.is_empty:
        return "", "", ""
    if (
        indicator.aggregation is Aggregation.RATIO
        and not stored.non_aggregable
        and stored.numerator is not None
    ):
        return "", vi(stored.numerator), vi(stored.denominator)
    if stored.value is None:
        return stored.text, "", ""
    return vi(stored.value), "", ""


def _raw_from_post(post: Any, indicator: Indicator) -> dict[str, Any]:
    key = slug(indicator.code)
    raw: dict[str, Any] = {"value": post.get(f"v-{key}", "").strip()}
    if indicator.aggregation is Aggregation.RATIO:
        raw["numerator"] = post.get(f"n-{key}", "").strip()
        raw["denominator"] = post.get(f"d-{key}", "").strip()
    if f"note-{key}" in post:
        raw["note"] = post.get(f"note-{key}", "")
    return raw


def _rate_text(numerator: str, denominator: str, indicator: Indicator) -> str:
    """The rate of a typed numerator/denominator pair ("28,94%"), or empty when not computable."""
    if not numerator or not denominator:
        return ""
    try:
        entry = parse_entry(indicator, {"numerator": numerator, "denominator": denominator}, indicator.code)
    except EntryError:
        return ""
    if entry.numerator is None or entry.denominator is None:
        return ""
    computed = ratio_rate(entry.numerator, entry.denominator)
    return "" if computed is None else vi(computed, 2) + "%"


def _build_areas(
    submission: Submission | None, posted: Any = None, errors: dict[str, str] | None = None
) -> list[Area]:
    catalog = services.default_catalog() if submission is None else submission.catalog
    pure = catalog.pure
    stored = services.stored_values(submission) if submission is not None else {}
    errors = errors or {}
    areas: list[Area] = []
    for indicator in pure:
        depth = len(pure.ancestors(indicator.code))
        if depth == 0:
            areas.append(Area(indicator))
            if indicator.is_group:
                continue
        row = Row(indicator, depth, stored=stored.get(indicator.code))
        if not indicator.is_group:
            if posted is not None:
                raw = _raw_from_post(posted, indicator)
                row.value = raw["value"]
                row.numerator = raw.get("numerator", "")
                row.denominator = raw.get("denominator", "")
                row.note = raw.get("note", row.stored.note if row.stored else "")
            else:
                row.value, row.numerator, row.denominator = _input_text(row.stored, indicator)
                row.note = row.stored.note if row.stored is not None else ""
            if row.is_ratio:
                row.rate = _rate_text(row.numerator, row.denominator, indicator)
            row.source = row.stored.source if row.stored is not None else ""
            row.error = errors.get(indicator.code, "")
        areas[-1].rows.append(row)
    return areas


def _rule_rows(submission: Submission | None) -> tuple[Any, list[dict[str, Any]]]:
    if submission is None:
        return None, []
    report = services.validate(submission)
    rows = [
        {
            "rule_id": r.rule_id,
            "severity": r.severity.value,
            "blocking": r.blocking,
            "status": r.status.value,
            "text": services.rule_message(r),
            "comment": report.comments.get(r.rule_id, ""),
        }
        for r in report.results
        if r.status.value != "passed"
    ]
    return report, rows


def _mark_failed_rules(areas: list[Area], submission: Submission | None, rule_rows: list[dict]) -> list[Area]:
    """Put each failed rule beside the values it compares, so the user sees where to look."""
    if submission is None:
        return areas
    failed = {r["rule_id"]: r for r in rule_rows if r["status"] == "failed"}
    by_code: dict[str, list[dict[str, str]]] = {}
    for rule in submission.catalog.rules:
        if rule.id in failed:
            for code in rule.references:
                by_code.setdefault(code, []).append(
                    {"rule_id": rule.id, "severity": failed[rule.id]["severity"]}
                )
    for area in areas:
        for row in area.rows:
            row.failed_rules = by_code.get(row.indicator.code, [])
    return areas


def _render_form(
    request: HttpRequest,
    unit: Unit,
    period: Period,
    submission: Submission | None,
    *,
    posted: Any = None,
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    conflict: str = "",
    upload_errors: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    editable = (
        can(user, Action.ENTER_DATA, unit)
        and period.is_open
        and (submission is None or submission.is_editable)
    )
    report, rule_rows = _rule_rows(submission)
    can_decide = submission is not None and can(user, Action.APPROVE, unit) and period.is_open
    context = {
        "unit": unit,
        "period": period,
        "submission": submission,
        "catalog": submission.catalog if submission else services.default_catalog(),
        "areas": _mark_failed_rules(_build_areas(submission, posted, errors), submission, rule_rows),
        "editable": editable,
        "version": submission.version if submission else "",
        "report": report,
        "rule_rows": rule_rows,
        "problems": problems or [],
        "conflict": conflict,
        "can_approve": can_decide and submission.status == Status.SUBMITTED,
        "can_return": can_decide and submission.status in (Status.SUBMITTED, Status.APPROVED),
        "can_submit": editable and submission is not None and report is not None and report.can_submit,
        "return_form": ReturnForm(),
        "upload_form": UploadForm(),
        "upload_errors": upload_errors or [],
        "error_count": len(errors or {}),
    }
    return render(request, "reporting/form.html", context, status=status)


@requires(Action.VIEW_UNIT_DATA)
@require_GET
def submission_form(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    """The data-entry form (read-only unless the user may edit this unit's open draft)."""
    unit, period = _unit(unit_code), _period(period_code)
    require(request.user, Action.VIEW_UNIT_DATA, unit)
    return _render_form(request, unit, period, _submission(unit, period))


def _form_url(unit: Unit, period: Period) -> str:
    return reverse("reporting:form", args=[unit.code, period.code])


def _editable_submission(request: HttpRequest, unit: Unit, period: Period) -> Submission:
    require(request.user, Action.ENTER_DATA, unit)
    existing = _submission(unit, period)
    if existing is not None:
        return existing
    return services.get_or_create_submission(unit, period, services.default_catalog(), request.user)


@requires(Action.ENTER_DATA, write=True, url_name="reporting:save")
@require_POST
def save(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    """Save the typed values (all or nothing) and the explanations of warnings."""
    unit, period = _unit(unit_code), _period(period_code)
    try:
        submission = _editable_submission(request, unit, period)
    except ValidationError as exc:
        return _render_form(
            request, unit, period, None, posted=request.POST, problems=_messages_of(exc), status=400
        )
    pure = submission.catalog.pure
    data = {
        ind.code: _raw_from_post(request.POST, ind)
        for ind in pure.values()
        if any(f"{p}-{slug(ind.code)}" in request.POST for p in ("v", "n", "d", "note"))
    }
    # A form shown before the draft existed carries no version: it was typed against a new draft
    # (version 1), so a draft someone else created and filled meanwhile is a conflict, not overwritten.
    expected = _posted_version(request) or 1
    try:
        result = services.save_values(submission, request.user, data, expected)
    except services.ConflictError as exc:
        submission.refresh_from_db()
        return _render_form(
            request, unit, period, submission, posted=request.POST, conflict=str(exc), status=409
        )
    except ValidationError as exc:
        errors = (
            {code: " ".join(msgs) for code, msgs in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {}
        )
        problems = [] if errors else _messages_of(exc)
        return _render_form(
            request,
            unit,
            period,
            submission,
            posted=request.POST,
            errors=errors,
            problems=problems,
            status=400,
        )
    submission.refresh_from_db()
    existing = dict(submission.rule_comments.values_list("rule_id", "comment"))
    for rule in submission.catalog.rules:
        key = f"rc-{rule.id}"
        if key in request.POST and request.POST[key].strip() != existing.get(rule.id, ""):
            services.comment_rule(submission, request.user, rule.id, request.POST[key])
    messages.success(
        request,
        _("Saved: %(saved)s values changed, %(cleared)s cleared.")
        % {"saved": result.saved, "cleared": result.cleared},
    )
    return redirect(_form_url(unit, period))


@requires(Action.VIEW_UNIT_DATA)
@require_POST
def validate_field(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    """HTMX: check one indicator's typed input as the user types; the error or the computed rate.

    Checks only, saves nothing (so it is not a write endpoint).
    """
    unit = _unit(unit_code)
    _period(period_code)
    require(request.user, Action.VIEW_UNIT_DATA, unit)
    indicator = services.default_catalog().pure.get(request.POST.get("code", ""))
    if indicator is None or indicator.is_group:
        raise Http404
    raw = _raw_from_post(request.POST, indicator)
    raw.pop("note", None)
    error = ""
    try:
        parse_entry(indicator, raw, indicator.code)
    except EntryError as exc:
        error = exc.message
    rate = ""
    if indicator.aggregation is Aggregation.RATIO and not error:
        rate = _rate_text(raw.get("numerator", ""), raw.get("denominator", ""), indicator)
    return render(
        request,
        "reporting/_field_status.html",
        {"error": error, "rate": rate, "row": {"slug": slug(indicator.code)}},
    )


@requires(Action.ENTER_DATA, write=True, url_name="reporting:submit")
@require_POST
def submit(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    unit, period = _unit(unit_code), _period(period_code)
    require(request.user, Action.ENTER_DATA, unit)
    submission = _submission(unit, period)
    if submission is None:
        raise Http404
    try:
        services.submit(submission, request.user, _posted_version(request))
    except services.ConflictError as exc:
        submission.refresh_from_db()
        return _render_form(request, unit, period, submission, conflict=str(exc), status=409)
    except ValidationError as exc:
        submission.refresh_from_db()
        return _render_form(request, unit, period, submission, problems=_messages_of(exc), status=400)
    messages.success(request, _("The report was submitted to the province."))
    return redirect(_form_url(unit, period))


@requires(Action.APPROVE, write=True, url_name="reporting:approve")
@require_POST
def approve(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    unit, period = _unit(unit_code), _period(period_code)
    require(request.user, Action.APPROVE, unit)
    submission = _submission(unit, period)
    if submission is None:
        raise Http404
    try:
        services.approve(submission, request.user)
    except ValidationError as exc:
        return _render_form(request, unit, period, submission, problems=_messages_of(exc), status=400)
    messages.success(request, _("The report was approved."))
    return redirect(_form_url(unit, period))


@requires(Action.APPROVE, write=True, url_name="reporting:return")
@require_POST
def return_view(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    unit, period = _unit(unit_code), _period(period_code)
    require(request.user, Action.APPROVE, unit)
    submission = _submission(unit, period)
    if submission is None:
        raise Http404
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _render_form(
            request, unit, period, submission, problems=[_("Say why the report is returned.")], status=400
        )
    try:
        services.return_submission(submission, request.user, form.cleaned_data["comment"])
    except ValidationError as exc:
        return _render_form(request, unit, period, submission, problems=_messages_of(exc), status=400)
    messages.success(request, _("The report was returned to the unit."))
    return redirect(_form_url(unit, period))


@requires(Action.VIEW_UNIT_DATA)
@require_GET
def template_download(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    """The XLSX appendix to fill for the unit and period, with the values already stored."""
    unit, period = _unit(unit_code), _period(period_code)
    require(request.user, Action.VIEW_UNIT_DATA, unit)
    body = template_xlsx(unit, period, services.default_catalog(), _submission(unit, period))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="phu-luc-{unit.code}-{period.code}.xlsx"'
    return response


@requires(Action.ENTER_DATA, write=True, url_name="reporting:upload")
@require_POST
def upload(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    """Import a filled template: all or nothing; each bad cell is listed with sheet, row and reason."""
    unit, period = _unit(unit_code), _period(period_code)
    try:
        submission = _editable_submission(request, unit, period)
    except ValidationError as exc:
        return _render_form(request, unit, period, None, problems=_messages_of(exc), status=400)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [m for msgs in form.errors.values() for m in msgs]
        return _render_form(request, unit, period, submission, problems=problems, status=400)
    try:
        result = services_import(form.cleaned_data["file"].read(), submission, request.user)
    except XlsxImportError as exc:
        return _render_form(
            request, unit, period, submission, problems=[exc.message], upload_errors=exc.errors, status=400
        )
    except services.ConflictError as exc:
        return _render_form(request, unit, period, submission, conflict=str(exc), status=409)
    except ValidationError as exc:
        return _render_form(request, unit, period, submission, problems=_messages_of(exc), status=400)
    counts = result.as_dict()
    messages.success(
        request,
        _("File imported: %(saved)s values changed, %(cleared)s cleared.")
        % {"saved": counts.get("saved", 0), "cleared": counts.get("cleared", 0)},
    )
    return redirect(_form_url(unit, period))


def services_import(body: bytes, submission: Submission, user: Any) -> Any:
    from .xlsx import import_xlsx

    return import_xlsx(body, submission, user)


# --- period-wide pages ------------------------------------------------------------------------------------


@requires(Action.APPROVE)
@require_GET
def validation_report(request: HttpRequest, period_code: str) -> HttpResponse:
    """Every unit's failed rules for the period (errors first), with the units' explanations."""
    period = _period(period_code)
    unit = _scope_unit(request, Action.APPROVE)
    catalog = services.default_catalog()
    names = dict(Unit.objects.values_list("code", "name"))
    failures = [
        {
            "unit": f.unit,
            "name": names.get(f.unit, ""),
            "status": Status(f.status).label,
            "rules": [
                {
                    "rule_id": r.rule_id,
                    "severity": r.severity.value,
                    "text": services.rule_message(r),
                    "comment": f.comments.get(r.rule_id, ""),
                }
                for r in sorted(f.failed, key=lambda r: (not r.blocking, r.rule_id))
            ],
        }
        for f in services.failed_rules(period, catalog, unit)
    ]
    return render(
        request, "reporting/validation_report.html", {"period": period, "unit": unit, "failures": failures}
    )


def _cell(indicator: Indicator, row: Value | None) -> str:
    if row is None or row.is_empty:
        return ""
    if indicator.value_type is ValueType.CHOICE:
        return indicator.choice_label(row.text) or row.text
    if row.value is None:
        return row.text
    if indicator.aggregation is Aggregation.RATIO:
        text = vi(row.value, 2) + "%"
        return text + (" †" if row.non_aggregable else "")
    return vi(row.value)


def _aggregate_cell(indicator: Indicator, agg: services.IndicatorAggregate | None) -> str:
    if agg is None:
        return "—"
    if agg.counts is not None:
        return "; ".join(
            f"{indicator.choice_label(code) or code}: {count}" for code, count in sorted(agg.counts.items())
        )
    if agg.value is None:
        return ""
    if agg.aggregation == Aggregation.RATIO:
        return vi(agg.value, 2) + "%"
    return vi(agg.value)


@requires(Action.VIEW_UNIT_DATA)
@require_GET
def aggregate_view(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    """Indicators × child units with the aggregate column: sums, rates recomputed from counts."""
    unit, period = _unit(unit_code), _period(period_code)
    require(request.user, Action.VIEW_UNIT_DATA, unit)
    include_submitted = request.GET.get("submitted") == "1"
    catalog = services.default_catalog()
    report = services.aggregate(unit, period, catalog, include_submitted=include_submitted)
    pivot = services.pivot_by_unit(unit, period, catalog, include_submitted=include_submitted)
    columns = list(pivot)
    rows = []
    for indicator in catalog.pure:
        agg = report.indicators.get(indicator.code)
        rows.append(
            {
                "indicator": indicator,
                "depth": len(catalog.pure.ancestors(indicator.code)),
                "cells": [_cell(indicator, pivot[c].get(indicator.code)) for c in columns],
                "aggregate": "" if indicator.is_group else _aggregate_cell(indicator, agg),
                "partial": agg is not None and agg.partial,
                "non_aggregable": bool(
                    (agg is not None and agg.aggregation == Aggregation.NONE)
                    or (not indicator.is_group and agg is None)
                ),
                "missing": ", ".join(agg.missing) if agg is not None else "",
                "excluded": ", ".join(agg.non_aggregable) if agg is not None else "",
                "fraction": (
                    f"{vi(agg.numerator)}/{vi(agg.denominator)}"
                    if agg is not None and agg.numerator is not None and agg.denominator is not None
                    else ""
                ),
            }
        )
    return render(
        request,
        "reporting/aggregate.html",
        {
            "unit": unit,
            "period": period,
            "columns": columns,
            "rows": rows,
            "include_submitted": include_submitted,
            "counted": len(report.units),
        },
    )


@requires(Action.VIEW_UNIT_DATA)
@require_GET
def aggregate_xlsx(request: HttpRequest, unit_code: str, period_code: str) -> HttpResponse:
    unit, period = _unit(unit_code), _period(period_code)
    require(request.user, Action.VIEW_UNIT_DATA, unit)
    include_submitted = request.GET.get("submitted") == "1"
    report = services.aggregate(unit, period, services.default_catalog(), include_submitted=include_submitted)
    response = HttpResponse(export_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="tong-hop-{unit.code}-{period.code}.xlsx"'
    return response


@requires(Action.APPROVE)
@require_GET
def completeness(request: HttpRequest, period_code: str) -> HttpResponse:
    """Who reported for the period: counts and the list of units to chase."""
    period = _period(period_code)
    unit = _scope_unit(request, Action.APPROVE)
    result = services.completeness(period, services.default_catalog(), unit)
    data = result.as_dict()
    units = {u.code: u for u in Unit.objects.filter(code__in=result.expected)}
    subs = {
        s.unit.code: s
        for s in Submission.objects.filter(period=period, unit__code__in=result.expected).select_related(
            "unit"
        )
    }
    chase = [
        {"unit": units[c], "submission": subs.get(c), "returned": c in result.returned}
        for c in result.missing
    ]
    late = [{"unit": units[c], "submission": subs.get(c)} for c in result.late]
    counts = data["counts"]
    cards = [
        (_("Expected"), counts["expected"]),
        (_("Submitted"), counts["submitted"]),
        (_("On time"), counts["on_time"]),
        (_("Late"), counts["late"]),
        (_("Approved"), counts["approved"]),
        (_("Missing"), counts["missing"]),
    ]
    return render(
        request,
        "reporting/completeness.html",
        {"period": period, "unit": unit, "cards": cards, "chase": chase, "late": late},
    )


# --- indicators × periods ---------------------------------------------------------------------------


TREND_KINDS = ("quarter", "half")


def _trend_value_text(indicator: Indicator, value: object) -> str:
    """A period-pivot value the Vietnamese way: numbers, rates with %, option labels, option counts."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(
            f"{indicator.choice_label(code) or code}: {count}" for code, count in sorted(value.items())
        )
    if isinstance(value, str):
        if indicator.value_type is ValueType.CHOICE:
            return indicator.choice_label(value) or value
        return value
    if isinstance(value, RatioInput):
        return "" if value.rate is None else vi(value.rate, 2) + "%"
    if indicator.aggregation is Aggregation.RATIO:
        return vi(value, 2) + "%"  # type: ignore[arg-type]
    return vi(value)  # type: ignore[arg-type]


def _trend_args(request: HttpRequest, unit_code: str, year: int) -> tuple[Unit, str]:
    unit = _unit(unit_code)
    require(request.user, Action.VIEW_UNIT_DATA, unit)
    kind = request.GET.get("kind", "quarter")
    if kind not in TREND_KINDS:
        raise Http404
    return unit, kind


@requires(Action.VIEW_UNIT_DATA)
@require_GET
def trend_view(request: HttpRequest, unit_code: str, year: int) -> HttpResponse:
    """Indicators × the year's quarters or halves, then the year (flows summed, stocks latest)."""
    unit, kind = _trend_args(request, unit_code, year)
    catalog = services.default_catalog()
    pivot = services.pivot_by_period(unit, year, kind, catalog, request.user)
    rows = []
    for indicator in catalog.pure:
        cells = []
        for column in pivot.columns:
            cell = column.cells.get(indicator.code)
            cells.append(
                {
                    "text": "" if cell is None else _trend_value_text(indicator, cell.value),
                    "partial": cell is not None and cell.partial,
                }
            )
        total = pivot.total.get(indicator.code)
        rows.append(
            {
                "indicator": indicator,
                "cells": cells,
                "total": "" if total is None else _trend_value_text(indicator, total.value),
                "partial": total is not None and total.partial,
            }
        )
    return render(
        request,
        "reporting/trend.html",
        {
            "unit": unit,
            "year": year,
            "kind": kind,
            "columns": pivot.columns,
            "rows": rows,
            "kinds": [(k, PeriodKind(k).label) for k in TREND_KINDS],
        },
    )


@requires(Action.VIEW_UNIT_DATA)
@require_GET
def trend_xlsx(request: HttpRequest, unit_code: str, year: int) -> HttpResponse:
    """The indicators × periods table as XLSX (numbers numeric, text formula-safe)."""
    from .xlsx import export_period_pivot_xlsx

    unit, kind = _trend_args(request, unit_code, year)
    pivot = services.pivot_by_period(unit, year, kind, services.default_catalog(), request.user)
    response = HttpResponse(export_period_pivot_xlsx(pivot), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="xu-huong-{unit.code}-{year}-{kind}.xlsx"'
    return response
