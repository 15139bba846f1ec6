"""The "fill from dossiers" button: POST only, the unit's reporter fills from the store, messages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.onestop.store import DossierStore
from cchc.reporting import services
from cchc.reporting.models import Source
from tests.onestop.test_indicators import HEADER, ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "du-lieu"))
    path = tmp_path / "ho-so.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    DossierStore().import_file(path)
    return DossierStore()


@pytest.fixture
def q1(db):
    from cchc.periods.models import Period
    from cchc.periods.services import create_year_periods

    create_year_periods(2021)
    return Period.objects.get(code="2021-Q1")


def _url(unit: str = "STP", period: str = "2021-Q1") -> str:
    return reverse("onestop:fill_indicators", kwargs={"unit_code": unit, "period_code": period})


def test_reporter_fills_own_report_from_the_store(client, users, tree, q1, store):
    client.force_login(users["reporter"])
    response = client.post(_url(), follow=True)
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert texts == ["Đã điền 7 chỉ tiêu kỳ 2021-Q1 từ hồ sơ."]
    catalog = services.default_catalog()
    submission = services.get_or_create_submission(tree["stp"], q1, catalog, services.SYSTEM)
    stored = services.stored_values(submission)
    assert (int(stored["3.4.1"].numerator), int(stored["3.4.1"].denominator)) == (1, 2)
    assert stored["3.4.1"].source == Source.DOSSIERS
    assert stored["3.4.1"].updated_by == users["reporter"]


def test_redirects_to_the_report_form(client, users, tree, q1, store):
    client.force_login(users["reporter"])
    response = client.post(_url())
    assert response.status_code == 302
    try:
        expected = reverse("reporting:form", kwargs={"unit_code": "STP", "period_code": "2021-Q1"})
    except Exception:  # the form page is not there yet
        expected = reverse("onestop:dashboard")
    assert response["Location"] == expected


def test_other_units_reporter_and_get_are_refused(client, users, tree, q1, store):
    client.force_login(users["reporter"])
    assert client.post(_url("H01")).status_code == 403
    assert client.get(_url()).status_code == 405
    assert client.post(_url("KHONG")).status_code == 404


def test_empty_store_is_a_message_not_an_error(client, users, tree, q1, tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "trong"))
    client.force_login(users["admin"])
    response = client.post(_url(), follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) == 1 and texts[0].startswith("Kho hồ sơ đang trống")
