"""units:create — managers only, the parent must be in the user's scope; validation in Vietnamese."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cchc.units.models import Unit


def url(**params) -> str:
    base = reverse("units:create")
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def data(**overrides) -> dict:
    values = {"code": "SYT", "name": "Sở Y tế", "kind": "so_nganh", "parent_code": "T64", "valid_from": "",
              "valid_to": "", "successor_codes": ""}
    values.update(overrides)
    return values


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_readers_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(url()).status_code == 403
    assert client.post(url(), data()).status_code == 403
    assert not Unit.objects.filter(code="SYT").exists()


def test_officer_of_another_province_is_refused(client, other_officer, tree):
    client.force_login(other_officer)
    assert client.get(url(parent=tree["province"].pk)).status_code == 403
    assert client.post(url(), data()).status_code == 403
    assert not Unit.objects.filter(code="SYT").exists()
    # Under their own province it works.
    assert client.post(url(), data(parent_code="T52")).status_code == 302


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_managers_create_a_unit_and_it_is_audited(client, users, tree, role):
    client.force_login(users[role])
    form = client.get(url(parent=tree["province"].pk)).content.decode()
    assert 'value="T64"' in form

    response = client.post(url(), data(valid_from="2025-07-01", successor_codes=""))
    unit = Unit.objects.get(code="SYT")
    assert response.status_code == 302 and response["Location"] == reverse("units:detail", args=[unit.pk])
    assert unit.parent == tree["province"] and unit.valid_from.isoformat() == "2025-07-01"
    entry = LogEntry.objects.get_for_object(unit).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == users[role]


def test_only_admin_creates_a_top_level_unit(client, users):
    client.force_login(users["officer"])
    assert client.post(url(), data(code="T99", kind="tinh", parent_code="")).status_code == 403
    client.force_login(users["admin"])
    assert client.post(url(), data(code="T99", kind="tinh", parent_code="")).status_code == 302
    assert Unit.objects.get(code="T99").parent is None


def test_successors_are_set_by_code(client, users, tree):
    client.force_login(users["officer"])
    client.post(url(), data(code="H09", kind="huyen", valid_to="2025-06-30", successor_codes="H01; X0101"))
    assert sorted(Unit.objects.get(code="H09").successors.values_list("code", flat=True)) == ["H01", "X0101"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"valid_from": "2025-07-01", "valid_to": "2025-06-30"}, "Ngày hết hiệu lực sớm hơn ngày bắt đầu"),
    ({"parent_code": "KHONG"}, "Không có đơn vị nào mã “KHONG”"),
    ({"successor_codes": "H01; KHONG"}, "Không có đơn vị nào mã “KHONG”"),
    ({"successor_codes": "SYT"}, "không thể kế thừa chính nó"),
    ({"code": "SNV"}, "đã tồn tại"),
    ({"name": ""}, "bắt buộc"),
    ({"kind": "lang"}, "lang"),
])
def test_invalid_input_is_explained(client, users, overrides, message):
    client.force_login(users["officer"])
    response = client.post(url(), data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Unit.objects.filter(name="Sở Y tế").exists()
