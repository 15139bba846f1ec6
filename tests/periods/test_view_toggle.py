"""periods:toggle — open/close a period; officers and admins only; HTMX gets the row back."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cchc.periods import services
from cchc.periods.models import Period


@pytest.fixture
def period(db):
    services.create_year_periods(2021)
    return Period.objects.get(code="2021-Q2")


def url(period: Period) -> str:
    return reverse("periods:toggle", args=[period.pk])


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_readers_are_refused(client, users, period, role):
    client.force_login(users[role])
    assert client.post(url(period), {"action": "close"}).status_code == 403
    period.refresh_from_db()
    assert period.is_open


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_managers_close_and_reopen(client, users, period, role):
    client.force_login(users[role])
    response = client.post(url(period), {"action": "close"}, follow=True)
    assert response.status_code == 200
    assert "Kỳ báo cáo 2021-Q2 đã khóa." in response.content.decode()
    period.refresh_from_db()
    assert not period.is_open
    entry = LogEntry.objects.get_for_object(period).latest("timestamp")
    assert entry.actor == users[role] and entry.changes_dict["is_open"] == ["True", "False"]
    assert client.post(url(period), {"action": "open"}).status_code == 302
    period.refresh_from_db()
    assert period.is_open


def test_htmx_gets_the_updated_row(client, users, period):
    client.force_login(users["officer"])
    response = client.post(url(period), {"action": "close"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="period-{period.pk}">')
    assert "Đã khóa" in html and 'value="open"' in html and "Mở lại" in html


def test_bad_action_is_refused_in_vietnamese(client, users, period):
    client.force_login(users["officer"])
    response = client.post(url(period), {"action": "flip"})
    assert response.status_code == 400
    assert "Thao tác: hãy chọn" in response.content.decode()
    period.refresh_from_db()
    assert period.is_open


def test_unknown_period_is_404(client, users, period):
    client.force_login(users["officer"])
    missing = reverse("periods:toggle", args=[period.pk + 1000])
    assert client.post(missing, {"action": "close"}).status_code == 404
