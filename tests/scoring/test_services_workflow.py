"""Assessment workflow through the services: self-assess → submit → appraise → publish, and refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cchc.scoring import services
from cchc.scoring.models import Assessment, LeafScore, Status

pytestmark = pytest.mark.django_db


def test_happy_path_self_submit_appraise_publish(self_assessed, scoring_users, mini_template):
    officer = scoring_users["officer"]
    assessment = self_assessed
    assert assessment.status == Status.SUBMITTED
    assert assessment.group == "huyen"
    services.compute_automatic(assessment, {"plan_completion_rate": "90"}, officer)
    services.save_appraisal(assessment, officer, {"2.1": ("2", "Thiếu 1 văn bản"), "1.1": ("", "")})
    assessment.refresh_from_db()
    assert assessment.status == Status.APPRAISED
    final = services.final_points(assessment)
    # 1.1 appraised blank → the unit's 2; 2.1 appraised 2 (unit said 2,5); 1.3 = 2 × 90/100.
    assert final == {
        "1.1": Decimal("2"),
        "1.2": Decimal("1"),
        "1.3": Decimal("1.8"),
        "2.1": Decimal("2"),
        "2.2": None,
    }
    row = assessment.leaves.get(code="1.3")
    assert (row.auto_source, row.auto_source_value) == ("plan_completion_rate", Decimal("90"))
    outcome = services.publish(mini_template, 2022, officer)
    assert [a.pk for a in outcome["published"]] == [assessment.pk]
    assessment.refresh_from_db()
    assert assessment.status == Status.PUBLISHED and assessment.published_at is not None
    result = services.score_assessment(assessment)
    assert result.total == Decimal("6.8") and result.max == Decimal("10")


def test_leaf_rows_created_once_per_scored_criterion(mini_template, scoring_users, tree):
    user = scoring_users["h01"]
    first = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, user)
    again = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, user)
    assert first.pk == again.pk
    assert sorted(first.leaves.values_list("code", flat=True)) == ["1.1", "1.2", "1.3", "2.1", "2.2"]


def test_changes_are_audited_with_the_actor(self_assessed, scoring_users):
    row = self_assessed.leaves.get(code="1.2")
    entries = LogEntry.objects.get_for_object(row)
    assert entries.filter(actor=scoring_users["h01"]).exists()
    status_changes = LogEntry.objects.get_for_object(self_assessed)
    assert any("submitted" in str(entry.changes) for entry in status_changes)


def test_template_of_other_unit_kind_refused(mini_template, scoring_users, tree):
    with pytest.raises(ValidationError, match="huyen"):
        services.get_or_create_assessment(mini_template, tree["stp"], 2022, scoring_users["reporter"])


@pytest.mark.parametrize("who", ["reporter", "viewer", "h02", "foreign_officer"])
def test_self_assessment_by_others_denied(who, mini_template, scoring_users, tree):
    user = scoring_users["h01"]
    assessment = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, user)
    with pytest.raises(PermissionDenied):
        services.save_self_scores(assessment, scoring_users[who], {"1.1": ("1", "")}, assessment.version)
    with pytest.raises(PermissionDenied):
        services.submit(assessment, scoring_users[who])
    assert not LeafScore.objects.filter(assessment=assessment, self_points__isnull=False).exists()


def test_officer_cannot_self_assess_for_the_unit(mini_template, scoring_users, tree):
    assessment = services.get_or_create_assessment(
        mini_template, tree["district_a"], 2022, scoring_users["h01"]
    )
    with pytest.raises(PermissionDenied):
        services.save_self_scores(
            assessment, scoring_users["officer"], {"1.1": ("1", "")}, assessment.version
        )


@pytest.mark.parametrize("who", ["reporter", "viewer", "h01", "foreign_officer"])
def test_appraisal_and_publish_denied(who, self_assessed, scoring_users, mini_template):
    with pytest.raises(PermissionDenied):
        services.save_appraisal(self_assessed, scoring_users[who], {"1.1": ("1", "")})
    with pytest.raises(PermissionDenied):
        services.publish(mini_template, 2022, scoring_users[who])
    self_assessed.refresh_from_db()
    assert self_assessed.status == Status.SUBMITTED


def test_admin_may_appraise(self_assessed, scoring_users):
    services.save_appraisal(self_assessed, scoring_users["admin"], {"1.2": ("1.5", "Đủ")})
    assert self_assessed.leaves.get(code="1.2").appraised_points == Decimal("1.5")


def test_points_above_maximum_rejected_naming_the_leaf(mini_template, scoring_users, tree):
    user = scoring_users["h01"]
    assessment = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, user)
    with pytest.raises(ValidationError) as info:
        services.save_self_scores(
            assessment, user, {"1.1": ("2,5", ""), "2.1": ("-1", ""), "1.2": ("x", "")}, assessment.version
        )
    text = " ".join(info.value.messages)
    assert "1.1" in text and "2,5" in text and "2.1" in text and "1.2" in text
    assert not assessment.leaves.filter(self_points__isnull=False).exists()


def test_vietnamese_decimal_comma_accepted(mini_template, scoring_users, tree):
    user = scoring_users["h01"]
    assessment = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, user)
    services.save_self_scores(assessment, user, {"1.2": ("1,25", "")}, assessment.version)
    assert assessment.leaves.get(code="1.2").self_points == Decimal("1.25")


def test_automatic_leaf_not_self_assessed(mini_template, scoring_users, tree):
    user = scoring_users["h01"]
    assessment = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, user)
    with pytest.raises(ValidationError, match="1.3"):
        services.save_self_scores(assessment, user, {"1.3": ("1", "")}, assessment.version)


def test_optimistic_lock_conflict_names_changed_criteria(mini_template, scoring_users, tree):
    user = scoring_users["h01"]
    assessment = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, user)
    opened = assessment.version
    other_tab = Assessment.objects.get(pk=assessment.pk)
    services.save_self_scores(other_tab, user, {"2.1": ("3", "")}, opened)
    with pytest.raises(services.ConflictError) as info:
        services.save_self_scores(assessment, user, {"1.1": ("1", "")}, opened)
    assert info.value.changed_codes == ["2.1"]
    assert "2.1" in info.value.message and "h01_baocao" in info.value.message
    assert info.value.current_version == opened + 1
    assert assessment.leaves.get(code="1.1").self_points is None


def test_submit_requires_every_manual_leaf(mini_template, scoring_users, tree):
    user = scoring_users["h01"]
    assessment = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, user)
    services.save_self_scores(assessment, user, {"1.1": ("2", "")}, assessment.version)
    with pytest.raises(ValidationError) as info:
        services.submit(assessment, user)
    assert "1.2, 2.1" in info.value.messages[0]
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_submitted_is_read_only_for_unit_until_returned(self_assessed, scoring_users):
    user = scoring_users["h01"]
    with pytest.raises(ValidationError):
        services.save_self_scores(self_assessed, user, {"1.1": ("1", "")}, self_assessed.version)
    with pytest.raises(ValidationError):
        services.return_for_revision(self_assessed, scoring_users["officer"], "  ")
    services.return_for_revision(self_assessed, scoring_users["officer"], "Thiếu tài liệu kiểm chứng")
    self_assessed.refresh_from_db()
    assert self_assessed.status == Status.RETURNED
    services.save_self_scores(self_assessed, user, {"1.1": ("1", "")}, self_assessed.version)
    assert self_assessed.leaves.get(code="1.1").self_points == Decimal("1")


def test_appraisal_only_after_submit(mini_template, scoring_users, tree):
    assessment = services.get_or_create_assessment(
        mini_template, tree["district_a"], 2022, scoring_users["h01"]
    )
    with pytest.raises(ValidationError):
        services.save_appraisal(assessment, scoring_users["officer"], {"1.1": ("1", "")})


def test_publish_locks_every_write(self_assessed, scoring_users, mini_template):
    officer, user = scoring_users["officer"], scoring_users["h01"]
    services.save_appraisal(self_assessed, officer, {})
    services.publish(mini_template, 2022, officer)
    self_assessed.refresh_from_db()
    with pytest.raises(ValidationError):
        services.save_self_scores(self_assessed, user, {"1.1": ("1", "")}, self_assessed.version)
    with pytest.raises(ValidationError):
        services.save_appraisal(self_assessed, officer, {"1.1": ("1", "")})
    with pytest.raises(ValidationError):
        services.compute_automatic(self_assessed, {"plan_completion_rate": 50}, officer)
    with pytest.raises(ValidationError):
        services.submit(self_assessed, user)
    with pytest.raises(ValidationError):  # nothing left to publish
        services.publish(mini_template, 2022, officer)
    assert self_assessed.leaves.get(code="1.1").appraised_points is None
    assert self_assessed.leaves.get(code="1.3").auto_points is None


def test_publish_skips_units_not_appraised(self_assessed, scoring_users, mini_template, tree):
    draft = services.get_or_create_assessment(mini_template, tree["district_b"], 2022, scoring_users["h02"])
    services.save_appraisal(self_assessed, scoring_users["officer"], {})
    outcome = services.publish(mini_template, 2022, scoring_users["officer"])
    assert [a.pk for a in outcome["skipped"]] == [draft.pk]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_remediation_written_after_publication(self_assessed, scoring_users, mini_template, tree):
    services.save_appraisal(self_assessed, scoring_users["officer"], {})
    services.publish(mini_template, 2022, scoring_users["officer"])
    services.save_remediation(
        self_assessed, scoring_users["h01"], {"1.2": ("Giao Văn phòng theo dõi hạn báo cáo", "SNV")}
    )
    row = self_assessed.leaves.get(code="1.2")
    assert row.remediation_note.startswith("Giao") and row.responsible_unit == tree["snv"]
    with pytest.raises(ValidationError, match="KHONGCO"):
        services.save_remediation(self_assessed, scoring_users["h01"], {"1.2": ("x", "KHONGCO")})
    with pytest.raises(PermissionDenied):
        services.save_remediation(self_assessed, scoring_users["h02"], {"1.2": ("x", None)})


def test_template_with_published_results_cannot_change(self_assessed, scoring_users, mini_template):
    from .conftest import MINI_YAML

    services.save_appraisal(self_assessed, scoring_users["officer"], {})
    services.publish(mini_template, 2022, scoring_users["officer"])
    assert services.load_template_text(MINI_YAML)[1] == "unchanged"
    with pytest.raises(ValidationError, match="par-mini"):
        services.load_template_text(MINI_YAML.replace("Kế hoạch CCHC", "Kế hoạch"))


def test_invalid_template_text_names_the_node(db):
    from .conftest import MINI_YAML

    with pytest.raises(ValidationError) as info:
        services.load_template_text(MINI_YAML.replace("max: 1.5}\n", "max: abc}\n", 1))
    assert any("1.2" in message for message in info.value.messages)


@given(st.decimals(min_value=0, max_value=5, places=2, allow_nan=False, allow_infinity=False))
def test_parse_points_accepts_exactly_zero_to_max(value):
    maximum = Decimal("1.5")
    text = format(value, "f").replace(".", ",")
    if value <= maximum:
        assert services.parse_points("3.2.1", text, maximum) == value
    else:
        with pytest.raises(ValidationError) as info:
            services.parse_points("3.2.1", text, maximum)
        assert "3.2.1" in info.value.messages[0] and "1,5" in info.value.messages[0]
