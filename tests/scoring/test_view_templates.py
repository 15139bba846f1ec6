"""Template viewer pages: list of templates with years and own links; the criteria tree with methods."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cchc.scoring import services
from cchc.scoring.template import shipped_templates

pytestmark = pytest.mark.django_db


def vi(msgid: str) -> str:
    with translation.override("vi"):
        text = gettext(msgid)
    assert text != msgid, f"no Vietnamese translation for “{msgid}”"
    return text


def test_anonymous_is_sent_to_login(client, mini_template):
    response = client.get(reverse("scoring:templates"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_list_shows_templates_years_and_the_reporters_own_link(client, self_assessed, scoring_users):
    client.force_login(scoring_users["h01"])
    page = client.get(reverse("scoring:templates")).content.decode()
    assert "Chỉ số CCHC thử nghiệm" in page
    assert reverse("scoring:results", args=["par-mini", 2022]) in page
    assert reverse("scoring:assessment", args=["par-mini", "H01", 2022]) in page
    assert vi("PAR index and other indices") in page
    assert "<h1>Chỉ số CCHC</h1>" in page
    assert "UBND cấp huyện" in page  # the kind of unit scored, in words, not the code "huyen"


def test_viewer_gets_no_self_assessment_link(client, self_assessed, scoring_users):
    client.force_login(scoring_users["viewer"])
    page = client.get(reverse("scoring:templates")).content.decode()
    assert reverse("scoring:results", args=["par-mini", 2022]) in page
    assert "/scoring/assess/" not in page


def test_detail_shows_tree_max_methods_rules_and_bands(client, mini_template, scoring_users):
    client.force_login(scoring_users["viewer"])
    response = client.get(reverse("scoring:template", args=["par-mini"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="node-1.2"' in page and "Báo cáo CCHC" in page
    assert '<td class="num">1,5</td>' in page  # Vietnamese decimal comma for 1.5 points
    assert vi("Self-assessed by the unit, then appraised") in page
    assert vi("From the sociological survey") in page
    with translation.override("vi"):
        rule = gettext("Points proportional to the value, full points at the target %(target)s") % {
            "target": "100"
        }
    assert rule in page
    assert "plan_completion_rate" in page
    for label in ("Tốt", "Khá", "Trung bình", "Yếu"):
        assert f"<td>{label}</td>" in page
    assert "≥ 65" in page


def test_detail_of_shipped_district_template_describes_every_rule_type(client, scoring_users):
    services.load_template_text(shipped_templates()["par-district-2022"].read_text(encoding="utf-8"))
    client.force_login(scoring_users["officer"])
    page = client.get(reverse("scoring:template", args=["par-district-2022"])).content.decode()
    assert '<div class="num">89</div>' in page  # total maximum
    assert "17,5" in page
    with translation.override("vi"):
        levels = gettext("Points by level: %(steps)s").split("%")[0]
    assert levels in page


def test_unknown_template_is_404(client, scoring_users):
    client.force_login(scoring_users["viewer"])
    assert client.get(reverse("scoring:template", args=["khong-co"])).status_code == 404
