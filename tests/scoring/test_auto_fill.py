"""Automatic criteria filled from approved reports (indicator) and the dossier store (metric)."""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cchc.cli import main
from cchc.onestop.store import DossierStore
from cchc.periods.models import Period
from cchc.periods.services import create_year_periods
from cchc.reporting.models import Catalog, Status, Submission, Value
from cchc.scoring import services

from .test_services_automatic import DOSSIERS, HEADER

pytestmark = pytest.mark.django_db

AUTO_YAML = """\
code: par-auto
name: Chỉ số CCHC tự động
year: 2022
unit_kind: huyen
bands:
  - {min: 80, label: Tốt}
  - {min: 0, label: Yếu}
criteria:
  - code: "1"
    name: Chỉ đạo, điều hành
    children:
      - {code: "1.1", name: "Kế hoạch CCHC", max: 2}
      - code: "1.2"
        name: Đối thoại với người dân
        max: 2
        method: indicator
        source: "1.5"
        rule: {type: proportional, target: 100}
      - code: "1.3"
        name: Điện tử hóa quy trình nội bộ
        max: 1
        method: indicator
        source: "3.3.4"
        rule: {type: proportional, target: 100}
      - code: "1.4"
        name: Hồ sơ giải quyết đúng hạn
        max: 2
        method: metric
        source: on_time_rate
        rule: {type: proportional, target: 100}
"""


@pytest.fixture
def auto_template(db):
    return services.load_template_text(AUTO_YAML)[0]


@pytest.fixture
def catalog(db) -> Catalog:
    return Catalog.objects.create(code="bnv-auto", name="Chỉ tiêu thử", source_text="x", source_hash="0" * 64)


@pytest.fixture
def periods(db) -> dict[str, Period]:
    create_year_periods(2022)
    return {p.code: p for p in Period.objects.filter(year=2022)}


@pytest.fixture
def empty_store(tmp_path) -> DossierStore:
    return DossierStore(tmp_path / "empty-store")


def report(unit, period, catalog, status: str, values: dict[str, dict], approved: bool = True) -> Submission:
    submission = Submission.objects.create(
        unit=unit,
        period=period,
        catalog=catalog,
        status=status,
        approved_at=timezone.now() if approved else None,
    )
    for code, fields in values.items():
        Value.objects.create(submission=submission, indicator_code=code, **fields)
    return submission


def test_indicators_of_an_approved_year_report_score_the_criteria(
    auto_template, catalog, periods, tree, scoring_users, empty_store
):
    unit = tree["district_a"]
    # Counts win over the stored rate: 3 / 4 → 75 %; a plain rate is used as stored.
    report(unit, periods["2022-Y"], catalog, Status.APPROVED, {
        "3.3.4": {"numerator": Decimal(3), "denominator": Decimal(4), "value": Decimal(10)},
        "1.5": {"value": Decimal(80)},
    })
    # The half-year report is not used when the year report exists.
    report(unit, periods["2022-H2"], catalog, Status.APPROVED, {"1.5": {"value": Decimal(20)}})
    assert services.indicator_inputs(unit, 2022) == {"3.3.4": Decimal(75), "1.5": Decimal(80)}
    assessment = services.get_or_create_assessment(auto_template, unit, 2022, scoring_users["h01"])
    points, missing = services.fill_automatic(assessment, scoring_users["h01"], store=empty_store)
    assert points == {"1.2": Decimal("1.6"), "1.3": Decimal("0.75")}
    assert missing == ["1.4"]
    row = assessment.leaves.get(code="1.3")
    assert (row.auto_points, row.auto_source, row.auto_source_value) == (
        Decimal("0.75"),
        "3.3.4",
        Decimal(75),
    )


def test_unapproved_reports_are_ignored_and_halves_used_in_order(
    auto_template, catalog, periods, tree, scoring_users, empty_store
):
    unit = tree["district_a"]
    submitted = {"1.5": {"value": Decimal(100)}}
    report(unit, periods["2022-Y"], catalog, Status.SUBMITTED, submitted, approved=False)
    # Locked without an approval (closed period, never approved) does not count either.
    report(unit, periods["2022-H2"], catalog, Status.LOCKED, {"1.5": {"value": Decimal(90)}}, approved=False)
    report(unit, periods["2022-H1"], catalog, Status.LOCKED, {"1.5": {"value": Decimal(50)}})
    assert services.indicator_inputs(unit, 2022) == {"1.5": Decimal(50)}
    assessment = services.get_or_create_assessment(auto_template, unit, 2022, services.SYSTEM)
    points, missing = services.fill_automatic(assessment, services.SYSTEM, store=empty_store)
    assert points == {"1.2": Decimal("1")}
    assert missing == ["1.3", "1.4"]
    # Another unit's approved report never reaches this unit.
    assert services.indicator_inputs(tree["district_b"], 2022) == {}


