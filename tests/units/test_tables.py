"""The plain parsing and graph helpers, tested directly (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.units import tables


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-07-01", dt.date(2025, 7, 1)), ("1/7/2025", dt.date(2025, 7, 1)),
    ("01/07/2025", dt.date(2025, 7, 1)),
    ("2025-07-01 00:00:00", dt.date(2025, 7, 1)), ("", None), (None, None),
    (dt.datetime(2025, 7, 1, 0, 0), dt.date(2025, 7, 1)),
])
def test_parse_date_accepts_iso_and_vietnamese_dates(text, expected):
    assert tables.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "2025/07/01", "07-01-2025", "hôm nay", "1/7/25"])
def test_parse_date_rejects_anything_else(text):
    with pytest.raises(ValueError):
        tables.parse_date(text)


def test_header_aliases_and_missing_columns():
    positions, duplicates, missing = tables.map_header(["\ufeffMã", "TÊN  ĐƠN VỊ", "Mã đơn vị cha", "code"])
    assert positions == {"code": 0, "name": 1, "parent_code": 2}
    assert duplicates == [(3, "code")]
    assert missing == ["kind"]


def test_split_codes():
    assert tables.split_codes(" A; B|C ;;A ") == ["A", "B", "C"]
    assert tables.split_codes(None) == []


parent_maps = st.dictionaries(
    st.integers(0, 12).map(str), st.none() | st.integers(0, 14).map(str), max_size=13
)


@given(parent_maps)
def test_cycle_members_matches_brute_force(parents):
    def on_cycle(code: str) -> bool:
        node, steps = parents.get(code), 0
        while node is not None and steps <= len(parents):
            if node == code:
                return True
            node, steps = parents.get(node), steps + 1
        return False

    assert tables.cycle_members(parents) == {code for code in parents if on_cycle(code)}


@given(parent_maps)
def test_ancestor_chain_never_repeats(parents):
    for code in parents:
        chain = tables.ancestor_chain(code, parents)
        assert len(chain) == len(set(chain)) and code not in chain
