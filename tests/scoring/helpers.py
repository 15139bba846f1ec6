"""Small templates shared by the scoring tests."""

from __future__ import annotations

from typing import Any

# The eight PAR areas of a district, as leaves, with the weights of the issue (total 89).
AREAS = [
    ("1", "Công tác chỉ đạo, điều hành CCHC", "13"),
    ("2", "Cải cách thể chế", "10"),
    ("3", "Cải cách thủ tục hành chính", "17.5"),
    ("4", "Cải cách tổ chức bộ máy hành chính nhà nước", "7.5"),
    ("5", "Cải cách chế độ công vụ", "15.5"),
    ("6", "Cải cách tài chính công", "8"),
    ("7", "Xây dựng và phát triển chính quyền điện tử, chính quyền số", "15"),
    ("8", "Tác động của CCHC đến phát triển kinh tế - xã hội", "2.5"),
]

BANDS_YAML = """\
bands:
  - {min: 80, label: Tốt}
  - {min: 65, label: Khá}
  - {min: 50, label: Trung bình}
  - {min: 0, label: Yếu}
"""


def areas_template_yaml() -> str:
    """A district template whose eight areas are leaves."""
    lines = [
        "code: par-test",
        "name: Chỉ số CCHC thử nghiệm",
        "year: 2022",
        "unit_kind: huyen",
        BANDS_YAML.rstrip(),
    ]
    lines.append("criteria:")
    for code, name, maximum in AREAS:
        lines.append(f'  - {{code: "{code}", name: "{name}", max: {maximum}}}')
    return "\n".join(lines) + "\n"


def base_template(criteria: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """A template mapping (as parsed from YAML) around the given criteria."""
    data: dict[str, Any] = {
        "code": "t",
        "name": "Thử nghiệm",
        "year": "2022",
        "unit_kind": "huyen",
        "bands": [
            {"min": "80", "label": "Tốt"},
            {"min": "65", "label": "Khá"},
            {"min": "50", "label": "Trung bình"},
            {"min": "0", "label": "Yếu"},
        ],
        "criteria": criteria,
    }
    data.update(overrides)
    return data
