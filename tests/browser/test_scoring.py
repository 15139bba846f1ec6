"""The PAR-index workflow in a real browser on the Gia Lai demo: self-assessment with evidence → submit →
appraisal → publish → rank in the results → lost-points DOCX."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from cchc.demo import loader
from cchc.scoring.demo import load_scoring_demo
from cchc.scoring.models import Assessment, Evidence, Status
from tests.browser.helpers import log_in, vi

pytestmark = pytest.mark.browser

TEMPLATE = "par-district-2022"
UNIT = "GL-CHUPAH"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Chư Păh's 2022 draft leaves these manual criteria of areas 7 and 8 empty (demo `draft_areas`).
TYPED = {"7.1.1": "1,5", "7.1.3": "1,25", "7.2.1": "2", "7.4.1": "0,5", "8.2": "0,75"}
SHOTS = Path("/tmp")




@pytest.fixture
def demo(transactional_db, tmp_path, monkeypatch, settings) -> dict:
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    settings.MEDIA_ROOT = tmp_path / "files"
    loader.load_demo(samples=False)
    return load_scoring_demo()




def test_self_assess_appraise_publish_rank_and_lost_points_docx(page, live_server, demo, tmp_path) -> None:
    assert demo["published"] == {2021: 17, 2022: 16}
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. the reporter of Chư Păh completes the draft, with an evidence file, and submits it
    log_in(page, live_server, "chupah")
    page.goto(live_server.url + reverse("scoring:assessment", args=[TEMPLATE, UNIT, 2022]))
    assert page.locator("main h1").inner_text().startswith(vi("Self-assessment"))
    before = page.locator("#total-points").inner_text()
    for code, points in TYPED.items():
        page.fill(f'input[name="points-{code}"]', points)
    page.fill('textarea[name="comment-7.1.1"]', "Đã số hóa hồ sơ, kết quả giải quyết TTHC")
    # live totals (HTMX) follow the typed points before anything is saved
    page.wait_for_function(
        "before => document.querySelector('#total-points').textContent !== before", arg=before
    )
    # area 8 had 1 point (8.1 automatic); typing 0,75 for 8.2 shows 1,75 in its row before saving
    page.wait_for_function("() => document.querySelector('#score-8').textContent.trim() === '1,75'")
    proof = tmp_path / "so-hoa-ho-so.pdf"
    proof.write_bytes(PDF)
    block = page.locator("#evidence-7-1-1")
    block.locator('input[type="file"]').set_input_files(str(proof))
    block.locator("button.upload").click()
    page.locator("#evidence-7-1-1 a", has_text="so-hoa-ho-so.pdf").wait_for()
    # a wrong file type is refused in Vietnamese beside its criterion
    bad = tmp_path / "ghi-chu.txt"
    bad.write_text("không phải PDF", encoding="utf-8")
    other = page.locator("#evidence-8-2")
    other.locator('input[type="file"]').set_input_files(str(bad))
    other.locator("button.upload").click()
    page.locator("#evidence-8-2 .errorlist").wait_for()
    assert "Tiêu chí 8.2" in page.locator("#evidence-8-2 .errorlist").inner_text()
    page.locator("#row-7-1-1").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "cchc-scoring-assessment.png"))
    page.click("#submit")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#status").inner_text() == vi("Submitted")
    assessment = Assessment.objects.get(unit__code=UNIT, year=2022)
    assert assessment.status == Status.SUBMITTED
    assert str(assessment.leaves.get(code="7.1.3").self_points) == "1.25"
    assert Evidence.objects.filter(leaf_score__assessment=assessment).count() == 1

    # 2. the province officer appraises: 7.1.1 cut to 1 point
    log_in(page, live_server, "snv")
    page.goto(live_server.url + reverse("scoring:appraise", args=[assessment.pk]))
    assert page.locator("#row-7-1-1 a", has_text="so-hoa-ho-so.pdf").count() == 1
    page.fill('input[name="appraised-7.1.1"]', "1")
    page.fill('textarea[name="acomment-7.1.1"]', "Tài liệu chưa chứng minh đủ tỷ lệ số hóa")
    page.click("#save-appraisal")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#status").inner_text() == vi("Appraised")

    # 3. publish; the results rank Chư Păh among the 17 districts
    page.goto(live_server.url + reverse("scoring:results", args=[TEMPLATE, 2022]))
    page.click("#publish")
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-index') !== undefined")
    row = page.locator('#results-table tr[data-unit="GL-CHUPAH"]')
    assert re.fullmatch(r"\d{1,2}/17", row.locator("td.rank").inner_text().strip())
    assert re.fullmatch(r"\d{2},\d{2}", row.locator("td.index").inner_text().strip())
    assert page.evaluate("() => Chart.getChart('chart-index').data.labels.length") == 17
    page.screenshot(path=str(SHOTS / "cchc-scoring-results.png"), full_page=True)
    assert Assessment.objects.get(pk=assessment.pk).status == Status.PUBLISHED

    # 4. the unit's scorecard and its lost-points report as DOCX
    log_in(page, live_server, "chupah")
    page.goto(live_server.url + reverse("scoring:scorecard", args=[TEMPLATE, UNIT, 2022]))
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-areas') !== undefined")
    assert re.fullmatch(r"\d{1,2}/17", page.locator("#card-rank").inner_text().strip())
    assert page.locator("#lost-7-1-1").count() == 1  # the appraisal cut shows as lost points
    page.fill('textarea[name="note-7.1.1"]', "Bổ sung tài liệu số hóa hồ sơ")
    page.click("#save-remediation")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator('textarea[name="note-7.1.1"]').input_value() == "Bổ sung tài liệu số hóa hồ sơ"
    page.screenshot(path=str(SHOTS / "cchc-scoring-scorecard.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#lost-docx")
    download = info.value
    assert download.suggested_filename == "diem-bi-tru-GL-CHUPAH-2022.docx"
    data = Path(download.path()).read_bytes()
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
