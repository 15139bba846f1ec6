"""Evidence files: type checked by extension and content, size limit, safe storage, download rights."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from cchc.scoring import services
from cchc.scoring.models import Evidence

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph("Kế hoạch CCHC năm 2022")
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Số liệu"
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


@pytest.fixture
def draft(mini_template, scoring_users, tree):
    return services.get_or_create_assessment(mini_template, tree["district_a"], 2022, scoring_users["h01"])


def leaf(assessment, code="1.1"):
    return assessment.leaves.get(code=code)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Kế hoạch 2022.pdf", PDF, "application/pdf"),
        ("anh.PNG", PNG, "image/png"),
        ("anh.jpeg", JPEG, "image/jpeg"),
        ("bao-cao.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("so-lieu.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_types_stored_under_the_assessment(media, draft, scoring_users, name, content, content_type):
    if content is None:
        content = docx_bytes() if name.endswith(".docx") else xlsx_bytes()
    upload = SimpleUploadedFile(name, content, content_type="text/plain")  # the client's type is ignored
    evidence = services.add_evidence(leaf(draft), upload, scoring_users["h01"])
    stored = Path(evidence.file.path)
    assert stored.parent == media / "evidence" / str(draft.pk)
    assert stored.read_bytes() == content
    assert stored.name != name and stored.suffix == Path(name).suffix.lower()
    assert (evidence.original_name, evidence.content_type, evidence.size) == (
        name,
        content_type,
        len(content),
    )
    assert evidence.uploaded_by == scoring_users["h01"]


def test_path_in_name_is_dropped(media, draft, scoring_users):
    upload = SimpleUploadedFile("..\\..\\etc/passwd.pdf", PDF)
    evidence = services.add_evidence(leaf(draft), upload, scoring_users["h01"])
    assert evidence.original_name == "passwd.pdf"
    assert Path(evidence.file.path).is_relative_to(media / "evidence")


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("virus.exe", b"MZ\x90\x00", "virus.exe"),
        ("gia.pdf", b"<html>not a pdf</html>", "PDF"),
        ("anh.png", JPEG, "PNG"),
        ("zip.docx", None, "DOCX"),  # a real XLSX renamed .docx: a zip, but not a Word document
        ("rong.pdf", b"", "rong.pdf"),
    ],
)
def test_wrong_type_or_content_refused_naming_leaf_and_file(
    media, draft, scoring_users, name, content, needle
):
    if content is None:
        content = xlsx_bytes()
    with pytest.raises(ValidationError) as info:
        services.add_evidence(leaf(draft), SimpleUploadedFile(name, content), scoring_users["h01"])
    assert "1.1" in info.value.messages[0] and needle in info.value.messages[0]
    assert not Evidence.objects.exists()
    assert not (media / "evidence").exists() or not any((media / "evidence").rglob("*.*"))


def test_size_limit(media, draft, scoring_users, settings):
    settings.CCHC_MAX_UPLOAD_BYTES = 1024
    big = PDF + b"0" * 1024
    with pytest.raises(ValidationError, match="MB"):
        services.add_evidence(leaf(draft), SimpleUploadedFile("lon.pdf", big), scoring_users["h01"])
    ok = PDF + b"0" * (1024 - len(PDF))
    assert (
        services.add_evidence(leaf(draft), SimpleUploadedFile("vua.pdf", ok), scoring_users["h01"]).size
        == 1024
    )


@pytest.mark.parametrize("who", ["officer", "reporter", "viewer", "h02"])
def test_only_the_unit_uploads(media, draft, scoring_users, who):
    with pytest.raises(PermissionDenied):
        services.add_evidence(leaf(draft), SimpleUploadedFile("a.pdf", PDF), scoring_users[who])


def test_no_upload_after_submit(media, self_assessed, scoring_users):
    with pytest.raises(ValidationError):
        services.add_evidence(leaf(self_assessed), SimpleUploadedFile("a.pdf", PDF), scoring_users["h01"])


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("h01", True),
        ("officer", True),
        ("admin", True),
        ("h02", False),
        ("reporter", False),
        ("viewer", False),
        ("foreign_officer", False),
    ],
)
def test_download_rights(media, draft, scoring_users, who, allowed):
    evidence = services.add_evidence(leaf(draft), SimpleUploadedFile("kh.pdf", PDF), scoring_users["h01"])
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.evidence_for_download(evidence, scoring_users[who])
        return
    handle, name, content_type = services.evidence_for_download(evidence, scoring_users[who])
    with handle:
        assert handle.read() == PDF
    assert (name, content_type) == ("kh.pdf", "application/pdf")


def test_delete_evidence_removes_file(media, draft, scoring_users, django_capture_on_commit_callbacks):
    evidence = services.add_evidence(leaf(draft), SimpleUploadedFile("kh.pdf", PDF), scoring_users["h01"])
    path = Path(evidence.file.path)
    with pytest.raises(PermissionDenied):
        services.delete_evidence(evidence, scoring_users["h02"])
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_evidence(evidence, scoring_users["h01"])
    assert not Evidence.objects.exists() and not path.exists()
