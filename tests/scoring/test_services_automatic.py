"""Automatic criteria: points from measured values or from one-stop dossier metrics, figure kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cchc.scoring import services

from .conftest import MINI_YAML

pytestmark = pytest.mark.django_db

HEADER = "dossier_id,unit_code,level,channel,received_at,due_at,completed_at,status\n"
# Year 2022 window: 15/12/2021 → 14/12/2022. H01: 4 completed, 3 on time (75 %); H02's dossier ignored.
DOSSIERS = """\
A,H01,huyen,truc_tiep,2022-03-01 08:00,2022-03-05,2022-03-04 10:00,da_giai_quyet
B,H01,huyen,truc_tiep,2022-03-01 08:00,2022-03-05,2022-03-05 10:00,da_giai_quyet
C,H01,huyen,truc_tuyen_toan_trinh,2022-04-01 08:00,2022-04-05,2022-04-04 10:00,da_giai_quyet
D,H01,huyen,truc_tiep,2022-05-01 08:00,2022-05-05,2022-05-09 10:00,da_giai_quyet
E,H02,huyen,truc_tiep,2022-05-01 08:00,2022-05-05,2022-05-19 10:00,da_giai_quyet
F,H01,huyen,truc_tiep,2022-12-20 08:00,2022-12-25,2022-12-22 10:00,da_giai_quyet
"""


@pytest.fixture
def on_time_template(db):
    text = MINI_YAML.replace("code: par-mini", "code: par-mini-hs").replace(
        "source: plan_completion_rate\n        rule: {type: proportional, target: 100}",
        "source: on_time_rate\n        rule: {type: proportional, target: 100}",
    )
    return services.load_template_text(text)[0]


def test_metric_from_dossiers(on_time_template, tree, scoring_users, tmp_path):
    path = tmp_path / "ho-so.csv"
    path.write_text(HEADER + DOSSIERS, encoding="utf-8")
    user = scoring_users["h01"]
    assessment = services.get_or_create_assessment(on_time_template, tree["district_a"], 2022, user)
    points = services.compute_automatic(assessment, {}, user, dossiers=path)
    assert points == {"1.3": Decimal("1.50")}  # 2 × 75 / 100
    row = assessment.leaves.get(code="1.3")
    assert (row.auto_points, row.auto_source, row.auto_source_value) == (
        Decimal("1.5"),
        "on_time_rate",
        Decimal(75),
    )
    # An explicit figure wins over the dossier metric.
    services.compute_automatic(assessment, {"on_time_rate": "90"}, user, dossiers=path)
    assert assessment.leaves.get(code="1.3").auto_points == Decimal("1.8")


def test_survey_rule_and_bad_value(mini_template, tree, scoring_users):
    user = scoring_users["h01"]
    assessment = services.get_or_create_assessment(mini_template, tree["district_a"], 2022, user)
    points = services.compute_automatic(assessment, {"plan_completion_rate": "100", "2.2": "80"}, user)
    assert points["2.2"] == Decimal("1.2")
    row = assessment.leaves.get(code="2.2")
    assert row.survey_points == Decimal("1.2") and row.auto_points is None
    with pytest.raises(ValidationError, match="1.3"):
        services.compute_automatic(assessment, {"plan_completion_rate": "nhiều"}, user)
