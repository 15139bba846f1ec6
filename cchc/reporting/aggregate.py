"""Aggregation of indicator values across units (up the hierarchy) and across periods.

Counts are summed. Rates are recomputed from the summed numerators and denominators — never the
mean of the units' rates, which would weigh a commune with 3 dossiers like a department with 3,000.
A rate entered without its counts cannot be combined: it is kept at the unit but excluded from the
aggregate and reported as non-aggregable. Choice indicators aggregate to a count per option.

Across sub-periods, a flow (dossiers received, documents issued) is the sum of its sub-periods and
is marked partial when one is missing; a stock (staff on the payroll, procedures in force) is the
latest value — partial too when the last sub-period is missing and an earlier value stands in.

Pure Python, Decimal arithmetic; units and periods are opaque keys.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from cchc.reporting.catalog import Aggregation, Choice, Indicator, Temporal

HUNDRED = Decimal(100)
PRECISION = 34


class AggregationError(ValueError):
    """Values that cannot be aggregated as asked (wrong kind of value); message in Vietnamese."""


@dataclass(frozen=True)
class RatioInput:
    """What a unit entered for a rate: its counts, and/or the rate itself (in %)."""

    numerator: Decimal | None = None
    denominator: Decimal | None = None
    rate: Decimal | None = None

    @property
    def has_counts(self) -> bool:
        return self.numerator is not None and self.denominator is not None

    @property
    def is_empty(self) -> bool:
        return self.numerator is None and self.denominator is None and self.rate is None


@dataclass(frozen=True)
class SumResult:
    value: Decimal | None  # None when no unit reported
    units: tuple[Hashable, ...]  # units that contributed
    missing: tuple[Hashable, ...]  # units with no value


@dataclass(frozen=True)
class RatioResult:
    value: Decimal | None  # Σnumerator / Σdenominator × 100; None without counts or with Σden = 0
    numerator: Decimal | None
    denominator: Decimal | None
    units: tuple[Hashable, ...]
    non_aggregable: tuple[Hashable, ...]  # entered a rate (or one count) without both counts
    missing: tuple[Hashable, ...]


@dataclass(frozen=True)
class DistributionResult:
    counts: Mapping[str, int]  # option code → number of units, every option listed in order
    units: tuple[Hashable, ...]
    invalid: tuple[Hashable, ...]  # answered with a code that is not an option
    missing: tuple[Hashable, ...]


@dataclass(frozen=True)
class PeriodResult:
    value: object  # Decimal, RatioInput or option code; None when every sub-period is missing
    partial: bool
    missing_periods: tuple[Hashable, ...]
    source_period: Hashable | None = None  # for a stock: the sub-period the value comes from


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round as Vietnamese reports do (28,945 → 28,95)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rate(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator × 100 at 34 digits; None when the denominator is 0."""
    if denominator == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return numerator * HUNDRED / denominator


