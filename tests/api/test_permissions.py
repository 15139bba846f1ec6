"""Role × API write endpoint matrix: who may write a unit's submission through the API.

The global matrix (`tests/test_permission_matrix.py`) covers the web's write views; this is the
same proof for the API: every role is tried on every write endpoint, refusals change nothing.
"""

from __future__ import annotations

import pytest

from cchc.reporting import services
from cchc.reporting.models import Status, Submission
from tests.api.conftest import SUBMISSION

STP = SUBMISSION.format(unit="STP")
ROLES = ["admin", "officer", "other_officer", "reporter", "district_reporter", "viewer", None]

WRITERS = {"admin", "reporter"}
APPROVERS = {"admin", "officer"}
# endpoint → (method, path suffix, body, state before, roles allowed, status after success)
ENDPOINTS = {
    "put": ("put", "", {"values": {"1.1.1": {"value": 9}}}, Status.DRAFT, WRITERS, Status.DRAFT),
    "submit": ("post", "/submit", {}, Status.DRAFT, WRITERS, Status.SUBMITTED),
    "approve": ("post", "/approve", {}, Status.SUBMITTED, APPROVERS, Status.APPROVED),
    "return": ("post", "/return", {"comment": "Bổ sung"}, Status.SUBMITTED, APPROVERS, Status.RETURNED),
}


@pytest.fixture
def stp_in(tree, catalog, h1):
    def make(state: str) -> Submission:
        sub = services.get_or_create_submission(tree["stp"], h1, catalog, services.SYSTEM)
        services.save_values(sub, services.SYSTEM, {"1.1.1": 10, "1.1.2": 8}, None)
        if state == Status.SUBMITTED:
            services.submit(sub, services.SYSTEM)
        sub.refresh_from_db()
        return sub

    return make


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_write_matrix(api_as, stp_in, role, endpoint):
    method, suffix, body, state, allowed, after = ENDPOINTS[endpoint]
    before = stp_in(state)
    response = getattr(api_as(role), method)(STP + suffix, body)
    fresh = Submission.objects.get(pk=before.pk)
    if role in allowed:
        assert response.status_code == 200, response.content
        assert fresh.status == after and fresh.version == before.version + 1
        return
    assert response.status_code == (401 if role is None else 403)
    assert response.json()["detail"]  # Vietnamese message, never an empty body
    assert (fresh.status, fresh.version) == (before.status, before.version)
    assert fresh.values.get(indicator_code="1.1.1").value == 10


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("officer", 200), ("reporter", 200), ("district_reporter", 403),
     ("other_officer", 403), ("viewer", 403), (None, 401)],
)
def test_read_draft_matrix(api_as, stp_in, role, status):
    stp_in(Status.DRAFT)
    response = api_as(role).get(STP)
    assert response.status_code == status
    if status == 200:
        assert response.json()["values"]["1.1.1"]["value"] == 10


def test_reporter_cannot_create_another_units_submission(api_as):
    response = api_as("reporter").put(SUBMISSION.format(unit="SNV"), {"values": {"1.1.1": {"value": 1}}})
    assert response.status_code == 403 and "quyền" in response.json()["detail"]
    assert not Submission.objects.exists()
