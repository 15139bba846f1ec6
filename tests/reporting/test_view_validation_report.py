"""Validation report: every unit's failed rules for a period, errors and explained warnings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.reporting import services

pytestmark = pytest.mark.django_db


def _url() -> str:
    return reverse("reporting:validation_report", args=["2021-H1"]) + "?unit=T64"


def test_permissions(client, rep_users, catalog, h1):
    for role, code in [("officer", 200), ("admin", 200), ("reporter", 403), ("viewer", 403),
                       ("other_officer", 403)]:
        client.force_login(rep_users[role])
        assert client.get(_url()).status_code == code, role


def test_lists_failed_rules_per_unit(client, rep_users, tree, catalog, h1):
    stp = services.get_or_create_submission(tree["stp"], h1, catalog, services.SYSTEM)
    services.save_values(stp, services.SYSTEM, {"1.1.1": "3", "1.1.2": "5"}, stp.version)
    snv = services.get_or_create_submission(tree["snv"], h1, catalog, services.SYSTEM)
    services.save_values(snv, services.SYSTEM, {"4.2.1": "3", "4.2.2": "5"}, snv.version)
    services.comment_rule(snv, services.SYSTEM, "R13", "Biệt phái 2 người")
    client.force_login(rep_users["officer"])
    html = client.get(_url()).content.decode()
    table = html.split('id="failures"')[1]
    assert "Sở Tư pháp" in table and "R01" in table
    assert "Sở Nội vụ" in table and "R13" in table and "Biệt phái 2 người" in table
    assert table.index("Sở Nội vụ") < table.index("Sở Tư pháp")  # by unit code
