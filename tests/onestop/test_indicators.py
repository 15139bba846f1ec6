"""Indicators 3.4.x and 7.8.3/7.8.4 filled from a tiny hand-made dossier file, with exact counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.onestop.indicators import (
    FieldListError,
    fill_from_dossiers,
    indicator_counts,
    load_fields,
    parse_fields,
)
from cchc.reporting import services
from cchc.reporting.models import Source, Status

HEADER = "dossier_id,procedure_code,field,unit_code,level,channel,received_at,due_at,completed_at,status\n"
# 2021-Q1 data window: 15/12/2020 → 14/03/2021. Due times are explicit (no calendar needed).
ROWS = """\
d1,P1,Đất đai,STP,tinh,truc_tuyen_toan_trinh,2021-01-04 08:00,2021-01-10,2021-01-05 10:00,da_giai_quyet
d2,P2,XÂY DỰNG,STP,tinh,truc_tuyen_mot_phan,2021-01-04 08:00,2021-01-10,2021-01-20 10:00,da_giai_quyet
d3,P3,Nội vụ,SNV,tinh,truc_tiep,2021-01-04 08:00,2021-01-10,2021-01-06 10:00,da_giai_quyet
d4,P1,dat dai,H01,huyen,truc_tiep,2021-01-04 08:00,2021-01-10,2021-01-08 10:00,da_giai_quyet
d5,P2,Quản lý đất đai,H01,huyen,truc_tiep,2021-01-04 08:00,2021-01-10,2021-01-11 10:00,da_giai_quyet
d6,P3,Hộ tịch,H01,huyen,truc_tiep,2021-01-04 08:00,2021-05-10,,dang_xu_ly
d7,P3,Hộ tịch,X0101,xa,truc_tiep,2021-01-04 08:00,2021-01-10,2021-01-07 10:00,da_giai_quyet
d8,P2,Xây dựng,X0101,xa,buu_chinh,2021-01-04 08:00,2021-01-10,2021-01-09 10:00,da_giai_quyet
d9,P1,Đất đai,T52,tinh,truc_tuyen_toan_trinh,2021-01-04 08:00,2021-01-10,2021-01-05 10:00,da_giai_quyet
d10,P3,ĐẤT ĐAI,H02,,truc_tiep,2021-01-04 08:00,2021-01-10,2021-01-12 10:00,da_giai_quyet
d11,P1,Đất đai,STP,tinh,truc_tuyen_toan_trinh,2021-01-04 08:00,2021-01-10,,huy
d12,P1,Đất đai,STP,tinh,truc_tuyen_toan_trinh,2021-03-20 08:00,2021-03-30,2021-03-25 10:00,da_giai_quyet
"""
PROVINCE = {
    "3.4.1": (2, 3),  # d1 d3 on time, d2 late (tinh)
    "3.4.2": (1, 3),  # d4 on time; d5, d10 late (d10 has no level: H02 is a district)
    "3.4.3": (2, 2),  # d7 d8
    "3.4.4": (2, 4),  # đất đai: d1 d4 on time, d5 d10 late
    "3.4.4.a": (1, 1),
    "3.4.4.b": (1, 3),
    "3.4.5": (1, 2),  # xây dựng: d2 late, d8 on time
    "3.4.5.a": (0, 1),
    "3.4.5.c": (1, 1),
    "7.8.3": (1, 3),  # P2 (partly online → level 3): d2 online, d5 direct, d8 postal
    "7.8.4": (1, 2),  # P1 (fully online → level 4): d1 online, d4 direct
}
DISTRICT = {
    "3.4.2": (1, 2),
    "3.4.3": (2, 2),
    "3.4.4": (1, 2),
    "3.4.4.b": (1, 2),
    "3.4.5": (1, 1),
    "3.4.5.c": (1, 1),
    "7.8.3": (0, 2),
    "7.8.4": (0, 1),
}


@pytest.fixture
def dossiers(tmp_path):
    path = tmp_path / "ho-so.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


@pytest.fixture
def q1(db):
    from cchc.periods.models import Period
    from cchc.periods.services import create_year_periods

    create_year_periods(2021)
    return Period.objects.get(code="2021-Q1")


def _submission(unit, period):
    return services.get_or_create_submission(unit, period, services.default_catalog(), services.SYSTEM)


def _pairs(result):
    return {code: (v["numerator"], v["denominator"]) for code, v in result["values"].items()}


def test_pure_counts_of_the_province(dossiers):
    levels = {"T64": "tinh", "STP": "tinh", "SNV": "tinh", "H01": "huyen", "X0101": "xa", "H02": "huyen"}
    counts = indicator_counts(dossiers, dt.date(2020, 12, 15), dt.date(2021, 3, 14), levels)
    assert counts == PROVINCE


def test_fill_province_writes_exact_values(tree, q1, dossiers):
    result = fill_from_dossiers(tree["province"], q1, source=dossiers)
    assert _pairs(result) == PROVINCE
    assert result["values"]["3.4.1"]["rate"] == 66.67
    assert result["values"]["3.4.4.b"]["rate"] == 33.33
    assert result["window"] == {"from": "2020-12-15", "to": "2021-03-14"}
    submission = _submission(tree["province"], q1)
    stored = services.stored_values(submission)
    assert {c: (int(v.numerator), int(v.denominator)) for c, v in stored.items()} == PROVINCE
    assert {v.source for v in stored.values()} == {Source.DOSSIERS}
    again = fill_from_dossiers(tree["province"], q1, source=dossiers)
    assert again["saved"] == 0 and again["unchanged"] == len(PROVINCE)


def test_fill_district_counts_its_communes_only(tree, q1, dossiers):
    result = fill_from_dossiers(tree["district_a"], q1, source=dossiers)
    assert _pairs(result) == DISTRICT


def test_without_online_dossiers_no_service_level_rows(tree, q1, tmp_path):
    path = tmp_path / "truc-tiep.csv"
    offline = ROWS.replace("truc_tuyen_toan_trinh", "truc_tiep").replace("truc_tuyen_mot_phan", "truc_tiep")
    path.write_text(HEADER + offline, encoding="utf-8")
    result = fill_from_dossiers(tree["province"], q1, source=path)
    assert "7.8.3" not in result["values"] and "7.8.4" not in result["values"]
    assert _pairs(result)["3.4.1"] == (2, 3)


def test_known_service_levels_override_the_channels(dossiers):
    fields = parse_fields({**_shipped(), "service_levels": {"P3": 3}})
    levels = {"T64": "tinh", "H01": "huyen", "X0101": "xa"}
    counts = indicator_counts(dossiers, dt.date(2020, 12, 15), dt.date(2021, 3, 14), levels, fields)
    # P3 received at H01 (d6) and X0101 (d7), both in person, now level 3 with P2's d5 d8
    assert counts["7.8.3"] == (0, 4)


def test_refuses_a_submitted_report(tree, q1, dossiers):
    submission = _submission(tree["stp"], q1)
    services.save_values(submission, services.SYSTEM, {"1.1.1": "4", "1.1.2": "3"}, submission.version)
    services.submit(submission, services.SYSTEM)
    with pytest.raises(ValidationError) as info:
        fill_from_dossiers(tree["stp"], q1, source=dossiers)
    assert "chỉ báo cáo nháp hoặc bị trả lại" in " ".join(info.value.messages)
    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    assert not submission.values.filter(source=Source.DOSSIERS).exists()


def test_refuses_a_closed_period(tree, q1, dossiers):
    q1.is_open = False
    q1.save()
    with pytest.raises(ValidationError) as info:
        fill_from_dossiers(tree["stp"], q1, source=dossiers)
    assert "2021-Q1" in " ".join(info.value.messages)


def test_reporter_fills_own_unit_only(tree, users, q1, dossiers):
    result = fill_from_dossiers(tree["stp"], q1, source=dossiers, user=users["reporter"])
    assert _pairs(result) == {"3.4.1": (1, 2), "3.4.5": (0, 1), "3.4.5.a": (0, 1), "3.4.4": (1, 1),
                              "3.4.4.a": (1, 1), "7.8.3": (1, 1), "7.8.4": (1, 1)}
    for name, unit in (("reporter", "district_a"), ("officer", "stp"), ("viewer", "stp")):
        with pytest.raises(PermissionDenied):
            fill_from_dossiers(tree[unit], q1, source=dossiers, user=users[name])


def _shipped() -> dict:
    import yaml

    from cchc.onestop.indicators import FIELDS_FILE

    return yaml.safe_load(FIELDS_FILE.read_text(encoding="utf-8"))


def test_shipped_field_list_maps_catalog_rows():
    fields = load_fields()
    assert fields.rows == {"3.4.4": "dat_dai", "3.4.5": "xay_dung"}
    assert fields.field_of("ĐẤT ĐAI") == "dat_dai"
    assert fields.field_of("  quan ly dat-dai ") == "dat_dai"
    assert fields.field_of("Xây Dựng") == "xay_dung"
    assert fields.field_of("Hộ tịch") is None
    assert fields.field_of(None) is None


def _strip_accents(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in plain if not unicodedata.combining(c))


@settings(max_examples=60, deadline=None)
@given(alias=st.sampled_from(["Đất đai", "Quản lý đất đai", "Xây dựng", "Hoạt động xây dựng"]),
       flips=st.lists(st.booleans(), min_size=30, max_size=30), strip=st.booleans())
def test_field_names_match_without_case_or_accents(alias, flips, strip):
    fields = load_fields()
    text = _strip_accents(alias) if strip else alias
    pairs = zip(text, flips[: len(text)], strict=True)
    varied = "".join(c.upper() if flip else c.lower() for c, flip in pairs)
    assert fields.field_of(varied) == ("dat_dai" if "đất" in alias.lower() else "xay_dung")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({}, "fields"),
        ({"fields": {"dat_dai": {"aliases": []}}}, "dat_dai"),
        ({"fields": {"a": {"aliases": ["Đất đai"]}, "b": {"aliases": ["dat dai"]}}}, "“a” và “b”"),
        ({"fields": {"a": {"aliases": ["Đất đai"]}}, "rows": {"3.4.4": "x"}}, "3.4.4"),
        ({"fields": {"a": {"aliases": ["Đất đai"]}}, "service_levels": {"P1": 2}}, "P1"),
    ],
)
def test_bad_field_lists_are_named(data, fragment):
    with pytest.raises(FieldListError) as info:
        parse_fields(data)
    assert fragment in str(info.value)


def test_missing_field_file(tmp_path):
    with pytest.raises(FieldListError, match="Không tìm thấy"):
        load_fields(tmp_path / "khong-co.yaml")


def test_a_refused_fill_leaves_no_empty_draft(tree, q1, tmp_path, monkeypatch):
    from cchc.reporting.models import Submission

    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "trong"))
    with pytest.raises(ValidationError) as info:
        fill_from_dossiers(tree["stp"], q1)
    assert "Kho hồ sơ đang trống" in " ".join(info.value.messages)
    bad = tmp_path / "loi.csv"
    bad.write_text(HEADER + "x1,P1,Đất đai,STP,tinh,truc_tiep,ngay-sai,,,da_giai_quyet\n", encoding="utf-8")
    with pytest.raises(ValueError, match="2"):  # the reader names line 2
        fill_from_dossiers(tree["stp"], q1, source=bad)
    assert not Submission.objects.filter(unit=tree["stp"]).exists()
