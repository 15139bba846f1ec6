"""Canonical dossier schema of the one-stop exports (pure: no Django).

One-stop systems (iGate, motcua...) export dossiers with their own headers, often Vietnamese. The
reader maps every header to one canonical column through :data:`HEADER_ALIASES` (compared without
case, diacritics or punctuation, so "Mã hồ sơ", "MA HO SO" and "ma_ho_so" are the same header), and
coded values (level, channel, status) the same way, so "Trực tuyến toàn trình" reads as
``truc_tuyen_toan_trinh``.

Timestamps are kept as *naive local time* (Asia/Ho_Chi_Minh): the calendar and the period windows
are local, and a naive column compares directly with them. Values carrying an offset are converted
to local time first.
"""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa

LOCAL_TZ_NAME = "Asia/Ho_Chi_Minh"

# kinds of columns
TEXT = "text"
TIMESTAMP = "timestamp"
INTEGER = "integer"
NUMBER = "number"
BOOLEAN = "boolean"
CODE = "code"  # text restricted to a list of codes

LEVELS = ("tinh", "huyen", "xa", "nganh_doc")
CHANNELS = ("truc_tiep", "truc_tuyen_toan_trinh", "truc_tuyen_mot_phan", "buu_chinh")
ONLINE_CHANNELS = ("truc_tuyen_toan_trinh", "truc_tuyen_mot_phan")
POSTAL_CHANNEL = "buu_chinh"
STATUSES = ("dang_xu_ly", "da_giai_quyet", "tra_lai", "huy")
IN_PROGRESS = "dang_xu_ly"
COMPLETED_STATUSES = ("da_giai_quyet", "tra_lai")
CANCELLED = "huy"

# canonical column -> kind, in output order
COLUMNS: dict[str, str] = {
    "dossier_id": TEXT,
    "procedure_code": TEXT,
    "procedure_name": TEXT,
    "field": TEXT,
    "unit_code": TEXT,
    "level": CODE,
    "channel": CODE,
    "received_at": TIMESTAMP,
    "due_at": TIMESTAMP,
    "processing_days": INTEGER,
    "completed_at": TIMESTAMP,
    "status": CODE,
    "apology_sent": BOOLEAN,
    "paid_online": BOOLEAN,
    "fee_amount": NUMBER,
    "rating": INTEGER,
    "digitized": BOOLEAN,
}
REQUIRED = ("dossier_id", "received_at")
CODES: dict[str, tuple[str, ...]] = {"level": LEVELS, "channel": CHANNELS, "status": STATUSES}

ARROW_TYPES: dict[str, pa.DataType] = {
    TEXT: pa.string(),
    CODE: pa.string(),
    TIMESTAMP: pa.timestamp("us"),
    INTEGER: pa.int64(),
    NUMBER: pa.float64(),
    BOOLEAN: pa.bool_(),
}
SCHEMA = pa.schema([pa.field(name, ARROW_TYPES[kind]) for name, kind in COLUMNS.items()])

# Vietnamese names of the columns, used in error messages and as the first alias of each column.
LABELS_VI: dict[str, str] = {
    "dossier_id": "Mã hồ sơ",
    "procedure_code": "Mã thủ tục",
    "procedure_name": "Tên thủ tục",
    "field": "Lĩnh vực",
    "unit_code": "Mã đơn vị",
    "level": "Cấp",
    "channel": "Hình thức nộp",
    "received_at": "Ngày tiếp nhận",
    "due_at": "Hạn xử lý",
    "processing_days": "Thời hạn giải quyết",
    "completed_at": "Ngày có kết quả",
    "status": "Trạng thái",
    "apology_sent": "Văn bản xin lỗi",
    "paid_online": "Thanh toán trực tuyến",
    "fee_amount": "Phí, lệ phí",
    "rating": "Đánh giá",
    "digitized": "Số hóa",
}

