"""Hierarchy and history queries: descendants at a date, ancestors, successors through mergers."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.units.models import Unit, UnitKind
from cchc.units.queries import ancestors, current_successors, descendant_ids, descendants

pytestmark = pytest.mark.django_db


def unit(code: str, start: str | None = None, end: str | None = None, parent: Unit | None = None) -> Unit:
    return Unit.objects.create(
        code=code,
        name=f"Đơn vị {code}",
        kind=UnitKind.OTHER,
        parent=parent,
        valid_from=dt.date.fromisoformat(start) if start else None,
        valid_to=dt.date.fromisoformat(end) if end else None,
    )


def test_descendants_at_a_date_exclude_abolished_units(tree):
    everything = set(descendants(tree["province"]).values_list("code", flat=True))
    assert everything == {"SNV", "STP", "H01", "X0101", "H02"}

    today = set(descendants(tree["province"], at=dt.date(2025, 7, 1)).values_list("code", flat=True))
    assert today == {"SNV", "STP", "H01", "X0101"}

    before = set(descendants(tree["province"], at=dt.date(2025, 6, 30)).values_list("code", flat=True))
    assert "H02" in before


def test_descendants_under_an_abolished_unit_are_left_out_at_a_later_date(tree):
    unit("X0201", parent=tree["district_b"])
    later = set(descendants(tree["province"], at=dt.date(2026, 1, 1)).values_list("code", flat=True))
    assert "X0201" not in later
    assert "X0201" in set(descendants(tree["province"]).values_list("code", flat=True))
    assert descendant_ids(tree["province"].pk, include_self=False) == set(
        descendants(tree["province"]).values_list("pk", flat=True)
    )


def test_ancestors_from_top_down(tree):
    assert ancestors(tree["commune"]) == [tree["province"], tree["district_a"]]
    assert ancestors(tree["province"]) == []


def test_current_successor_through_two_merges_and_a_split():
    a = unit("A", "2000-01-01", "2019-12-31")
    a2 = unit("A2", "2000-01-01", "2019-12-31")
    b = unit("B", "2020-01-01", "2022-12-31")  # merger 1: A + A2 -> B
    c = unit("C", "2000-01-01", "2022-12-31")
    d = unit("D", "2023-01-01", "2024-12-31")  # merger 2: B + C -> D
    e = unit("E", "2025-01-01")  # split: D -> E, F
    f = unit("F", "2025-01-01")
    a.successors.add(b)
    a2.successors.add(b)
    b.successors.add(d)
    c.successors.add(d)
    d.successors.add(e, f)

    assert current_successors(a, at=dt.date(2026, 1, 1)) == [e, f]
    assert current_successors(a) == [e, f]  # today
    assert current_successors(a, at=dt.date(2021, 5, 1)) == [b]
    assert current_successors(c, at=dt.date(2023, 6, 1)) == [d]
    assert current_successors(e, at=dt.date(2026, 1, 1)) == [e]  # valid: its own successor


def test_current_successors_are_cycle_safe_and_stop_at_dead_ends():
    g = unit("G", "2000-01-01", "2010-12-31")
    h = unit("H", "2000-01-01", "2010-12-31")
    g.successors.add(h)
    h.successors.add(g)
    assert current_successors(g, at=dt.date(2020, 1, 1)) == []

    k = unit("K", "2011-01-01")
    h.successors.add(k)
    assert current_successors(g, at=dt.date(2020, 1, 1)) == [k]
