"""Late dossiers without an apology letter: the list page and its XLSX export (formula-safe)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.onestop import test_view_support as support
from tests.onestop.test_view_support import WINDOW, client_for, vi

# the shared fixtures, under the names the tests ask for
store = support.store
data_dir = support.data_dir

URL = reverse("onestop:late")
XLSX = reverse("onestop:late_xlsx")


def workbook_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, store):
    assert client.get(URL).status_code == 302
    assert client.get(XLSX).status_code == 302


@pytest.mark.parametrize("role", ["admin", "officer", "viewer"])
def test_list_shows_late_without_apology_only(users, store, role):
    response = client_for(users[role]).get(URL, WINDOW)
    assert response.status_code == 200
    ids = [row["dossier_id"] for row in response.context["rows"]]
    # most overdue first: STP-2 is 4 days late, SNV-2 one day; STP-3 had an apology letter
    assert ids == ["STP-2", "SNV-2"]
    assert response.context["count"] == 2


def test_reporter_sees_only_own_unit(users, store):
    response = client_for(users["reporter"]).get(URL, {**WINDOW, "unit": "SNV"})
    assert [row["dossier_id"] for row in response.context["rows"]] == ["STP-2"]
    rows = workbook_rows(client_for(users["reporter"]).get(XLSX, {**WINDOW, "unit": "SNV"}))
    assert [r[0] for r in rows[1:]] == ["STP-2"]


def test_search_and_filters(users, store):
    client = client_for(users["officer"])
    assert [r["dossier_id"] for r in client.get(URL, {**WINDOW, "q": "snv"}).context["rows"]] == ["SNV-2"]
    assert [r["dossier_id"] for r in client.get(URL, {**WINDOW, "field": "Tư pháp"}).context["rows"]] == [
        "STP-2"
    ]
    assert client.get(URL, {"from": "2021-01-13", "to": "2021-01-31"}).context["count"] == 0


def test_xlsx_has_every_row_and_escapes_formulas(users, store):
    response = client_for(users["officer"]).get(XLSX, WINDOW)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = workbook_rows(response)
    assert rows[0][0] == vi("Dossier id")
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {"STP-2", "SNV-2"}
    # text that a spreadsheet would run as a formula is stored quoted, as plain text
    assert by_id["STP-2"][2] == '\'=HYPERLINK("http://x","bấm")'
    assert by_id["SNV-2"][2] == "'+cmd|' /C calc'!A0"
    assert by_id["STP-2"][5] == "Sở Tư pháp"
    assert by_id["STP-2"][11] == 4  # days late
    book = load_workbook(io.BytesIO(response.content))
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)
