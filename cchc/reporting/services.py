"""Indicator reporting workflow: every write to a submission goes through here, checked and audited.

Views, the API, the command line and the demo call these functions; none writes the models
directly. Each write checks `cchc.accounts.permissions`: the unit's reporters (ENTER_DATA) edit and
submit drafts, province officers (APPROVE) approve or return; nobody edits a submitted, approved or
locked submission, nor anything of a closed period. Bad input raises `ValidationError` with
Vietnamese messages keyed by indicator code; a stale form raises `ConflictError` naming the values
changed since; a forbidden action raises `PermissionDenied`. Sums and rates come from the pure
`cchc.reporting.aggregate` module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

# SYSTEM, ConflictError and SystemActor are part of this module's API (callers use services.SYSTEM).
from cchc.accounts.actors import SYSTEM, ConflictError, SystemActor, audited, real_user  # noqa: F401
from cchc.accounts.permissions import Action, can, require
from cchc.periods.models import Period
from cchc.reporting import BNV_2021_INDICATORS, BNV_2021_RULES
from cchc.reporting import aggregate as pure_aggregate
from cchc.reporting import catalog as pure_catalog
from cchc.reporting import rules as pure_rules
from cchc.reporting.entry import Entry, EntryError, about, parse_entries, parse_entry
from cchc.reporting.models import (
    EDITABLE,
    Catalog,
    Indicator,
    RuleComment,
    RuleDef,
    Source,
    Status,
    Submission,
    Value,
)
from cchc.units.models import Unit
from cchc.units.queries import descendant_ids

CHANGED_CODES_SHOWN = 10
BNV_2021 = {
    "code": "bnv-2021",
    "name": "Phụ lục thống kê số liệu CCHC (Bộ Nội vụ, 2021)",
    "version": "2021",
    "unit_kinds": ["tinh", "so_nganh", "huyen"],
    "valid_from_year": 2021,
    "valid_to_year": None,
}
# Counted as reported for aggregation: approved, or locked after approval (and submitted on request).
APPROVED_STATES = frozenset({Status.APPROVED})
SUBMITTED_STATES = frozenset({Status.SUBMITTED, Status.APPROVED})




def _status_label(status: str) -> str:
    return str(Status(status).label)


# --- catalogs ------------------------------------------------------------------------------------


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_catalog(
    indicators_path: str | Path = BNV_2021_INDICATORS,
    rules_path: str | Path | None = BNV_2021_RULES,
    *,
    code: str = BNV_2021["code"],
    name: str = BNV_2021["name"],
    version: str = BNV_2021["version"],
    unit_kinds: Iterable[str] = BNV_2021["unit_kinds"],
    valid_from_year: int | None = BNV_2021["valid_from_year"],
    valid_to_year: int | None = BNV_2021["valid_to_year"],
) -> dict[str, Any]:
    """Store a catalog and its rules from their files; idempotent (same files → nothing written).

    A catalog whose files changed is replaced only while no submission uses it: values typed
    against one version must stay readable with that version, so a changed catalog needs a new code.
    """
    indicators_path = Path(indicators_path)
    text = indicators_path.read_text(encoding="utf-8-sig")
    parsed = pure_catalog.parse_catalog(text, name=code)
    rules_text = Path(rules_path).read_text(encoding="utf-8-sig") if rules_path else ""
    rules = pure_rules.parse_rules(rules_text, parsed) if rules_text.strip() else ()
    wanted = {
        "name": name,
        "version": version,
        "source_name": indicators_path.name,
        "source_text": text,
        "source_hash": _sha256(text),
        "rules_name": Path(rules_path).name if rules_path else "",
        "rules_text": rules_text,
        "rules_hash": _sha256(rules_text) if rules_text else "",
        "unit_kinds": list(unit_kinds),
        "valid_from_year": valid_from_year,
        "valid_to_year": valid_to_year,
    }
    with transaction.atomic():
        stored = Catalog.objects.select_for_update().filter(code=code).first()
        created = stored is None
        files_changed = created or (
            stored.source_hash != wanted["source_hash"] or stored.rules_hash != wanted["rules_hash"]
        )
        if not created and files_changed and stored.submissions.exists():
            raise ValidationError(
                _(
                    "Catalog %(code)s already has submissions and its files changed: load the new "
                    "version under a new code."
                )
                % {"code": code}
            )
        changed = created or any(getattr(stored, k) != v for k, v in wanted.items())
        if changed:
            stored = stored or Catalog(code=code)
            for key, value in wanted.items():
                setattr(stored, key, value)
            stored.save()
        if files_changed:
            stored.indicators.all().delete()
            stored.rule_defs.all().delete()
            Indicator.objects.bulk_create(
                Indicator(
                    catalog=stored,
                    code=i.code,
                    parent_code=i.parent or "",
                    kind=i.kind.value,
                    name=i.name,
                    unit=i.unit,
                    value_type=i.value_type.value if i.value_type else "",
                    choices=[{"code": c.code, "label": c.label} for c in i.choices],
                    aggregation=i.aggregation.value if not i.is_group else "",
                    temporal=i.temporal.value if i.temporal else "",
                    numerator_label=i.numerator_label,
                    denominator_label=i.denominator_label,
                    order=n,
                )
                for n, i in enumerate(parsed.indicators, start=1)
            )
            RuleDef.objects.bulk_create(
                RuleDef(
                    catalog=stored,
                    rule_id=r.id,
                    left=r.left_text,
                    operator=r.operator,
                    right=r.right_text,
                    severity=r.severity.value,
                    message=r.message,
                    order=n,
                )
                for n, r in enumerate(rules, start=1)
            )
    return {
        "catalog": code,
        "created": created,
        "updated": changed and not created,
        "indicators": len(parsed),
        "rules": len(rules),
    }


def default_catalog() -> Catalog:
    """The shipped BNV 2021 catalog, loaded on first use."""
    stored = Catalog.objects.filter(code=BNV_2021["code"]).first()
    if stored is None:
        load_catalog()
        stored = Catalog.objects.get(code=BNV_2021["code"])
    return stored


# --- submissions ---------------------------------------------------------------------------------


def get_or_create_submission(unit: Unit, period: Period, catalog: Catalog, user: Any) -> Submission:
    """The unit's submission for the period, created as a draft by someone who may enter its data."""
    existing = Submission.objects.filter(unit=unit, period=period, catalog=catalog).first()
    if existing is not None:
        if not (can(user, Action.VIEW_UNIT_DATA, unit) or can(user, Action.ENTER_DATA, unit)):
            raise PermissionDenied
        return existing
    require(user, Action.ENTER_DATA, unit)
    if not catalog.applies_to_year(period.year):
        raise ValidationError(
            _("Catalog %(catalog)s does not apply to period %(period)s.")
            % {"catalog": catalog.code, "period": period.code}
        )
    if catalog.unit_kinds and unit.kind not in catalog.unit_kinds:
        raise ValidationError(
            _("Unit %(unit)s does not report on catalog %(catalog)s.")
            % {"unit": unit.code, "catalog": catalog.code}
        )
    with audited(user):
        try:
            with transaction.atomic():
                return Submission.objects.create(unit=unit, period=period, catalog=catalog)
        except IntegrityError:  # created by someone else in the meantime
            return Submission.objects.get(unit=unit, period=period, catalog=catalog)


