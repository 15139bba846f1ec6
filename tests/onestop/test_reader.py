"""Reading dossier exports: formats, Vietnamese headers and values, each bad-row kind with its line."""

from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cchc.onestop.metrics import dossier_stats
from cchc.onestop.reader import DossierFileError, read_dossiers
from cchc.onestop.schema import SCHEMA, canonical_column

CANONICAL_HEADER = [
    "dossier_id",
    "procedure_code",
    "field",
    "unit_code",
    "level",
    "channel",
    "received_at",
    "due_at",
    "processing_days",
    "completed_at",
    "status",
    "apology_sent",
    "paid_online",
    "fee_amount",
    "rating",
]
ROWS = [
    [
        "HS-1",
        "1.001",
        "dat_dai",
        "STNMT",
        "tinh",
        "truc_tiep",
        "2021-01-04 08:00",
        "2021-01-08",
        "",
        "2021-01-07 16:00",
        "da_giai_quyet",
        "",
        "false",
        "50000",
        "5",
    ],
    [
        "HS-2",
        "1.002",
        "ho_tich",
        "X01",
        "xa",
        "truc_tuyen_toan_trinh",
        "05/01/2021 09:30",
        "",
        "3",
        "12/01/2021 10:00",
        "da_giai_quyet",
        "true",
        "true",
        "",
        "",
    ],
    [
        "HS-3",
        "1.003",
        "xay_dung",
        "H01",
        "huyen",
        "buu_chinh",
        "2021-01-06T14:00:00",
        "",
        "10",
        "",
        "dang_xu_ly",
        "",
        "",
        "",
        "",
    ],
    [
        "HS-4",
        "1.002",
        "ho_tich",
        "X01",
        "xa",
        "truc_tuyen_mot_phan",
        "2021-01-06",
        "2021-01-07 11:00",
        "",
        "2021-01-07 11:00",
        "tra_lai",
        "",
        "",
        "",
        "4",
    ],
]
VI_HEADER = [
    "Mã hồ sơ",
    "Mã thủ tục",
    "Lĩnh vực",
    "Mã đơn vị",
    "Cấp",
    "Hình thức nộp",
    "Ngày tiếp nhận",
    "Hạn xử lý",
    "Số ngày giải quyết",
    "Ngày có kết quả",
    "Trạng thái",
    "Văn bản xin lỗi",
    "Thanh toán trực tuyến",
    "Phí, lệ phí",
    "Đánh giá",
]


def write_csv(path, header, rows, delimiter=",") -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path, header, rows) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([value if value != "" else None for value in row])
    book.save(path)


def write_jsonl(path, header, rows) -> None:
    lines = [json.dumps({h: v for h, v in zip(header, row, strict=True) if v != ""}) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_parquet(path, header, rows) -> None:
    columns = {h: pa.array([row[i] or None for row in rows], pa.string()) for i, h in enumerate(header)}
    pq.write_table(pa.table(columns), path)


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "jsonl": write_jsonl, "parquet": write_parquet}


@pytest.fixture
def canonical_table(tmp_path):
    path = tmp_path / "ho-so.csv"
    write_csv(path, CANONICAL_HEADER, ROWS)
    return read_dossiers(path)


def test_values_are_parsed_to_canonical_types(canonical_table):
    table = canonical_table
    assert table.schema == SCHEMA
    rows = {r["dossier_id"]: r for r in table.to_pylist()}
    assert rows["HS-1"]["received_at"] == dt.datetime(2021, 1, 4, 8, 0)
    assert rows["HS-1"]["due_at"] == dt.datetime(2021, 1, 8)
    assert rows["HS-1"]["fee_amount"] == 50000.0
    assert rows["HS-1"]["rating"] == 5
    assert rows["HS-2"]["received_at"] == dt.datetime(2021, 1, 5, 9, 30)  # dd/mm/yyyy HH:MM
    assert rows["HS-2"]["processing_days"] == 3
    assert rows["HS-2"]["apology_sent"] is True and rows["HS-2"]["paid_online"] is True
    assert rows["HS-3"]["completed_at"] is None and rows["HS-3"]["apology_sent"] is False
    assert rows["HS-4"]["status"] == "tra_lai"


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_format_with_vietnamese_headers_gives_the_same_table(tmp_path, canonical_table, fmt):
    path = tmp_path / f"ho-so.{fmt}"
    WRITERS[fmt](path, VI_HEADER, ROWS)
    table = read_dossiers(path)
    assert table.to_pylist() == canonical_table.to_pylist()
    window = (dt.date(2021, 1, 1), dt.date(2021, 1, 31))
    by = ["level", "channel"]
    assert dossier_stats(table, *window, by=by) == dossier_stats(canonical_table, *window, by=by)


