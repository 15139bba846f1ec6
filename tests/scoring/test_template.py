"""Template loading and validation: every mistake is reported in Vietnamese and names its criterion."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polib
import pytest

from cchc.scoring.i18n import LOCALE_DIR
from cchc.scoring.template import (
    SHIPPED_DIR,
    TemplateError,
    load_template,
    parse_template,
    shipped_templates,
    template_from_dict,
)

from .helpers import areas_template_yaml, base_template


def errors_of(data) -> list[str]:
    with pytest.raises(TemplateError) as info:
        template_from_dict(data)
    return info.value.messages


def test_areas_template_parses_exactly():
    template = parse_template(areas_template_yaml())
    assert template.code == "par-test"
    assert template.year == 2022
    assert template.unit_kinds == ("huyen",)
    assert template.max == Decimal("89")
    assert [area.max for area in template.criteria] == [
        Decimal(x) for x in ["13", "10", "17.5", "7.5", "15.5", "8", "15", "2.5"]
    ]
    assert [band.label for band in template.bands] == ["Tốt", "Khá", "Trung bình", "Yếu"]


def test_numbers_and_codes_are_read_from_their_text():
    template = parse_template(
        """
code: t
name: T
year: 2022
unit_kind: xa
bands: [{min: 0, label: Yếu}]
criteria:
  - code: 1
    name: A
    children:
      - {code: 1.1, name: a, max: 0.1}
      - {code: 1.10, name: b, max: 0.2}
