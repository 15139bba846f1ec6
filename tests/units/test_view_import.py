"""units:import — CSV/XLSX upload; officers only within their province; every row error shown."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.units.models import Unit

from .helpers import csv_text, write_xlsx

URL_NAME = "units:import"


def upload(name: str, text: str) -> dict:
    return {"file": SimpleUploadedFile(name, text.encode("utf-8"))}


GOOD = csv_text([["SYT", "Sở Y tế", "so_nganh", "T64", "2025-07-01", "", ""],
                 ["PYT", "Phòng Y tế", "other", "SYT", "", "", ""]])


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_readers_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse(URL_NAME)).status_code == 403
    assert client.post(reverse(URL_NAME), upload("u.csv", GOOD)).status_code == 403
    assert not Unit.objects.filter(code="SYT").exists()


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_managers_import_a_csv(client, users, role):
    client.force_login(users[role])
    assert "enctype=\"multipart/form-data\"" in client.get(reverse(URL_NAME)).content.decode()
    response = client.post(reverse(URL_NAME), upload("donvi.csv", GOOD), follow=True)
    assert response.redirect_chain[-1] == (reverse("units:tree"), 302)
    assert "tạo mới 2 đơn vị, cập nhật 0 đơn vị" in response.content.decode()
    assert Unit.objects.get(code="PYT").parent.code == "SYT"


def test_admin_imports_an_xlsx(client, users, tmp_path):
    path = write_xlsx(tmp_path / "u.xlsx", [["T01", "Tỉnh mới", "tinh", None, None, None, None]])
    client.force_login(users["admin"])
    response = client.post(reverse(URL_NAME), {"file": SimpleUploadedFile("u.xlsx", path.read_bytes())})
    assert response.status_code == 302
    assert Unit.objects.filter(code="T01", parent__isnull=True).exists()


def test_officer_of_another_province_is_refused_row_by_row(client, other_officer):
    client.force_login(other_officer)
    response = client.post(reverse(URL_NAME), upload("u.csv", GOOD))
    assert response.status_code == 403
    html = response.content.decode()
    assert "import-errors" in html and "nằm ngoài phạm vi" in html
    assert '<td class="num">2</td>' in html
    assert not Unit.objects.filter(code__in=["SYT", "PYT"]).exists()


def test_officer_cannot_add_top_level_units(client, users):
    client.force_login(users["officer"])
    text = csv_text([["T99", "Tỉnh lạ", "tinh", "", "", "", ""]])
    response = client.post(reverse(URL_NAME), upload("u.csv", text))
    assert response.status_code == 403
    assert "chỉ quản trị viên" in response.content.decode()
    assert not Unit.objects.filter(code="T99").exists()


def test_every_bad_row_is_listed_and_nothing_saved(client, users):
    text = csv_text([
        ["SYT", "Sở Y tế", "so_nganh", "T64", "", "", ""],
        ["A", "", "xa", "T64", "", "", ""],
        ["B", "Xã B", "thon", "T64", "", "", ""],
        ["C", "Xã C", "xa", "KHONG", "2025-13-01", "", ""],
    ])
    client.force_login(users["officer"])
    response = client.post(reverse(URL_NAME), upload("u.csv", text))
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('class="import-errors"'):]
    for line in (3, 4, 5):
        assert f'<td class="num">{line}</td>' in table
    assert table.count("<tr>") == 1 + 4  # header + four problems
    assert "tên đơn vị để trống" in table and "KHONG" in table
    assert "chưa được nhập" in html
    assert not Unit.objects.filter(code="SYT").exists()


def test_unsupported_type_is_refused_before_reading(client, users):
    client.force_login(users["officer"])
    response = client.post(reverse(URL_NAME), upload("u.docx", GOOD))
    assert response.status_code == 200
    assert "Không hỗ trợ loại tệp “.docx”" in response.content.decode()


def test_upload_size_is_limited(client, users, settings):
    settings.CCHC_MAX_UPLOAD_BYTES = 10
    client.force_login(users["officer"])
    response = client.post(reverse(URL_NAME), upload("u.csv", GOOD))
    assert response.status_code == 200
    assert "Tệp lớn hơn giới hạn" in response.content.decode()
    assert not Unit.objects.filter(code="SYT").exists()