def stored_values(submission: Submission) -> dict[str, Value]:
    """The submission's non-empty values by indicator code."""
    return {v.indicator_code: v for v in submission.values.all() if not v.is_empty}


def _check_editable(submission: Submission) -> None:
    if not submission.period.is_open:
        raise ValidationError(
            _("Period %(period)s is closed: its submissions can no longer be changed.")
            % {"period": submission.period.code}
        )
    if submission.status not in EDITABLE:
        raise ValidationError(
            _("The submission is %(status)s: it can no longer be changed.")
            % {"status": _status_label(submission.status)}
        )


def _conflict(fresh: Submission, expected_version: int) -> ConflictError:
    changed = list(
        fresh.values.filter(version__gt=expected_version)
        .order_by("id")
        .values_list("indicator_code", flat=True)
    )
    shown = ", ".join(changed[:CHANGED_CODES_SHOWN]) + (" …" if len(changed) > CHANGED_CODES_SHOWN else "")
    message = _(
        "The submission was changed at %(when)s while you were editing (version %(current)s, you "
        "edited version %(expected)s); %(what)s. Nothing was saved: reload it and enter your "
        "changes again."
    ) % {
        "when": timezone.localtime(fresh.updated_at).strftime("%H:%M %d/%m/%Y"),
        "current": fresh.version,
        "expected": expected_version,
        "what": (_("indicators changed: %(codes)s") % {"codes": shown})
        if changed
        else _("its status is now %(status)s") % {"status": _status_label(fresh.status)},
    }
    return ConflictError(message, current_version=fresh.version, changed_codes=changed)


