"""Indicators × periods: each quarter/half of a year and the year column (flows summed over approved
sub-periods, stocks the latest), its permissions and its XLSX export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.reporting import services
from cchc.reporting.aggregate import RatioInput

pytestmark = pytest.mark.django_db

FLOW = "1.1.3"  # Số văn bản chỉ đạo CCHC đã ban hành (flow)
STOCK = "1.1.1"  # Số nhiệm vụ đề ra trong kế hoạch (stock)
QUARTERS = ("2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4")


def _report(tree, catalog, period, unit: str, data: dict, approve: bool = True) -> None:
    sub = services.get_or_create_submission(tree[unit], period, catalog, services.SYSTEM)
    services.save_values(sub, services.SYSTEM, data, sub.version)
    services.submit(sub, services.SYSTEM)
    if approve:
        services.approve(sub, services.SYSTEM)


def _row(html: str, code: str) -> str:
    return html.split(f'id="trend-{code.replace(".", "")}"')[1].split("</tr>")[0]


def _cells(row: str) -> list[str]:
    return [c.split("</td>")[0] for c in row.split('<td class="num')[1:]]


def test_periods_exist(periods):
    assert all(code in periods for code in QUARTERS)


def test_flow_summed_stock_latest_when_all_quarters_approved(client, rep_users, tree, catalog, periods):
    for n, code in enumerate(QUARTERS, start=1):
        _report(tree, catalog, periods[code], "stp", {FLOW: str(500 * n), STOCK: str(10 * n)})
    pivot = services.pivot_by_period(tree["stp"], 2021, "quarter", catalog, rep_users["reporter"])
    assert [c.period for c in pivot.columns] == list(QUARTERS)
    assert all(c.own for c in pivot.columns)
    assert [c.cells[FLOW].value for c in pivot.columns] == [500, 1000, 1500, 2000]
    assert pivot.total[FLOW].value == Decimal(5000) and not pivot.total[FLOW].partial
    assert pivot.total[STOCK].value == Decimal(40) and not pivot.total[STOCK].partial

    client.force_login(rep_users["reporter"])
    html = client.get(reverse("reporting:trend", args=["STP", 2021]) + "?kind=quarter").content.decode()
    flow = _cells(_row(html, FLOW))
    assert [c.rsplit(">", 1)[-1].strip() for c in flow] == ["500", "1.000", "1.500", "2.000", "5.000"]
    assert 'class="partial"' not in _row(html, FLOW)
    assert _cells(_row(html, STOCK))[-1].rsplit(">", 1)[-1].strip() == "40"


def test_partial_when_a_quarter_is_missing_or_not_approved(client, rep_users, tree, catalog, periods):
    _report(tree, catalog, periods["2021-Q1"], "stp", {FLOW: "3", STOCK: "7"})
    _report(tree, catalog, periods["2021-Q2"], "stp", {FLOW: "4", STOCK: "9"})
    _report(tree, catalog, periods["2021-Q3"], "stp", {FLOW: "100", STOCK: "100"}, approve=False)
    pivot = services.pivot_by_period(tree["stp"], 2021, "quarter", catalog, rep_users["reporter"])
    assert pivot.total[FLOW].value == Decimal(7) and pivot.total[FLOW].partial
    assert pivot.total[STOCK].value == Decimal(9) and pivot.total[STOCK].partial  # Q4 missing
    client.force_login(rep_users["reporter"])
    html = client.get(reverse("reporting:trend", args=["STP", 2021])).content.decode()
    total = _cells(_row(html, FLOW))[-1]
    assert total.startswith(' total">7') and 'class="partial">*' in total


def test_province_columns_aggregate_children_without_own_report(client, rep_users, tree, catalog, periods):
    ratio = next(i for i in catalog.pure.values() if i.aggregation.value == "ratio").code
    _report(tree, catalog, periods["2021-H1"], "stp", {FLOW: "1.000", ratio: ("1", "4")})
    _report(tree, catalog, periods["2021-H1"], "snv", {FLOW: "964", ratio: ("3", "4")})
    pivot = services.pivot_by_period(tree["province"], 2021, "half", catalog, rep_users["officer"])
    h1 = pivot.columns[0]
    assert h1.period == "2021-H1" and not h1.own
    assert h1.cells[FLOW].value == Decimal(1964)
    assert h1.cells[ratio].value == RatioInput(Decimal(4), Decimal(8), Decimal(50))
    client.force_login(rep_users["officer"])
    html = client.get(reverse("reporting:trend", args=["T64", 2021]) + "?kind=half").content.decode()
    assert "1.964" in _cells(_row(html, FLOW))[0]
    assert "50,00%" in _cells(_row(html, ratio))[0]
    assert "2.021" not in html  # the year is not written as a number with a thousands dot


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.none(), st.integers(0, 10**6)), min_size=4, max_size=4))
def test_year_total_matches_sum_of_approved_quarters(rep_users, tree, catalog, periods, values):
    from cchc.reporting.models import Submission

    Submission.objects.filter(unit=tree["stp"]).delete()
    for code, value in zip(QUARTERS, values, strict=True):
        if value is not None:
            _report(tree, catalog, periods[code], "stp", {FLOW: str(value)})
    pivot = services.pivot_by_period(tree["stp"], 2021, "quarter", catalog, rep_users["reporter"])
    present = [v for v in values if v is not None]
    expected = Decimal(sum(present)) if present else None
    assert pivot.total[FLOW].value == expected
    assert pivot.total[FLOW].partial == (len(present) < 4)


def test_permissions(client, rep_users, tree, catalog, periods):
    url = reverse("reporting:trend", args=["T64", 2021])
    xlsx = reverse("reporting:trend_xlsx", args=["T64", 2021])
    for role, code in [("officer", 200), ("admin", 200), ("reporter", 403), ("viewer", 403),
                       ("other_officer", 403), ("district_reporter", 403)]:
        client.force_login(rep_users[role])
        assert client.get(url).status_code == code, role
        assert client.get(xlsx).status_code == code, role
    client.force_login(rep_users["reporter"])
    assert client.get(reverse("reporting:trend", args=["STP", 2021])).status_code == 200
    assert client.get(reverse("reporting:trend", args=["SNV", 2021])).status_code == 403
    assert client.get(reverse("reporting:trend", args=["STP", 2021]) + "?kind=month").status_code == 404
    with pytest.raises(PermissionDenied):
        services.pivot_by_period(tree["snv"], 2021, "quarter", catalog, rep_users["reporter"])


def test_xlsx_numbers_numeric_partial_marked_and_text_formula_safe(client, rep_users, tree, catalog, periods):
    from openpyxl import load_workbook

    tree["stp"].name = "=HYPERLINK(\"http://x\")"
    tree["stp"].save()
    _report(tree, catalog, periods["2021-Q1"], "stp", {FLOW: "1.234", STOCK: "5"})
    _report(tree, catalog, periods["2021-Q2"], "stp", {FLOW: "6", STOCK: "8"})
    client.force_login(rep_users["reporter"])
    response = client.get(reverse("reporting:trend_xlsx", args=["STP", 2021]) + "?kind=quarter")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    flow = rows[FLOW]
    assert flow[3] == 1234 and flow[5] == 6  # Q1, Q2 as numbers
    assert flow[-2] == 1240 and flow[-1] == "*"  # year total, partial (Q3, Q4 missing)
    assert rows[STOCK][-2] == 8
    header = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "STT")
    assert header[-2] == "Năm 2021"
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(t.startswith("=") for t in texts)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
