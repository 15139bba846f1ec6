"""Aggregation across units and across periods."""

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.reporting import BNV_2021_INDICATORS
from cchc.reporting.aggregate import (
    AggregationError,
    DistributionResult,
    RatioInput,
    RatioResult,
    SumResult,
    aggregate_distribution,
    aggregate_indicator,
    aggregate_ratio,
    aggregate_sum,
    combine_periods,
    round_half_up,
)
from cchc.reporting.catalog import Temporal, load_catalog

D = Decimal


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(BNV_2021_INDICATORS)


def test_sum_lists_missing_units_without_counting_them_as_zero():
    result = aggregate_sum({"SNV": D(46), "STP": D(12), "SYT": None})
    assert result == SumResult(D(58), ("SNV", "STP"), ("SYT",))
    assert aggregate_sum({"SYT": None}).value is None
    assert aggregate_sum({}).value is None
    with pytest.raises(AggregationError, match="Đơn vị SNV"):
        aggregate_sum({"SNV": "46"})  # type: ignore[dict-item]


def test_ratio_recomputed_from_counts_not_averaged():
    # A department with 990/1000 on time and a commune with 1/10: the mean of the rates is 54,5 %,
    # the true provincial rate is 991/1010 = 98,12 %.
    result = aggregate_ratio(
        {
            "SO": RatioInput(D(990), D(1000), D(99)),
            "XA": RatioInput(D(1), D(10), D(10)),
            "HUYEN": RatioInput(rate=D("87.5")),  # rate typed without counts
            "KHAC": None,
        }
    )
    assert isinstance(result, RatioResult)
    assert result.numerator == 991 and result.denominator == 1010
    assert round_half_up(result.value) == D("98.12")
    assert result.units == ("SO", "XA")
    assert result.non_aggregable == ("HUYEN",)
    assert result.missing == ("KHAC",)


def test_ratio_edge_cases():
    only_rates = aggregate_ratio({"A": RatioInput(rate=D(50)), "B": RatioInput(numerator=D(3))})
    assert only_rates.value is None and only_rates.non_aggregable == ("A", "B")
    zero = aggregate_ratio({"A": RatioInput(D(0), D(0))})
    assert zero.value is None and zero.denominator == 0 and zero.units == ("A",)
    assert aggregate_ratio({"A": RatioInput()}).missing == ("A",)
    with pytest.raises(AggregationError, match="Đơn vị A: chỉ tiêu tỷ lệ cần tử số và mẫu số"):
        aggregate_ratio({"A": D(50)})  # type: ignore[dict-item]


def test_distribution_counts_every_option(catalog):
    indicator = catalog["1.4.2"]
    result = aggregate_indicator(indicator, {"A": "0", "B": "2", "C": "2", "D": None, "E": "7"})
    assert isinstance(result, DistributionResult)
    assert dict(result.counts) == {"0": 1, "1": 0, "2": 2}
    assert list(result.counts) == ["0", "1", "2"]
    assert result.invalid == ("E",) and result.missing == ("D",)
    assert aggregate_distribution({"A": "1"}, ["0", "1"]).counts == {"0": 0, "1": 1}


def test_aggregate_indicator_dispatches_on_catalog(catalog):
    assert aggregate_indicator(catalog["1.1.1"], {"A": D(1), "B": D(2)}).value == 3
    ratio = aggregate_indicator(catalog["3.4.1"], {"A": RatioInput(D(1), D(4))})
    assert ratio.value == 25


def test_flow_sums_sub_periods_and_marks_partial():
    full = combine_periods(Temporal.FLOW, [("Q1", D(3)), ("Q2", D(4)), ("Q3", D(5)), ("Q4", D(6))])
    assert full.value == 18 and not full.partial and full.missing_periods == ()
    partial = combine_periods(Temporal.FLOW, [("Q1", D(3)), ("Q2", None), ("Q3", D(5)), ("Q4", D(6))])
    assert partial.value == 14 and partial.partial and partial.missing_periods == ("Q2",)
    empty = combine_periods(Temporal.FLOW, [("Q1", None), ("Q2", None)])
    assert empty.value is None and empty.partial


