"""Small writers for unit-list files used by the importer, CLI and view tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl

HEADER = ["code", "name", "kind", "parent_code", "valid_from", "valid_to", "successor_codes"]
VI_HEADER = ["Mã", "Tên", "Loại", "Mã đơn vị cha", "Hiệu lực từ", "Hiệu lực đến", "Mã đơn vị kế thừa"]


def csv_text(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    path.write_bytes((("\ufeff" if bom else "") + csv_text(rows, header, delimiter)).encode("utf-8"))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path
