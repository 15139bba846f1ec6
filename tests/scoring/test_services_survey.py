"""Survey points from CSV: all rows or none, each bad row named by line and column."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cchc.scoring import services
from cchc.scoring.models import Assessment, LeafScore, Status

pytestmark = pytest.mark.django_db


def csv_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8-sig"))


def test_import_creates_assessments_and_stores_points(mini_template, scoring_users, tree):
    summary = services.import_survey(
        mini_template,
        2022,
        csv_file('unit_code,leaf_code,points\nH01,2.2,"1,25"\nH02,2.2,1.5\n'),
        scoring_users["officer"],
    )
    assert summary == {"rows": 2, "assessments": 2}
    points = dict(
        LeafScore.objects.filter(code="2.2", assessment__year=2022).values_list(
            "assessment__unit__code", "survey_points"
        )
    )
    assert points == {"H01": Decimal("1.25"), "H02": Decimal("1.5")}
    assessment = Assessment.objects.get(unit=tree["district_a"], year=2022)
    assert services.final_points(assessment)["2.2"] == Decimal("1.25")


def test_vietnamese_headers_accepted(mini_template, scoring_users):
    services.import_survey(
        mini_template, 2022, csv_file("Mã đơn vị,Mã tiêu chí,Điểm\nH01,2.2,1\n"), scoring_users["admin"]
    )
    assert LeafScore.objects.get(code="2.2").survey_points == Decimal(1)


def test_bad_rows_all_named_and_nothing_written(mini_template, scoring_users):
    text = (
        "unit_code,leaf_code,points\n"
        "H01,2.2,1\n"  # line 2: fine
        "KHONGCO,2.2,1\n"  # line 3: unknown unit
        "H02,9.9,1\n"  # line 4: unknown criterion
        "H02,2.2,2\n"  # line 5: above the maximum 1,5
        "H02,1.1,1\n"  # line 6: not a survey criterion
        "\n"
        "H01,2.2,1\n"  # line 8: duplicate of line 2
        "SNV,2.2,1\n"  # line 9: a department is not scored on a district template
    )
    with pytest.raises(ValidationError) as info:
        services.import_survey(mini_template, 2022, csv_file(text), scoring_users["officer"])
    messages = info.value.messages
    assert len(messages) == 6
    assert messages[0].startswith("Dòng 3, unit_code") and "KHONGCO" in messages[0]
    assert messages[1].startswith("Dòng 4, leaf_code") and "9.9" in messages[1]
    assert messages[2].startswith("Dòng 5, points") and "1,5" in messages[2]
    assert messages[3].startswith("Dòng 6, leaf_code") and "1.1" in messages[3]
    assert messages[4].startswith("Dòng 8") and "dòng 2" in messages[4]
    assert messages[5].startswith("Dòng 9, unit_code") and "SNV" in messages[5]
    assert not Assessment.objects.exists()


def test_missing_column_named(mini_template, scoring_users):
    with pytest.raises(ValidationError, match="points"):
        services.import_survey(
            mini_template, 2022, csv_file("unit_code,leaf_code\nH01,2.2\n"), scoring_users["admin"]
        )


def test_locked_assessment_rolls_back_whole_file(self_assessed, mini_template, scoring_users):
    officer = scoring_users["officer"]
    services.save_appraisal(self_assessed, officer, {})
    services.publish(mini_template, 2022, officer)
    with pytest.raises(ValidationError, match="H01"):
        services.import_survey(
            mini_template, 2022, csv_file("unit_code,leaf_code,points\nH02,2.2,1\nH01,2.2,1\n"), officer
        )
    assert not LeafScore.objects.filter(survey_points__isnull=False).exists()
    self_assessed.refresh_from_db()
    assert self_assessed.status == Status.PUBLISHED


@pytest.mark.parametrize("who", ["h01", "viewer", "foreign_officer"])
def test_only_province_imports(mini_template, scoring_users, who):
    with pytest.raises(PermissionDenied):
        services.import_survey(
            mini_template, 2022, csv_file("unit_code,leaf_code,points\nH01,2.2,1\n"), scoring_users[who]
        )
    assert not LeafScore.objects.exists()
