"""Models: one assessment per unit × template × year, stored templates, evidence paths, status helpers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from cchc.scoring import services
from cchc.scoring.models import Assessment, Evidence, LeafScore, ScoringTemplate, Status, evidence_path

from .conftest import MINI_YAML

pytestmark = pytest.mark.django_db


def test_one_assessment_per_unit_template_year(mini_template, tree):
    Assessment.objects.create(template=mini_template, unit=tree["district_a"], year=2022)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(template=mini_template, unit=tree["district_a"], year=2022)
    Assessment.objects.create(template=mini_template, unit=tree["district_a"], year=2021)
    assert Assessment.objects.count() == 2


def test_one_score_per_leaf(mini_template, tree):
    assessment = Assessment.objects.create(template=mini_template, unit=tree["district_a"], year=2022)
    LeafScore.objects.create(assessment=assessment, code="1.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        LeafScore.objects.create(assessment=assessment, code="1.1")


def test_stored_template_parses_its_own_text(mini_template):
    assert mini_template.code == "par-mini" and mini_template.max_points == Decimal(10)
    assert mini_template.unit_kind == "huyen" and mini_template.year == 2022
    assert [leaf.code for leaf in mini_template.parsed.leaves()] == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    row, action = services.load_template_text(
        MINI_YAML.replace("max: 3}", "max: 2}").replace("max: 1.5}", "max: 2.5}", 1)
    )
    assert action == "updated" and row.version == 2 and row.max_points == Decimal(10)
    fresh = ScoringTemplate.objects.get(pk=row.pk)
    assert fresh.parsed.nodes["2.1"].max == Decimal(2)
    assert fresh.parsed.nodes["1.2"].max == Decimal("2.5")


def test_status_helpers(mini_template, tree):
    assessment = Assessment(template=mini_template, unit=tree["district_a"], year=2022)
    assert assessment.editable_by_unit and not assessment.is_locked
    assessment.status = Status.RETURNED
    assert assessment.editable_by_unit
    assessment.status = Status.PUBLISHED
    assert assessment.is_locked and not assessment.editable_by_unit
    assert str(Status.PUBLISHED.label) == "Đã công bố"


def test_evidence_path_is_per_assessment(mini_template, tree):
    assessment = Assessment.objects.create(template=mini_template, unit=tree["district_a"], year=2022)
    leaf = LeafScore.objects.create(assessment=assessment, code="1.1")
    evidence = Evidence(leaf_score=leaf)
    assert evidence_path(evidence, "../../abc.pdf") == f"evidence/{assessment.pk}/abc.pdf"


def test_new_assessment_group_defaults_to_unit_kind(mini_template, tree, scoring_users):
    assessment = services.get_or_create_assessment(
        mini_template, tree["district_b"], 2022, scoring_users["officer"]
    )
    assert assessment.group == "huyen" and assessment.status == Status.DRAFT


@pytest.mark.parametrize("who", ["h02", "reporter", "viewer", "foreign_officer"])
def test_creating_another_units_assessment_denied(mini_template, tree, scoring_users, who):
    with pytest.raises(PermissionDenied):
        services.get_or_create_assessment(mini_template, tree["district_a"], 2022, scoring_users[who])
    assert not Assessment.objects.exists()
