"""Log in through the real login page with the demo accounts, in a real browser."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cchc.demo import loader
from cchc.units.models import Unit
from tests.browser.helpers import account, log_in, vi

pytestmark = pytest.mark.browser






@pytest.fixture
def demo(transactional_db) -> dict:
    return loader.load_demo(samples=False)




def test_officer_sees_the_vietnamese_dashboard_and_the_audit_link(page, live_server, demo) -> None:
    snv = account("snv")
    log_in(page, live_server, snv.username, snv.password)
    page.screenshot(path="/tmp/cchc-dashboard-officer.png", full_page=True)

    assert page.url == live_server.url + reverse("home")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("main h1").first.inner_text().strip() == vi("Dashboard")
    # The total card counts the units in operation today, in Vietnamese digit grouping (3.400).
    total = Unit.objects.valid_at(timezone.localdate()).count()
    card = page.locator(".cards .card").first
    assert card.locator(".label").inner_text().strip() == vi("All units")
    shown = card.locator(".num").inner_text().strip()
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", shown), shown
    assert int(shown.replace(".", "")) == total
    assert snv.full_name in page.locator("header .who").inner_text()

    audit_link = page.locator(f"header a[href='{reverse('audit')}']")
    assert audit_link.inner_text().strip() == vi("Audit log")
    audit_link.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url == live_server.url + reverse("audit")
    page.screenshot(path="/tmp/cchc-audit-officer.png", full_page=True)


def test_reporter_has_no_audit_link_and_is_refused(page, live_server, demo) -> None:
    stp = account("stp")
    log_in(page, live_server, stp.username, stp.password)
    page.screenshot(path="/tmp/cchc-dashboard-reporter.png", full_page=True)

    assert page.url == live_server.url + reverse("home")
    assert "Sở Tư pháp" in page.locator("header .who").inner_text()
    assert page.locator(f"a[href='{reverse('audit')}']").count() == 0
    response = page.goto(live_server.url + reverse("audit"))
    assert response is not None and response.status == 403


def test_wrong_password_shows_the_vietnamese_error(page, live_server, demo) -> None:
    log_in(page, live_server, "snv", "not-the-demo-password")
    page.screenshot(path="/tmp/cchc-login-error.png", full_page=True)

    assert page.url.startswith(live_server.url + reverse("login"))
    error = page.locator(".errorlist")
    assert error.inner_text().strip() == vi("Wrong username or password. Note that both are case-sensitive.")
    assert page.locator("header .who").count() == 0
