"""Request and response shapes of the REST API (they are also its OpenAPI schema).

Numbers go out as JSON numbers (stored decimals have 6 places, far inside a double's exact range
for the counts and rates reported); they come in as numbers or Vietnamese-formatted strings
("1.964", "28,94"), checked by the same `cchc.reporting.entry` code as the web form.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic would also read "0" as a Unix time, which no caller means."""
    if isinstance(value, dt.date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_format", "date must be YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]


def number(value: Decimal | None) -> int | float | None:
    """A stored decimal as a JSON number: an int when whole, so counts print without ".0"."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


class Error(Schema):
    detail: str = Field(description="Thông báo lỗi (tiếng Việt).")


class FieldErrors(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Lỗi theo trường hoặc mã chỉ tiêu; khoá 'submission' cho lỗi của cả báo cáo.",
    )


class Conflict(Schema):
    detail: str
    current_version: int
    changed_codes: list[str]


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None


class PeriodOut(Schema):
    code: str
    kind: str
    year: int
    name: str
    start: dt.date
    end: dt.date
    deadline: dt.date
    is_open: bool


class CatalogOut(Schema):
    code: str
    name: str
    version: str
    unit_kinds: list[str]
    valid_from_year: int | None
    valid_to_year: int | None


class ChoiceOut(Schema):
    code: str
    label: str


class IndicatorOut(Schema):
    code: str
    parent_code: str
    kind: str
    name: str
    unit: str
    value_type: str
    choices: list[ChoiceOut]
    aggregation: str
    temporal: str
    numerator_label: str
    denominator_label: str


class ValueOut(Schema):
    value: int | float | None = Field(description="Số liệu (tỷ lệ: phần trăm).")
    text: str = Field(description="Mã lựa chọn hoặc văn bản.")
    numerator: int | float | None
    denominator: int | float | None
    note: str
    non_aggregable: bool = Field(description="Tỷ lệ nhập không kèm tử số/mẫu số: không tổng hợp được.")
    source: str
    version: int


class RuleResultOut(Schema):
    rule_id: str
    status: str
    severity: str
    message: str
    left: int | float | None
    right: int | float | None
    missing: list[str]
    reason: str
    comment: str


class SubmissionOut(Schema):
    unit: str
    period: str
    catalog: str
    status: str
    version: int = Field(description="Gửi lại trong PUT/submit để phát hiện ghi đè đồng thời.")
    is_editable: bool
    submitted_at: dt.datetime | None
    on_time: bool | None
    approved_at: dt.datetime | None
    returned_at: dt.datetime | None
    return_comment: str
    values: dict[str, ValueOut]
    type_errors: dict[str, str]
    rules: list[RuleResultOut]
    can_submit: bool


Raw = int | float | str | None


class ValueIn(Schema):
    value: Raw = Field(
        None, description="Số (hoặc chuỗi kiểu Việt Nam '1.964', '28,94'), mã lựa chọn, văn bản."
    )
    numerator: Raw = Field(None, description="Tử số (chỉ tiêu tỷ lệ).")
    denominator: Raw = Field(None, description="Mẫu số (chỉ tiêu tỷ lệ).")
    note: str | None = Field(None, description="Ghi chú; bỏ trống để giữ ghi chú cũ.")


class ValuesIn(Schema):
    version: int | None = Field(
        None, description="Phiên bản đã đọc; khác phiên bản hiện tại → 409 kèm các mã chỉ tiêu đã đổi."
    )
    values: dict[str, ValueIn] = Field(
        default_factory=dict, description="Mã chỉ tiêu → giá trị; giá trị rỗng xoá số liệu."
    )


class SubmitIn(Schema):
    version: int | None = None


class ReturnIn(Schema):
    comment: str = Field(description="Lý do trả lại.")


class IndicatorAggregateOut(Schema):
    aggregation: str
    value: int | float | None
    numerator: int | float | None
    denominator: int | float | None
    counts: dict[str, int] | None
    units: list[str]
    non_aggregable: list[str]
    invalid: list[str]
    missing: list[str]
    partial: bool


class AggregateOut(Schema):
    unit: str
    period: str
    catalog: str
    at: dt.date
    units: list[str] = Field(description="Các đơn vị có báo cáo được tính.")
    indicators: dict[str, IndicatorAggregateOut]
