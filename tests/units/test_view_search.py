"""units:tree?q= — search by name or code, HTMX partial, history toggle."""

from __future__ import annotations

from django.urls import reverse


def search(client, **params):
    return client.get(reverse("units:tree"), params).content.decode()


def test_search_by_name_finds_deep_units(client, users):
    client.force_login(users["reporter"])
    html = search(client, q="Ia Ly")
    assert "UBND xã Ia Ly" in html
    assert "UBND huyện Chư Păh" in html  # shown as the parent
    assert "UBND tỉnh Bình Định" not in html
    assert "1 đơn vị khớp với “Ia Ly”" in html


def test_search_by_code_excludes_past_units_unless_asked(client, users):
    client.force_login(users["viewer"])
    html = search(client, q="H0")
    assert "UBND huyện Chư Păh" in html and "UBND huyện Ia Grai" not in html
    html = search(client, q="H0", history="1")
    assert "UBND huyện Ia Grai" in html and "lịch sử, hiệu lực đến 30/06/2025" in html


def test_htmx_search_returns_only_the_results(client, users):
    client.force_login(users["viewer"])
    response = client.get(reverse("units:tree"), {"q": "Sở"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<table" in html
    assert "Sở Nội vụ" in html and "Sở Tư pháp" in html


def test_no_match_says_so(client, users):
    client.force_login(users["viewer"])
    html = search(client, q="không-có-đơn-vị-này")
    assert "Không có đơn vị nào khớp với" in html


def test_search_form_is_wired_for_htmx(client, users):
    client.force_login(users["viewer"])
    html = search(client)
    assert 'hx-target="#tree-body"' in html and 'name="q"' in html and 'name="history"' in html