_ALIASES_VI: dict[str, tuple[str, ...]] = {
    "dossier_id": ("Mã hồ sơ", "Số hồ sơ", "Mã số hồ sơ", "Số biên nhận", "Mã biên nhận"),
    "procedure_code": ("Mã thủ tục", "Mã TTHC", "Mã thủ tục hành chính"),
    "procedure_name": ("Tên thủ tục", "Tên TTHC", "Tên thủ tục hành chính", "Thủ tục"),
    "field": ("Lĩnh vực", "Tên lĩnh vực", "Mã lĩnh vực"),
    "unit_code": ("Mã đơn vị", "Mã cơ quan", "Đơn vị", "Cơ quan", "Cơ quan giải quyết", "Đơn vị xử lý"),
    "level": ("Cấp", "Cấp giải quyết", "Cấp hành chính", "Cấp thực hiện"),
    "channel": ("Hình thức nộp", "Hình thức tiếp nhận", "Kênh tiếp nhận", "Kênh nộp", "Hình thức"),
    "received_at": ("Ngày tiếp nhận", "Ngày nhận", "Thời gian tiếp nhận", "Ngày nộp"),
    "due_at": ("Hạn xử lý", "Hạn giải quyết", "Ngày hẹn trả", "Hẹn trả", "Ngày hẹn trả kết quả"),
    "processing_days": (
        "Thời hạn giải quyết", "Số ngày giải quyết", "Số ngày xử lý", "Thời hạn xử lý", "Số ngày làm việc",
    ),
    "completed_at": (
        "Ngày có kết quả", "Ngày trả kết quả", "Ngày hoàn thành", "Ngày giải quyết", "Ngày kết thúc",
    ),
    "status": ("Trạng thái", "Tình trạng", "Trạng thái hồ sơ"),
    "apology_sent": ("Văn bản xin lỗi", "Xin lỗi", "Đã xin lỗi", "Thư xin lỗi", "Có văn bản xin lỗi"),
    "paid_online": ("Thanh toán trực tuyến", "Thanh toán trực tuyến phí, lệ phí", "Thanh toán online"),
    "fee_amount": ("Phí, lệ phí", "Phí lệ phí", "Lệ phí", "Số tiền", "Số tiền phí"),
    "rating": ("Đánh giá", "Mức độ hài lòng", "Điểm đánh giá", "Đánh giá hài lòng"),
    "digitized": ("Số hóa", "Số hoá", "Đã số hóa", "Số hóa hồ sơ"),
}

# Coded values: Vietnamese wording (normalised like headers) -> code
_VALUE_ALIASES: dict[str, dict[str, str]] = {
    "level": {
        "cap_tinh": "tinh", "so_ban_nganh": "tinh", "huyen": "huyen", "cap_huyen": "huyen",
        "xa": "xa", "cap_xa": "xa", "phuong": "xa", "nganh_doc": "nganh_doc",
        "co_quan_nganh_doc": "nganh_doc",
    },
    "channel": {
        "truc_tiep": "truc_tiep", "tai_quay": "truc_tiep", "truc_tuyen_toan_trinh": "truc_tuyen_toan_trinh",
        "toan_trinh": "truc_tuyen_toan_trinh", "truc_tuyen_mot_phan": "truc_tuyen_mot_phan",
        "mot_phan": "truc_tuyen_mot_phan", "buu_chinh": "buu_chinh", "buu_chinh_cong_ich": "buu_chinh",
    },
    "status": {
        "dang_xu_ly": "dang_xu_ly", "dang_giai_quyet": "dang_xu_ly", "da_giai_quyet": "da_giai_quyet",
        "da_tra_ket_qua": "da_giai_quyet", "hoan_thanh": "da_giai_quyet", "tra_lai": "tra_lai",
        "huy": "huy", "da_huy": "huy",
    },
}

TRUE_WORDS = ("true", "1", "x", "co", "yes", "y", "da", "dung", "t")
FALSE_WORDS = ("false", "0", "khong", "no", "n", "chua", "sai", "f")

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_name(text: str) -> str:
    """Header or code in a comparable form: no diacritics, lower case, words joined by "_"."""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub("_", plain).strip("_")


HEADER_ALIASES: dict[str, str] = {}
for _column, _aliases in _ALIASES_VI.items():
    HEADER_ALIASES[normalize_name(_column)] = _column
    for _alias in _aliases:
        HEADER_ALIASES.setdefault(normalize_name(_alias), _column)

VALUE_ALIASES: dict[str, dict[str, str]] = {
    column: {**{code: code for code in codes}, **_VALUE_ALIASES[column]} for column, codes in CODES.items()
}


def canonical_column(header: str) -> str | None:
    """The canonical column a header stands for, or None when it is not a dossier column."""
    return HEADER_ALIASES.get(normalize_name(header))
