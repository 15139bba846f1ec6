"""periods:create_year — POST a year; officers and admins only; idempotent; Vietnamese error on bad year."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.periods.models import Period

URL = reverse("periods:create_year")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_readers_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.post(URL, {"year": "2021"}).status_code == 403
    assert Period.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "officer"])
def test_managers_create_the_year_once(client, users, role):
    client.force_login(users[role])
    response = client.post(URL, {"year": "2021"})
    assert response.status_code == 302
    assert response["Location"] == reverse("periods:list") + "?year=2021"
    assert Period.objects.filter(year=2021).count() == 19
    response = client.post(URL, {"year": "2021"}, follow=True)
    assert "đã tạo 0 kỳ, 19 kỳ đã có từ trước" in response.content.decode()
    assert Period.objects.count() == 19


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["1999", "abc", ""])
def test_bad_year_shows_vietnamese_error(client, users, year):
    client.force_login(users["officer"])
    response = client.post(URL, {"year": year}, follow=True)
    assert response.status_code == 200
    assert "Năm: hãy nhập năm từ 2000 đến 2100." in response.content.decode()
    assert Period.objects.count() == 0


@pytest.mark.django_db
def test_get_is_not_allowed(client, users):
    client.force_login(users["officer"])
    assert client.get(URL).status_code == 405
