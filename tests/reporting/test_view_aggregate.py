"""Aggregate page: indicators × child units with the aggregate column and its XLSX export."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from cchc.reporting import services

pytestmark = pytest.mark.django_db


def _approved(tree, catalog, h1, unit: str, data: dict) -> None:
    sub = services.get_or_create_submission(tree[unit], h1, catalog, services.SYSTEM)
    services.save_values(sub, services.SYSTEM, data, sub.version)
    services.submit(sub, services.SYSTEM)
    services.approve(sub, services.SYSTEM)


def test_permissions(client, rep_users, catalog, h1):
    url = reverse("reporting:aggregate", args=["T64", "2021-H1"])
    for role, code in [("officer", 200), ("admin", 200), ("reporter", 403), ("viewer", 403),
                       ("other_officer", 403)]:
        client.force_login(rep_users[role])
        assert client.get(url).status_code == code, role
    client.force_login(rep_users["reporter"])
    assert client.get(reverse("reporting:aggregate", args=["STP", "2021-H1"])).status_code == 200


def test_sums_and_ratio_recomputed(client, rep_users, tree, catalog, h1):
    ratio = next(i for i in catalog.pure.values() if i.aggregation.value == "ratio").code
    _approved(tree, catalog, h1, "stp", {"1.1.1": "1.000", "1.1.3": "2", ratio: ("1", "4")})
    _approved(tree, catalog, h1, "snv", {"1.1.1": "964", ratio: ("3", "4")})
    client.force_login(rep_users["officer"])
    html = client.get(reverse("reporting:aggregate", args=["T64", "2021-H1"])).content.decode()
    row = html.split('id="agg-111"')[1].split("</tr>")[0]
    assert "1.964" in row and "1.000" in row and ">964<" in row
    ratio_row = html.split(f'id="agg-{ratio.replace(".", "")}"')[1].split("</tr>")[0]
    assert "50,00%" in ratio_row  # (1+3)/(4+4)
    partial_row = html.split('id="agg-113"')[1].split("</tr>")[0]
    assert 'class="partial"' in partial_row  # SNV has no 1.1.3


def test_ratio_is_sum_over_sum_not_mean_of_rates(client, rep_users, tree, catalog, h1):
    ratio = next(i for i in catalog.pure.values() if i.aggregation.value == "ratio").code
    _approved(tree, catalog, h1, "stp", {ratio: ("1", "10")})
    _approved(tree, catalog, h1, "snv", {ratio: ("9", "10.000")})
    client.force_login(rep_users["officer"])
    html = client.get(reverse("reporting:aggregate", args=["T64", "2021-H1"])).content.decode()
    ratio_row = html.split(f'id="agg-{ratio.replace(".", "")}"')[1].split("</tr>")[0]
    assert "0,10%" in ratio_row.split('class="num aggregate"')[1]  # 10/10.010, mean of rates would be 5,05%


def test_xlsx_export(client, rep_users, tree, catalog, h1):
    from openpyxl import load_workbook

    _approved(tree, catalog, h1, "stp", {"1.1.1": "7"})
    client.force_login(rep_users["officer"])
    response = client.get(reverse("reporting:aggregate_xlsx", args=["T64", "2021-H1"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "1.1.1" in cells and 7 in cells
    client.force_login(rep_users["other_officer"])
    assert client.get(reverse("reporting:aggregate_xlsx", args=["T64", "2021-H1"])).status_code == 403
