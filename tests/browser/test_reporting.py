"""Indicator reporting in a real browser on the Gia Lai demo: a unit reporter fills the 2021-H1 report,
is stopped by rule R01 (tasks completed above the planned count), fixes it and submits; the province
officer returns it with a comment; the reporter fixes and resubmits; the officer approves."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from cchc.demo import loader
from cchc.reporting.models import Status, Submission
from tests.browser.helpers import log_in, vi

pytestmark = pytest.mark.browser

UNIT = "GL-STP"
PERIOD = "2021-H1"
SHOTS = Path("/tmp")




@pytest.fixture
def demo(transactional_db, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    loader.load_demo(samples=False)




def open_form(page, live_server) -> None:
    page.goto(live_server.url + reverse("reporting:form", args=[UNIT, PERIOD]))


def click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def submission() -> Submission:
    return Submission.objects.get(unit__code=UNIT, period__code=PERIOD)


def test_fill_error_fix_submit_return_resubmit_approve(page, live_server, demo) -> None:
    # 1. the reporter of Sở Tư pháp types figures; the field check runs as she types (HTMX)
    log_in(page, live_server, "stp")
    open_form(page, live_server)
    assert page.locator("#status").inner_text() == vi("Not started")
    page.fill('input[name="v-1-1-1"]', "-3")
    page.locator("#st-1-1-1 .field-error").wait_for()
    assert "1.1.1" in page.locator("#st-1-1-1 .field-error").inner_text()
    page.fill('input[name="v-1-1-1"]', "10")
    page.wait_for_function("() => !document.querySelector('#st-1-1-1 .field-error')")
    page.fill('input[name="v-1-1-2"]', "12")
    page.fill('input[name="note-1-1-2"]', "Gồm cả nhiệm vụ phát sinh")
    page.fill('input[name="v-3-1-3"]', "1.964")
    page.fill('input[name="n-3-4-1"]', "2.894")
    page.fill('input[name="d-3-4-1"]', "10.000")
    page.locator("#st-3-4-1 output.rate", has_text="28,94%").wait_for()  # the rate, live
    page.select_option('select[name="v-1-5"]', "1")
    click(page, "#save")

    # rule R01: completed (12) above planned (10) is an error; submit is blocked
    errors = page.locator('#rules li.error[data-rule="R01"]')
    assert errors.count() == 1 and "12" in errors.inner_text() and "10" in errors.inner_text()
    assert page.locator("#submit").is_disabled()
    stored = submission()
    assert stored.values.get(indicator_code="3.1.3").value == 1964
    assert stored.values.get(indicator_code="1.1.2").note == "Gồm cả nhiệm vụ phát sinh"
    assert page.locator('input[name="v-3-1-3"]').input_value() == "1.964"
    page.locator("#area-1").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "cchc-reporting-form.png"), full_page=False)

    # fixed: 8 of 10 done; the error is gone and the report goes to the province
    page.fill('input[name="v-1-1-2"]', "8")
    click(page, "#save")
    assert page.locator('#rules li.error[data-rule="R01"]').count() == 0
    click(page, "#submit")
    assert page.locator("#status").inner_text() == vi("Submitted")
    assert page.locator("#save").count() == 0  # read only once submitted
    assert submission().status == Status.SUBMITTED

    # 2. the province officer returns it with a comment
    log_in(page, live_server, "snv")
    open_form(page, live_server)
    page.fill("#id_comment", "Mục 1.1.3: chưa báo cáo số văn bản chỉ đạo CCHC")
    click(page, "#return")
    assert page.locator("#status").inner_text() == vi("Returned")
    assert submission().status == Status.RETURNED

    # 3. the reporter sees why, completes and resubmits
    log_in(page, live_server, "stp")
    open_form(page, live_server)
    assert "chưa báo cáo số văn bản chỉ đạo" in page.locator("#return-comment").inner_text()
    page.fill('input[name="v-1-1-3"]', "4")
    click(page, "#save")
    click(page, "#submit")
    assert page.locator("#status").inner_text() == vi("Submitted")

    # 4. the officer approves
    log_in(page, live_server, "snv")
    open_form(page, live_server)
    click(page, "#approve")
    assert page.locator("#status").inner_text() == vi("Approved")
    final = submission()
    assert final.status == Status.APPROVED
    assert final.values.get(indicator_code="1.1.3").value == 4
    assert final.values.get(indicator_code="1.1.2").value == 8