def test_dossier_metrics_reach_a_metric_criterion(auto_template, tree, scoring_users, tmp_path):
    source = tmp_path / "ho-so.csv"
    source.write_text(HEADER + DOSSIERS, encoding="utf-8")
    store = DossierStore(tmp_path / "dossiers")
    store.import_file(source)
    assert store.count() == 6
    assessment = services.get_or_create_assessment(auto_template, tree["district_a"], 2022, services.SYSTEM)
    points, missing = services.fill_automatic(assessment, scoring_users["h01"], store=store)
    assert points == {"1.4": Decimal("1.50")}  # 2 × 75 / 100
    assert missing == ["1.2", "1.3"]
    assert assessment.leaves.get(code="1.4").auto_source_value == Decimal(75)


@given(
    numerator=st.integers(min_value=0, max_value=10**6),
    denominator=st.integers(min_value=1, max_value=10**6),
    rate=st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
)
def test_ratio_value_from_counts_else_stored_rate(numerator, denominator, rate):
    with_counts = SimpleNamespace(numerator=Decimal(numerator), denominator=Decimal(denominator), value=rate)
    expected = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.0001"))
    assert abs(services._indicator_value(with_counts) - expected) <= Decimal("0.0001")
    no_counts = SimpleNamespace(numerator=None, denominator=None, value=rate)
    assert services._indicator_value(no_counts) == rate
    zero = SimpleNamespace(numerator=Decimal(numerator), denominator=Decimal(0), value=rate)
    assert services._indicator_value(zero) == rate


def test_button_and_post_view(
    client, auto_template, catalog, periods, tree, scoring_users, monkeypatch, tmp_path
):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))  # an empty dossier store
    unit = tree["district_a"]
    report(unit, periods["2022-Y"], catalog, Status.APPROVED, {"1.5": {"value": Decimal(100)}})
    assessment = services.get_or_create_assessment(auto_template, unit, 2022, services.SYSTEM)
    url = reverse("scoring:compute_auto", kwargs={"pk": assessment.pk})
    page = reverse("scoring:assessment", kwargs={"code": "par-auto", "unit_code": unit.code, "year": 2022})

    client.force_login(scoring_users["h02"])  # reporter of another district
    assert client.post(url).status_code == 403
    assert assessment.leaves.get(code="1.2").auto_points is None

    client.force_login(scoring_users["h01"])
    html = client.get(page).content.decode()
    assert "Tính các tiêu chí tự động" in html and url in html
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == page
    assert assessment.leaves.get(code="1.2").auto_points == Decimal(2)
    assert "Chưa có dữ liệu cho các tiêu chí tự động: 1.3, 1.4." in response.content.decode()

    client.force_login(scoring_users["viewer"])
    assert client.post(url).status_code == 403


def test_cli_compute_auto_json_and_errors(
    capsys, auto_template, catalog, periods, tree, monkeypatch, tmp_path
):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    source = tmp_path / "ho-so.csv"
    source.write_text(HEADER + DOSSIERS, encoding="utf-8")
    DossierStore().import_file(source)
    report(tree["district_a"], periods["2022-Y"], catalog, Status.APPROVED, {"3.3.4": {"value": Decimal(40)}})
    for unit in (tree["district_a"], tree["district_b"]):
        services.get_or_create_assessment(auto_template, unit, 2022, services.SYSTEM)

    code = main(["score", "compute-auto", "--template", "par-auto", "--year", "2022", "--json"])
    out, _err = capsys.readouterr()
    assert code == 0
    a, b = tree["district_a"].code, tree["district_b"].code
    assert json.loads(out) == {
        "assessments": 2,
        "filled": {a: {"1.3": 0.4, "1.4": 1.5}, b: {"1.4": 0}},
        "missing": {a: ["1.2"], b: ["1.2", "1.3"]},
    }

    code = main(["score", "compute-auto", "--template", "par-auto", "--year", "2022", "--unit", a, "--json"])
    out, _err = capsys.readouterr()
    assert code == 0 and json.loads(out)["assessments"] == 1

    code = main(["score", "compute-auto", "--template", "par-auto", "--year", "2023"])
    _out, err = capsys.readouterr()
    assert code == 1 and "par-auto" in err and "2023" in err
    code = main(["score", "compute-auto", "--template", "khong-co", "--year", "2022"])
    _out, err = capsys.readouterr()
    assert code == 1 and "khong-co" in err