@contextlib.contextmanager
def _bumped(submission: Submission, user: Any, expected_version: int | None) -> Iterator[Submission]:
    """A transaction in which the submission's version moved from `expected_version` to the next.

    The compare-and-set UPDATE is atomic on every database, so of two saves made from the same
    version exactly one wins; the other gets `ConflictError` and writes nothing.
    """
    with audited(user), transaction.atomic():
        expected = submission.version if expected_version is None else expected_version
        moved = Submission.objects.filter(pk=submission.pk, version=expected).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        fresh = Submission.objects.select_related("period", "unit", "catalog").get(pk=submission.pk)
        if not moved:
            raise _conflict(fresh, expected)
        yield fresh
    submission.refresh_from_db()


@dataclass(frozen=True)
class SaveResult:
    saved: int
    cleared: int
    unchanged: int
    version: int


def _differs(row: Value, entry: Entry) -> bool:
    if entry.clear:
        return not row.is_empty or (entry.note is not None and entry.note != row.note)
    return (
        row.value != entry.value
        or row.text != entry.text
        or row.numerator != entry.numerator
        or row.denominator != entry.denominator
        or row.non_aggregable != entry.non_aggregable
        or (entry.note is not None and entry.note != row.note)
    )


def save_values(
    submission: Submission,
    user: Any,
    data: Mapping[str, Any],
    expected_version: int | None,
    source: str = Source.MANUAL,
) -> SaveResult:
    """Check and store values typed for a submission; all or nothing.

    `data` maps indicator codes to raw input: a Vietnamese number ("1.964", "28,94"), a number, an
    option code, a (numerator, denominator) pair, or a mapping with value/numerator/denominator/note;
    blank clears the value. Errors → `ValidationError` keyed by code; a stale `expected_version`
    (someone saved in between) → `ConflictError` listing the codes they changed.
    """
    require(user, Action.ENTER_DATA, submission.unit_id)
    if source not in Source.values:
        raise ValueError(f"unknown source {source!r}")
    entries, errors = parse_entries(submission.catalog.pure, data)
    if errors:
        raise ValidationError({code: [message] for code, message in errors.items()})
    real = real_user(user)
    saved = cleared = unchanged = 0
    with _bumped(submission, user, expected_version) as fresh:
        _check_editable(fresh)
        rows = {v.indicator_code: v for v in fresh.values.select_for_update()}
        for entry in entries:
            row = rows.get(entry.code)
            if row is not None and not _differs(row, entry):
                unchanged += 1
                continue
            if row is None:
                if entry.clear and not entry.note:
                    unchanged += 1
                    continue
                row = Value(submission=fresh, indicator_code=entry.code)
            row.value = entry.value
            row.text = entry.text
            row.numerator = entry.numerator
            row.denominator = entry.denominator
            row.non_aggregable = entry.non_aggregable
            if entry.note is not None:
                row.note = entry.note
            row.source = source
            row.version = fresh.version
            row.updated_by = real
            row.save()
            if entry.clear:
                cleared += 1
            else:
                saved += 1
    return SaveResult(saved, cleared, unchanged, submission.version)


# --- validation ----------------------------------------------------------------------------------


