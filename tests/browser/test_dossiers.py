"""The one-stop dossier dashboard in a real browser, with the Gia Lai demo dossiers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cchc.demo import loader
from cchc.onestop.demo import load_dossier_demo
from tests.browser.helpers import log_in, vi

pytestmark = pytest.mark.browser




@pytest.fixture
def demo(transactional_db, tmp_path, monkeypatch) -> dict:
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    loader.load_demo(samples=False)
    return load_dossier_demo()




def test_officer_sees_charts_and_late_dossiers_without_apology(page, live_server, demo) -> None:
    assert demo["count"] == 50_000
    snv = next(a for a in loader.read_accounts() if a.username == "snv")
    log_in(page, live_server, snv.username, snv.password)
    page.goto(live_server.url + reverse("onestop:dashboard") + "?period=2021-H1")
    page.wait_for_load_state("load")
    # Chart.js drew the bar chart: the canvas got its pixel size from the library
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-units') !== undefined")
    page.screenshot(path="/tmp/cchc-dossiers-dashboard.png", full_page=True)
    page.screenshot(path="/tmp/cchc-dossiers-top.png")
    page.locator("#level-field").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/cchc-dossiers-trend.png")

    assert page.locator("main h1").first.inner_text().strip() == vi("One-stop dossiers")
    assert page.locator("#chart-units").is_visible()
    assert page.locator("#chart-months").is_visible()
    bars = page.evaluate("() => Chart.getChart('chart-units').data.labels.length")
    assert bars > 50
    # one readable bar per unit: the box is sized by the number of units (not a localised "2.370")
    assert page.locator("#chart-units").bounding_box()["height"] > 20 * bars
    # the received card in Vietnamese digit grouping
    received = page.locator(".cards .card .num").first.inner_text().strip()
    assert re.fullmatch(r"\d{1,3}(\.\d{3})+", received), received
    late = page.locator("table.late-table tbody tr")
    assert late.count() == 10
    assert re.fullmatch(r"GL-2021\d\d-\d{6}", late.first.locator("td").first.inner_text().strip())
    assert page.locator("section#index766 table tbody tr").count() > 50
    page.locator("#index766").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/cchc-dossiers-index766.png")

    page.click(f"a:has-text('{vi('All late dossiers without apology')}')")
    page.wait_for_load_state("domcontentloaded")
    assert page.url.startswith(live_server.url + reverse("onestop:late"))
    assert page.locator("table.dossiers tbody tr").count() == 50
    page.screenshot(path="/tmp/cchc-dossiers-late.png", full_page=True)
