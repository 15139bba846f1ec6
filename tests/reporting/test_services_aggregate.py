"""Aggregation up the hierarchy and over periods, and completeness, on the Gia Lai demo and by hand."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from cchc.demo.loader import load_demo
from cchc.periods.models import Period
from cchc.reporting import services
from cchc.reporting.demo import load_reporting_demo
from cchc.reporting.models import Status, Submission, Value
from cchc.units.models import Unit


@pytest.fixture
def demo(db):
    load_demo(samples=False)
    load_reporting_demo()
    return {
        "province": Unit.objects.get(code="GL"),
        "period": Period.objects.get(code="2021-H1"),
        "catalog": services.default_catalog(),
    }


def _approved_rows(province: Unit, period: Period) -> dict[str, dict[str, Value]]:
    """Independently: values of approved submissions of units whose parent chain reaches the province."""

    def under(unit: Unit) -> bool:
        while unit.parent_id is not None:
            unit = unit.parent
            if unit.pk == province.pk:
                return True
        return False

    rows: dict[str, dict[str, Value]] = {}
    for submission in Submission.objects.filter(period=period, status=Status.APPROVED).select_related("unit"):
        if under(submission.unit) and submission.unit.is_valid_at(period.end):
            rows[submission.unit.code] = {v.indicator_code: v for v in submission.values.all()}
    return rows


def test_demo_province_aggregate_equals_the_sum_of_its_units(demo):
    report = services.aggregate(demo["province"], demo["period"], demo["catalog"])
    rows = _approved_rows(demo["province"], demo["period"])
    assert set(report.units) == set(rows) and len(rows) > 25
    assert "GL" not in report.units and "GL-SGDDT" not in report.units  # own legacy figure; only submitted
    checked = 0
    for indicator in demo["catalog"].pure.values():
        result = report.indicators.get(indicator.code)
        if indicator.aggregation.value == "sum":
            expected = sum(r[indicator.code].value for r in rows.values() if indicator.code in r)
            assert result.value == expected, indicator.code
            checked += 1
        elif indicator.aggregation.value == "ratio":
            num = sum(r[indicator.code].numerator for r in rows.values())
            den = sum(r[indicator.code].denominator for r in rows.values())
            assert result.numerator == num and result.denominator == den
            assert abs(result.value - num * 100 / den) < Decimal("1e-20"), indicator.code
            checked += 1
        elif indicator.aggregation.value == "distribution":
            counted = Counter(r[indicator.code].text for r in rows.values())
            assert {k: v for k, v in result.counts.items() if v} == dict(counted)
    assert checked > 60


def test_demo_units_pass_the_rules_except_the_explained_warning(demo):
    for submission in Submission.objects.filter(period=demo["period"]).exclude(unit__code="GL"):
        report = services.validate(submission)
        assert not report.errors and not report.type_errors, submission.unit.code
        if submission.unit.code == "GL-SXD":
            assert [r.rule_id for r in report.warnings] == ["R13"] and report.can_submit
        else:
            assert not report.warnings, submission.unit.code


def test_demo_legacy_province_values_from_the_seed(demo):
    legacy = Submission.objects.get(unit__code="GL", period=demo["period"])
    assert legacy.is_legacy and legacy.status == Status.APPROVED
    values = services.stored_values(legacy)
    assert values["3.1.3"].value == 1964 and values["4.3.1"].value == 26407
    assert values["3.4.2"].value == Decimal("72.8") and values["3.4.2"].non_aggregable
    assert values["1.4.2"].text == "1" and values["1.2.3"].note.startswith("Số liệu tạm tính")
    assert not services.validate(legacy).errors


def test_ratio_is_summed_counts_not_mean_of_rates(catalog, tree, h1, rep_users):
    admin = rep_users["admin"]
    entered = {"snv": ("1", "10"), "stp": ("90", "100"), "district_a": ("0", "0")}
    for key, pair in entered.items():
        submission = services.get_or_create_submission(tree[key], h1, catalog, admin)
        services.save_values(submission, admin, {"3.4.1": pair, "1.1.1": "4"}, submission.version)
        services.submit(submission, admin)
        services.approve(submission, admin)
    legacy = services.get_or_create_submission(tree["district_b"], h1, catalog, admin)
    services.save_values(legacy, admin, {"3.4.1": "50"}, legacy.version)
    services.submit(legacy, admin)
    services.approve(legacy, admin)
    result = services.aggregate(tree["province"], h1, catalog).indicators["3.4.1"]
    assert result.numerator == 91 and result.denominator == 110
    assert round(result.value, 10) == round(Decimal(91) * 100 / Decimal(110), 10)
    assert result.value != (Decimal(10) + Decimal(90)) / 2
    assert result.non_aggregable == ("H02",) and result.partial
    assert set(result.units) == {"SNV", "STP", "H01"}


def test_submitted_counted_only_on_request(catalog, tree, h1, rep_users):
    reporter = rep_users["reporter"]
    submission = services.get_or_create_submission(tree["stp"], h1, catalog, reporter)
    services.save_values(submission, reporter, {"1.1.1": "7"}, submission.version)
    services.submit(submission, reporter)
    assert services.aggregate(tree["province"], h1, catalog).indicators["1.1.1"].value is None
    included = services.aggregate(tree["province"], h1, catalog, include_submitted=True)
    assert included.indicators["1.1.1"].value == 7 and included.units == ("STP",)


def test_abolished_unit_left_out_after_its_end(catalog, tree, periods, rep_users):
    import datetime as dt

    admin = rep_users["admin"]
    h1 = periods["2021-H1"]
    submission = services.get_or_create_submission(tree["district_b"], h1, catalog, admin)
    services.save_values(submission, admin, {"1.1.1": "9"}, submission.version)
    services.submit(submission, admin)
    services.approve(submission, admin)
    assert services.aggregate(tree["province"], h1, catalog).indicators["1.1.1"].value == 9
    later = services.aggregate(tree["province"], h1, catalog, at=dt.date(2025, 7, 1))
    assert later.indicators["1.1.1"].value is None


def test_year_of_flows_summed_only_when_all_quarters_approved(catalog, tree, periods, rep_users):
    admin = rep_users["admin"]
    unit = tree["stp"]
    for n, quarter in enumerate(("2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"), start=1):
        submission = services.get_or_create_submission(unit, periods[quarter], catalog, admin)
        services.save_values(
            submission, admin, {"1.1.3": str(n), "4.2.1": str(100 + n), "3.4.1": (n, 10)}, submission.version
        )
        services.submit(submission, admin)
        if quarter != "2021-Q4":
            services.approve(submission, admin)
    partial = services.aggregate_over_periods(unit, 2021, "quarter", catalog)
    assert partial["1.1.3"].value == 6 and partial["1.1.3"].partial
    assert partial["1.1.3"].missing_periods == ("2021-Q4",)
    assert partial["4.2.1"].value == 103 and partial["4.2.1"].partial  # stock: latest approved, Q4 missing
    q4 = Submission.objects.get(unit=unit, period__code="2021-Q4")
    services.approve(q4, admin)
    full = services.aggregate_over_periods(unit, 2021, "quarter", catalog)
    assert full["1.1.3"].value == 10 and not full["1.1.3"].partial
    assert full["4.2.1"].value == 104 and full["4.2.1"].source_period == "2021-Q4"
    assert full["3.4.1"].value.numerator == 10 and full["3.4.1"].value.denominator == 40


def test_completeness_lists(demo):
    result = services.completeness(demo["period"], demo["catalog"], demo["province"])
    assert result.late == ("GL-KBANG",)
    assert "GL-CHUPUH" in result.missing and "GL-BDT" in result.missing and "GL-IAPA" in result.missing
    assert result.draft == ("GL-IAPA",)
    assert "GL-SGDDT" in result.submitted and "GL-SGDDT" not in result.approved
    assert (
        "GL" in result.approved and "GL-CA" not in result.expected
    )  # ngành dọc does not report this catalog
    assert set(result.submitted) | set(result.missing) == set(result.expected)
    assert set(result.on_time) | set(result.late) == set(result.submitted)
    expected_count = Unit.objects.filter(parent__code="GL", kind__in=["so_nganh", "huyen"]).count() + 1
    assert len(result.expected) == expected_count


def test_completeness_small_tree(catalog, tree, h1, rep_users):
    reporter = rep_users["reporter"]
    submission = services.get_or_create_submission(tree["stp"], h1, catalog, reporter)
    services.save_values(submission, reporter, {"1.1.1": "7"}, submission.version)
    services.submit(submission, reporter)
    result = services.completeness(h1, catalog, tree["province"])
    assert result.expected == ("H01", "H02", "SNV", "STP", "T64")
    assert result.submitted == ("STP",) and result.missing == ("H01", "H02", "SNV", "T64")
    assert result.approved == ()


def test_validation_report_and_pivot_on_the_demo(demo):
    failures = services.failed_rules(demo["period"], demo["catalog"], demo["province"])
    assert [(f.unit, [r.rule_id for r in f.failed]) for f in failures] == [("GL-SXD", ["R13"])]
    assert failures[0].comments["R13"].startswith("Biên chế có mặt tăng")
    pivot = services.pivot_by_unit(demo["province"], demo["period"], demo["catalog"])
    report = services.aggregate(demo["province"], demo["period"], demo["catalog"])
    assert list(pivot) == sorted(report.units)
    assert sum(values["1.1.1"].value for values in pivot.values()) == report.indicators["1.1.1"].value
