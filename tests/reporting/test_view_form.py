"""The data-entry form: permissions, Vietnamese numbers, inline checks, conflicts, rules, workflow, XLSX."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.reporting import services
from cchc.reporting.models import Source, Status, Submission, Value
from cchc.reporting.numbers import format_vi

pytestmark = pytest.mark.django_db


def url(name: str, unit: str = "STP", period: str = "2021-H1") -> str:
    return reverse(f"reporting:{name}", args=[unit, period])


@pytest.fixture
def stp_draft(tree, catalog, h1):
    return services.get_or_create_submission(tree["stp"], h1, catalog, services.SYSTEM)


def test_form_permissions(client, rep_users, catalog, h1):
    for role, expected in [
        ("reporter", 200),
        ("officer", 200),
        ("admin", 200),
        ("district_reporter", 403),
        ("other_officer", 403),
        ("viewer", 403),
    ]:
        client.force_login(rep_users[role])
        assert client.get(url("form")).status_code == expected, role


def test_form_groups_by_area_with_codes_units_and_choices(client, rep_users, catalog, h1):
    client.force_login(rep_users["reporter"])
    html = client.get(url("form")).content.decode()
    for area in catalog.pure.areas:
        assert f'id="area-{area.code}"' in html
    assert "Số nhiệm vụ đề ra trong kế hoạch" in html and "Nhiệm vụ" in html
    assert 'name="v-1-1-1"' in html
    assert '<select class="v" name="v-1-5"' in html and ">Có</option>" in html
    ratio = next(i for i in catalog.pure.values() if i.aggregation.value == "ratio")
    assert f'name="n-{ratio.code.replace(".", "-")}"' in html
    assert f'name="d-{ratio.code.replace(".", "-")}"' in html


def test_save_vietnamese_numbers_and_note(client, rep_users, catalog, h1):
    client.force_login(rep_users["reporter"])
    ratio = next(i for i in catalog.pure.values() if i.aggregation.value == "ratio").code.replace(".", "-")
    response = client.post(
        url("save"),
        {
            "version": "",
            "v-1-1-1": "1.964",
            "v-1-1-2": "12",
            "note-1-1-1": "Theo kế hoạch 2021",
            f"n-{ratio}": "2.894",
            f"d-{ratio}": "10.000",
            "v-1-5": "1",
        },
    )
    assert response.status_code == 302
    sub = Submission.objects.get(unit__code="STP")
    values = services.stored_values(sub)
    assert values["1.1.1"].value == 1964 and values["1.1.1"].note == "Theo kế hoạch 2021"
    assert values["1.5"].text == "1"
    html = client.get(url("form")).content.decode()
    assert 'value="1.964"' in html
    assert "28,94%" in html  # the rate recomputed from 2.894/10.000


def test_save_refuses_bad_input_and_saves_nothing(client, rep_users, catalog, h1):
    client.force_login(rep_users["reporter"])
    response = client.post(url("save"), {"version": "", "v-1-1-1": "abc", "v-1-1-2": "3"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "1.1.1" in html and 'class="field-error"' in html
    assert not Value.objects.filter(indicator_code="1.1.2").exists()


def test_validate_field_fragment(client, rep_users, catalog, h1):
    client.force_login(rep_users["reporter"])
    bad = client.post(url("validate_field"), {"code": "1.1.1", "v-1-1-1": "-3"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    good = client.post(url("validate_field"), {"code": "1.1.1", "v-1-1-1": "1.964"})
    assert "field-error" not in good.content.decode() and "✓" in good.content.decode()
    client.force_login(rep_users["district_reporter"])
    assert client.post(url("validate_field"), {"code": "1.1.1", "v-1-1-1": "1"}).status_code == 403


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(num=st.integers(0, 10**6), extra=st.integers(0, 10**6))
def test_live_rate_is_numerator_over_denominator(client, rep_users, catalog, h1, num, extra):
    client.force_login(rep_users["reporter"])
    ratio = next(i for i in catalog.pure.values() if i.aggregation.value == "ratio")
    key = ratio.code.replace(".", "-")
    den = num + extra + 1
    response = client.post(
        url("validate_field"), {"code": ratio.code, f"n-{key}": format_vi(num), f"d-{key}": format_vi(den)}
    )
    from decimal import Decimal

    from cchc.reporting.aggregate import rate, round_half_up

    expected = format_vi(round_half_up(rate(Decimal(num), Decimal(den)), 2), 2) + "%"
    assert expected in response.content.decode()


def test_conflict_is_refused_and_names_what_changed(client, rep_users, stp_draft):
    services.save_values(stp_draft, services.SYSTEM, {"1.1.1": "5"}, stp_draft.version)
    stale = stp_draft.version - 1
    client.force_login(rep_users["reporter"])
    response = client.post(url("save"), {"version": stale, "v-1-1-1": "9"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="conflict"' in html and "1.1.1" in html
    assert services.stored_values(stp_draft)["1.1.1"].value == 5


def test_rule_error_blocks_submit_then_fix_submit_return_approve(client, rep_users, stp_draft):
    client.force_login(rep_users["reporter"])
    client.post(url("save"), {"version": stp_draft.version, "v-1-1-1": "10", "v-1-1-2": "12"})
    stp_draft.refresh_from_db()
    html = client.get(url("form")).content.decode()
    assert 'data-rule="R01"' in html and 'id="submit" disabled' in html
    row = html.split('id="row-1-1-2"')[1].split("</tr>")[0]
    assert 'class="badge rule-error"' in row and ">R01<" in row  # beside the values it compares
    refused = client.post(url("submit"), {"version": stp_draft.version})
    assert refused.status_code == 400 and "R01" in refused.content.decode()
    stp_draft.refresh_from_db()
    assert stp_draft.status == Status.DRAFT
    client.post(url("save"), {"version": stp_draft.version, "v-1-1-2": "8"})
    stp_draft.refresh_from_db()
    assert client.post(url("submit"), {"version": stp_draft.version}).status_code == 302
    stp_draft.refresh_from_db()
    assert stp_draft.status == Status.SUBMITTED
    # read-only now for the reporter
    assert 'id="save"' not in client.get(url("form")).content.decode()
    # officer of another province cannot decide
    client.force_login(rep_users["other_officer"])
    assert client.post(url("return"), {"comment": "x"}).status_code == 403
    client.force_login(rep_users["officer"])
    assert client.post(url("return"), {"comment": ""}).status_code == 400
    assert client.post(url("return"), {"comment": "Thiếu số liệu mục 2"}).status_code == 302
    stp_draft.refresh_from_db()
    assert stp_draft.status == Status.RETURNED
    client.force_login(rep_users["reporter"])
    assert "Thiếu số liệu mục 2" in client.get(url("form")).content.decode()
    client.post(url("submit"), {"version": stp_draft.version})
    client.force_login(rep_users["officer"])
    assert client.post(url("approve")).status_code == 302
    stp_draft.refresh_from_db()
    assert stp_draft.status == Status.APPROVED


def test_warning_needs_comment_before_submit(client, rep_users, stp_draft):
    client.force_login(rep_users["reporter"])
    client.post(url("save"), {"version": stp_draft.version, "v-4-2-1": "10", "v-4-2-2": "12"})
    stp_draft.refresh_from_db()
    html = client.get(url("form")).content.decode()
    assert 'name="rc-R13"' in html and 'id="submit" disabled' in html
    client.post(url("save"), {"version": stp_draft.version, "rc-R13": "Có 2 người biệt phái"})
    stp_draft.refresh_from_db()
    assert client.post(url("submit"), {"version": stp_draft.version}).status_code == 302


def test_viewer_and_other_reporter_cannot_write(client, rep_users, stp_draft):
    for role in ("viewer", "district_reporter", "officer"):
        client.force_login(rep_users[role])
        assert client.post(url("save"), {"version": stp_draft.version, "v-1-1-1": "3"}).status_code == 403
    assert not Value.objects.filter(submission=stp_draft).exists()


def test_dossier_badge(client, rep_users, stp_draft):
    services.save_values(
        stp_draft, services.SYSTEM, {"3.1.1": "4"}, stp_draft.version, source=Source.DOSSIERS
    )
    client.force_login(rep_users["reporter"])
    assert "từ hồ sơ một cửa" in client.get(url("form")).content.decode()


def test_xlsx_template_round_trip_and_bad_file(client, rep_users, stp_draft):
    from openpyxl import load_workbook

    client.force_login(rep_users["reporter"])
    response = client.get(url("template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "1.1.1")
    sheet.cell(row, 4).value = 17
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.name = "phu-luc.xlsx"
    buffer.seek(0)
    assert client.post(url("upload"), {"file": buffer}).status_code == 302
    assert services.stored_values(stp_draft)["1.1.1"].value == 17
    sheet.cell(row, 4).value = "mười"
    bad = io.BytesIO()
    book.save(bad)
    bad.name = "phu-luc.xlsx"
    bad.seek(0)
    refused = client.post(url("upload"), {"file": bad})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'id="upload-errors"' in html and f'<td class="num">{row}</td>' in html
    assert services.stored_values(stp_draft)["1.1.1"].value == 17
    client.force_login(rep_users["district_reporter"])
    assert client.get(url("template")).status_code == 403


def test_upload_refuses_a_non_xlsx_file_with_its_name(client, rep_users, stp_draft):
    client.force_login(rep_users["reporter"])
    text = io.BytesIO(b"STT;Chi tieu\n1.1.1;5\n")
    text.name = "so-lieu.csv"
    response = client.post(url("upload"), {"file": text})
    assert response.status_code == 400
    assert "so-lieu.csv" in response.content.decode()
    assert not Value.objects.filter(submission=stp_draft).exists()


def test_form_typed_before_the_draft_existed_does_not_overwrite(client, rep_users, stp_draft):
    services.save_values(stp_draft, services.SYSTEM, {"1.1.1": "5"}, stp_draft.version)
    client.force_login(rep_users["reporter"])
    response = client.post(url("save"), {"version": "", "v-1-1-1": "9"})
    assert response.status_code == 409
    assert services.stored_values(stp_draft)["1.1.1"].value == 5


def test_fill_from_dossiers_button_only_where_the_user_may_edit(client, rep_users, stp_draft):
    fill_url = reverse("onestop:fill_indicators", args=["STP", "2021-H1"])
    client.force_login(rep_users["reporter"])
    assert f'action="{fill_url}"' in client.get(url("form")).content.decode()
    client.force_login(rep_users["officer"])  # officers approve; they do not enter figures
    assert f'action="{fill_url}"' not in client.get(url("form")).content.decode()
