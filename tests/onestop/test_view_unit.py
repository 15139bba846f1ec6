"""Drill-down from a unit to its dossiers: paged table, statuses, scope of a reporter."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from django.urls import reverse

from cchc.onestop import views
from cchc.onestop.store import DossierStore
from tests.onestop import test_view_support as support
from tests.onestop.test_view_support import DOSSIERS, WINDOW, client_for, dossier_table

# the shared fixtures, under the names the tests ask for
store = support.store
data_dir = support.data_dir


def url(code: str) -> str:
    return reverse("onestop:unit", args=[code])


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, store):
    assert client.get(url("STP")).status_code == 302


def test_officer_opens_a_unit_with_its_dossiers_and_statuses(users, store):
    response = client_for(users["officer"]).get(url("STP"), WINDOW)
    assert response.status_code == 200
    rows = {row["dossier_id"]: row["outcome"] for row in response.context["rows"]}
    assert rows == {"STP-1": "early", "STP-2": "late", "STP-3": "late"}
    assert response.context["unit_name"] == "Sở Tư pháp"
    assert response.context["total"]["received"] == 3
    in_progress = client_for(users["officer"]).get(url("H01"), WINDOW)
    assert [row["outcome"] for row in in_progress.context["rows"]] == ["in_progress"]


def test_reporter_may_open_only_own_unit(users, store):
    client = client_for(users["reporter"])
    assert client.get(url("STP"), WINDOW).status_code == 200
    assert client.get(url("SNV"), WINDOW).status_code == 403


def test_pages_of_fifty(users, data_dir, monkeypatch):
    template = DOSSIERS[0]
    many = [{**template, "dossier_id": f"STP-{n:03d}"} for n in range(1, 121)]
    path = data_dir / "many.parquet"
    pq.write_table(dossier_table(many), path)
    DossierStore().import_file(path)
    client = client_for(users["officer"])
    first = client.get(url("STP"), WINDOW)
    assert first.context["count"] == 120
    assert len(first.context["rows"]) == views.PAGE_SIZE
    last = client.get(url("STP"), {**WINDOW, "page": 3})
    assert len(last.context["rows"]) == 120 - 2 * views.PAGE_SIZE
    seen = {
        r["dossier_id"]
        for p in (1, 2, 3)
        for r in client.get(url("STP"), {**WINDOW, "page": p}).context["rows"]
    }
    assert len(seen) == 120
