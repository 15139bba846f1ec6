"""`cchc score load-templates / import-survey / results` against the database."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from cchc.cli import main
from cchc.scoring.models import LeafScore, ScoringTemplate
from cchc.scoring.template import shipped_templates

from .conftest import MINI_YAML
from .test_services_results import full, scored

pytestmark = pytest.mark.django_db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_load_templates_shipped_then_unchanged(capsys):
    code, out, _err = run(capsys, "score", "load-templates", "--json")
    assert code == 0
    rows = {row["code"]: row for row in json.loads(out)["templates"]}
    assert set(rows) == {"par-district-2022", "par-department-2022", "par-commune-2022", "service-766"}
    assert rows["par-district-2022"]["max"] == 89 and rows["par-district-2022"]["action"] == "created"
    assert ScoringTemplate.objects.get(code="par-district-2022").source == shipped_templates()[
        "par-district-2022"
    ].read_text(encoding="utf-8")
    code, out, _err = run(capsys, "score", "load-templates", "--json")
    assert {row["action"] for row in json.loads(out)["templates"]} == {"unchanged"}


def test_load_template_file_and_invalid_file(capsys, tmp_path):
    good = tmp_path / "mini.yaml"
    good.write_text(MINI_YAML, encoding="utf-8")
    code, out, _err = run(capsys, "score", "load-templates", str(good))
    assert code == 0 and "par-mini" in out and "đã tạo" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI_YAML.replace("max: 3}", "max: -3}"), encoding="utf-8")
    code, _out, err = run(capsys, "score", "load-templates", str(bad))
    assert code == 1 and "bad.yaml" in err and "2.1" in err and len(err.strip().splitlines()) == 1


def test_import_survey_and_errors(capsys, tmp_path, mini_template, tree):
    data = tmp_path / "khaosat.csv"
    data.write_text("unit_code,leaf_code,points\nH01,2.2,1.5\n", encoding="utf-8")
    code, out, _err = run(
        capsys, "score", "import-survey", "--template", "par-mini", "--year", "2022", str(data), "--json"
    )
    assert code == 0 and json.loads(out) == {"rows": 1, "assessments": 1}
    assert LeafScore.objects.get(code="2.2").survey_points == 1.5
    data.write_text("unit_code,leaf_code,points\nH01,2.2,9\n", encoding="utf-8")
    code, _out, err = run(
        capsys, "score", "import-survey", "--template", "par-mini", "--year", "2022", str(data)
    )
    assert code == 1 and "Dòng 2" in err and "2.2" in err
    code, _out, err = run(
        capsys, "score", "import-survey", "--template", "khong-co", "--year", "2022", str(data)
    )
    assert code == 1 and "khong-co" in err and "par-mini" in err


def test_results_json_and_xlsx(capsys, tmp_path, mini_template, tree, scoring_users):
    admin = scoring_users["admin"]
    scored(mini_template, tree["district_a"], 2022, full("5"), admin)
    scored(mini_template, tree["district_b"], 2022, full("6"), admin)
    out_file = tmp_path / "ket-qua.xlsx"
    code, out, _err = run(
        capsys,
        "score",
        "results",
        "--template",
        "par-mini",
        "--year",
        "2022",
        "--json",
        "--xlsx",
        str(out_file),
    )
    assert code == 0
    rows = json.loads(out)["rows"]
    assert [(r["unit"], r["total"], r["index"], r["rank"], r["band"]) for r in rows] == [
        ("H02", 8, 80, 1, "Tốt"),
        ("H01", 7, 70, 2, "Khá"),
    ]
    assert rows[0]["areas"] == {"1": 5, "2": 3}  # 1.1 = 2, 1.2 = 1, 1.3 = 2; 2.1 = 3
    sheet = openpyxl.load_workbook(io.BytesIO(out_file.read_bytes())).active
    assert sheet.cell(3, 2).value == "H02"
    code, out, _err = run(capsys, "score", "results", "--template", "par-mini", "--year", "2022")
    assert "1/2" in out and "80,00%" in out
    code, _out, err = run(capsys, "score", "results", "--template", "par-mini", "--year", "2019")
    assert code == 1 and "2019" in err
