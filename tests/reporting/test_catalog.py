"""The indicator catalog: the shipped BNV 2021 file and the validation of malformed files."""

import pytest

from cchc.reporting import BNV_2021_INDICATORS
from cchc.reporting.catalog import (
    Aggregation,
    CatalogError,
    Choice,
    Kind,
    Temporal,
    ValueType,
    load_catalog,
    parse_catalog,
)

HEADER = (
    "code,parent,kind,name_vi,unit_vi,value_type,choices,aggregate,temporal,numerator_vi,denominator_vi\n"
)
GOOD_ROWS = "1,,group,Nhóm,,,,,,,\n1.1,1,value,Số nhiệm vụ,Nhiệm vụ,integer,,sum,stock,,\n"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(BNV_2021_INDICATORS)


def test_shipped_catalog_loads_with_real_facts(catalog):
    assert len(catalog) == 127
    assert catalog.name == "indicators-bnv-2021"
    task = catalog["1.1.1"]
    assert task.name == "Số nhiệm vụ đề ra trong kế hoạch"
    assert task.unit == "Nhiệm vụ"
    assert task.value_type is ValueType.INTEGER
    assert task.aggregation is Aggregation.SUM
    assert task.temporal is Temporal.STOCK
    assert task.parent == "1.1"
    assert task.line == 4


def test_seven_areas_in_file_order(catalog):
    areas = catalog.areas
    assert [a.code for a in areas] == ["1", "2", "3", "4", "5", "6", "7"]
    assert areas[2].name == "Cải cách thủ tục hành chính"
    assert all(a.kind is Kind.GROUP for a in areas)


def test_children_in_file_order_and_ancestors(catalog):
    assert [c.code for c in catalog.children("3.1.3")] == ["3.1.3.a", "3.1.3.b", "3.1.3.c"]
    assert [c.code for c in catalog.children("1")] == ["1.1", "1.2", "1.3", "1.4", "1.5"]
    assert catalog.children("1.1.1") == ()
    assert [a.code for a in catalog.ancestors("3.1.3.a")] == ["3.1.3", "3.1", "3"]
    assert catalog.area_of("7.8.4").code == "7"
    with pytest.raises(KeyError):
        catalog.children("9.9")
    assert "1.1.1" in catalog and "9.9" not in catalog and catalog.get("9.9") is None


def test_ratio_and_choice_indicators(catalog):
    on_time = catalog["3.4.1"]
    assert on_time.value_type is ValueType.PERCENT
    assert on_time.aggregation is Aggregation.RATIO
    assert on_time.temporal is Temporal.FLOW
    assert on_time.numerator_label == "Số hồ sơ giải quyết đúng hạn (kể cả trước hạn)"
    assert on_time.denominator_label == "Số hồ sơ đã giải quyết"
    survey = catalog["1.4.2"]
    assert survey.choices == (Choice("0", "Trực tuyến"), Choice("1", "Phát phiếu"), Choice("2", "Kết hợp"))
    assert survey.aggregation is Aggregation.DISTRIBUTION
    assert survey.choice_label("2") == "Kết hợp" and survey.choice_label("3") is None


def test_values_exclude_groups(catalog):
    values = catalog.values()
    assert len(values) == 100
    assert all(not v.is_group for v in values)
    assert sum(1 for v in values if v.value_type is ValueType.CHOICE) == 7


@pytest.mark.parametrize(
    ("rows", "line", "column", "fragment"),
    [
        ("1.2,9,value,X,,integer,,sum,flow,,\n", 4, "parent", "'9'"),
        ("1.1,1,value,X,,integer,,sum,flow,,\n", 4, "code", "trùng với dòng 3"),
        ("1.2,1,value,X,,money,,sum,flow,,\n", 4, "value_type", "'money'"),
        ("1.2,1,value,X,,integer,,average,flow,,\n", 4, "aggregate", "'average'"),
        ("1.2,1,value,X,,integer,,sum,yearly,,\n", 4, "temporal", "'yearly'"),
        ("1.2,1,value,Tỷ lệ,%,percent,,ratio,flow,,Tổng\n", 4, "numerator_vi", "tử số"),
        ("1.2,1,value,Tỷ lệ,%,percent,,ratio,flow,Đạt,\n", 4, "denominator_vi", "mẫu số"),
        ("1.2,1,value,Có/không,,choice,,distribution,stock,,\n", 4, "choices", "lựa chọn"),
        ("1.2,1,value,Có/không,,choice,0=Không;0=Có,distribution,stock,,\n", 4, "choices", "lặp lại"),
        ("1.2,1,value,Có/không,,choice,Không;Có,distribution,stock,,\n", 4, "choices", "mã=nhãn"),
        ("1.2,1,value,X,,integer,,ratio,flow,A,B\n", 4, "aggregate", "'ratio'"),
        ("1.2,1,value,X,,choice,0=A,sum,stock,,\n", 4, "aggregate", "'sum'"),
        ("1.2,1,value,X,,integer,0=A,sum,stock,,\n", 4, "choices", "không có lựa chọn"),
        ("1.2,1,group,X,,integer,,,,,\n", 4, "value_type", "nhóm"),
        ("1.2,1,value,X,,,,sum,flow,,\n", 4, "value_type", "thiếu"),
        ("1.2,1,section,X,,,,,,,\n", 4, "kind", "'section'"),
        (",1,value,X,,integer,,sum,flow,,\n", 4, "code", "thiếu mã"),
        ("1.2,1,value,,,integer,,sum,flow,,\n", 4, "name_vi", "thiếu tên"),
    ],
)
def test_malformed_rows_name_line_and_column(rows, line, column, fragment):
    with pytest.raises(CatalogError) as info:
        parse_catalog(HEADER + GOOD_ROWS + rows)
    error = info.value
    assert error.line == line
    assert error.column == column
    assert f"Dòng {line}, cột {column}" in str(error)
    assert fragment in str(error)


def test_parent_cycle_rejected():
    text = HEADER + "a,b,group,A,,,,,,,\nb,a,group,B,,,,,,,\n"
    with pytest.raises(CatalogError, match="vòng lặp"):
        parse_catalog(text)


def test_missing_column_and_empty_file():
    with pytest.raises(CatalogError, match="thiếu cột .*temporal"):
        parse_catalog("code,parent,kind,name_vi,value_type,aggregate\n1,,group,A,,\n")
    with pytest.raises(CatalogError, match="không có dòng nào"):
        parse_catalog(HEADER)


def test_line_numbers_count_quoted_newlines_and_bom(tmp_path):
    path = tmp_path / "cat.csv"
    text = HEADER + '1,,group,"Nhóm\ncó xuống dòng",,,,,,,\n1.1,2,value,X,,integer,,sum,flow,,\n'
    path.write_text("\ufeff" + text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert info.value.line == 4  # the quoted name spans lines 2-3


def test_catalog_is_immutable(catalog):
    with pytest.raises(AttributeError):
        catalog["1.1.1"].name = "khác"  # type: ignore[misc]
