"""Property tests: random valid trees round-trip; any single corrupted row is named and nothing is stored."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.units.importer import ImportResult, UnitImportError, import_units
from cchc.units.models import Unit, UnitKind

from .helpers import HEADER, VI_HEADER, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

CODE_ALPHABET = "ABCDEFGHKLMNPTX0123456789_-."
NAME_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợ ,;|\"'()/"


@dataclass
class Node:
    code: str
    name: str
    kind: str
    parent: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successors: list[str] = field(default_factory=list)


dates = st.dates(min_value=dt.date(1976, 1, 1), max_value=dt.date(2040, 12, 31))


@st.composite
def trees(draw) -> list[Node]:
    """A forest: each unit's parent is an earlier unit (so no cycle), then the rows are shuffled."""
    codes = draw(st.lists(st.text(CODE_ALPHABET, min_size=1, max_size=8), min_size=1, max_size=15,
                          unique=True))
    nodes: list[Node] = []
    for i, code in enumerate(codes):
        name = draw(st.text(NAME_ALPHABET, min_size=1, max_size=30).map(str.strip).filter(bool))
        parent = draw(st.none() | st.sampled_from(codes[:i])) if i else None
        start, end = draw(st.none() | dates), draw(st.none() | dates)
        if start and end and end < start:
            start, end = end, start
        others = [c for c in codes if c != code]
        successors = draw(st.lists(st.sampled_from(others), unique=True, max_size=3)) if others else []
        nodes.append(Node(code, name, draw(st.sampled_from(UnitKind.values)), parent, start, end, successors))
    return draw(st.permutations(nodes))


def render(node: Node, dmy: bool, separator: str) -> list[str]:
    def date(value: dt.date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%d/%m/%Y") if dmy else value.isoformat()

    return [node.code, node.name, node.kind, node.parent or "", date(node.valid_from), date(node.valid_to),
            separator.join(node.successors)]


def write(folder: Path, rows: list[list[str]], shape: str, vietnamese: bool) -> Path:
    header = VI_HEADER if vietnamese else HEADER
    if shape == "xlsx":
        return write_xlsx(folder / "units.xlsx", rows, header=header)
    return write_csv(folder / "units.csv", rows, header=header, delimiter=";" if shape == "csv;" else ",",
                     bom=shape == "csv-bom")


def stored() -> dict[str, Node]:
    result = {}
    for unit in Unit.objects.select_related("parent").prefetch_related("successors"):
        result[unit.code] = Node(
            unit.code, unit.name, unit.kind, unit.parent.code if unit.parent else None, unit.valid_from,
            unit.valid_to, sorted(s.code for s in unit.successors.all()),
        )
    return result


SHAPES = st.sampled_from(["csv", "csv;", "csv-bom", "xlsx"])
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(nodes=trees(), shape=SHAPES, dmy=st.booleans(), separator=st.sampled_from([";", "|"]),
       vietnamese=st.booleans())
def test_random_valid_trees_round_trip(nodes, shape, dmy, separator, vietnamese):
    rows = [render(n, dmy, separator) for n in nodes]
    with transaction.atomic(), tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), rows, shape, vietnamese)
        assert import_units(path) == ImportResult(created=len(nodes), updated=0)
        expected = {n.code: replace(n, successors=sorted(n.successors)) for n in nodes}
        assert stored() == expected
        assert import_units(path) == ImportResult(created=0, updated=0)
        transaction.set_rollback(True)


def corrupt(row: list[str], kind: str, earlier_code: str | None) -> list[str]:
    row = row[:]
    if kind == "empty code":
        row[0] = ""
    elif kind == "empty name":
        row[1] = " "
    elif kind == "bad kind":
        row[2] = "thon_xom"
    elif kind == "unknown parent":
        row[3] = "KHONG_CO_MA"
    elif kind == "own parent":
        row[3] = row[0]
    elif kind == "bad date":
        row[4] = "30/02/2021"
    elif kind == "end before start":
        row[4], row[5] = "2025-07-01", "30/06/2025"
    elif kind == "unknown successor":
        row[6] = "KHONG_CO_MA"
    elif kind == "duplicate code":
        row[0] = earlier_code or ""
    return row


CORRUPTIONS = ["empty code", "empty name", "bad kind", "unknown parent", "own parent", "bad date",
               "end before start", "unknown successor", "duplicate code"]


@EXAMPLES
@given(nodes=trees(), shape=SHAPES, data=st.data(), kind=st.sampled_from(CORRUPTIONS))
def test_any_single_corrupted_row_is_named_and_nothing_is_stored(nodes, shape, data, kind):
    rows = [render(n, False, "|") for n in nodes]
    index = data.draw(st.integers(0, len(rows) - 1))
    earlier = rows[index - 1][0] if index else None
    if kind == "duplicate code" and earlier is None:
        kind = "empty code"
    rows[index] = corrupt(rows[index], kind, earlier)
    line = index + 2  # line 1 is the header

    with transaction.atomic(), tempfile.TemporaryDirectory() as folder:
        with pytest.raises(UnitImportError) as info:
            import_units(write(Path(folder), rows, shape, vietnamese=False))
        assert line in info.value.lines()
        assert str(line) in str(info.value)
        assert not Unit.objects.exists()
        transaction.set_rollback(True)
