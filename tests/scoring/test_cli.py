"""`cchc score …` through the real entry point: JSON contract, Vietnamese summary, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cchc.cli import COMMAND_MODULES, main

from .helpers import areas_template_yaml

ACCEPTANCE = {"1": 12, "2": 8.25, "3": 16.1, "4": 7, "5": 13.75, "6": 7.5, "7": 12.3, "8": 2}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    template = tmp_path / "par.yaml"
    template.write_text(areas_template_yaml(), encoding="utf-8")
    scores = tmp_path / "diem.json"
    scores.write_text(json.dumps(ACCEPTANCE), encoding="utf-8")
    return {"template": template, "scores": scores, "dir": tmp_path}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_registered():
    assert "cchc.scoring.cli" in COMMAND_MODULES


def test_compute_json_acceptance(files, capsys):
    code, out, err = run(
        capsys,
        "score",
        "compute",
        "--template",
        str(files["template"]),
        "--scores",
        str(files["scores"]),
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == 78.9
    assert data["max"] == 89
    assert data["index"] == 88.65
    assert data["band"] == "Tốt"
    assert [area["index"] for area in data["criteria"]] == [92.31, 82.5, 92, 93.33, 88.71, 93.75, 82, 80]
    assert [area["lost"] for area in data["criteria"]] == [1, 1.75, 1.4, 0.5, 1.75, 0.5, 2.7, 0.5]
    assert set(data["criteria"][0]) == {"code", "name", "score", "max", "index", "lost", "children"}
    assert "78.9000" not in out and "0000000" not in out


def test_compute_text_summary(files, capsys):
    code, out, _ = run(
        capsys, "score", "compute", "--template", str(files["template"]), "--scores", str(files["scores"])
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Tổng điểm 78,9/89 — chỉ số 88,65% — xếp loại Tốt"
    assert "  3. Cải cách thủ tục hành chính: 16,1/17,5 (92,00%)" in lines


def test_scores_in_yaml_and_missing_leaves(files, capsys):
    scores = files["dir"] / "diem.yaml"
    scores.write_text("1: 12\n3: 16.1\n8: ~\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "score", "compute", "--template", str(files["template"]), "--scores", str(scores), "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 28.1
    assert data["not_scored"] == ["2", "4", "5", "6", "7", "8"]
    code, out, _ = run(
        capsys, "score", "compute", "--template", str(files["template"]), "--scores", str(scores)
    )
    assert "6 tiêu chí chưa chấm (tính 0 điểm): 2, 4, 5, 6, 7, 8" in out


def test_shipped_template_by_name_rejects_area_points(files, capsys):
    code, out, err = run(
        capsys, "score", "compute", "--template", "par-district-2022", "--scores", str(files["scores"])
    )
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("Lỗi: tệp điểm ")
    assert "Tiêu chí 1: có tiêu chí con; hãy chấm điểm cho các tiêu chí con (1.1, 1.2" in err


def test_shipped_template_scores_leaves(files, capsys):
    scores = files["dir"] / "huyen.json"
    scores.write_text(json.dumps({"1.1.1": 0.5, "1.1.2": 1.5, "3.4.1": 1.93, "8.1": 1}), encoding="utf-8")
    code, out, _ = run(
        capsys, "score", "compute", "--template", "par-district-2022", "--scores", str(scores), "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 4.93 and data["max"] == 89
    area1 = data["criteria"][0]
    assert area1["score"] == 2 and area1["children"][0]["score"] == 2 and area1["children"][0]["index"] == 100


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ('{"3": 18}', "Tiêu chí 3: điểm (18) vượt quá điểm tối đa (17,5)"),
        ('{"9": 1}', "Tiêu chí 9: không có trong bộ tiêu chí par-test"),
        ('{"1": {"a": 1}}', "điểm của tiêu chí 1 phải là một số"),
        ("[1, 2]", "phải ghi điểm theo mã tiêu chí"),
        ('{"1": 12,', "lỗi JSON ở dòng 1"),
    ],
)
def test_bad_scores_exit_1_with_one_line(files, capsys, scores, expected):
    path = files["dir"] / "bad.json"
    path.write_text(scores, encoding="utf-8")
    code, out, err = run(
        capsys, "score", "compute", "--template", str(files["template"]), "--scores", str(path), "--json"
    )
    assert code == 1 and out == ""
    assert err.startswith("Lỗi: ") and err.count("\n") == 1
    assert expected in err


def test_bad_template_exit_1_naming_the_node(files, capsys):
    bad = files["dir"] / "bad.yaml"
    bad.write_text(areas_template_yaml().replace("max: 17.5", "max: -17.5"), encoding="utf-8")
    code, _, err = run(capsys, "score", "compute", "--template", str(bad), "--scores", str(files["scores"]))
    assert code == 1
    assert err.startswith(
        f"Lỗi: bộ tiêu chí {bad} không hợp lệ: Tiêu chí 3: điểm tối đa không được âm (-17,5)"
    )
    code, _, err = run(capsys, "score", "validate", "--template", str(bad))
    assert code == 1 and "Tiêu chí 3: điểm tối đa không được âm" in err


def test_missing_files(files, capsys):
    code, _, err = run(
        capsys, "score", "compute", "--template", "khong-co.yaml", "--scores", str(files["scores"])
    )
    assert code == 1 and "không tìm thấy tệp bộ tiêu chí khong-co.yaml" in err and "par-district-2022" in err
    code, _, err = run(
        capsys, "score", "compute", "--template", str(files["template"]), "--scores", "khong-co.json"
    )
    assert code == 1 and "không tìm thấy tệp điểm khong-co.json" in err


def test_validate(capsys):
    code, out, _ = run(capsys, "score", "validate", "--template", "service-766", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["max"] == 100 and data["leaves"] == 15 and data["automatic"] == 15
    assert [area["max"] for area in data["areas"]] == [18, 20, 22, 22, 18]
    code, out, _ = run(capsys, "score", "validate", "--template", "par-district-2022")
    assert code == 0
    assert out.startswith("Bộ tiêu chí par-district-2022 hợp lệ: 8 lĩnh vực,") and "tổng 89 điểm" in out


def test_templates_list(capsys):
    code, out, _ = run(capsys, "score", "templates", "--json")
    assert code == 0
    rows = {row["name"]: row["max"] for row in json.loads(out)["templates"]}
    assert rows == {
        "par-commune-2022": 70,
        "par-department-2022": 84,
        "par-district-2022": 89,
        "service-766": 100,
    }
