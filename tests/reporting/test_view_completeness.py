"""Completeness page: counts per period and the list of units to chase; officers of the province only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cchc.reporting import services

pytestmark = pytest.mark.django_db


def _url(unit: str = "T64") -> str:
    return reverse("reporting:completeness", args=["2021-H1"]) + f"?unit={unit}"


def test_permissions(client, rep_users, catalog, h1):
    for role, code in [("officer", 200), ("admin", 200), ("reporter", 403), ("viewer", 403),
                       ("other_officer", 403)]:
        client.force_login(rep_users[role])
        assert client.get(_url()).status_code == code, role


def test_counts_and_chase_list(client, rep_users, tree, catalog, h1):
    draft = services.get_or_create_submission(tree["stp"], h1, catalog, services.SYSTEM)
    services.submit(draft, services.SYSTEM)
    services.approve(draft, services.SYSTEM)
    expected = services.completeness(h1, catalog, tree["province"])
    client.force_login(rep_users["officer"])
    html = client.get(_url()).content.decode()
    nums = [int(n) for n in re.findall(r'<div class="num">(\d+)</div>', html)]
    # submitted today, long after the 2021 deadline: late
    assert nums == [len(expected.expected), 1, 0, 1, 1, len(expected.missing)]
    assert "Sở Tư pháp" in html.split('id="late"')[1]
    chase = html.split('id="chase"')[1].split("</table>")[0]
    assert "Sở Nội vụ" in chase and "Sở Tư pháp" not in chase