@dataclass
class ValidationReport:
    """Type problems of stored values and the outcome of every rule."""

    type_errors: dict[str, str] = field(default_factory=dict)
    results: list[pure_rules.RuleResult] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[pure_rules.RuleResult]:
        return [r for r in self.results if r.blocking]

    @property
    def warnings(self) -> list[pure_rules.RuleResult]:
        return [
            r
            for r in self.results
            if r.status is pure_rules.Status.FAILED and r.severity is pure_rules.Severity.WARNING
        ]

    @property
    def uncommented_warnings(self) -> list[pure_rules.RuleResult]:
        return [r for r in self.warnings if not self.comments.get(r.rule_id, "").strip()]

    @property
    def not_evaluated(self) -> list[pure_rules.RuleResult]:
        return [r for r in self.results if r.status is pure_rules.Status.NOT_EVALUATED]

    @property
    def can_submit(self) -> bool:
        return not self.type_errors and not self.errors and not self.uncommented_warnings


def _raw_of(row: Value) -> dict[str, Any]:
    return {
        "value": row.text if row.value is None else row.value,
        "numerator": row.numerator,
        "denominator": row.denominator,
    }


def rule_inputs(values: Mapping[str, Value]) -> dict[str, Decimal | None]:
    """The numbers rules compare: each value (for a rate, the rate itself)."""
    return {code: row.value for code, row in values.items()}


def validate(submission: Submission) -> ValidationReport:
    """Type checks of the stored values, then the catalog's rules (missing operand → not evaluated)."""
    catalog = submission.catalog.pure
    values = stored_values(submission)
    report = ValidationReport()
    for code, row in values.items():
        raw = _raw_of(row)
        if row.non_aggregable:
            raw = {"value": row.value}
        try:
            parse_entry(catalog.get(code), raw, code)
        except EntryError as exc:
            report.type_errors[code] = exc.message
    inputs = {code: v for code, v in rule_inputs(values).items() if code not in report.type_errors}
    report.results = pure_rules.evaluate(submission.catalog.rules, inputs)
    report.comments = dict(submission.rule_comments.values_list("rule_id", "comment"))
    return report


def rule_message(result: pure_rules.RuleResult) -> str:
    """One line about a rule outcome, in Vietnamese, with the numbers compared."""
    if result.status is pure_rules.Status.NOT_EVALUATED:
        return _("Rule %(rule)s not evaluated: %(reason)s") % {
            "rule": result.rule_id,
            "reason": result.reason,
        }
    from cchc.reporting.numbers import format_vi

    return _("Rule %(rule)s: %(message)s (%(left)s compared with %(right)s)") % {
        "rule": result.rule_id,
        "message": result.message,
        "left": format_vi(result.left.normalize()) if result.left is not None else "",
        "right": format_vi(result.right.normalize()) if result.right is not None else "",
    }


def comment_rule(submission: Submission, user: Any, rule_id: str, comment: str) -> RuleComment | None:
    """Explain a warning (blank removes the explanation); needed before submitting with a warning."""
    require(user, Action.ENTER_DATA, submission.unit_id)
    if rule_id not in {r.id for r in submission.catalog.rules}:
        raise ValidationError(_("Rule %(rule)s is not in the catalog.") % {"rule": rule_id})
    with _bumped(submission, user, None) as fresh:
        _check_editable(fresh)
        existing = fresh.rule_comments.filter(rule_id=rule_id).first()
        if not comment.strip():
            if existing is not None:
                existing.delete()
            return None
        if existing is None:
            return RuleComment.objects.create(
                submission=fresh, rule_id=rule_id, comment=comment.strip(), created_by=real_user(user)
            )
        existing.comment = comment.strip()
        existing.save()
        return existing


# --- workflow ------------------------------------------------------------------------------------


def submit(submission: Submission, user: Any, expected_version: int | None = None) -> Submission:
    """Send the submission to the province: rule errors block, failed warnings need a comment."""
    require(user, Action.ENTER_DATA, submission.unit_id)
    with _bumped(submission, user, expected_version) as fresh:
        _check_editable(fresh)
        report = validate(fresh)
        problems = list(report.type_errors.values())
        problems += [rule_message(r) for r in report.errors]
        problems += [
            _("Rule %(rule)s: %(message)s — explain this warning before submitting.")
            % {"rule": r.rule_id, "message": r.message}
            for r in report.uncommented_warnings
        ]
        if problems:
            raise ValidationError(problems)
        fresh.status = Status.SUBMITTED
        fresh.submitted_at = timezone.now()
        fresh.submitted_by = real_user(user)
        fresh.save()
    return submission


