"""Results: ranks within a group (ties share, next skips), bands at boundaries, last year, lost points."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.scoring import services
from cchc.scoring.models import Status
from cchc.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db

# mini template: manual 1.1 (2), 1.2 (1,5), 2.1 (3); metric 1.3 (2); survey 2.2 (1,5) — 10 points.


def scored(template, unit, year, points, user, *, status=Status.PUBLISHED, auto="100", group=None):
    """An assessment whose final points are `points` for the manual leaves plus 1.3 from `auto` (%)."""
    assessment = services.get_or_create_assessment(template, unit, year, user)
    if group is not None:
        assessment.group = group
        assessment.save()
    manual = {code: (value, "") for code, value in points.items() if code in ("1.1", "1.2", "2.1")}
    services.save_self_scores(assessment, user, manual, assessment.version)
    services.compute_automatic(
        assessment, {"plan_completion_rate": auto, "2.2": points.get("2.2", "0")}, user
    )
    if status in (Status.SUBMITTED, Status.APPRAISED, Status.PUBLISHED):
        services.submit(assessment, user)
    if status in (Status.APPRAISED, Status.PUBLISHED):
        services.save_appraisal(assessment, user, {})
    if status == Status.PUBLISHED:
        assessment.status = Status.PUBLISHED  # publish() publishes all at once; tests mix years and groups
        assessment.save()
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def districts(tree):
    units = [tree["district_a"], tree["district_b"]]
    for number in range(3, 6):
        units.append(
            Unit.objects.create(
                code=f"H0{number}",
                name=f"UBND huyện {number}",
                kind=UnitKind.DISTRICT,
                parent=tree["province"],
            )
        )
    return units


def full(total_manual: str) -> dict[str, str]:
    """Manual points summing to `total_manual` - put on 2.1 first (max 3), then 1.1, then 1.2."""
    remaining = Decimal(total_manual)
    points = {}
    for code, maximum in (("2.1", Decimal(3)), ("1.1", Decimal(2)), ("1.2", Decimal("1.5"))):
        take = min(remaining, maximum)
        points[code] = str(take)
        remaining -= take
    assert remaining == 0
    return points


def test_ties_share_a_rank_and_the_next_skips(mini_template, districts, scoring_users):
    admin = scoring_users["admin"]
    # totals: 1.3 = 2 and 2.2 = 0 everywhere; manual 6,5 / 5 / 5 / 3 → 8,5 / 7 / 7 / 5
    for unit, manual in zip(districts, ["6.5", "5", "5", "3"], strict=False):
        scored(mini_template, unit, 2022, full(manual), admin)
    scored(mini_template, districts[4], 2022, full("6.5"), admin, status=Status.DRAFT)
    rows = services.results(mini_template, 2022)
    ranks = {row.unit.code: row.rank for row in rows}
    assert ranks == {"H01": 1, "H02": 2, "H03": 2, "H04": 4, "H05": None}
    assert [row.unit.code for row in rows] == ["H01", "H02", "H03", "H04", "H05"]
    assert {row.group_size for row in rows} == {4}
    h01 = rows[0]
    assert (h01.total, h01.max, h01.index, h01.band) == (
        Decimal("8.5"),
        Decimal("10"),
        Decimal("85.00"),
        "Tốt",
    )
    assert [area.code for area in h01.areas] == ["1", "2"]
    published = services.results(mini_template, 2022, published_only=True)
    assert [row.unit.code for row in published] == ["H01", "H02", "H03", "H04"]


def test_ranked_within_group_only(mini_template, districts, scoring_users):
    admin = scoring_users["admin"]
    scored(mini_template, districts[0], 2022, full("5"), admin)
    scored(mini_template, districts[1], 2022, full("6"), admin, group="thi_xa")
    scored(mini_template, districts[2], 2022, full("4"), admin)
    ranks = {
        row.unit.code: (row.group, row.rank, row.group_size) for row in services.results(mini_template, 2022)
    }
    assert ranks == {"H01": ("huyen", 1, 2), "H03": ("huyen", 2, 2), "H02": ("thi_xa", 1, 1)}


@pytest.mark.parametrize(
    ("manual", "survey", "band"),
    [
        ("6", "0", "Tốt"),
        ("5.99", "0", "Khá"),
        ("4.5", "0", "Khá"),
        ("4.49", "0", "Trung bình"),
        ("3", "0", "Trung bình"),
        ("2.99", "0", "Yếu"),
        ("6", "1.5", "Tốt"),
    ],
)
def test_bands_at_exact_boundaries(mini_template, tree, scoring_users, manual, survey, band):
    # 1.3 gives 2 points: total = manual + 2 + survey points of 2.2 (rule: proportional, target 100 %)
    points = full(manual)
    rate = str(Decimal(survey) / Decimal("1.5") * 100)
    row = scored(mini_template, tree["district_a"], 2022, {**points, "2.2": rate}, scoring_users["admin"])
    result = services.score_assessment(row)
    assert result.band == band
    assert result.total == Decimal(manual) + 2 + Decimal(survey)


def test_previous_year_comparison(mini_template, districts, scoring_users):
    admin = scoring_users["admin"]
    scored(mini_template, districts[0], 2021, full("6"), admin)  # 8 → rank 1 in 2021
    scored(mini_template, districts[1], 2021, full("4"), admin)  # 6 → rank 2
    scored(mini_template, districts[0], 2022, full("3.5"), admin)  # 5,5 → rank 2
    scored(mini_template, districts[1], 2022, full("5.25"), admin)  # 7,25 → rank 1
    scored(mini_template, districts[2], 2022, full("1"), admin)  # new this year: no comparison
    rows = {row.unit.code: row for row in services.results(mini_template, 2022)}
    h01, h02, h03 = rows["H01"], rows["H02"], rows["H03"]
    assert (h01.previous_total, h01.previous_index, h01.previous_rank) == (Decimal(8), Decimal("80.00"), 1)
    assert (h01.points_change, h01.index_change, h01.rank, h01.rank_change) == (
        Decimal("-2.5"),
        Decimal("-25.00"),
        2,
        -1,
    )
    assert (h02.points_change, h02.index_change, h02.rank_change) == (Decimal("1.25"), Decimal("12.50"), 1)
    assert h03.previous_total is None and h03.rank_change is None


def test_lost_points_lists_each_leaf_below_max(mini_template, districts, scoring_users, tree):
    admin = scoring_users["admin"]
    mine = scored(mini_template, districts[0], 2022, {"1.1": "2", "1.2": "1", "2.1": "2.5"}, admin, auto="90")
    scored(mini_template, districts[1], 2022, {"1.1": "2", "1.2": "1.5", "2.1": "1"}, admin, auto="100")
    services.save_remediation(mine, admin, {"1.2": ("Nộp báo cáo đúng hạn từ quý I/2023", "SNV")})
    report = services.lost_points(mine)
    assert (report.total, report.max, report.rank, report.group_size) == (Decimal("7.3"), Decimal(10), 1, 2)
    assert [(a.code, a.score, a.max, a.rank) for a in report.areas] == [
        ("1", Decimal("4.8"), Decimal("5.5"), 2),  # H02 has 5,5 in area 1
        ("2", Decimal("2.5"), Decimal("4.5"), 1),
    ]
    lost = [(leaf.code, leaf.lost, leaf.area_code) for leaf in report.leaves]
    assert lost == [
        ("1.2", Decimal("0.5"), "1"),
        ("1.3", Decimal("0.2"), "1"),
        ("2.1", Decimal("0.5"), "2"),
        ("2.2", Decimal("1.5"), "2"),
    ]
    first = report.leaves[0]
    assert first.responsible_unit == tree["snv"] and first.remediation_note.startswith("Nộp")
    assert first.name == "Báo cáo CCHC"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=13), min_size=2, max_size=5))
def test_ranks_follow_totals(mini_template, districts, scoring_users, halves):
    """Whatever the points, a unit's rank is 1 + the number of units with a strictly higher index."""
    from cchc.scoring.models import Assessment

    Assessment.objects.all().delete()
    admin = scoring_users["admin"]
    for unit, half in zip(districts, halves, strict=False):
        scored(mini_template, unit, 2022, full(str(Decimal(half) / 2)), admin)
    rows = services.results(mini_template, 2022)
    for row in rows:
        assert row.rank == 1 + sum(other.index > row.index for other in rows)
        assert row.total <= row.max
