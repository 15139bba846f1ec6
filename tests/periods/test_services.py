"""Services: idempotent creation, deadlines from the policy, custom periods, open/close audited."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from cchc.periods import services, windows
from cchc.periods.models import DeadlinePolicy, Period


@pytest.mark.django_db
def test_create_year_periods_is_idempotent():
    first = services.create_year_periods(2021)
    assert [p.code for p in first] == [s.code for s in windows.periods_of_year(2021)]
    assert Period.objects.filter(year=2021).count() == 19
    again = services.ensure_year_periods(2021)
    assert (again.created, again.existing) == (0, 19)
    assert [p.pk for p in again.periods] == [p.pk for p in first]
    assert Period.objects.count() == 19


@pytest.mark.django_db
def test_existing_periods_are_kept_as_they_are():
    services.create_year_periods(2021)
    h1 = Period.objects.get(code="2021-H1")
    h1.is_open = False
    h1.name = "Báo cáo 6 tháng (đã sửa)"
    h1.save()
    Period.objects.filter(code="2021-M05").delete()
    result = services.ensure_year_periods(2021)
    assert (result.created, result.existing) == (1, 18)
    h1.refresh_from_db()
    assert (h1.is_open, h1.name) == (False, "Báo cáo 6 tháng (đã sửa)")
    assert Period.objects.get(code="2021-M05").name == "Tháng 5 năm 2021"


@pytest.mark.django_db
def test_windows_and_default_deadlines_of_created_periods():
    services.create_year_periods(2021)
    h1 = Period.objects.get(code="2021-H1")
    assert (h1.kind, h1.year, h1.start, h1.end) == ("half", 2021, dt.date(2020, 12, 15), dt.date(2021, 6, 14))
    assert h1.deadline == dt.date(2021, 6, 19)  # 5 days
    assert Period.objects.get(code="2021-M01").deadline == dt.date(2021, 1, 17)  # 3 days
    assert Period.objects.get(code="2021-Y").deadline == dt.date(2021, 12, 24)  # 10 days
    assert Period.objects.get(code="2021-Q1").name == "Quý I năm 2021"
    assert all(p.is_open for p in Period.objects.all())


@pytest.mark.django_db
def test_deadline_policy_is_used_when_set():
    DeadlinePolicy.objects.create(kind="month", days_after_window=7)
    assert services.deadline_for("month") == 7
    assert services.deadline_for("quarter") == 5
    services.create_year_periods(2022)
    assert Period.objects.get(code="2022-M03").deadline == dt.date(2022, 3, 21)


@pytest.mark.django_db
def test_ensure_reference_data_is_idempotent():
    first = services.ensure_reference_data(today=dt.date(2021, 7, 1))
    assert first == {
        "deadline_policies_created": 5, "year": 2021, "periods_created": 19, "periods_existing": 0}
    assert dict(DeadlinePolicy.objects.values_list("kind", "days_after_window")) == {
        "month": 3, "quarter": 5, "half": 5, "year": 10, "custom": 5}
    DeadlinePolicy.objects.filter(kind="month").update(days_after_window=4)
    second = services.ensure_reference_data(today=dt.date(2021, 7, 1))
    assert second == {
        "deadline_policies_created": 0, "year": 2021, "periods_created": 0, "periods_existing": 19}
    assert DeadlinePolicy.objects.get(kind="month").days_after_window == 4  # province's choice kept


@pytest.mark.django_db
def test_year_out_of_range_is_refused():
    with pytest.raises(ValidationError) as err:
        services.create_year_periods(1999)
    assert "1999" in err.value.message_dict["year"][0]
    assert Period.objects.count() == 0


@pytest.mark.django_db
def test_set_deadline_days_recomputes_open_periods_only():
    services.create_year_periods(2021)
    services.close_period(Period.objects.get(code="2021-Q1"))
    changed = services.set_deadline_days("quarter", 15)
    assert changed == 3
    assert DeadlinePolicy.objects.get(kind="quarter").days_after_window == 15
    assert Period.objects.get(code="2021-Q2").deadline == dt.date(2021, 6, 29)
    assert Period.objects.get(code="2021-Q1").deadline == dt.date(2021, 3, 19)  # closed: unchanged
    assert Period.objects.get(code="2021-H1").deadline == dt.date(2021, 6, 19)  # other kind
    with pytest.raises(ValidationError) as err:
        services.set_deadline_days("quarter", 400)
    assert "Quý" in err.value.message_dict["quarter"][0]


@pytest.mark.django_db
def test_close_and_open_are_audited():
    (period, *_) = services.create_year_periods(2021)
    services.close_period(period)
    period.refresh_from_db()
    assert period.is_open is False
    services.open_period(period)
    period.refresh_from_db()
    assert period.is_open is True
    changes = [e.changes_dict.get("is_open") for e in LogEntry.objects.get_for_object(period).order_by("id")]
    assert ["True", "False"] in changes and ["False", "True"] in changes


@pytest.mark.django_db
def test_create_custom_period():
    period = services.create_custom_period("2021-C-kiem-tra", "Đợt kiểm tra CCHC", dt.date(2021, 3, 1),
                                           dt.date(2021, 4, 30))
    assert (period.kind, period.year, period.deadline) == ("custom", 2021, dt.date(2021, 5, 5))
    with pytest.raises(ValidationError) as err:
        services.create_custom_period("2021-C-kiem-tra", "Lần hai", dt.date(2021, 3, 1), dt.date(2021, 4, 30))
    assert "đã có" in err.value.message_dict["code"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "name", "start", "end", "field", "words"),
    [
        ("2021-Q1", "X", dt.date(2021, 1, 1), dt.date(2021, 1, 2), "code", "Mã kỳ"),
        ("2021-C-Dot", "X", dt.date(2021, 1, 1), dt.date(2021, 1, 2), "code", "2021-C-Dot"),
        ("1900-C-cu", "X", dt.date(2021, 1, 1), dt.date(2021, 1, 2), "code", "2000"),
        ("2021-C-x", "  ", dt.date(2021, 1, 1), dt.date(2021, 1, 2), "name", "Tên"),
        ("2021-C-x", "X", dt.date(2021, 1, 3), dt.date(2021, 1, 2), "end", "Ngày kết thúc"),
    ],
)
def test_custom_period_validation_names_the_field(code, name, start, end, field, words):
    with pytest.raises(ValidationError) as err:
        services.create_custom_period(code, name, start, end)
    assert words in err.value.message_dict[field][0]
    assert Period.objects.count() == 0


@pytest.mark.django_db
def test_find_period_messages():
    services.create_year_periods(2021)
    assert services.find_period("2021-H1").code == "2021-H1"
    with pytest.raises(ValidationError, match="2022"):
        services.find_period("2022-H1")
    with pytest.raises(ValidationError, match="2021-M05, 2021-Q1"):
        services.find_period("2021-X")


class DeadlinePropertyTests(TestCase):
    @settings(max_examples=15, deadline=None)
    @given(st.sampled_from(["month", "quarter", "half", "year"]), st.integers(min_value=0, max_value=365))
    def test_deadline_is_window_end_plus_policy(self, kind, days):
        services.set_deadline_days(kind, days)
        services.create_year_periods(2023)
        for period in Period.objects.filter(kind=kind):
            assert period.deadline == period.end + dt.timedelta(days=days)
