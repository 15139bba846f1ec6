"""The dashboard page: every role sees it, a reporter only their own unit, filters, empty store."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.onestop import test_view_support as support
from tests.onestop.test_view_support import WINDOW, client_for, vi

# the shared fixtures, under the names the tests ask for
store = support.store
data_dir = support.data_dir

URL = reverse("onestop:dashboard")


def chart(response) -> dict:
    html = response.content.decode()
    start = html.index('id="dossier-chart-data"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, store):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("role", ["admin", "officer", "viewer"])
def test_province_roles_see_every_unit(users, store, role):
    response = client_for(users[role]).get(URL, WINDOW)
    assert response.status_code == 200
    html = response.content.decode()
    data = chart(response)
    # worst on-time rate first: SNV 1/2 = 50 %, STP 1/3 = 33,33 % → STP first; H01 completed nothing
    assert data["units"]["labels"] == ["Sở Tư pháp", "Sở Nội vụ"]
    assert data["units"]["values"] == [33.33, 50.0]
    assert 'id="chart-units"' in html and 'id="chart-months"' in html
    cards = response.context["total"]
    assert (cards["received"], cards["completed"], cards["on_time"], cards["late_without_apology"]) == (
        6,
        5,
        2,
        2,
    )
    # Vietnamese number format: 40,00% on time (2 of 5), 50,00% online (3 of 6)
    assert "40,00%" in html and "50,00%" in html
    assert "STP-2" in html and "SNV-2" in html and "STP-3" not in html.split('class="late-table"')[1]


def test_reporter_sees_only_own_unit(users, store):
    response = client_for(users["reporter"]).get(URL, {**WINDOW, "unit": "SNV"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["total"]["received"] == 3
    assert chart(response)["units"]["labels"] == ["Sở Tư pháp"]
    assert "SNV-2" not in html and "STP-2" in html
    assert 'name="unit"' not in html  # no unit filter to choose another unit
    assert vi("You see only the dossiers of your own unit.") in html


def test_filters_level_field_unit_and_period(users, store):
    client = client_for(users["officer"])
    by_level = client.get(URL, {**WINDOW, "level": "huyen"})
    assert by_level.context["total"]["received"] == 1
    assert by_level.context["total"]["in_progress"] == 1
    by_field = client.get(URL, {**WINDOW, "field": "Tư pháp"})
    assert by_field.context["total"]["received"] == 2
    by_unit = client.get(URL, {**WINDOW, "unit": "SNV"})
    assert by_unit.context["total"]["late_without_apology"] == 1
    # period 2021-M01 = 15/12/2020 – 14/01/2021 holds every dossier; 2021-M03 none of them
    month = client.get(URL, {"period": "2021-M01"})
    assert month.context["filters"].start.isoformat() == "2020-12-15"
    assert month.context["total"]["received"] == 6
    assert client.get(URL, {"period": "2021-M03"}).context["total"]["received"] == 0


def test_bad_filters_are_named_in_vietnamese(users, store):
    response = client_for(users["officer"]).get(URL, {"from": "32/01/2021", "period": ""})
    assert response.status_code == 200
    assert "32/01/2021" in response.content.decode()
    bad_period = client_for(users["officer"]).get(URL, {"period": "2021-M13"})
    assert bad_period.status_code == 200
    assert response.context["errors"] and bad_period.context["errors"]


def test_index766_table_for_the_month(users, store):
    response = client_for(users["officer"]).get(URL, {**WINDOW, "month": "2021-M01"})
    rows = {row["unit"]: row for row in response.context["index_rows"]}
    assert set(rows) == {"STP", "SNV", "H01"}
    assert response.context["index_month"] == "2021-M01"
    html = response.content.decode()
    assert vi("No data yet") in html


def test_empty_store_explains_how_to_import(users, data_dir):
    response = client_for(users["officer"]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cchc dossiers import" in html
    assert vi("No dossier has been imported yet, so there is nothing to show.") in html
