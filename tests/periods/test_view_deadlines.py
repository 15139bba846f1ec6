"""periods:deadlines — edit the days per kind; open periods of a changed kind get new deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cchc.periods import services
from cchc.periods.models import DeadlinePolicy, Period

URL = reverse("periods:deadlines")
DEFAULTS = {"month": "3", "quarter": "5", "half": "5", "year": "10", "custom": "5"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_readers_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {**DEFAULTS, "month": "9"}).status_code == 403
    assert not DeadlinePolicy.objects.filter(kind="month", days_after_window=9).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "officer"])
def test_managers_change_a_kind_and_open_periods_follow(client, users, role):
    services.ensure_reference_data(today=dt.date(2021, 7, 1))
    services.close_period(Period.objects.get(code="2021-H1"))
    client.force_login(users[role])
    page = client.get(URL).content.decode()
    assert "Hạn nộp báo cáo" in page and 'name="half" value="5"' in page
    response = client.post(URL, {**DEFAULTS, "half": "12"}, follow=True)
    assert response.status_code == 200
    assert "thay đổi 1 loại kỳ, tính lại hạn nộp của 1 kỳ đang mở" in response.content.decode()
    assert DeadlinePolicy.objects.get(kind="half").days_after_window == 12
    assert Period.objects.get(code="2021-H2").deadline == dt.date(2021, 12, 26)
    assert Period.objects.get(code="2021-H1").deadline == dt.date(2021, 6, 19)  # closed: kept
    assert Period.objects.get(code="2021-Q2").deadline == dt.date(2021, 6, 19)  # other kind: kept


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Tháng: số ngày phải là số nguyên từ 0 đến 365."),
        ("400", "Tháng: số ngày phải là số nguyên từ 0 đến 365."),
        ("ba", "Tháng: số ngày phải là số nguyên từ 0 đến 365."),
        ("", "Tháng: số ngày phải là số nguyên từ 0 đến 365."),
    ],
)
def test_invalid_days_show_the_kind(client, users, value, message):
    services.ensure_reference_data(today=dt.date(2021, 7, 1))
    client.force_login(users["officer"])
    response = client.post(URL, {**DEFAULTS, "month": value, "year": "20"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert DeadlinePolicy.objects.get(kind="month").days_after_window == 3
    assert DeadlinePolicy.objects.get(kind="year").days_after_window == 10  # nothing saved
