"""Results table: ranks in the group, Vietnamese index format, bands, change from last year, sorting,
chart data, publishing and the XLSX export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cchc.scoring import services
from cchc.scoring.models import Assessment, Status

pytestmark = pytest.mark.django_db

SYSTEM = services.SYSTEM


def vi(msgid: str) -> str:
    with translation.override("vi"):
        text = gettext(msgid)
    assert text != msgid, f"no Vietnamese translation for “{msgid}”"
    return text


def assess(
    template, unit, year: int, scores: dict[str, str], *, appraise: bool = True, publish: bool = False
):
    assessment = services.get_or_create_assessment(template, unit, year, SYSTEM)
    services.save_self_scores(assessment, SYSTEM, {k: (v, "") for k, v in scores.items()}, assessment.version)
    services.submit(assessment, SYSTEM)
    if appraise:
        services.save_appraisal(assessment, SYSTEM, {})
    if publish:
        services.publish(template, year, SYSTEM)
    return assessment


@pytest.fixture
def two_districts(mini_template, tree):
    # 2021: H01 7/10 published; 2022: H01 8,5/10 and H02 5,33... appraised, not published
    assess(mini_template, tree["district_a"], 2021, {"1.1": "2", "1.2": "1", "2.1": "2"}, publish=True)
    assess(mini_template, tree["district_a"], 2022, {"1.1": "2", "1.2": "1,5", "2.1": "3"})
    assess(mini_template, tree["district_b"], 2022, {"1.1": "1", "1.2": "0,5", "2.1": "2,25"})
    return mini_template


def url(sort: str = "", direction: str = "") -> str:
    base = reverse("scoring:results", args=["par-mini", 2022])
    return base + (f"?sort={sort}&dir={direction}" if sort else "")


def units_in_order(response) -> list[str]:
    return [row["unit"].code for row in response.context["table"]]


def test_officer_sees_rank_index_band_and_change(client, two_districts, scoring_users):
    client.force_login(scoring_users["officer"])
    response = client.get(url())
    assert response.status_code == 200
    table = {row["unit"].code: row for row in response.context["table"]}
    h01, h02 = table["H01"], table["H02"]
    assert (h01["total"], h01["index"], h01["rank"], h01["group_size"], h01["band"]) == (
        "6,5",
        "65,00",
        1,
        2,
        "Khá",
    )
    assert (h02["total"], h02["index"], h02["rank"], h02["band"]) == ("3,75", "37,50", 2, "Yếu")
    assert h01["points_change"] == "+1,5" and h01["index_change"] == "+15,00"
    assert h02["index_change"] == ""  # nothing to compare with
    page = response.content.decode()
    assert '<td class="num index">65,00</td>' in page and '<td class="num rank">1/2</td>' in page
    assert vi("Publish the appraised results") in page and 'id="export-xlsx"' in page
    chart = response.context["chart"]
    assert chart["labels"] == ["UBND huyện Chư Păh", "UBND huyện Ia Grai"] and chart["values"] == [65.0, 37.5]
    assert 'id="scoring-results-data"' in page and "chart.umd.min.js" in page


def test_sorting_by_columns(client, two_districts, scoring_users):
    client.force_login(scoring_users["officer"])
    assert units_in_order(client.get(url("index", "asc"))) == ["H02", "H01"]
    assert units_in_order(client.get(url("index", "desc"))) == ["H01", "H02"]
    assert units_in_order(client.get(url("rank", "desc"))) == ["H02", "H01"]
    assert units_in_order(client.get(url("unit", "asc"))) == ["H01", "H02"]
    response = client.get(url("total", "desc"))
    index_column = next(col for col in response.context["columns"] if col["key"] == "total")
    assert (
        index_column["active"] and index_column["aria"] == "descending" and "dir=asc" in index_column["url"]
    )


def test_drafts_are_listed_for_the_officer_without_rank(client, two_districts, scoring_users, tree):
    services.get_or_create_assessment(
        two_districts, tree["commune"].parent, 2022, SYSTEM
    )  # H01 exists already
    Assessment.objects.filter(unit__code="H02", year=2022).update(status=Status.DRAFT)
    client.force_login(scoring_users["officer"])
    table = {row["unit"].code: row for row in client.get(url()).context["table"]}
    assert table["H02"]["rank"] is None and table["H01"]["rank"] == 1 and table["H01"]["group_size"] == 1


def test_viewer_sees_published_results_only(client, two_districts, scoring_users):
    client.force_login(scoring_users["viewer"])
    response = client.get(url())
    assert (
        response.context["table"] == []
        and vi("No result to show for this year yet.") in response.content.decode()
    )
    assert vi("Publish the appraised results") not in response.content.decode()
    services.publish(two_districts, 2022, SYSTEM)
    assert units_in_order(client.get(url())) == ["H01", "H02"]


def test_publish_by_officer_locks_and_reports(client, two_districts, scoring_users):
    client.force_login(scoring_users["officer"])
    response = client.post(reverse("scoring:publish", args=["par-mini", 2022]), follow=True)
    assert set(Assessment.objects.filter(year=2022).values_list("status", flat=True)) == {Status.PUBLISHED}
    shown = [str(m) for m in response.context["messages"]]
    with translation.override("vi"):
        expected = gettext("%(count)s assessments were published and locked.") % {"count": 2}
    assert expected in shown
    again = client.post(reverse("scoring:publish", args=["par-mini", 2022]), follow=True)
    assert any("par-mini" in str(m) for m in again.context["messages"])  # nothing left to publish


@pytest.mark.parametrize("who", ["h01", "viewer", "foreign_officer"])
def test_publish_refused(client, two_districts, scoring_users, who):
    client.force_login(scoring_users[who])
    assert client.post(reverse("scoring:publish", args=["par-mini", 2022])).status_code == 403
    assert not Assessment.objects.filter(year=2022, status=Status.PUBLISHED).exists()


def test_foreign_officer_sees_no_unit_of_our_province(client, two_districts, scoring_users):
    client.force_login(scoring_users["foreign_officer"])
    assert client.get(url()).context["table"] == []


def test_xlsx_export_for_the_province_only(client, two_districts, scoring_users):
    client.force_login(scoring_users["officer"])
    response = client.get(reverse("scoring:results_xlsx", args=["par-mini", 2022]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert "UBND huyện Chư Păh" in cells and "UBND huyện Ia Grai" in cells
    client.force_login(scoring_users["viewer"])
    assert client.get(reverse("scoring:results_xlsx", args=["par-mini", 2022])).status_code == 403