def approve(submission: Submission, user: Any) -> Submission:
    """Accept a submitted report (province officers)."""
    require(user, Action.APPROVE, submission.unit_id)
    with _bumped(submission, user, None) as fresh:
        if fresh.status != Status.SUBMITTED:
            raise ValidationError(
                _("Only a submitted report can be approved; this one is %(status)s.")
                % {"status": _status_label(fresh.status)}
            )
        fresh.status = Status.APPROVED
        fresh.approved_at = timezone.now()
        fresh.approved_by = real_user(user)
        fresh.save()
    return submission


def return_submission(submission: Submission, user: Any, comment: str) -> Submission:
    """Send a report back to its unit with the reason (province officers); the unit edits it again."""
    require(user, Action.APPROVE, submission.unit_id)
    if not comment or not comment.strip():
        raise ValidationError({"comment": [_("Say why the report is returned.")]})
    with _bumped(submission, user, None) as fresh:
        if not fresh.period.is_open:
            raise ValidationError(
                _("Period %(period)s is closed: its submissions can no longer be changed.")
                % {"period": fresh.period.code}
            )
        if fresh.status not in (Status.SUBMITTED, Status.APPROVED):
            raise ValidationError(
                _("Only a submitted or approved report can be returned; this one is %(status)s.")
                % {"status": _status_label(fresh.status)}
            )
        fresh.status = Status.RETURNED
        fresh.returned_at = timezone.now()
        fresh.returned_by = real_user(user)
        fresh.return_comment = comment.strip()
        fresh.approved_at = None
        fresh.approved_by = None
        fresh.save()
    return submission


def lock_period(period: Period, user: Any = SYSTEM) -> int:
    """Close the period and lock all its submissions (audited); returns how many were locked."""
    from cchc.periods.services import close_period

    require(user, Action.MANAGE_PERIODS)
    locked = 0
    with audited(user), transaction.atomic():
        close_period(period)
        for submission in (
            Submission.objects.select_for_update().filter(period=period).exclude(status=Status.LOCKED)
        ):
            submission.status = Status.LOCKED
            submission.version += 1
            submission.save()
            locked += 1
    return locked


# --- aggregation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorAggregate:
    code: str
    aggregation: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    counts: Mapping[str, int] | None = None
    units: tuple[str, ...] = ()
    non_aggregable: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        """Some reporting unit's value is missing or could not be combined."""
        return bool(self.missing or self.non_aggregable or self.invalid)


@dataclass(frozen=True)
class AggregateReport:
    unit: str
    period: str
    catalog: str
    at: dt.date
    units: tuple[str, ...]  # units whose submissions were counted
    indicators: dict[str, IndicatorAggregate]


def counted_statuses(include_submitted: bool) -> frozenset[str]:
    return SUBMITTED_STATES if include_submitted else APPROVED_STATES


def _counted(submission: Submission, include_submitted: bool) -> bool:
    if submission.status == Status.LOCKED:
        return submission.approved_at is not None or (
            include_submitted and submission.submitted_at is not None
        )
    return submission.status in counted_statuses(include_submitted)


def unit_input(indicator: pure_catalog.Indicator, row: Value | None) -> object:
    """What the pure aggregate module takes for one unit's value (None when missing)."""
    if row is None or row.is_empty:
        return None
    if indicator.aggregation is pure_catalog.Aggregation.RATIO:
        if row.non_aggregable or row.numerator is None:
            return pure_aggregate.RatioInput(rate=row.value)
        return pure_aggregate.RatioInput(row.numerator, row.denominator, row.value)
    if indicator.value_type is pure_catalog.ValueType.CHOICE:
        return row.text or None
    return row.value


