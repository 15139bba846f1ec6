"""Submission workflow: entry checks, rules, submit, return, approve, lock, permissions, conflicts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.reporting import services
from cchc.reporting.models import Status, Value


@pytest.fixture
def stp(catalog, tree, h1, rep_users):
    return services.get_or_create_submission(tree["stp"], h1, catalog, rep_users["reporter"])


def test_reporter_fills_fixes_submits_officer_returns_then_approves(stp, rep_users):
    reporter, officer = rep_users["reporter"], rep_users["officer"]
    services.save_values(stp, reporter, {"1.1.1": "38", "1.1.2": "40", "3.3.3": ("5", "8")}, stp.version)
    report = services.validate(stp)
    assert [r.rule_id for r in report.errors] == ["R01"]
    assert "R02" in {r.rule_id for r in report.not_evaluated}
    with pytest.raises(ValidationError) as refused:
        services.submit(stp, reporter)
    assert "R01" in " ".join(refused.value.messages)
    stp.refresh_from_db()
    assert stp.status == Status.DRAFT

    services.save_values(stp, reporter, {"1.1.2": "11"}, stp.version)
    services.submit(stp, reporter)
    assert stp.status == Status.SUBMITTED and stp.submitted_by == reporter and stp.submitted_at
    with pytest.raises(ValidationError):
        services.save_values(stp, reporter, {"1.1.2": "12"}, stp.version)

    with pytest.raises(ValidationError):
        services.return_submission(stp, officer, "  ")
    services.return_submission(stp, officer, "Kiểm tra lại số nhiệm vụ hoàn thành")
    assert stp.status == Status.RETURNED and stp.return_comment == "Kiểm tra lại số nhiệm vụ hoàn thành"

    services.save_values(stp, reporter, {"1.1.2": "12"}, stp.version)
    services.submit(stp, reporter)
    services.approve(stp, officer)
    assert stp.status == Status.APPROVED and stp.approved_by == officer
    assert Value.objects.get(submission=stp, indicator_code="1.1.2").value == 12


def test_warning_needs_a_comment(stp, rep_users):
    reporter = rep_users["reporter"]
    services.save_values(stp, reporter, {"4.2.1": "50", "4.2.2": "52"}, stp.version)
    report = services.validate(stp)
    assert [r.rule_id for r in report.warnings] == ["R13"] and not report.errors
    with pytest.raises(ValidationError, match="R13"):
        services.submit(stp, reporter)
    services.comment_rule(stp, reporter, "R13", "Tiếp nhận công chức điều động")
    services.submit(stp, reporter)
    assert stp.status == Status.SUBMITTED


def test_rule_with_missing_operand_is_not_evaluated(stp, rep_users):
    services.save_values(stp, rep_users["reporter"], {"1.1.2": "5"}, stp.version)
    result = next(r for r in services.validate(stp).results if r.rule_id == "R01")
    assert result.status == "not_evaluated" and result.missing == ("1.1.1",)


@pytest.mark.parametrize(
    ("code", "raw", "fragment"),
    [
        ("1.1.1", "-3", "1.1.1"),
        ("1.1.1", "2,5", "1.1.1"),
        ("1.1.1", "mười", "1.1.1"),
        ("3.4.1", "120", "3.4.1"),
        ("3.4.1", ("9", "8"), "3.4.1"),
        ("3.4.1", {"numerator": "3"}, "3.4.1"),
        ("1.4.2", "7", "1.4.2"),
        ("1.1", "3", "1.1"),
        ("9.9.9", "3", "9.9.9"),
    ],
)
def test_bad_values_refused_per_field(stp, rep_users, code, raw, fragment):
    with pytest.raises(ValidationError) as refused:
        services.save_values(stp, rep_users["reporter"], {"1.1.3": "4", code: raw}, stp.version)
    assert list(refused.value.message_dict) == [code]
    assert fragment in refused.value.message_dict[code][0]
    assert refused.value.message_dict[code][0].startswith(f"Chỉ tiêu {code}: ")
    assert not Value.objects.filter(submission=stp).exists()


def test_vietnamese_numbers_ratio_and_rate_only(stp, rep_users):
    services.save_values(
        stp,
        rep_users["reporter"],
        {
            "3.1.3": "1.964",
            "3.4.2": "72,8",
            "3.4.1": {"numerator": "1.234", "denominator": "1.500"},
            "1.5": "Có",
        },
        stp.version,
    )
    values = services.stored_values(stp)
    assert values["3.1.3"].value == 1964
    assert values["3.4.2"].value == Decimal("72.8") and values["3.4.2"].non_aggregable
    assert values["3.4.1"].numerator == 1234 and values["3.4.1"].denominator == 1500
    assert not values["3.4.1"].non_aggregable and values["3.4.1"].value == Decimal("82.266667")
    assert values["1.5"].text == "1"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.integers(min_value=-(10**6), max_value=-1)
    | st.decimals(min_value=Decimal("100.001"), max_value=10**6, places=3)
)
def test_generated_out_of_range_values_refused(stp, rep_users, bad):
    with pytest.raises(ValidationError):
        services.save_values(stp, rep_users["reporter"], {"3.3.3": bad, "1.2.1": bad}, stp.version)
    assert not Value.objects.filter(submission=stp).exists()


def test_concurrent_saves_second_gets_conflict_nothing_lost(stp, rep_users, tree):
    reporter = rep_users["reporter"]
    opened = stp.version
    first = services.Submission.objects.get(pk=stp.pk)
    second = services.Submission.objects.get(pk=stp.pk)
    services.save_values(first, reporter, {"1.1.1": "20", "2.1": "3"}, opened)
    with pytest.raises(services.ConflictError) as conflict:
        services.save_values(second, reporter, {"1.1.1": "25", "1.1.3": "7"}, opened)
    assert conflict.value.changed_codes == ["1.1.1", "2.1"]
    assert "1.1.1" in conflict.value.message and conflict.value.current_version == opened + 1
    values = services.stored_values(stp)
    assert values["1.1.1"].value == 20 and values["2.1"].value == 3 and "1.1.3" not in values
    services.save_values(second, reporter, {"1.1.3": "7"}, conflict.value.current_version)
    assert services.stored_values(stp)["1.1.3"].value == 7


def test_permissions(stp, rep_users, tree, h1, catalog):
    services.save_values(stp, rep_users["reporter"], {"1.1.1": "5"}, stp.version)
    for who in ("district_reporter", "viewer", "officer", "other_officer"):
        with pytest.raises(PermissionDenied):
            services.save_values(stp, rep_users[who], {"1.1.1": "6"}, stp.version)
    with pytest.raises(PermissionDenied):
        services.submit(stp, rep_users["district_reporter"])
    services.submit(stp, rep_users["reporter"])
    for who in ("reporter", "viewer", "other_officer", "district_reporter"):
        with pytest.raises(PermissionDenied):
            services.approve(stp, rep_users[who])
        with pytest.raises(PermissionDenied):
            services.return_submission(stp, rep_users[who], "sai")
    with pytest.raises(PermissionDenied):
        services.get_or_create_submission(tree["stp"], h1, catalog, rep_users["district_reporter"])
    assert services.stored_values(stp)["1.1.1"].value == 5
    services.approve(stp, rep_users["admin"])
    assert stp.status == Status.APPROVED


def test_closed_period_locks(stp, rep_users, h1):
    services.save_values(stp, rep_users["reporter"], {"1.1.1": "5"}, stp.version)
    assert services.lock_period(h1, rep_users["officer"]) == 1
    stp.refresh_from_db()
    h1.refresh_from_db()
    assert stp.status == Status.LOCKED and not h1.is_open
    with pytest.raises(ValidationError):
        services.save_values(stp, rep_users["reporter"], {"1.1.1": "6"}, stp.version)
    with pytest.raises(ValidationError):
        services.return_submission(stp, rep_users["officer"], "sai")
    with pytest.raises(PermissionDenied):
        services.lock_period(h1, rep_users["reporter"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(min_value=0, max_value=10**12),
    rate=st.decimals(min_value=0, max_value=100, places=2),
    pair=st.integers(0, 10**6).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d))),
)
def test_generated_vietnamese_input_is_stored_exactly(stp, rep_users, count, rate, pair):
    from cchc.reporting.numbers import format_vi

    services.save_values(
        stp,
        rep_users["reporter"],
        {"4.3.1": format_vi(count), "3.4.2": format_vi(rate), "3.4.1": tuple(format_vi(n) for n in pair)},
        stp.version,
    )
    values = services.stored_values(stp)
    assert values["4.3.1"].value == count and values["3.4.2"].value == rate
    assert (values["3.4.1"].numerator, values["3.4.1"].denominator) == pair
    expected = None if pair[1] == 0 else Decimal(pair[0]) * 100 / Decimal(pair[1])
    if expected is None:
        assert values["3.4.1"].value is None
    else:
        assert abs(values["3.4.1"].value - expected) <= Decimal("0.0000005")
