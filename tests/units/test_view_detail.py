"""units:detail — code, kind, parent chain, children, validity, predecessors and successors."""

from __future__ import annotations

import pytest
from django.urls import reverse


def page(client, unit) -> str:
    response = client.get(reverse("units:detail", args=[unit.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_shows_parent_chain_kind_and_validity(client, users, tree):
    client.force_login(users["viewer"])
    html = page(client, tree["commune"])
    assert "X0101" in html and "UBND cấp xã" in html
    chain = html.index("UBND tỉnh Gia Lai"), html.index("UBND huyện Chư Păh")
    assert chain[0] < chain[1]
    assert "không giới hạn" in html and "đang hoạt động" in html


def test_historical_unit_shows_its_current_successor(client, users, tree):
    tree["district_b"].successors.add(tree["district_a"])
    client.force_login(users["viewer"])
    html = page(client, tree["district_b"])
    assert "lịch sử, hiệu lực đến 30/06/2025" in html
    assert "01/01/2000 – 30/06/2025" in html
    assert "Đơn vị kế thừa hiện nay" in html
    start = html.index("Đơn vị kế thừa hiện nay")
    assert "UBND huyện Chư Păh" in html[start:start + 600]

    successor = page(client, tree["district_a"])
    assert "Đơn vị tiền thân" in successor and "UBND huyện Ia Grai" in successor
    assert "Đơn vị kế thừa hiện nay" not in successor


def test_children_are_listed(client, users, tree):
    client.force_login(users["viewer"])
    html = page(client, tree["province"])
    for name in ("Sở Nội vụ", "Sở Tư pháp", "UBND huyện Chư Păh", "UBND huyện Ia Grai"):
        assert name in html


@pytest.mark.parametrize(("role", "unit", "shown"), [
    ("officer", "snv", True), ("admin", "other", True), ("officer", "other", False),
    ("viewer", "snv", False), ("reporter", "stp", False),
])
def test_edit_link_only_when_allowed(client, users, tree, role, unit, shown):
    client.force_login(users[role])
    html = page(client, tree[unit])
    assert (reverse("units:edit", args=[tree[unit].pk]) in html) is shown


def test_unknown_unit_is_404(client, users):
    client.force_login(users["viewer"])
    assert client.get(reverse("units:detail", args=[999999])).status_code == 404