def test_xlsx_with_real_dates_and_numbers(tmp_path):
    path = tmp_path / "ho-so.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["Số hồ sơ", "Ngày nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Tình trạng", "Mức độ hài lòng"]
    )
    sheet.append(
        [
            "A1",
            dt.datetime(2021, 2, 1, 8, 15),
            dt.date(2021, 2, 3),
            dt.datetime(2021, 2, 2, 9),
            "Đã giải quyết",
            4,
        ]
    )
    book.save(path)
    row = read_dossiers(path).to_pylist()[0]
    assert row["received_at"] == dt.datetime(2021, 2, 1, 8, 15)
    assert row["due_at"] == dt.datetime(2021, 2, 3)
    assert row["completed_at"] == dt.datetime(2021, 2, 2, 9)
    assert (row["status"], row["rating"]) == ("da_giai_quyet", 4)


def test_vietnamese_values_and_semicolon_csv(tmp_path):
    path = tmp_path / "ho-so.csv"
    header = ["MÃ HỒ SƠ", "Ngày tiếp nhận", "Cấp", "Hình thức nộp", "Trạng thái", "Xin lỗi"]
    rows = [
        ["A", "01/02/2021", "Cấp huyện", "Trực tuyến toàn trình", "Đang xử lý", "Có"],
        ["B", "01/02/2021", "Xã", "Bưu chính công ích", "Hủy", "không"],
    ]
    write_csv(path, header, rows, delimiter=";")
    got = [
        (r["level"], r["channel"], r["status"], r["apology_sent"]) for r in read_dossiers(path).to_pylist()
    ]
    assert got == [("huyen", "truc_tuyen_toan_trinh", "dang_xu_ly", True), ("xa", "buu_chinh", "huy", False)]


def test_offsets_are_converted_to_vietnamese_time(tmp_path):
    path = tmp_path / "ho-so.jsonl"
    path.write_text(
        json.dumps({"dossier_id": "A", "received_at": "2021-03-01T01:30:00Z"})
        + "\n\n"
        + json.dumps({"dossier_id": "B", "received_at": "2021-03-01T08:30:00+07:00"})
        + "\n",
        encoding="utf-8",
    )
    times = [r["received_at"] for r in read_dossiers(path).to_pylist()]
    assert times == [dt.datetime(2021, 3, 1, 8, 30), dt.datetime(2021, 3, 1, 8, 30)]


def test_timezone_aware_parquet_is_converted(tmp_path):
    path = tmp_path / "ho-so.parquet"
    utc = pa.array([dt.datetime(2021, 3, 1, 17, 30)], pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({"Mã hồ sơ": ["A"], "Ngày tiếp nhận": utc}), path)
    assert read_dossiers(path).to_pylist()[0]["received_at"] == dt.datetime(2021, 3, 2, 0, 30)


def test_status_is_derived_when_absent(tmp_path):
    path = tmp_path / "ho-so.csv"
    write_csv(
        path,
        ["dossier_id", "received_at", "completed_at"],
        [["A", "2021-01-04", "2021-01-05"], ["B", "2021-01-04", ""]],
    )
    assert [r["status"] for r in read_dossiers(path).to_pylist()] == ["da_giai_quyet", "dang_xu_ly"]


BAD_ROWS = [
    # (column as written, value or row change, line, words of the problem)
    ("Ngày tiếp nhận", "31/02/2021", "ngày giờ “31/02/2021” không hợp lệ"),
    ("Ngày có kết quả", "2021-13-01", "ngày giờ “2021-13-01” không hợp lệ"),
    ("Hình thức nộp", "fax", "hình thức nộp “fax” không hợp lệ"),
    ("Trạng thái", "đã xong", "trạng thái “đã xong” không hợp lệ"),
    ("Cấp", "trung ương", "cấp “trung ương” không hợp lệ"),
    ("Mã hồ sơ", "", "thiếu mã hồ sơ"),
    ("Đánh giá", "6", "đánh giá 6 nằm ngoài khoảng 1–5"),
    ("Đánh giá", "0", "đánh giá 0 nằm ngoài khoảng 1–5"),
    ("Đánh giá", "tốt", "đánh giá “tốt” không hợp lệ"),
    ("Số ngày giải quyết", "2,5", "“2,5” không phải số nguyên"),
    ("Văn bản xin lỗi", "maybe", "“maybe” không hợp lệ"),
    ("Mã hồ sơ", "HS-1", "mã hồ sơ “HS-1” bị trùng"),
]