"""
    )
    # 1.10 stays a different code from 1.1; 0.1 + 0.2 is exactly 0.3 (a parent without max takes the sum).
    assert list(template.nodes) == ["1", "1.1", "1.10"]
    assert template.nodes["1"].max == Decimal("0.3")
    assert isinstance(template.nodes["1.1"].max, Decimal)


def test_bands_may_be_listed_ascending():
    data = base_template(
        [{"code": "1", "name": "A", "max": "10"}],
        bands=[{"min": "0", "label": "Yếu"}, {"min": "50", "label": "Đạt"}],
    )
    template = template_from_dict(data)
    assert [band.label for band in template.bands] == ["Đạt", "Yếu"]
    assert template.band_for(Decimal("50")) == "Đạt"
    assert template.band_for(Decimal("49.99")) == "Yếu"


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (
            [
                {
                    "code": "1",
                    "name": "A",
                    "max": "13",
                    "children": [
                        {"code": "1.1", "name": "a", "max": "3"},
                        {"code": "1.2", "name": "b", "max": "9"},
                    ],
                }
            ],
            "Tiêu chí 1: điểm tối đa (13) khác tổng điểm tối đa của các tiêu chí con (12)",
        ),
        (
            [{"code": "1", "name": "A", "max": "2"}, {"code": "1", "name": "B", "max": "3"}],
            "Tiêu chí 1: mã tiêu chí bị trùng",
        ),
        (
            [
                {
                    "code": "1",
                    "name": "A",
                    "children": [{"code": "1.1", "name": "a", "max": "1"}, {"code": "1.2", "name": "b"}],
                }
            ],
            "Tiêu chí 1.2: thiếu điểm tối đa (max)",
        ),
        ([{"code": "2.1", "name": "A", "max": "-1"}], "Tiêu chí 2.1: điểm tối đa không được âm (-1)"),
        ([{"code": "2.1", "name": "A", "max": "0"}], "Tiêu chí 2.1: điểm tối đa phải lớn hơn 0"),
        (
            [{"code": "2.1", "name": "A", "max": "mười"}],
            'Tiêu chí 2.1: điểm tối đa phải là một số, không phải "mười"',
        ),
        ([{"code": "3", "name": "", "max": "1"}], "Tiêu chí 3: thiếu tên (name)"),
        ([{"name": "A", "max": "1"}], "criteria[1]: tiêu chí thiếu mã (code)"),
        ([{"code": "3", "name": "A", "max": "1", "chidren": []}], 'Tiêu chí 3: khóa không hợp lệ "chidren"'),
        (
            [{"code": "3", "name": "A", "max": "1", "children": []}],
            'Tiêu chí 3: "children" phải là danh sách',
        ),
        (
            [{"code": "3.4", "name": "A", "max": "1", "method": "magic"}],
            'Tiêu chí 3.4: phương pháp chấm "magic" không hợp lệ',
        ),
        (
            [{"code": "3.4", "name": "A", "max": "1", "method": "metric", "source": "on_time_rate"}],
            'Tiêu chí 3.4: phương pháp "metric" cần quy tắc tính điểm (rule)',
        ),
        (
            [{"code": "3.4", "name": "A", "max": "1", "method": "metric", "rule": {"type": "boolean"}}],
            'Tiêu chí 3.4: phương pháp "metric" cần nguồn dữ liệu',
        ),
        (
            [{"code": "3.4", "name": "A", "max": "1", "rule": {"type": "boolean"}}],
            "Tiêu chí 3.4: tiêu chí chấm thủ công (manual) không có quy tắc (rule)",
        ),
        (
            [
                {
                    "code": "3",
                    "name": "A",
                    "method": "metric",
                    "children": [{"code": "3.1", "name": "a", "max": "1"}],
                }
            ],
            "Tiêu chí 3: có tiêu chí con",
        ),
    ],
)
def test_invalid_criteria_name_the_node(criteria, expected):
    messages = errors_of(base_template(criteria))
    assert any(expected in message for message in messages), messages


def metric_leaf(rule, maximum="2"):
    return [
        {
            "code": "3.4.1",
            "name": "Đúng hạn",
            "max": maximum,
            "method": "metric",
            "source": "on_time_rate",
            "rule": rule,
        }
    ]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"type": "proportional"}, 'quy tắc proportional thiếu tham số "target"'),
        ({"type": "proportional", "target": "0"}, 'quy tắc proportional: "target" phải lớn hơn 0'),
        (
            {"type": "proportional", "target": "100", "cap": "1"},
            'quy tắc proportional: tham số không hợp lệ "cap"',
        ),
        ({"type": "penalty", "per": "abc"}, 'quy tắc penalty: "per" phải là một số, không phải "abc"'),
        (
            {"type": "penalty", "per": "0.5", "floor": "3"},
            'quy tắc penalty: "floor" phải nằm trong khoảng từ 0 đến',
        ),
        ({"type": "threshold"}, 'quy tắc threshold thiếu tham số "threshold"'),
        (
            {"type": "threshold", "threshold": "90", "direction": "above"},
            '"direction" phải là at_least hoặc at_most',
        ),
        (
            {"type": "threshold", "threshold": "90", "partial": "5"},
            '"partial" phải nằm trong khoảng từ 0 đến',
        ),
        ({"type": "bands", "bands": []}, 'quy tắc bands: "bands" phải là danh sách'),
        (
            {
                "type": "bands",
                "bands": [
                    {"min": "80", "points": "1"},
                    {"min": "50", "points": "0.5"},
                    {"min": "90", "points": "2"},
                ],
            },
            "quy tắc bands: các ngưỡng không theo thứ tự",
        ),
        (
            {"type": "bands", "bands": [{"min": "80", "points": "1"}, {"min": "80", "points": "2"}]},
            "quy tắc bands: ngưỡng 80 bị trùng",
        ),
        ({"type": "bands", "bands": [{"min": "80", "points": "3"}]}, "mức thứ 1 cho 3 điểm, ngoài khoảng"),
        ({"type": "bands", "bands": [{"min": "80"}]}, 'mức thứ 1 cần "min" và "points" là số'),
        ({"type": "fuzzy"}, 'loại quy tắc "fuzzy" không hợp lệ'),
        ("proportional", "quy tắc (rule) phải là một bảng có khóa type"),
    ],
)
def test_malformed_rules_name_the_node(rule, expected):
    messages = errors_of(base_template(metric_leaf(rule)))
    assert any(message.startswith("Tiêu chí 3.4.1: ") and expected in message for message in messages), (
        messages
    )


@pytest.mark.parametrize(
    ("bands", "expected"),
    [
        (
            [{"min": "80", "label": "Tốt"}, {"min": "50", "label": "TB"}, {"min": "65", "label": "Khá"}],
            "xếp loại: các ngưỡng không theo thứ tự",
        ),
        ([{"min": "80", "label": "Tốt"}, {"min": "80", "label": "Khá"}], "xếp loại: ngưỡng 80 bị trùng"),
        ([{"min": "80", "label": "Tốt"}, {"min": "50", "label": "Tốt"}], 'xếp loại: tên "Tốt" bị trùng'),
        ([{"min": "120", "label": "Tốt"}], 'mức xếp loại thứ 1: "min" phải là số từ 0 đến 100'),
        ([{"min": "80"}], "mức xếp loại thứ 1 thiếu tên (label)"),
        ([], '"bands" phải là danh sách mức xếp loại'),
    ],
)
def test_invalid_bands(bands, expected):
    messages = errors_of(base_template([{"code": "1", "name": "A", "max": "1"}], bands=bands))
    assert any(expected in message for message in messages), messages


@pytest.mark.parametrize("key", ["code", "name", "year", "unit_kind", "bands", "criteria"])
def test_missing_top_level_key(key):
    data = base_template([{"code": "1", "name": "A", "max": "1"}])
    del data[key]
    assert f'bộ tiêu chí thiếu khóa "{key}"' in errors_of(data)


def test_other_top_level_mistakes_all_reported_at_once():
    data = base_template(
        [{"code": "1", "name": "A", "max": "1"}], year="năm nay", unit_kind="tinh_thanh", extra=1
    )
    messages = errors_of(data)
    assert '"year" phải là một năm, ví dụ 2022, không phải "năm nay"' in messages
    assert any('unit_kind) "tinh_thanh" không hợp lệ' in message for message in messages)
    assert 'bộ tiêu chí có khóa không hợp lệ "extra"' in messages
    assert len(messages) == 3


def test_yaml_syntax_error_names_the_line():
    text = "code: t\nname: T\nyear: 2022\ncriteria:\n  - {code: 1, name: [A, max: 1}\n"
    with pytest.raises(TemplateError) as info:
        parse_template(text)
    assert info.value.messages[0].startswith("lỗi cú pháp YAML ở dòng 5")


def test_not_a_mapping_and_missing_file(tmp_path: Path):
    with pytest.raises(TemplateError, match="bộ tiêu chí phải là một bảng YAML"):
        parse_template("- 1\n- 2\n")
    with pytest.raises(TemplateError, match="không tìm thấy tệp bộ tiêu chí"):
        load_template(tmp_path / "khong-co.yaml")


EXPECTED_SHIPPED = {
    "par-district-2022": ("huyen", "89", ["13", "10", "17.5", "7.5", "15.5", "8", "15", "2.5"]),
    "par-department-2022": ("so_nganh", "84", ["12", "10", "16", "8", "14", "7", "14", "3"]),
    "par-commune-2022": ("xa", "70", ["10", "6", "22", "4", "12", "6", "8", "2"]),
    "service-766": ("all", "100", ["18", "20", "22", "22", "18"]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_SHIPPED))
def test_shipped_templates_validate_with_their_totals(name):
    kind, total, areas = EXPECTED_SHIPPED[name]
    template = load_template(shipped_templates()[name])
    assert template.code == name
    assert template.unit_kinds == (kind,)
    assert template.max == Decimal(total)
    assert [area.max for area in template.criteria] == [Decimal(x) for x in areas]
    for node in template.walk():  # the validator's invariant, re-checked on the data
        if node.children:
            assert node.max == sum(child.max for child in node.children)
    # The total stated in the header comment is the real one.
    header = (SHIPPED_DIR / f"{name}.yaml").read_text(encoding="utf-8").split("\ncode:")[0]
    assert total in header


def test_shipped_set_is_complete():
    assert set(shipped_templates()) == set(EXPECTED_SHIPPED)


def test_par_district_areas_and_automatic_leaves():
    template = load_template(shipped_templates()["par-district-2022"])
    names = [area.name for area in template.criteria]
    assert names[0] == "Công tác chỉ đạo, điều hành CCHC"
    assert names[6] == "Xây dựng và phát triển chính quyền điện tử, chính quyền số"
    assert [band.min for band in template.bands] == [Decimal(80), Decimal(65), Decimal(50), Decimal(0)]
    on_time = template.nodes["3.4.1"]
    assert (on_time.method, on_time.source, on_time.rule.type) == ("metric", "on_time_rate", "proportional")
    apology = template.nodes["3.4.3"]
    assert (apology.source, apology.rule.type) == ("late_without_apology", "penalty")
    assert [child.code for child in template.nodes["1"].children][:5] == ["1.1", "1.2", "1.3", "1.4", "1.5"]


def test_766_uses_dossier_metrics():
    template = load_template(shipped_templates()["service-766"])
    sources = {leaf.source for leaf in template.leaves()}
    assert {
        "on_time_rate",
        "online_rate",
        "digitization_rate",
        "satisfaction_rate",
        "late_without_apology",
    } <= sources
    assert all(leaf.method == "metric" and leaf.rule is not None for leaf in template.leaves())


def test_pure_modules_do_not_import_django():
    code = (
        "import sys, cchc.scoring.engine, cchc.scoring.template;"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_catalog_is_complete():
    po = polib.pofile(str(LOCALE_DIR / "vi/LC_MESSAGES/django.po"))
    assert not po.untranslated_entries()
    assert not po.fuzzy_entries()
    assert (LOCALE_DIR / "vi/LC_MESSAGES/django.mo").exists()