def _as_decimal(unit: Hashable, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise AggregationError(f"Đơn vị {unit}: giá trị '{value}' không phải số nên không cộng được")
    return Decimal(value)


def aggregate_sum(values: Mapping[Hashable, Decimal | int | None]) -> SumResult:
    """Sum of the units' values; units without a value are listed as missing, not counted as 0."""
    total = Decimal(0)
    units: list[Hashable] = []
    missing: list[Hashable] = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for unit, value in values.items():
            if value is None:
                missing.append(unit)
                continue
            total += _as_decimal(unit, value)
            units.append(unit)
    return SumResult(total if units else None, tuple(units), tuple(missing))


def aggregate_ratio(entries: Mapping[Hashable, RatioInput | None]) -> RatioResult:
    """Recompute a rate from summed counts; rate-only entries are excluded and reported."""
    numerator = denominator = Decimal(0)
    units: list[Hashable] = []
    non_aggregable: list[Hashable] = []
    missing: list[Hashable] = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for unit, entry in entries.items():
            if entry is not None and not isinstance(entry, RatioInput):
                raise AggregationError(f"Đơn vị {unit}: chỉ tiêu tỷ lệ cần tử số và mẫu số")
            if entry is None or entry.is_empty:
                missing.append(unit)
            elif entry.has_counts:
                numerator += _as_decimal(unit, entry.numerator)
                denominator += _as_decimal(unit, entry.denominator)
                units.append(unit)
            else:
                non_aggregable.append(unit)
    if not units:
        return RatioResult(None, None, None, (), tuple(non_aggregable), tuple(missing))
    return RatioResult(
        rate(numerator, denominator),
        numerator,
        denominator,
        tuple(units),
        tuple(non_aggregable),
        tuple(missing),
    )


def aggregate_distribution(
    values: Mapping[Hashable, str | None], options: Sequence[Choice] | Sequence[str]
) -> DistributionResult:
    """Count units per option code (all options listed, zeros included, in catalog order)."""
    codes = [option.code if isinstance(option, Choice) else option for option in options]
    counts = dict.fromkeys(codes, 0)
    units: list[Hashable] = []
    invalid: list[Hashable] = []
    missing: list[Hashable] = []
    for unit, value in values.items():
        if value is None or str(value).strip() == "":
            missing.append(unit)
            continue
        code = str(value).strip()
        if code in counts:
            counts[code] += 1
            units.append(unit)
        else:
            invalid.append(unit)
    return DistributionResult(counts, tuple(units), tuple(invalid), tuple(missing))


def aggregate_indicator(
    indicator: Indicator, values: Mapping[Hashable, object]
) -> SumResult | RatioResult | DistributionResult | None:
    """Aggregate one indicator across units by its catalog aggregation; None for `none`."""
    if indicator.aggregation is Aggregation.SUM:
        return aggregate_sum(values)  # type: ignore[arg-type]
    if indicator.aggregation is Aggregation.RATIO:
        return aggregate_ratio(values)  # type: ignore[arg-type]
    if indicator.aggregation is Aggregation.DISTRIBUTION:
        return aggregate_distribution(values, indicator.choices)  # type: ignore[arg-type]
    return None


def combine_periods(
    temporal: Temporal, series: Sequence[tuple[Hashable, object]]
) -> PeriodResult:
    """Combine one unit's values over chronological sub-periods (e.g. Q1..Q4 into the year).

    Flow: numbers are summed; ratios sum their counts (sub-periods without counts count as missing).
    Stock: the latest value. Either way `partial` says the result does not cover every sub-period
    (for a stock: that the last sub-period is missing).
    """
    present = [(period, value) for period, value in series if not _is_missing(value)]
    missing = tuple(period for period, value in series if _is_missing(value))
    if temporal is Temporal.STOCK:
        if not present:
            return PeriodResult(None, bool(series), missing)
        period, value = present[-1]
        last_missing = _is_missing(series[-1][1])
        return PeriodResult(value, last_missing, missing, period)

    if any(isinstance(value, str) for _, value in present):
        raise AggregationError(
            "Chỉ tiêu lựa chọn không cộng dồn được theo kỳ (chỉ dùng cho chỉ tiêu thời điểm)"
        )
    if any(isinstance(value, RatioInput) for _, value in present):
        counted = [(p, v) for p, v in present if isinstance(v, RatioInput) and v.has_counts]
        uncounted = tuple(p for p, v in present if not (isinstance(v, RatioInput) and v.has_counts))
        missing = tuple(p for p, _ in series if p in set(missing) | set(uncounted))
        if not counted:
            return PeriodResult(None, True, missing)
        with localcontext() as ctx:
            ctx.prec = PRECISION
            num = sum((_as_decimal(p, v.numerator) for p, v in counted), Decimal(0))  # type: ignore[union-attr]
            den = sum((_as_decimal(p, v.denominator) for p, v in counted), Decimal(0))  # type: ignore[union-attr]
        return PeriodResult(RatioInput(num, den, rate(num, den)), bool(missing), missing)

    if not present:
        return PeriodResult(None, bool(series), missing)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        total = sum((_as_decimal(p, v) for p, v in present), Decimal(0))
    return PeriodResult(total, bool(missing), missing)


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, RatioInput) and value.is_empty) or value == ""
