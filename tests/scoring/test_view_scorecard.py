"""Unit scorecard: area points and radar data, lost points with remediation notes, DOCX report, visibility."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from docx import Document

from cchc.scoring import services
from cchc.scoring.models import Status

pytestmark = pytest.mark.django_db

SYSTEM = services.SYSTEM
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def appraised(self_assessed, scoring_users):
    # self 2 / 1 / 2,5 ; council cuts 2.1 to 2 → total 5 of 10
    services.save_appraisal(self_assessed, scoring_users["officer"], {"2.1": ("2", "Thiếu tài liệu")})
    return self_assessed


def card_url() -> str:
    return reverse("scoring:scorecard", args=["par-mini", "H01", 2022])


def test_scorecard_shows_areas_rank_and_lost_points(client, appraised, scoring_users):
    client.force_login(scoring_users["h01"])
    response = client.get(card_url())
    assert response.status_code == 200
    ctx = response.context
    assert (ctx["total"], ctx["max"], ctx["index"], ctx["band"], ctx["rank"]) == (
        "5",
        "10",
        "50,00",
        "Trung bình",
        1,
    )
    assert [(a["code"], a["score"], a["max"], a["index"]) for a in ctx["areas"]] == [
        ("1", "3", "5,5", "54,55"),
        ("2", "2", "4,5", "44,44"),
    ]
    assert ctx["chart"]["values"] == [54.55, 44.44]
    lost = {leaf["code"]: leaf["lost"] for leaf in ctx["lost"]}
    assert lost == {"1.2": "0,5", "1.3": "2", "2.1": "1", "2.2": "1,5"}
    page = response.content.decode()
    assert 'id="chart-areas"' in page and 'name="note-2.1"' in page
    assert reverse("scoring:lost_docx", args=[appraised.pk]) in page


def test_remediation_saved_by_the_unit(client, appraised, scoring_users, tree):
    client.force_login(scoring_users["h01"])
    response = client.post(
        reverse("scoring:remediation", args=[appraised.pk]),
        {"note-2.1": "Đã bổ sung kế hoạch rà soát văn bản", "responsible-2.1": tree["commune"].code},
    )
    assert response.status_code == 302 and response["Location"] == card_url()
    leaf = appraised.leaves.get(code="2.1")
    assert (
        leaf.remediation_note == "Đã bổ sung kế hoạch rà soát văn bản"
        and leaf.responsible_unit == tree["commune"]
    )
    page = client.get(card_url()).content.decode()
    assert "Đã bổ sung kế hoạch rà soát văn bản" in page
    assert f'<option value="{tree["commune"].code}" selected>' in page


def test_remediation_unknown_unit_is_named(client, appraised, scoring_users):
    client.force_login(scoring_users["h01"])
    response = client.post(
        reverse("scoring:remediation", args=[appraised.pk]),
        {"note-2.1": "x", "responsible-2.1": "KHONGCO"},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any("KHONGCO" in m and "2.1" in m for m in shown)
    assert appraised.leaves.get(code="2.1").remediation_note == ""


def test_remediation_still_editable_after_publishing(client, appraised, scoring_users, mini_template):
    services.publish(mini_template, 2022, SYSTEM)
    client.force_login(scoring_users["h01"])
    client.post(reverse("scoring:remediation", args=[appraised.pk]), {"note-1.2": "Nộp báo cáo đúng hạn"})
    assert appraised.leaves.get(code="1.2").remediation_note == "Nộp báo cáo đúng hạn"


@pytest.mark.parametrize("who", ["h02", "viewer"])
def test_remediation_refused_for_others(client, appraised, scoring_users, who):
    client.force_login(scoring_users[who])
    assert (
        client.post(reverse("scoring:remediation", args=[appraised.pk]), {"note-2.1": "x"}).status_code == 403
    )
    assert appraised.leaves.get(code="2.1").remediation_note == ""


def test_docx_report(client, appraised, scoring_users):
    client.force_login(scoring_users["officer"])
    response = client.get(reverse("scoring:lost_docx", args=[appraised.pk]))
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert 'filename="diem-bi-tru-H01-2022.docx"' in response["Content-Disposition"]
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "UBND huyện Chư Păh" in text


def test_unpublished_card_is_private_to_the_unit_and_province(
    client, appraised, scoring_users, mini_template
):
    for who, status in (("h02", 403), ("viewer", 403), ("officer", 200), ("h01", 200)):
        client.force_login(scoring_users[who])
        assert client.get(card_url()).status_code == status, who
        assert client.get(reverse("scoring:lost_docx", args=[appraised.pk])).status_code == status, who
    services.publish(mini_template, 2022, SYSTEM)
    appraised.refresh_from_db()
    assert appraised.status == Status.PUBLISHED
    client.force_login(scoring_users["viewer"])
    response = client.get(card_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="note-2.1"' not in page  # read only for the viewer
    assert reverse("scoring:assessment", args=["par-mini", "H01", 2022]) not in page


def test_comparison_with_last_year(client, appraised, scoring_users, mini_template, tree):
    before = services.get_or_create_assessment(mini_template, tree["district_a"], 2021, SYSTEM)
    services.save_self_scores(
        before, SYSTEM, {"1.1": ("1", ""), "1.2": ("1", ""), "2.1": ("2", "")}, before.version
    )
    services.submit(before, SYSTEM)
    services.save_appraisal(before, SYSTEM, {})
    client.force_login(scoring_users["h01"])
    comparison = client.get(card_url()).context["comparison"]
    assert comparison["points_change"] == "+1" and comparison["index_change"] == "+10,00"
    assert comparison["previous_index"] == "40,00"
