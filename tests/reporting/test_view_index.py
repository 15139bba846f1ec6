"""The reporting index: a reporter sees their unit's submissions per period; officers the overview."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.reporting import services

pytestmark = pytest.mark.django_db


def test_reporter_sees_own_submission_status(client, rep_users, tree, catalog, h1):
    draft = services.get_or_create_submission(tree["stp"], h1, catalog, services.SYSTEM)
    services.save_values(draft, services.SYSTEM, {"1.1.1": "2"}, draft.version)
    services.submit(draft, services.SYSTEM)
    client.force_login(rep_users["reporter"])
    html = client.get(reverse("reporting:index")).content.decode()
    assert reverse("reporting:form", args=["STP", "2021-H1"]) in html
    assert "status-submitted" in html
    assert reverse("reporting:form", args=["H01", "2021-H1"]) not in html
    assert reverse("reporting:completeness", args=["2021-H1"]) not in html


def test_officer_sees_overview_and_waiting(client, rep_users, tree, catalog, h1):
    draft = services.get_or_create_submission(tree["stp"], h1, catalog, services.SYSTEM)
    services.submit(draft, services.SYSTEM)
    client.force_login(rep_users["officer"])
    html = client.get(reverse("reporting:index")).content.decode()
    assert reverse("reporting:completeness", args=["2021-H1"]) + "?unit=T64" in html
    assert reverse("reporting:form", args=["STP", "2021-H1"]) in html  # waiting for approval
    client.force_login(rep_users["other_officer"])
    html = client.get(reverse("reporting:index")).content.decode()
    assert reverse("reporting:form", args=["STP", "2021-H1"]) not in html


def test_anonymous_is_sent_to_login(client, db):
    assert client.get(reverse("reporting:index")).status_code == 302


def test_months_and_future_periods_are_not_listed(client, rep_users, catalog, periods):
    client.force_login(rep_users["reporter"])
    html = client.get(reverse("reporting:index")).content.decode()
    assert reverse("reporting:form", args=["STP", "2021-H1"]) in html
    assert reverse("reporting:form", args=["STP", "2021-Y"]) in html
    assert reverse("reporting:form", args=["STP", "2021-Q3"]) in html
    assert reverse("reporting:form", args=["STP", "2021-M01"]) not in html
