"""units:tree and units:children — the lazy tree of units valid today, with a history toggle."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cchc.units.models import Unit, UnitKind


@pytest.mark.parametrize("role", ["admin", "officer", "reporter", "viewer"])
def test_every_role_sees_the_top_units(client, users, role):
    client.force_login(users[role])
    response = client.get(reverse("units:tree"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "UBND tỉnh Gia Lai" in html and "UBND tỉnh Bình Định" in html
    assert 'id="unit-tree"' in html
    # Lazy: the communes are not in the first page.
    assert "UBND xã Ia Ly" not in html


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(reverse("units:tree"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_write_buttons_only_for_managers(client, users):
    client.force_login(users["viewer"])
    assert reverse("units:import") not in client.get(reverse("units:tree")).content.decode()
    client.force_login(users["officer"])
    assert reverse("units:import") in client.get(reverse("units:tree")).content.decode()


def test_children_are_loaded_on_demand_and_hide_abolished_units(client, users, tree):
    client.force_login(users["viewer"])
    html = client.get(reverse("units:tree")).content.decode()
    # The province node asks for its children when opened; 3 of its 4 children exist today.
    assert f'hx-get="{reverse("units:children", args=[tree["province"].pk])}"' in html
    assert 'hx-trigger="toggle once"' in html
    assert "(3)" in html

    children = client.get(reverse("units:children", args=[tree["province"].pk])).content.decode()
    assert "Sở Nội vụ" in children and "UBND huyện Chư Păh" in children
    assert "UBND huyện Ia Grai" not in children
    assert "<html" not in children


def test_history_toggle_shows_past_units_with_a_badge(client, users, tree):
    client.force_login(users["viewer"])
    url = reverse("units:children", args=[tree["province"].pk]) + "?history=1"
    html = client.get(url).content.decode()
    assert "UBND huyện Ia Grai" in html
    assert "lịch sử, hiệu lực đến 30/06/2025" in html
    # Opening a node of the history tree keeps the flag.
    assert "?history=1" in client.get(reverse("units:tree") + "?history=1").content.decode()


def test_valid_unit_under_an_abolished_parent_is_still_reachable(client, users, tree):
    Unit.objects.create(code="X0201", name="UBND xã Ia Sao", kind=UnitKind.COMMUNE, parent=tree["district_b"],
                        valid_from=dt.date(2000, 1, 1))
    client.force_login(users["viewer"])
    assert "UBND xã Ia Sao" in client.get(reverse("units:tree")).content.decode()


def test_children_of_unknown_unit_is_404(client, users):
    client.force_login(users["viewer"])
    assert client.get(reverse("units:children", args=[999999])).status_code == 404
