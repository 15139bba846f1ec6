"""`dossiers stats --input FILE --json` starts without Django; a message or a database read sets it up."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.onestop.test_cli import csv_file  # noqa: F401 - the same three-dossier export

PROBE = """
import json, sys
from cchc.cli import main
code = main(sys.argv[1:])
from django.apps import apps
print(json.dumps({"code": code, "django": apps.ready, "holidays": "holidays" in sys.modules}))
"""


def probe(tmp_path, *argv: str) -> tuple[dict, str]:
    """Run the command in a fresh interpreter: (what it had loaded, its output)."""
    env = {**os.environ, "CCHC_DATA_DIR": str(tmp_path / "data")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env, check=False,
        timeout=120,
    )
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]), "\n".join(lines[:-1]) + done.stderr


def test_stats_of_a_file_as_json_never_sets_django_up(tmp_path, csv_file):  # noqa: F811
    state, output = probe(
        tmp_path, "dossiers", "stats", "--input", str(csv_file), "--from", "2021-01-01", "--to", "2021-01-31",
        "--json",
    )
    assert state == {"code": 0, "django": False, "holidays": False}
    assert json.loads(output)["total"]["on_time"] == 1


def test_a_message_sets_django_up_and_is_vietnamese(tmp_path, csv_file):  # noqa: F811
    state, output = probe(tmp_path, "dossiers", "stats", "--input", str(csv_file), "--from", "2021-01-01")
    assert state["code"] == 1 and state["django"] is True
    assert "--period" in output and "--from" in output and "Lỗi" in output


def test_the_text_table_sets_django_up_for_vietnamese_numbers(tmp_path, csv_file):  # noqa: F811
    state, output = probe(
        tmp_path, "dossiers", "stats", "--input", str(csv_file), "--from", "2021-01-01", "--to", "2021-01-31",
    )
    assert state == {"code": 0, "django": True, "holidays": False}
    assert "Tổng cộng" in output and "50,00" in output


def test_other_commands_still_set_django_up_first(tmp_path):
    state, output = probe(tmp_path, "score", "templates", "--json")
    assert state["code"] == 0 and state["django"] is True
    assert json.loads(output)