@pytest.mark.parametrize(("column", "value", "problem"), BAD_ROWS)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_each_bad_value_is_named_with_line_and_column(tmp_path, column, value, problem, fmt):
    rows = [list(r) for r in ROWS]
    rows[2][VI_HEADER.index(column)] = value  # third data row
    line = 4 if fmt == "csv" else 3  # CSV: the header is line 1; JSON lines: one record per line
    path = tmp_path / f"ho-so.{fmt}"
    WRITERS[fmt](path, VI_HEADER, rows)
    with pytest.raises(DossierFileError) as info:
        read_dossiers(path)
    error = info.value
    bad = [e for e in error.errors if e.line == line]
    assert [(e.column, problem in e.problem) for e in bad] == [(column, True)], error.errors
    assert f"dòng {line}, cột “{column}”" in str(error)
    assert str(path) in str(error)


def test_completed_before_received_is_named(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][VI_HEADER.index("Ngày có kết quả")] = "04/01/2021 10:00"  # received 05/01/2021 09:30
    path = tmp_path / "ho-so.csv"
    write_csv(path, VI_HEADER, rows)
    with pytest.raises(DossierFileError) as info:
        read_dossiers(path)
    [error] = info.value.errors
    assert (error.line, error.column) == (3, "Ngày có kết quả")
    assert "trước ngày tiếp nhận" in error.problem


def test_completed_status_without_completion_time(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][VI_HEADER.index("Ngày có kết quả")] = ""
    path = tmp_path / "ho-so.csv"
    write_csv(path, VI_HEADER, rows)
    with pytest.raises(DossierFileError) as info:
        read_dossiers(path)
    assert [(e.line, e.column) for e in info.value.errors] == [(2, "Ngày có kết quả")]


def test_all_bad_rows_are_listed_in_line_order(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[3][VI_HEADER.index("Đánh giá")] = "9"
    rows[0][VI_HEADER.index("Cấp")] = "?"
    path = tmp_path / "ho-so.xlsx"
    write_xlsx(path, VI_HEADER, rows)
    with pytest.raises(DossierFileError) as info:
        read_dossiers(path)
    assert [(e.line, e.column) for e in info.value.errors] == [(2, "Cấp"), (5, "Đánh giá")]
    assert info.value.total == 2
    assert "có 2 lỗi" in info.value.summary()


def test_missing_required_column(tmp_path):
    path = tmp_path / "ho-so.csv"
    write_csv(path, ["Mã hồ sơ", "Cấp"], [["A", "xa"]])
    with pytest.raises(DossierFileError, match="thiếu cột bắt buộc “Ngày tiếp nhận”"):
        read_dossiers(path)


def test_two_headers_for_one_column(tmp_path):
    path = tmp_path / "ho-so.csv"
    write_csv(path, ["Mã hồ sơ", "Số hồ sơ", "Ngày tiếp nhận"], [["A", "B", "2021-01-04"]])
    with pytest.raises(DossierFileError, match="Số hồ sơ"):
        read_dossiers(path)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "ho-so.doc"
    path.write_text("x")
    with pytest.raises(DossierFileError, match="không được hỗ trợ"):
        read_dossiers(path)


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Mã hồ sơ", "dossier_id"),
        ("ma ho so", "dossier_id"),
        ("Ngày tiếp nhận", "received_at"),
        ("Hạn xử lý", "due_at"),
        ("Ngày có kết quả", "completed_at"),
        ("Số hoá", "digitized"),
        ("received_at", "received_at"),
        ("Ghi chú", None),
    ],
)
def test_header_aliases(header, column):
    assert canonical_column(header) == column


def test_ragged_csv_rows_are_named(tmp_path):
    path = tmp_path / "ho-so.csv"
    path.write_text("Mã hồ sơ,Ngày tiếp nhận,Cấp\nA,2021-01-04,xa\nB,2021-01-04\nC,2021-01-04,xa,thừa\n")
    with pytest.raises(DossierFileError) as info:
        read_dossiers(path)
    assert [(e.line, e.problem) for e in info.value.errors] == [
        (3, "có 2 ô trong khi dòng tiêu đề có 3 cột."),
        (4, "có 4 ô trong khi dòng tiêu đề có 3 cột."),
    ]


def test_blank_lines_are_skipped_and_lines_keep_their_numbers(tmp_path):
    path = tmp_path / "ho-so.csv"
    path.write_bytes("\ufeffMã hồ sơ,Ngày tiếp nhận\nA,2021-01-04\n\nB,2021-01-05\n\n".encode())
    assert read_dossiers(path).column("dossier_id").to_pylist() == ["A", "B"]
    path.write_bytes("\ufeffMã hồ sơ,Ngày tiếp nhận\nA,2021-01-04\n\nB,hôm qua\n".encode())
    with pytest.raises(DossierFileError) as info:
        read_dossiers(path)
    assert [(e.line, e.column) for e in info.value.errors] == [(4, "Ngày tiếp nhận")]
