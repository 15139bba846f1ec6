"""The scoring demo: 17 Gia Lai districts, 2021 and 2022, deterministic, idempotent."""

from __future__ import annotations

import pytest

from cchc.demo.loader import UNITS_FILE
from cchc.scoring import services
from cchc.scoring.demo import load_scoring_demo
from cchc.scoring.models import Assessment, LeafScore, ScoringTemplate, Status
from cchc.units.importer import import_units
from cchc.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def gialai(db):
    Unit.objects.create(code="52", name="UBND tỉnh Gia Lai (sau sáp nhập)", kind=UnitKind.PROVINCE)
    import_units(UNITS_FILE)


def totals(year: int) -> dict[str, object]:
    template = ScoringTemplate.objects.get(code="par-district-2022")
    return {row.unit.code: (row.total, row.rank, row.band) for row in services.results(template, year)}


def test_demo_loads_both_years_with_chu_pah_draft(gialai):
    summary = load_scoring_demo()
    assert summary["created"] == 34 and summary["published"] == {2021: 17, 2022: 16}
    statuses = dict(Assessment.objects.filter(year=2022).values_list("unit__code", "status"))
    assert len(statuses) == 17 and statuses.pop("GL-CHUPAH") == Status.DRAFT
    assert set(statuses.values()) == {Status.PUBLISHED}
    assert set(Assessment.objects.filter(year=2021).values_list("status", flat=True)) == {Status.PUBLISHED}
    draft = Assessment.objects.get(year=2022, unit__code="GL-CHUPAH")
    assert draft.leaves.filter(code__startswith="1.", self_points__isnull=False).exists()
    assert not draft.leaves.filter(code__startswith="8.", self_points__isnull=False).exists()
    rows_2022 = totals(2022)
    assert rows_2022["GL-CHUPAH"][1] is None
    ranks = sorted(rank for _total, rank, _band in rows_2022.values() if rank is not None)
    assert ranks[0] == 1 and len(ranks) == 16
    assert len({total for total, _r, _b in rows_2022.values()}) > 5  # scores differ between districts
    chupah_2021 = Assessment.objects.get(year=2021, unit__code="GL-CHUPAH")
    report = services.lost_points(chupah_2021)
    assert report.leaves and all(leaf.remediation_note for leaf in report.leaves)
    assert LeafScore.objects.filter(auto_source_value__isnull=False).exists()
    assert LeafScore.objects.filter(appraised_points__isnull=False).exists()


def test_demo_is_idempotent_and_deterministic(gialai):
    load_scoring_demo()
    first = totals(2021), totals(2022)
    again = load_scoring_demo()
    assert again["created"] == 0 and again["existing"] == 34 and again["published"] == {}
    assert (totals(2021), totals(2022)) == first
    Assessment.objects.all().delete()
    load_scoring_demo()
    assert (totals(2021), totals(2022)) == first
