"""Evidence upload (HTMX), deletion and the permission-checked download."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.scoring import services
from cchc.scoring.models import Evidence

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


@pytest.fixture
def draft(mini_template, scoring_users, tree):
    return services.get_or_create_assessment(mini_template, tree["district_a"], 2022, scoring_users["h01"])


def upload(client, assessment, name: str, content: bytes, **extra):
    return client.post(
        reverse("scoring:upload", args=[assessment.pk, "1.1"]),
        {"file": SimpleUploadedFile(name, content)},
        **extra,
    )


def test_htmx_upload_returns_the_list_with_the_new_file(client, draft, scoring_users):
    client.force_login(scoring_users["h01"])
    response = upload(client, draft, "Kế hoạch CCHC 2022.pdf", PDF, **HTMX)
    assert response.status_code == 200
    evidence = Evidence.objects.get()
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div class="evidence" id="evidence-1-1">')
    assert "Kế hoạch CCHC 2022.pdf" in fragment
    assert reverse("scoring:evidence", args=[evidence.pk]) in fragment
    assert Path(evidence.file.path).read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("virus.exe", b"MZ", "PDF, DOCX, XLSX, PNG"),
        ("gia.pdf", b"<html></html>", "gia.pdf"),
    ],
)
def test_bad_files_are_refused_in_vietnamese_beside_the_criterion(
    client, draft, scoring_users, name, content, expected
):
    client.force_login(scoring_users["h01"])
    response = upload(client, draft, name, content, **HTMX)
    assert response.status_code == 200  # swapped in by HTMX
    fragment = response.content.decode()
    assert 'class="errorlist"' in fragment and expected in fragment and "Tiêu chí 1.1" in fragment
    assert not Evidence.objects.exists()


def test_too_large_file_names_the_limit(client, draft, scoring_users, settings):
    settings.CCHC_MAX_UPLOAD_BYTES = 1024
    client.force_login(scoring_users["h01"])
    fragment = upload(client, draft, "lon.pdf", PDF + b"0" * 2048, **HTMX).content.decode()
    assert "lon.pdf" in fragment and "MB" in fragment and not Evidence.objects.exists()


def test_plain_post_redirects_back_to_the_form(client, draft, scoring_users):
    client.force_login(scoring_users["h01"])
    response = upload(client, draft, "a.pdf", PDF)
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:assessment", args=["par-mini", "H01", 2022])


@pytest.mark.parametrize("who", ["h02", "officer", "viewer"])
def test_upload_refused_for_others(client, draft, scoring_users, who):
    client.force_login(scoring_users[who])
    assert upload(client, draft, "a.pdf", PDF, **HTMX).status_code == 403
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("h01", 200),
        ("officer", 200),
        ("admin", 200),
        ("h02", 403),
        ("viewer", 403),
        ("foreign_officer", 403),
        ("reporter", 403),
    ],
)
def test_download_only_for_the_unit_and_the_province(client, draft, scoring_users, who, status):
    evidence = services.add_evidence(
        draft.leaves.get(code="1.1"), SimpleUploadedFile("kh.pdf", PDF), scoring_users["h01"]
    )
    client.force_login(scoring_users[who])
    response = client.get(reverse("scoring:evidence", args=[evidence.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="kh.pdf"' in response["Content-Disposition"]


def test_delete_while_draft_only(client, draft, scoring_users):
    leaf = draft.leaves.get(code="1.1")
    evidence = services.add_evidence(leaf, SimpleUploadedFile("kh.pdf", PDF), scoring_users["h01"])
    client.force_login(scoring_users["h02"])
    assert client.post(reverse("scoring:delete_evidence", args=[evidence.pk]), **HTMX).status_code == 403
    client.force_login(scoring_users["h01"])
    response = client.post(reverse("scoring:delete_evidence", args=[evidence.pk]), **HTMX)
    assert response.status_code == 200 and "kh.pdf" not in response.content.decode()
    assert not Evidence.objects.exists()
