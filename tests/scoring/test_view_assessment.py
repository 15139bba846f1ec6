"""Self-assessment page: who sees and edits it, Vietnamese decimal input, live totals, conflict, submit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cchc.scoring import services
from cchc.scoring.models import Assessment, Status

pytestmark = pytest.mark.django_db


def vi(msgid: str) -> str:
    with translation.override("vi"):
        text = gettext(msgid)
    assert text != msgid, f"no Vietnamese translation for “{msgid}”"
    return text


@pytest.fixture
def draft(mini_template, scoring_users, tree):
    return services.get_or_create_assessment(mini_template, tree["district_a"], 2022, scoring_users["h01"])


def page_url() -> str:
    return reverse("scoring:assessment", args=["par-mini", "H01", 2022])


def points(assessment: Assessment, code: str) -> Decimal | None:
    return assessment.leaves.get(code=code).self_points


def test_start_page_then_start_creates_the_assessment(client, mini_template, scoring_users):
    client.force_login(scoring_users["h01"])
    page = client.get(page_url()).content.decode()
    assert vi("Start the self-assessment") in page
    response = client.post(reverse("scoring:start", args=["par-mini", "H01", 2022]))
    assert response.status_code == 302 and response["Location"] == page_url()
    assessment = Assessment.objects.get(unit__code="H01", year=2022)
    assert set(assessment.leaves.values_list("code", flat=True)) == {"1.1", "1.2", "1.3", "2.1", "2.2"}


def test_start_refused_for_a_unit_the_template_does_not_score(client, mini_template, scoring_users, users):
    client.force_login(users["reporter"])  # Sở Tư pháp is not a district
    response = client.post(reverse("scoring:start", args=["par-mini", "STP", 2022]), follow=True)
    assert not Assessment.objects.exists()
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1 and "par-mini" in shown[0] and "huyen" in shown[0]


def test_reporter_sees_inputs_for_manual_criteria_and_read_only_automatic(client, draft, scoring_users):
    services.compute_automatic(draft, {"plan_completion_rate": 80}, services.SYSTEM)
    client.force_login(scoring_users["h01"])
    response = client.get(page_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="points-1.1"' in page and 'name="comment-2.1"' in page
    assert 'name="points-1.3"' not in page  # metric: computed, not typed
    assert vi("Measured value") in page and "<strong>80</strong>" in page
    assert '<td class="num auto">1,6</td>' in page  # 80 % of target 100 on 2 points
    assert 'hx-get="' + reverse("scoring:preview", args=[draft.pk]) in page
    assert f'name="version" value="{draft.version}"' in page


@pytest.mark.parametrize("who", ["h02", "viewer", "foreign_officer", "reporter"])
def test_others_cannot_open_the_page(client, draft, scoring_users, who):
    client.force_login(scoring_users[who])
    assert client.get(page_url()).status_code == 403


def test_officer_sees_it_read_only(client, draft, scoring_users):
    client.force_login(scoring_users["officer"])
    page = client.get(page_url()).content.decode()
    assert "Kế hoạch CCHC" in page
    assert 'name="points-1.1"' not in page and 'id="save"' not in page


def test_save_accepts_a_decimal_comma(client, draft, scoring_users):
    client.force_login(scoring_users["h01"])
    response = client.post(
        reverse("scoring:save", args=[draft.pk]),
        {
            "version": draft.version,
            "points-1.1": "1,5",
            "comment-1.1": "Ban hành ngày 10/1",
            "points-2.1": "0,25",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert points(draft, "1.1") == Decimal("1.5") and points(draft, "2.1") == Decimal("0.25")
    assert draft.leaves.get(code="1.1").self_comment == "Ban hành ngày 10/1"
    page = client.get(page_url()).content.decode()
    assert 'value="1,5"' in page and vi("The self-assessment was saved.") in page


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [("abc", "abc"), ("2,5", "2,5"), ("-1", "-1")],
)
def test_bad_points_named_and_nothing_saved(client, draft, scoring_users, typed, fragment):
    client.force_login(scoring_users["h01"])
    response = client.post(
        reverse("scoring:save", args=[draft.pk]),
        {"version": draft.version, "points-1.1": typed, "points-2.1": "3"},
    )
    assert response.status_code == 200
    errors = response.context["errors"]
    assert len(errors) == 1 and "1.1" in errors[0] and fragment in errors[0]
    assert 'id="form-errors"' in response.content.decode()
    assert f'value="{typed}"' in response.content.decode()  # what was typed is kept
    assert points(draft, "2.1") is None


def test_stale_version_shows_the_conflict_and_keeps_the_other_save(client, draft, scoring_users):
    stale = draft.version
    services.save_self_scores(draft, scoring_users["h01"], {"1.1": ("2", "")}, stale)
    client.force_login(scoring_users["h01"])
    response = client.post(reverse("scoring:save", args=[draft.pk]), {"version": stale, "points-1.1": "0,5"})
    assert response.status_code == 409
    page = response.content.decode()
    assert vi("Not saved: the assessment changed while you were editing.") in page
    assert "1.1" in response.context["conflict"]
    assert f'name="version" value="{stale}"' in page  # saving again conflicts again until reloaded
    assert points(draft, "1.1") == Decimal("2")


def test_missing_version_is_refused(client, draft, scoring_users):
    client.force_login(scoring_users["h01"])
    response = client.post(reverse("scoring:save", args=[draft.pk]), {"points-1.1": "1"})
    assert response.status_code == 400 and points(draft, "1.1") is None


def test_submit_requires_every_manual_criterion_then_locks_the_form(client, draft, scoring_users):
    client.force_login(scoring_users["h01"])
    url = reverse("scoring:save", args=[draft.pk])
    response = client.post(url, {"version": draft.version, "points-1.1": "2", "action": "submit"})
    assert response.status_code == 200 and "1.2" in response.context["errors"][0]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and points(draft, "1.1") == Decimal("2")
    response = client.post(
        url, {"version": draft.version, "points-1.2": "1", "points-2.1": "3", "action": "submit"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    page = client.get(page_url()).content.decode()
    assert 'name="points-1.1"' not in page and vi("Submitted") in page


@pytest.mark.parametrize("who", ["h02", "officer", "viewer"])
def test_save_refused_for_others(client, draft, scoring_users, who):
    client.force_login(scoring_users[who])
    response = client.post(
        reverse("scoring:save", args=[draft.pk]), {"version": draft.version, "points-1.1": "1"}
    )
    assert response.status_code == 403 and points(draft, "1.1") is None


def test_live_totals_use_the_typed_points_without_saving(client, self_assessed, scoring_users):
    # self-assessed: 2 + 1 + 2,5 = 5,5 of 10
    services.return_for_revision(self_assessed, scoring_users["officer"], "Bổ sung")
    client.force_login(scoring_users["h01"])
    url = reverse("scoring:preview", args=[self_assessed.pk])
    fragment = client.get(url, {"points-1.2": "1,5", "points-2.1": "3"}).content.decode()
    assert 'id="total-points">6,5/10<' in fragment and "65,00%" in fragment and "Khá" in fragment
    # the area and parent scores of the table are updated out of band: area 1 = 2 + 1,5, area 2 = 3
    assert '<span id="score-1" hx-swap-oob="true">3,5</span>' in fragment
    assert '<span id="score-2" hx-swap-oob="true">3</span>' in fragment
    bad = client.get(url, {"points-1.2": "9"})
    assert "1.2" in bad.content.decode() and bad.context["preview_errors"]
    assert points(self_assessed, "1.2") == Decimal("1")
    client.force_login(scoring_users["h02"])
    assert client.get(url).status_code == 403


def test_unit_sees_the_appraisal_read_only(client, self_assessed, scoring_users):
    services.save_appraisal(
        self_assessed, scoring_users["officer"], {"2.1": ("1,5", "Thiếu kế hoạch rà soát")}
    )
    client.force_login(scoring_users["h01"])
    page = client.get(page_url()).content.decode()
    assert vi("Appraised points") in page
    assert '<td class="num appraised">1,5</td>' in page and "Thiếu kế hoạch rà soát" in page
    assert 'name="points-2.1"' not in page