def aggregate(
    unit: Unit,
    period: Period,
    catalog: Catalog,
    at: dt.date | None = None,
    *,
    include_submitted: bool = False,
    include_self: bool = False,
) -> AggregateReport:
    """Roll up the submissions of every unit under `unit` (valid at `at`, default the period end).

    Counts are summed and rates recomputed from summed numerators and denominators; a rate entered
    without its counts is listed as non-aggregable. Only approved submissions count unless
    `include_submitted`. The unit's own submission is left out (it is a figure for the same area,
    not a part of it) unless `include_self`.
    """
    at = at or period.end
    ids = descendant_ids(unit.pk, at=at, include_self=include_self)
    if not include_self:
        ids.discard(unit.pk)
    submissions = [
        s
        for s in Submission.objects.filter(unit_id__in=ids, period=period, catalog=catalog)
        .select_related("unit")
        .prefetch_related("values")
        .order_by("unit__code")
        if _counted(s, include_submitted)
    ]
    by_unit = {s.unit.code: {v.indicator_code: v for v in s.values.all()} for s in submissions}
    result: dict[str, IndicatorAggregate] = {}
    for indicator in catalog.pure.values():
        if indicator.aggregation is pure_catalog.Aggregation.NONE:
            continue
        inputs = {code: unit_input(indicator, rows.get(indicator.code)) for code, rows in by_unit.items()}
        rolled = pure_aggregate.aggregate_indicator(indicator, inputs)
        result[indicator.code] = _as_aggregate(indicator, rolled)
    return AggregateReport(unit.code, period.code, catalog.code, at, tuple(by_unit), result)


def _as_aggregate(indicator: pure_catalog.Indicator, rolled: object) -> IndicatorAggregate:
    aggregation = indicator.aggregation.value
    if isinstance(rolled, pure_aggregate.RatioResult):
        return IndicatorAggregate(
            indicator.code,
            aggregation,
            rolled.value,
            rolled.numerator,
            rolled.denominator,
            units=tuple(rolled.units),
            non_aggregable=tuple(rolled.non_aggregable),
            missing=tuple(rolled.missing),
        )
    if isinstance(rolled, pure_aggregate.DistributionResult):
        return IndicatorAggregate(
            indicator.code,
            aggregation,
            None,
            counts=dict(rolled.counts),
            units=tuple(rolled.units),
            invalid=tuple(rolled.invalid),
            missing=tuple(rolled.missing),
        )
    assert isinstance(rolled, pure_aggregate.SumResult)
    return IndicatorAggregate(
        indicator.code, aggregation, rolled.value, units=tuple(rolled.units), missing=tuple(rolled.missing)
    )


@dataclass(frozen=True)
class PeriodAggregate:
    code: str
    temporal: str
    value: object  # Decimal, RatioInput, option code or None
    partial: bool
    missing_periods: tuple[str, ...]
    source_period: str | None


def aggregate_over_periods(
    unit: Unit, year: int, kind: str = "quarter", catalog: Catalog | None = None
) -> dict[str, PeriodAggregate]:
    """A unit's year from its sub-periods of `kind`: flows summed, stocks the latest value.

    Only approved submissions count; a sub-period without one makes the result partial (its value
    is missing), so a year total is complete only when every quarter is approved.
    """
    catalog = catalog or default_catalog()
    periods = list(Period.objects.filter(year=year, kind=kind).order_by("start"))
    subs = {
        s.period_id: s
        for s in Submission.objects.filter(unit=unit, catalog=catalog, period__in=periods).prefetch_related(
            "values"
        )
        if _counted(s, False)
    }
    rows_by_period = {
        p.code: ({v.indicator_code: v for v in subs[p.pk].values.all()} if p.pk in subs else {})
        for p in periods
    }
    out: dict[str, PeriodAggregate] = {}
    for indicator in catalog.pure.values():
        if indicator.temporal is None or indicator.value_type is pure_catalog.ValueType.TEXT:
            continue
        series = [
            (code, unit_input(indicator, rows.get(indicator.code))) for code, rows in rows_by_period.items()
        ]
        temporal = indicator.temporal
        if indicator.value_type is pure_catalog.ValueType.CHOICE:
            temporal = pure_catalog.Temporal.STOCK
        combined = pure_aggregate.combine_periods(temporal, series)
        out[indicator.code] = PeriodAggregate(
            indicator.code,
            temporal.value,
            combined.value,
            combined.partial,
            tuple(str(p) for p in combined.missing_periods),
            None if combined.source_period is None else str(combined.source_period),
        )
    return out


