"""periods:create_custom — form with code, name, start, end; errors in Vietnamese naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cchc.periods.models import Period

URL = reverse("periods:create_custom")
VALID = {"code": "2021-C-kiem-tra", "name": "Đợt kiểm tra CCHC", "start": "01/03/2021", "end": "2021-04-30"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_readers_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, VALID).status_code == 403
    assert Period.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "officer"])
def test_managers_create_a_custom_period(client, users, role):
    client.force_login(users[role])
    page = client.get(URL)
    assert page.status_code == 200 and "Thêm kỳ tùy chỉnh" in page.content.decode()
    response = client.post(URL, VALID)
    assert response.status_code == 302
    period = Period.objects.get(code="2021-C-kiem-tra")
    assert (period.kind, period.year, period.start, period.end, period.deadline) == (
        "custom", 2021, dt.date(2021, 3, 1), dt.date(2021, 4, 30), dt.date(2021, 5, 5))
    assert period.is_open


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": ""}, "Mã kỳ: hãy nhập mã kỳ báo cáo."),
        ({"code": "2021-Q1"}, "Mã kỳ: “2021-Q1” không phải là mã kỳ tùy chỉnh hợp lệ."),
        ({"code": "2021-C-Đợt"}, "Mã kỳ: “2021-C-Đợt” không phải là mã kỳ tùy chỉnh hợp lệ."),
        ({"name": ""}, "Tên kỳ: hãy nhập tên kỳ báo cáo."),
        ({"start": "31/02/2021"}, "Ngày bắt đầu: hãy nhập ngày hợp lệ (dd/mm/yyyy)."),
        ({"end": ""}, "Ngày kết thúc: hãy nhập ngày hợp lệ (dd/mm/yyyy)."),
        ({"end": "28/02/2021"}, "Ngày kết thúc: 28/02/2021 trước ngày bắt đầu 01/03/2021."),
    ],
)
def test_invalid_input_shows_the_field_error(client, users, change, message):
    client.force_login(users["officer"])
    response = client.post(URL, {**VALID, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Period.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_code_is_refused(client, users):
    client.force_login(users["admin"])
    client.post(URL, VALID)
    response = client.post(URL, {**VALID, "name": "Lần hai"})
    assert response.status_code == 200
    assert "Mã kỳ: đã có kỳ báo cáo mã “2021-C-kiem-tra”." in response.content.decode()
    assert Period.objects.get().name == "Đợt kiểm tra CCHC"
