"""Unit list import: good files in every accepted shape, and each kind of bad row."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from cchc.units.importer import ImportResult, UnitImportError, import_units
from cchc.units.models import Unit, UnitKind

from .helpers import VI_HEADER, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

# Children listed before their parent on purpose: the importer must order the writes itself.
GOOD_ROWS = [
    ["X01", "UBND xã Một", "xa", "P1", "2025-07-01", "", ""],
    ["P1", "UBND tỉnh Thử", "tinh", "", "01/07/2025", "", ""],
    ["OLD", "UBND huyện Cũ", "huyen", "P1", "2000-01-01", "30/06/2025", "X01|X02"],
    ["X02", "UBND xã Hai", "xa", "P1", "2025-07-01", "", ""],
]


def codes() -> set[str]:
    return set(Unit.objects.values_list("code", flat=True))


def test_csv_creates_units_with_parents_dates_and_successors(tmp_path):
    result = import_units(write_csv(tmp_path / "units.csv", GOOD_ROWS))

    assert result == ImportResult(created=4, updated=0)
    old = Unit.objects.get(code="OLD")
    assert old.parent.code == "P1"
    assert old.kind == UnitKind.DISTRICT
    assert (old.valid_from, old.valid_to) == (dt.date(2000, 1, 1), dt.date(2025, 6, 30))
    assert sorted(old.successors.values_list("code", flat=True)) == ["X01", "X02"]
    assert Unit.objects.get(code="P1").valid_from == dt.date(2025, 7, 1)
    assert Unit.objects.get(code="X01").parent.code == "P1"


def test_semicolon_csv_with_bom_and_vietnamese_headers(tmp_path):
    rows = [r[:6] + [r[6].replace("|", ";")] for r in GOOD_ROWS]
    path = write_csv(tmp_path / "donvi.csv", rows, header=VI_HEADER, delimiter=";", bom=True)

    assert import_units(path) == ImportResult(created=4, updated=0)
    assert sorted(Unit.objects.get(code="OLD").successors.values_list("code", flat=True)) == ["X01", "X02"]


def test_xlsx_with_date_cells(tmp_path):
    rows = [
        ["P1", "UBND tỉnh Thử", "tinh", None, dt.datetime(2025, 7, 1), None, None],
        ["X01", "UBND xã Một", "xa", "P1", dt.date(2025, 7, 1), None, None],
        ["OLD", "UBND huyện Cũ", "huyen", "P1", "2000-01-01", "30/06/2025", "X01"],
    ]
    result = import_units(write_xlsx(tmp_path / "units.xlsx", rows))

    assert result == ImportResult(created=3, updated=0)
    assert Unit.objects.get(code="X01").valid_from == dt.date(2025, 7, 1)
    assert list(Unit.objects.get(code="OLD").successors.values_list("code", flat=True)) == ["X01"]


def test_reimport_is_idempotent_and_counts_only_real_changes(tmp_path):
    path = write_csv(tmp_path / "units.csv", GOOD_ROWS)
    import_units(path)
    assert import_units(path) == ImportResult(created=0, updated=0)

    changed = [row[:] for row in GOOD_ROWS]
    changed[3][1] = "UBND xã Hai (đổi tên)"
    changed[2][6] = "X01"
    result = import_units(write_csv(tmp_path / "changed.csv", changed))

    assert result == ImportResult(created=0, updated=2)
    assert Unit.objects.get(code="X02").name == "UBND xã Hai (đổi tên)"
    assert list(Unit.objects.get(code="OLD").successors.values_list("code", flat=True)) == ["X01"]


def test_updates_existing_units_and_keeps_columns_absent_from_the_file(tree, tmp_path):
    path = write_csv(tmp_path / "names.csv", [["SNV", "Sở Nội vụ tỉnh Gia Lai", "so_nganh"]],
                     header=["code", "name", "kind"])

    assert import_units(path) == ImportResult(created=0, updated=1)
    snv = Unit.objects.get(code="SNV")
    assert snv.name == "Sở Nội vụ tỉnh Gia Lai"
    assert snv.parent == tree["province"]  # no parent_code column: parent kept


def test_import_is_audited(tmp_path, tree):
    import_units(write_csv(tmp_path / "units.csv", [["SYT", "Sở Y tế", "so_nganh", "T64", "", "", ""]]))
    unit = Unit.objects.get(code="SYT")
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Unit), object_pk=str(unit.pk)
    )
    assert entries.filter(action=LogEntry.Action.CREATE).count() == 1

    import_units(write_csv(tmp_path / "again.csv", [["SYT", "Sở Y tế tỉnh", "so_nganh", "T64", "", "", ""]]))
    update = entries.get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["name"] == ["Sở Y tế", "Sở Y tế tỉnh"]


def refused(path, **kwargs) -> UnitImportError:
    before = codes()
    with pytest.raises(UnitImportError) as info:
        import_units(path, **kwargs)
    assert codes() == before, "a refused file must store nothing"
    return info.value


# (rows after a valid province row P1 on line 2, expected (line, column, reason))
BAD_ROWS = {
    "unknown parent": (["A", "Đơn vị A", "xa", "NOPE", "", "", ""], (3, "parent_code", "unknown_parent")),
    "unknown successor": (["A", "Đơn vị A", "xa", "P1", "", "", "P1|NOPE"], (3, "successor_codes",
                                                                             "unknown_successor")),
    "own parent": (["A", "Đơn vị A", "xa", "A", "", "", ""], (3, "parent_code", "cycle")),
    "own successor": (["A", "Đơn vị A", "xa", "P1", "", "", "A"], (3, "successor_codes", "self_successor")),
    "duplicate code": (["P1", "Tỉnh lặp", "tinh", "", "", "", ""], (3, "code", "duplicate_code")),
    "empty code": (["", "Đơn vị A", "xa", "P1", "", "", ""], (3, "code", "required")),
    "empty name": (["A", "  ", "xa", "P1", "", "", ""], (3, "name", "required")),
    "empty kind": (["A", "Đơn vị A", "", "P1", "", "", ""], (3, "kind", "required")),
    "unknown kind": (["A", "Đơn vị A", "lang", "P1", "", "", ""], (3, "kind", "bad_kind")),
    "bad date": (["A", "Đơn vị A", "xa", "P1", "31/02/2025", "", ""], (3, "valid_from", "bad_date")),
    "not a date": (["A", "Đơn vị A", "xa", "P1", "", "mai", ""], (3, "valid_to", "bad_date")),
    "end before start": (["A", "Đơn vị A", "xa", "P1", "2025-07-01", "2025-06-30", ""], (3, "valid_to",
                                                                                       "bad_range")),
    "code too long": (["A" * 41, "Đơn vị A", "xa", "P1", "", "", ""], (3, "code", "too_long")),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_each_kind_of_bad_row_is_named_and_nothing_is_saved(case, tmp_path):
    bad, expected = BAD_ROWS[case]
    rows = [["P1", "Tỉnh", "tinh", "", "", "", ""], bad, ["B", "Đơn vị B", "xa", "P1", "", "", ""]]
    error = refused(write_csv(tmp_path / "bad.csv", rows))

    assert [(e.line, e.column, e.reason) for e in error.errors] == [expected]
    assert not Unit.objects.exists()


def test_cycle_inside_the_file_names_every_row_on_it(tmp_path):
    rows = [
        ["A", "A", "xa", "C", "", "", ""],
        ["B", "B", "xa", "A", "", "", ""],
        ["C", "C", "xa", "B", "", "", ""],
        ["D", "D", "xa", "A", "", "", ""],
    ]
    error = refused(write_csv(tmp_path / "cycle.csv", rows))
    assert {(e.line, e.reason) for e in error.errors} == {(2, "cycle"), (3, "cycle"), (4, "cycle")}
    assert "A → C → B → A" in error.errors[0].message


def test_cycle_formed_with_existing_units(tree, tmp_path):
    # The province becomes a child of its own commune.
    rows = [["T64", "UBND tỉnh Gia Lai", "tinh", "X0101", "", "", ""]]
    error = refused(write_csv(tmp_path / "cycle.csv", rows))
    assert [(e.line, e.column, e.reason) for e in error.errors] == [(2, "parent_code", "cycle")]
    assert Unit.objects.get(code="T64").parent is None


def test_references_to_existing_units_are_accepted(tree, tmp_path):
    rows = [["H03", "UBND huyện Mới", "huyen", "T64", "", "", "X0101"]]
    assert import_units(write_csv(tmp_path / "ok.csv", rows)) == ImportResult(created=1, updated=0)


def test_range_checked_against_stored_dates_when_a_column_is_absent(tree, tmp_path):
    # H02 is stored valid from 2000-01-01; a file with only valid_to before that is refused.
    path = write_csv(tmp_path / "to.csv", [["H02", "UBND huyện Ia Grai", "huyen", "1999-12-31"]],
                     header=["code", "name", "kind", "valid_to"])
    error = refused(path)
    assert [(e.line, e.reason) for e in error.errors] == [(2, "bad_range")]


def test_one_bad_row_among_many_good_ones(tmp_path):
    rows = [["P1", "Tỉnh", "tinh", "", "", "", ""]]
    rows += [[f"X{i:03d}", f"Xã {i}", "xa", "P1", "2025-07-01", "", ""] for i in range(40)]
    rows[25][4] = "2025-13-01"
    error = refused(write_csv(tmp_path / "many.csv", rows))

    assert [(e.line, e.column) for e in error.errors] == [(27, "valid_from")]
    assert "27" in str(error)


def test_every_bad_row_is_reported_at_once(tmp_path):
    rows = [
        ["P1", "Tỉnh", "tinh", "", "", "", ""],
        ["A", "", "xa", "P1", "", "", ""],
        ["B", "B", "thon", "P1", "", "", ""],
        ["C", "C", "xa", "Q9", "x", "", ""],
    ]
    error = refused(write_csv(tmp_path / "bad.csv", rows))
    assert [(e.line, e.column) for e in error.errors] == [
        (3, "name"), (4, "kind"), (5, "parent_code"), (5, "valid_from")
    ]
    assert error.lines() == [3, 4, 5]


def test_missing_required_columns(tmp_path):
    error = refused(write_csv(tmp_path / "cols.csv", [["A", "xa"]], header=["Mã", "Loại"]))
    assert [(e.line, e.column, e.reason) for e in error.errors] == [(1, "name", "missing_column")]


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "units.docx"
    path.write_bytes(b"PK\x03\x04")
    error = refused(path)
    assert [e.reason for e in error.errors] == ["unsupported"]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert [e.reason for e in refused(path).errors] == ["empty"]


def test_header_without_rows(tmp_path):
    assert [e.reason for e in refused(write_csv(tmp_path / "h.csv", [])).errors] == ["no_rows"]


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("code,name,kind\nA,Xã Ia Ly,xa\n".encode("latin-1"))
    assert [e.reason for e in refused(path).errors] == ["encoding"]


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip file at all")
    assert [e.reason for e in refused(path).errors] == ["unreadable"]


def test_file_larger_than_the_limit_is_refused(tmp_path, settings):
    path = write_csv(tmp_path / "big.csv", GOOD_ROWS)
    settings.CCHC_MAX_UPLOAD_BYTES = path.stat().st_size - 1
    assert [e.reason for e in refused(path).errors] == ["too_large"]
    settings.CCHC_MAX_UPLOAD_BYTES = path.stat().st_size
    assert import_units(path).created == 4


def test_scope_limits_what_an_officer_may_import(tree, tmp_path):
    from cchc.units.queries import descendant_ids

    scope = descendant_ids(tree["province"].pk)
    rows = [
        ["SYT", "Sở Y tế", "so_nganh", "T64", "", "", ""],  # under the province: fine
        ["X9", "Xã mới", "xa", "SYT", "", "", ""],  # under a new row that is in scope: fine
        ["T52", "UBND tỉnh Bình Định (sửa)", "tinh", "", "", "", ""],  # another province
        ["Y1", "Đơn vị lạ", "other", "T52", "", "", ""],  # under another province
        ["Z1", "Đơn vị gốc", "other", "", "", "", ""],  # a new top-level unit
    ]
    error = refused(write_csv(tmp_path / "scope.csv", rows), scope=scope)
    assert {(e.line, e.reason) for e in error.errors} == {(4, "scope"), (5, "scope"), (6, "scope")}

    assert import_units(write_csv(tmp_path / "ok.csv", rows[:2]), scope=scope).created == 2

    # An unknown parent is reported as unknown, not as outside the scope.
    path = write_csv(tmp_path / "unknown.csv", [["Q1", "Q", "xa", "NOPE", "", "", ""]])
    unknown = refused(path, scope=scope)
    assert [e.reason for e in unknown.errors] == ["unknown_parent"]


def test_messages_are_vietnamese_and_name_line_and_column(tmp_path):
    rows = [["P1", "Tỉnh", "tinh", "", "", "", ""], ["A", "Đơn vị A", "xa", "NOPE", "", "", ""]]
    with translation.override("vi"):
        error = refused(write_csv(tmp_path / "bad.csv", rows, header=VI_HEADER))
        text = str(error.errors[0])
        summary = error.summary()
    assert text.startswith("Dòng 3, cột “Mã đơn vị cha”:")
    assert "NOPE" in text and "không có" in text
    assert "không nhập" in summary.lower()
