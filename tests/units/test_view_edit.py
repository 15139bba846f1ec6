"""units:edit — the unit and its new parent must be in the user's scope; no cycles."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cchc.units.models import Unit


def url(unit: Unit) -> str:
    return reverse("units:edit", args=[unit.pk])


def data(unit: Unit, **overrides) -> dict:
    values = {
        "code": unit.code, "name": unit.name, "kind": unit.kind,
        "parent_code": unit.parent.code if unit.parent else "",
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else "",
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else "",
        "successor_codes": "; ".join(unit.successors.values_list("code", flat=True)),
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_readers_are_refused(client, users, tree, role):
    client.force_login(users[role])
    assert client.get(url(tree["snv"])).status_code == 403
    assert client.post(url(tree["snv"]), data(tree["snv"], name="Đổi tên")).status_code == 403
    assert Unit.objects.get(code="SNV").name == "Sở Nội vụ"


def test_officer_of_another_province_is_refused(client, other_officer, tree):
    client.force_login(other_officer)
    assert client.get(url(tree["snv"])).status_code == 403
    assert client.post(url(tree["snv"]), data(tree["snv"], name="Đổi tên")).status_code == 403
    assert Unit.objects.get(code="SNV").name == "Sở Nội vụ"


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_managers_edit_and_it_is_audited(client, users, tree, role):
    client.force_login(users[role])
    form = client.get(url(tree["snv"])).content.decode()
    assert 'value="Sở Nội vụ"' in form and 'value="T64"' in form

    response = client.post(url(tree["snv"]), data(tree["snv"], name="Sở Nội vụ tỉnh Gia Lai"))
    assert response.status_code == 302
    unit = Unit.objects.get(code="SNV")
    assert unit.name == "Sở Nội vụ tỉnh Gia Lai" and unit.parent == tree["province"]
    entry = LogEntry.objects.get_for_object(unit).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == users[role]
    assert entry.changes_dict["name"] == ["Sở Nội vụ", "Sở Nội vụ tỉnh Gia Lai"]


def test_officer_may_not_move_a_unit_out_of_the_province(client, users, tree):
    client.force_login(users["officer"])
    assert client.post(url(tree["snv"]), data(tree["snv"], parent_code="T52")).status_code == 403
    assert client.post(url(tree["province"]), data(tree["province"], name="Tỉnh")).status_code == 302
    assert client.post(url(tree["other"]), data(tree["other"], name="Tỉnh khác")).status_code == 403
    assert Unit.objects.get(code="SNV").parent == tree["province"]
    assert Unit.objects.get(code="T52").name == "UBND tỉnh Bình Định"


def test_parent_cycle_is_refused(client, users, tree):
    client.force_login(users["admin"])
    response = client.post(url(tree["province"]), data(tree["province"], parent_code="X0101"))
    assert response.status_code == 200
    assert "vòng lặp" in response.content.decode()
    assert Unit.objects.get(code="T64").parent is None


def test_marking_a_unit_historical_with_its_successor(client, users, tree):
    client.force_login(users["officer"])
    response = client.post(url(tree["stp"]), data(tree["stp"], valid_to="2025-06-30", successor_codes="SNV"))
    assert response.status_code == 302
    unit = Unit.objects.get(code="STP")
    assert unit.valid_to.isoformat() == "2025-06-30"
    assert list(unit.successors.values_list("code", flat=True)) == ["SNV"]
    response = client.post(url(tree["stp"]), data(unit, valid_from="2025-07-01"))
    assert response.status_code == 200
    assert "Ngày hết hiệu lực sớm hơn ngày bắt đầu" in response.content.decode()