# --- completeness --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completeness:
    period: str
    catalog: str
    expected: tuple[str, ...]
    submitted: tuple[str, ...]
    on_time: tuple[str, ...]
    late: tuple[str, ...]
    approved: tuple[str, ...]
    returned: tuple[str, ...]
    draft: tuple[str, ...]
    missing: tuple[str, ...]  # expected, nothing submitted (no submission or still a draft/returned)

    def as_dict(self) -> dict[str, Any]:
        data = {
            k: list(getattr(self, k))
            for k in ("expected", "submitted", "on_time", "late", "approved", "returned", "draft", "missing")
        }
        data["counts"] = {k: len(v) for k, v in data.items()}
        data.update(period=self.period, catalog=self.catalog)
        return data


def expected_units(period: Period, catalog: Catalog, parent_unit: Unit) -> list[Unit]:
    """Units under `parent_unit` (itself included) existing at the period end, of the catalog's kinds."""
    ids = descendant_ids(parent_unit.pk, at=period.end, include_self=True)
    units = Unit.objects.filter(pk__in=ids).valid_at(period.end)
    if catalog.unit_kinds:
        units = units.filter(kind__in=catalog.unit_kinds)
    return list(units.order_by("code"))


def completeness(period: Period, catalog: Catalog, parent_unit: Unit) -> Completeness:
    """Who reported for the period: submitted (on time or late against the deadline), approved, missing."""
    units = expected_units(period, catalog, parent_unit)
    subs = {
        s.unit_id: s
        for s in Submission.objects.filter(period=period, catalog=catalog, unit__in=units).select_related(
            "period"
        )
    }
    lists: dict[str, list[str]] = {
        k: [] for k in ("submitted", "on_time", "late", "approved", "returned", "draft", "missing")
    }
    for unit in units:
        s = subs.get(unit.pk)
        if s is None or s.submitted_at is None or s.status in EDITABLE:
            lists["missing"].append(unit.code)
            if s is not None:
                lists["returned" if s.status == Status.RETURNED else "draft"].append(unit.code)
            continue
        lists["submitted"].append(unit.code)
        lists["on_time" if s.on_time else "late"].append(unit.code)
        if s.status == Status.APPROVED or (s.status == Status.LOCKED and s.approved_at is not None):
            lists["approved"].append(unit.code)
    return Completeness(
        period.code,
        catalog.code,
        tuple(u.code for u in units),
        *(
            tuple(lists[k])
            for k in ("submitted", "on_time", "late", "approved", "returned", "draft", "missing")
        ),
    )


@dataclass(frozen=True)
class UnitRuleFailures:
    unit: str
    status: str
    failed: tuple[pure_rules.RuleResult, ...]
    comments: Mapping[str, str]


def failed_rules(period: Period, catalog: Catalog, parent_unit: Unit) -> list[UnitRuleFailures]:
    """Every expected unit's failed rules for the period (the validation report), by unit code."""
    units = {u.pk: u for u in expected_units(period, catalog, parent_unit)}
    out: list[UnitRuleFailures] = []
    for submission in (
        Submission.objects.filter(period=period, catalog=catalog, unit_id__in=units)
        .select_related("unit", "period", "catalog")
        .order_by("unit__code")
    ):
        submission.catalog = catalog  # share the parsed catalog and rules
        report = validate(submission)
        failed = tuple(r for r in report.results if r.status is pure_rules.Status.FAILED)
        if failed:
            out.append(UnitRuleFailures(submission.unit.code, submission.status, failed, report.comments))
    return out


def pivot_by_unit(
    unit: Unit, period: Period, catalog: Catalog, *, include_submitted: bool = False
) -> dict[str, dict[str, Value]]:
    """Indicators × units: each counted unit's values under `unit` (the columns of a pivot table)."""
    ids = descendant_ids(unit.pk, at=period.end, include_self=False)
    subs = (
        Submission.objects.filter(unit_id__in=ids, period=period, catalog=catalog)
        .select_related("unit")
        .prefetch_related("values")
        .order_by("unit__code")
    )
    return {
        s.unit.code: {v.indicator_code: v for v in s.values.all() if not v.is_empty}
        for s in subs
        if _counted(s, include_submitted)
    }


