"""Appraisal page: the council's points beside the unit's, saved through the service; return to the unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cchc.scoring import services
from cchc.scoring.models import Status

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def vi(msgid: str) -> str:
    with translation.override("vi"):
        text = gettext(msgid)
    assert text != msgid, f"no Vietnamese translation for “{msgid}”"
    return text


def test_officer_sees_self_points_comments_and_evidence(
    client, self_assessed, scoring_users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    self_assessed.status = Status.DRAFT  # attach evidence as the unit would have done before submitting
    evidence = services.add_evidence(
        self_assessed.leaves.get(code="1.2"), SimpleUploadedFile("bao-cao.pdf", PDF), services.SYSTEM
    )
    client.force_login(scoring_users["officer"])
    response = client.get(reverse("scoring:appraise", args=[self_assessed.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<td class="num self">2,5</td>' in page and "Trễ 1 báo cáo" in page
    assert reverse("scoring:evidence", args=[evidence.pk]) in page and "bao-cao.pdf" in page
    assert 'name="appraised-2.1"' in page and vi("Save the appraisal") in page


def test_save_appraisal_with_decimal_comma(client, self_assessed, scoring_users):
    client.force_login(scoring_users["officer"])
    response = client.post(
        reverse("scoring:appraise", args=[self_assessed.pk]),
        {
            "version": self_assessed.version,
            "appraised-2.1": "1,75",
            "acomment-2.1": "Thiếu tài liệu",
            "appraised-1.1": "",
        },
    )
    assert response.status_code == 302
    self_assessed.refresh_from_db()
    leaf = self_assessed.leaves.get(code="2.1")
    assert self_assessed.status == Status.APPRAISED
    assert (leaf.appraised_points, leaf.appraisal_comment) == (Decimal("1.75"), "Thiếu tài liệu")
    assert self_assessed.leaves.get(code="1.1").appraised_points is None
    # total = 2 + 1 + 1,75 (appraised) = 4,75
    assert services.score_assessment(self_assessed).total == Decimal("4.75")


def test_points_above_the_maximum_are_named(client, self_assessed, scoring_users):
    client.force_login(scoring_users["officer"])
    response = client.post(
        reverse("scoring:appraise", args=[self_assessed.pk]),
        {"version": self_assessed.version, "appraised-1.2": "2"},
    )
    assert response.status_code == 200
    assert "1.2" in response.context["errors"][0] and "1,5" in response.context["errors"][0]
    self_assessed.refresh_from_db()
    assert self_assessed.status == Status.SUBMITTED


def test_stale_version_conflict(client, self_assessed, scoring_users):
    stale = self_assessed.version
    services.save_appraisal(self_assessed, scoring_users["admin"], {"1.1": ("1", "")})
    client.force_login(scoring_users["officer"])
    response = client.post(
        reverse("scoring:appraise", args=[self_assessed.pk]), {"version": stale, "appraised-1.1": "2"}
    )
    assert response.status_code == 409
    assert vi("Not saved: the assessment changed while you were editing.") in response.content.decode()
    assert self_assessed.leaves.get(code="1.1").appraised_points == Decimal("1")


@pytest.mark.parametrize("who", ["h01", "h02", "viewer", "foreign_officer"])
def test_only_the_province_appraises(client, self_assessed, scoring_users, who):
    client.force_login(scoring_users[who])
    url = reverse("scoring:appraise", args=[self_assessed.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": self_assessed.version, "appraised-1.1": "0"}).status_code == 403
    assert self_assessed.leaves.get(code="1.1").appraised_points is None


def test_draft_cannot_be_appraised(client, mini_template, scoring_users, tree):
    draft = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, scoring_users["h01"])
    client.force_login(scoring_users["officer"])
    url = reverse("scoring:appraise", args=[draft.pk])
    assert 'name="appraised-1.1"' not in client.get(url).content.decode()
    response = client.post(url, {"version": draft.version, "appraised-1.1": "1"})
    assert response.status_code == 200 and response.context["errors"]


def test_return_for_revision_reopens_the_form_for_the_unit(client, self_assessed, scoring_users):
    client.force_login(scoring_users["officer"])
    url = reverse("scoring:return", args=[self_assessed.pk])
    client.post(url, {"reason": ""})
    self_assessed.refresh_from_db()
    assert self_assessed.status == Status.SUBMITTED
    response = client.post(url, {"reason": "Bổ sung tài liệu mục 2.1"})
    assert response.status_code == 302
    self_assessed.refresh_from_db()
    assert self_assessed.status == Status.RETURNED
    client.force_login(scoring_users["h01"])
    page = client.get(reverse("scoring:assessment", args=["par-mini", "H01", 2022])).content.decode()
    assert "Bổ sung tài liệu mục 2.1" in page and 'name="points-2.1"' in page
