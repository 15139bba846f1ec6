"""Shared set-up of the dashboard view tests: a hand-made dossier store and logged-in clients.

Kept in a module of its own (imported by each test_view_* file) so every view test reads the same
small data set whose figures are easy to check by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from cchc.onestop.schema import SCHEMA
from cchc.onestop.store import DossierStore

D = dt.datetime

# January 2021 (data month 2021-M02 starts 15/01): due_at given, so no calendar question.
DOSSIERS = [
    # STP (Sở Tư pháp): one on time, two late (one without apology, with a formula-like name)
    dict(
        dossier_id="STP-1",
        procedure_code="TP1",
        procedure_name="Cấp phiếu lý lịch tư pháp",
        field="Tư pháp",
        unit_code="STP",
        level="tinh",
        channel="truc_tuyen_toan_trinh",
        received_at=D(2021, 1, 4, 8),
        due_at=D(2021, 1, 8),
        completed_at=D(2021, 1, 6, 9),
        status="da_giai_quyet",
        apology_sent=False,
    ),
    dict(
        dossier_id="STP-2",
        procedure_code="TP2",
        procedure_name='=HYPERLINK("http://x","bấm")',
        field="Tư pháp",
        unit_code="STP",
        level="tinh",
        channel="truc_tiep",
        received_at=D(2021, 1, 4, 9),
        due_at=D(2021, 1, 8),
        completed_at=D(2021, 1, 12, 10),
        status="da_giai_quyet",
        apology_sent=False,
    ),
    dict(
        dossier_id="STP-3",
        procedure_code="TP2",
        procedure_name="Chứng thực",
        field="Chứng thực",
        unit_code="STP",
        level="tinh",
        channel="truc_tiep",
        received_at=D(2021, 1, 5, 9),
        due_at=D(2021, 1, 8),
        completed_at=D(2021, 1, 11, 10),
        status="da_giai_quyet",
        apology_sent=True,
    ),
    # SNV (Sở Nội vụ): one on time online, one late without apology
    dict(
        dossier_id="SNV-1",
        procedure_code="NV1",
        procedure_name="Thẩm định tổ chức",
        field="Tổ chức",
        unit_code="SNV",
        level="tinh",
        channel="truc_tuyen_mot_phan",
        received_at=D(2021, 1, 4, 8),
        due_at=D(2021, 1, 11),
        completed_at=D(2021, 1, 11, 16),
        status="da_giai_quyet",
        apology_sent=False,
    ),
    dict(
        dossier_id="SNV-2",
        procedure_code="NV2",
        procedure_name="+cmd|' /C calc'!A0",
        field="Tổ chức",
        unit_code="SNV",
        level="tinh",
        channel="truc_tiep",
        received_at=D(2021, 1, 4, 10),
        due_at=D(2021, 1, 6),
        completed_at=D(2021, 1, 7, 8),
        status="da_giai_quyet",
        apology_sent=False,
    ),
    # H01 (district): one in progress
    dict(
        dossier_id="H01-1",
        procedure_code="DD1",
        procedure_name="Đăng ký biến động đất đai",
        field="Đất đai",
        unit_code="H01",
        level="huyen",
        channel="buu_chinh",
        received_at=D(2021, 1, 6, 8),
        due_at=D(2021, 2, 20),
        completed_at=None,
        status="dang_xu_ly",
        apology_sent=False,
    ),
]
WINDOW = {"from": "2021-01-01", "to": "2021-01-31"}


def dossier_table(rows: list[dict] = DOSSIERS) -> pa.Table:
    return pa.table({f.name: [r.get(f.name) for r in rows] for f in SCHEMA}, schema=SCHEMA)


def vi(msgid: str) -> str:
    """The Vietnamese text of a msgid; fails when the catalog lacks it."""
    with translation.override("vi"):
        text = gettext(msgid)
    assert text != msgid, f"no Vietnamese translation for “{msgid}”"
    return text


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def store(data_dir: Path) -> DossierStore:
    """The default store of the data dir, holding DOSSIERS."""
    path = data_dir / "hand-made.parquet"
    pq.write_table(dossier_table(), path)
    store = DossierStore()
    store.import_file(path)
    assert store.count() == len(DOSSIERS)
    return store


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