@dataclass(frozen=True)
class TrendCell:
    """One indicator in one column of the period pivot.

    `value` is a Decimal, a `RatioInput` (counts and rate), an option code or text, a mapping of
    option counts (a distribution rolled up from units) or None; `partial` when it does not cover
    every unit or sub-period it should.
    """

    value: object
    partial: bool = False


@dataclass(frozen=True)
class TrendColumn:
    period: str
    name: str
    own: bool  # the unit's own approved report, else the aggregate of the units under it
    cells: dict[str, TrendCell]


@dataclass(frozen=True)
class PeriodPivot:
    unit: str
    year: int
    kind: str
    catalog: str
    columns: tuple[TrendColumn, ...]
    total: dict[str, TrendCell]  # the year from the unit's own sub-periods (aggregate_over_periods)


def _aggregate_cell(agg: IndicatorAggregate) -> TrendCell:
    if agg.counts is not None:
        return TrendCell(dict(agg.counts) if agg.units else None, agg.partial)
    if agg.aggregation == pure_catalog.Aggregation.RATIO.value and agg.numerator is not None:
        return TrendCell(pure_aggregate.RatioInput(agg.numerator, agg.denominator, agg.value), agg.partial)
    return TrendCell(agg.value, agg.partial)


def pivot_by_period(unit: Unit, year: int, kind: str, catalog: Catalog, user: Any) -> PeriodPivot:
    """Indicators × the year's periods of `kind` (quarters or halves), plus the year column.

    Each period shows the unit's own approved report when it has one, else the roll-up of the
    approved reports under it, so a province sees a trend even before its own report; the year
    column is `aggregate_over_periods` (flows summed, stocks latest, partial unless all approved).
    """
    require(user, Action.VIEW_UNIT_DATA, unit)
    if kind not in ("quarter", "half"):
        raise ValidationError(_("Period kind: must be quarter or half, not “%(kind)s”.") % {"kind": kind})
    periods = list(Period.objects.filter(year=year, kind=kind).order_by("start"))
    own = {
        s.period_id: s
        for s in Submission.objects.filter(unit=unit, catalog=catalog, period__in=periods).prefetch_related(
            "values"
        )
        if _counted(s, False)
    }
    pure = catalog.pure
    columns: list[TrendColumn] = []
    for period in periods:
        cells: dict[str, TrendCell] = {}
        submission = own.get(period.pk)
        if submission is not None:
            rows = {v.indicator_code: v for v in submission.values.all() if not v.is_empty}
            for indicator in pure.values():
                if indicator.is_group or indicator.code not in rows:
                    continue
                row = rows[indicator.code]
                value = unit_input(indicator, row)
                if indicator.value_type is pure_catalog.ValueType.TEXT:
                    value = row.text or None
                cells[indicator.code] = TrendCell(value)
        else:
            report = aggregate(unit, period, catalog)
            cells = {code: _aggregate_cell(agg) for code, agg in report.indicators.items()}
        columns.append(TrendColumn(period.code, period.name, submission is not None, cells))
    total = {
        code: TrendCell(agg.value, agg.partial)
        for code, agg in aggregate_over_periods(unit, year, kind, catalog).items()
    }
    return PeriodPivot(unit.code, year, kind, catalog.code, tuple(columns), total)


def entry_error_message(exc: ValidationError) -> list[str]:
    """Flat list of messages of a ValidationError (by code when keyed)."""
    if hasattr(exc, "error_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(exc.messages)


__all__ = [
    "SYSTEM",
    "AggregateReport",
    "Completeness",
    "ConflictError",
    "IndicatorAggregate",
    "SaveResult",
    "UnitRuleFailures",
    "ValidationReport",
    "about",
    "aggregate",
    "aggregate_over_periods",
    "approve",
    "comment_rule",
    "completeness",
    "failed_rules",
    "get_or_create_submission",
    "load_catalog",
    "lock_period",
    "pivot_by_period",
    "pivot_by_unit",
    "return_submission",
    "save_values",
    "submit",
    "validate",
]
