"""Indicator catalogs: load and validate a versioned catalog CSV (e.g. `indicators-bnv-2021.csv`).

A catalog is data, not code: each row is one indicator of the statistical appendix with its parent,
kind (a `group` heading or a `value` to enter), value type, aggregation and temporal nature. The file
is checked as a whole, and the first problem is reported in Vietnamese naming its line and column,
because the people who maintain these files are not programmers.

Columns: code, parent, kind, name_vi, unit_vi, value_type, choices, aggregate, temporal,
numerator_vi, denominator_vi. `choices` lists coded options as `0=Không;1=Có`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType


class CatalogError(ValueError):
    """A catalog file is malformed; the message (Vietnamese) names the line and the column."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class Kind(StrEnum):
    GROUP = "group"
    VALUE = "value"


class ValueType(StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENT = "percent"
    CHOICE = "choice"
    TEXT = "text"


class Aggregation(StrEnum):
    SUM = "sum"
    RATIO = "ratio"
    DISTRIBUTION = "distribution"
    NONE = "none"


class Temporal(StrEnum):
    FLOW = "flow"
    STOCK = "stock"


NUMERIC_TYPES = frozenset({ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT})

# Which aggregations make sense for which value types: a sum of choices or a ratio of texts is
# meaningless, and accepting them would only surface later as wrong totals.
ALLOWED_AGGREGATIONS: Mapping[ValueType, frozenset[Aggregation]] = MappingProxyType(
    {
        ValueType.INTEGER: frozenset({Aggregation.SUM, Aggregation.NONE}),
        ValueType.DECIMAL: frozenset({Aggregation.SUM, Aggregation.NONE}),
        ValueType.PERCENT: frozenset({Aggregation.RATIO, Aggregation.NONE}),
        ValueType.CHOICE: frozenset({Aggregation.DISTRIBUTION, Aggregation.NONE}),
        ValueType.TEXT: frozenset({Aggregation.NONE}),
    }
)

COLUMNS = (
    "code",
    "parent",
    "kind",
    "name_vi",
    "unit_vi",
    "value_type",
    "choices",
    "aggregate",
    "temporal",
    "numerator_vi",
    "denominator_vi",
)
REQUIRED_COLUMNS = ("code", "parent", "kind", "name_vi", "value_type", "aggregate", "temporal")


@dataclass(frozen=True)
class Choice:
    """One coded option of a choice indicator (`1=Có` → code "1", label "Có")."""

    code: str
    label: str


@dataclass(frozen=True)
class Indicator:
    """One row of the catalog. Groups carry no value type, aggregation or temporal nature."""

    code: str
    parent: str | None
    kind: Kind
    name: str
    unit: str = ""
    value_type: ValueType | None = None
    choices: tuple[Choice, ...] = ()
    aggregation: Aggregation = Aggregation.NONE
    temporal: Temporal | None = None
    numerator_label: str = ""
    denominator_label: str = ""
    line: int = 0

    @property
    def is_group(self) -> bool:
        return self.kind is Kind.GROUP

    @property
    def is_numeric(self) -> bool:
        return self.value_type in NUMERIC_TYPES

    def choice_label(self, code: str) -> str | None:
        """The label of an option code, or None when the code is not an option of this indicator."""
        for choice in self.choices:
            if choice.code == code:
                return choice.label
        return None


@dataclass(frozen=True)
class Catalog:
    """An ordered, validated set of indicators with lookups by code and by parent."""

    indicators: tuple[Indicator, ...]
    name: str = ""
    _by_code: Mapping[str, Indicator] = field(init=False, repr=False, compare=False)
    _children: Mapping[str | None, tuple[Indicator, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code = {indicator.code: indicator for indicator in self.indicators}
        children: dict[str | None, list[Indicator]] = {}
        for indicator in self.indicators:
            children.setdefault(indicator.parent, []).append(indicator)
        object.__setattr__(self, "_by_code", MappingProxyType(by_code))
        object.__setattr__(
            self, "_children", MappingProxyType({k: tuple(v) for k, v in children.items()})
        )

    def __len__(self) -> int:
        return len(self.indicators)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> Indicator:
        return self._by_code[code]

    def get(self, code: str) -> Indicator | None:
        return self._by_code.get(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(indicator.code for indicator in self.indicators)

    @property
    def areas(self) -> tuple[Indicator, ...]:
        """Top-level indicators (the reform areas), in file order."""
        return self._children.get(None, ())

    def children(self, code: str) -> tuple[Indicator, ...]:
        """Direct children of `code` in file order (empty for a leaf); KeyError for an unknown code."""
        if code not in self._by_code:
            raise KeyError(code)
        return self._children.get(code, ())

    def ancestors(self, code: str) -> tuple[Indicator, ...]:
        """Parents of `code` from the nearest up to its area."""
        chain: list[Indicator] = []
        parent = self._by_code[code].parent
        while parent is not None:
            indicator = self._by_code[parent]
            chain.append(indicator)
            parent = indicator.parent
        return tuple(chain)

    def area_of(self, code: str) -> Indicator:
        """The top-level area an indicator belongs to (itself for an area)."""
        chain = self.ancestors(code)
        return chain[-1] if chain else self._by_code[code]

    def values(self) -> tuple[Indicator, ...]:
        """Indicators that take a value (not groups), in file order."""
        return tuple(indicator for indicator in self.indicators if not indicator.is_group)


def _enum(enum: type[StrEnum], raw: str, line: int, column: str) -> StrEnum:
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise CatalogError(
            f"Dòng {line}, cột {column}: giá trị '{raw}' không hợp lệ (chấp nhận: {allowed})",
            line,
            column,
        ) from None


def parse_choices(raw: str, line: int = 0, column: str = "choices") -> tuple[Choice, ...]:
    """Parse `0=Trực tuyến;1=Phát phiếu` into coded options; codes must be unique and non-empty."""
    options: list[Choice] = []
    seen: set[str] = set()
    for part in raw.split(";"):
        part = part.strip()
        if not part:
            continue
        code, sep, label = part.partition("=")
        code, label = code.strip(), label.strip()
        if not sep or not code or not label:
            raise CatalogError(
                f"Dòng {line}, cột {column}: lựa chọn '{part}' phải có dạng mã=nhãn (ví dụ 1=Có)",
                line,
                column,
            )
        if code in seen:
            raise CatalogError(
                f"Dòng {line}, cột {column}: mã lựa chọn '{code}' bị lặp lại", line, column
            )
        seen.add(code)
        options.append(Choice(code, label))
    return tuple(options)


def _row_indicator(row: dict[str, str], line: int) -> Indicator:
    def cell(column: str) -> str:
        return (row.get(column) or "").strip()

    code = cell("code")
    if not code:
        raise CatalogError(f"Dòng {line}, cột code: thiếu mã chỉ tiêu", line, "code")
    name = cell("name_vi")
    if not name:
        raise CatalogError(f"Dòng {line}, cột name_vi: thiếu tên chỉ tiêu {code}", line, "name_vi")
    kind = _enum(Kind, cell("kind"), line, "kind")
    parent = cell("parent") or None
    if parent == code:
        raise CatalogError(
            f"Dòng {line}, cột parent: chỉ tiêu {code} không thể là cha của chính nó", line, "parent"
        )
    if kind is Kind.GROUP:
        for column in ("value_type", "choices", "aggregate", "temporal"):
            if cell(column):
                raise CatalogError(
                    f"Dòng {line}, cột {column}: nhóm {code} không nhập giá trị nên phải để trống cột này",
                    line,
                    column,
                )
        return Indicator(code=code, parent=parent, kind=kind, name=name, unit=cell("unit_vi"), line=line)

    for column in ("value_type", "aggregate", "temporal"):
        if not cell(column):
            raise CatalogError(
                f"Dòng {line}, cột {column}: chỉ tiêu {code} thiếu giá trị bắt buộc", line, column
            )
    value_type = ValueType(_enum(ValueType, cell("value_type"), line, "value_type"))
    aggregation = Aggregation(_enum(Aggregation, cell("aggregate"), line, "aggregate"))
    temporal = Temporal(_enum(Temporal, cell("temporal"), line, "temporal"))

    choices: tuple[Choice, ...] = ()
    if value_type is ValueType.CHOICE:
        choices = parse_choices(cell("choices"), line)
        if not choices:
            raise CatalogError(
                f"Dòng {line}, cột choices: chỉ tiêu lựa chọn {code} phải liệt kê các lựa chọn "
                "(ví dụ 0=Không;1=Có)",
                line,
                "choices",
            )
    elif cell("choices"):
        raise CatalogError(
            f"Dòng {line}, cột choices: chỉ tiêu {code} kiểu {value_type.value} không có lựa chọn",
            line,
            "choices",
        )

    if aggregation not in ALLOWED_AGGREGATIONS[value_type]:
        allowed = ", ".join(sorted(a.value for a in ALLOWED_AGGREGATIONS[value_type]))
        raise CatalogError(
            f"Dòng {line}, cột aggregate: cách tổng hợp '{aggregation.value}' không dùng được cho "
            f"kiểu {value_type.value} (chấp nhận: {allowed})",
            line,
            "aggregate",
        )
    numerator, denominator = cell("numerator_vi"), cell("denominator_vi")
    if aggregation is Aggregation.RATIO:
        for column, label in (("numerator_vi", numerator), ("denominator_vi", denominator)):
            if not label:
                what = "tử số" if column == "numerator_vi" else "mẫu số"
                raise CatalogError(
                    f"Dòng {line}, cột {column}: chỉ tiêu tỷ lệ {code} thiếu tên {what}", line, column
                )
    return Indicator(
        code=code,
        parent=parent,
        kind=kind,
        name=name,
        unit=cell("unit_vi"),
        value_type=value_type,
        choices=choices,
        aggregation=aggregation,
        temporal=temporal,
        numerator_label=numerator,
        denominator_label=denominator,
        line=line,
    )


def parse_catalog(text: str, name: str = "") -> Catalog:
    """Parse and validate catalog CSV text; raise `CatalogError` on the first problem."""
    reader = csv.DictReader(io.StringIO(text))
    header = [column.strip() for column in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise CatalogError(f"Dòng 1: thiếu cột {', '.join(missing)}", 1, missing[0])
    reader.fieldnames = header
    indicators: list[Indicator] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        indicator = _row_indicator(row, line)
        if indicator.code in first_line:
            raise CatalogError(
                f"Dòng {line}, cột code: mã chỉ tiêu {indicator.code} trùng với dòng "
                f"{first_line[indicator.code]}",
                line,
                "code",
            )
        first_line[indicator.code] = line
        indicators.append(indicator)
    if not indicators:
        raise CatalogError("Tệp danh mục chỉ tiêu không có dòng nào", 1, None)
    by_code = {indicator.code: indicator for indicator in indicators}
    for indicator in indicators:
        if indicator.parent is not None and indicator.parent not in by_code:
            raise CatalogError(
                f"Dòng {indicator.line}, cột parent: chỉ tiêu cha '{indicator.parent}' của "
                f"{indicator.code} không có trong danh mục",
                indicator.line,
                "parent",
            )
    for indicator in indicators:
        seen = {indicator.code}
        parent = indicator.parent
        while parent is not None:
            if parent in seen:
                raise CatalogError(
                    f"Dòng {indicator.line}, cột parent: quan hệ cha–con của {indicator.code} "
                    "tạo thành vòng lặp",
                    indicator.line,
                    "parent",
                )
            seen.add(parent)
            parent = by_code[parent].parent
    return Catalog(tuple(indicators), name=name)


def load_catalog(path: str | Path) -> Catalog:
    """Load a catalog CSV file (UTF-8, with or without BOM); the catalog is named after the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"Tệp {path.name} không phải văn bản UTF-8 (byte {exc.start})") from None
    return parse_catalog(text, name=path.stem)