def test_stock_takes_the_latest_value():
    result = combine_periods(Temporal.STOCK, [("Q1", D(120)), ("Q2", D(118)), ("Q3", D(121)), ("Q4", D(119))])
    assert result.value == 119 and result.source_period == "Q4" and not result.partial
    stale = combine_periods(Temporal.STOCK, [("Q1", D(120)), ("Q2", D(118)), ("Q3", None), ("Q4", None)])
    assert stale.value == 118 and stale.source_period == "Q2" and stale.partial
    assert stale.missing_periods == ("Q3", "Q4")
    early_gap = combine_periods(Temporal.STOCK, [("Q1", None), ("Q2", D(5))])
    assert early_gap.value == 5 and not early_gap.partial
    choice = combine_periods(Temporal.STOCK, [("H1", "0"), ("H2", "1")])
    assert choice.value == "1"


def test_flow_ratio_sums_counts_across_periods():
    result = combine_periods(
        Temporal.FLOW,
        [
            ("Q1", RatioInput(D(90), D(100))),
            ("Q2", RatioInput(rate=D(50))),  # no counts: cannot be combined
            ("Q3", RatioInput(D(10), D(100))),
        ],
    )
    assert result.value.numerator == 100 and result.value.denominator == 200
    assert result.value.rate == 50
    assert result.partial and result.missing_periods == ("Q2",)


def test_flow_of_choices_rejected():
    with pytest.raises(AggregationError, match="lựa chọn"):
        combine_periods(Temporal.FLOW, [("Q1", "0")])


counts = st.integers(min_value=0, max_value=10**9).map(Decimal)
amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.one_of(st.none(), amounts), max_size=20))
def test_sum_equals_sum_of_inputs(values):
    result = aggregate_sum(values)
    present = [v for v in values.values() if v is not None]
    assert result.value == (sum(present) if present else None)
    assert len(result.units) + len(result.missing) == len(values)


@st.composite
def ratio_entries(draw):
    num = draw(counts)
    den = draw(st.integers(min_value=0, max_value=10**9).map(Decimal))
    kind = draw(st.sampled_from(["counts", "rate", "missing"]))
    if kind == "counts":
        return RatioInput(num, den)
    if kind == "rate":
        return RatioInput(rate=draw(st.decimals(min_value=0, max_value=100, places=2)))
    return None


@given(st.dictionaries(st.integers(min_value=0, max_value=500), ratio_entries(), max_size=25))
def test_ratio_equals_summed_numerators_over_summed_denominators(entries):
    result = aggregate_ratio(entries)
    counted = [e for e in entries.values() if e is not None and e.has_counts]
    rate_only = [u for u, e in entries.items() if e is not None and not e.has_counts]
    assert list(result.non_aggregable) == rate_only
    if not counted:
        assert result.value is None
        return
    num = sum(e.numerator for e in counted)
    den = sum(e.denominator for e in counted)
    assert (result.numerator, result.denominator) == (num, den)
    if den == 0:
        assert result.value is None
    else:
        with localcontext() as ctx:
            ctx.prec = 34
            assert result.value == num * 100 / den


@given(st.lists(st.one_of(st.none(), amounts), min_size=1, max_size=12))
def test_flow_and_stock_over_periods(series):
    periods = [(f"M{i:02d}", v) for i, v in enumerate(series, 1)]
    present = [(p, v) for p, v in periods if v is not None]
    flow = combine_periods(Temporal.FLOW, periods)
    stock = combine_periods(Temporal.STOCK, periods)
    assert flow.partial == (len(present) < len(series))
    assert flow.value == (sum(v for _, v in present) if present else None)
    assert stock.value == (present[-1][1] if present else None)
    assert stock.partial == (series[-1] is None)
