"""The matrix cases cover every write endpoint of the app and behave as declared."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.accounts.permissions import WRITE_ENDPOINTS

from .matrix import CASES


def test_cases_cover_every_periods_write_endpoint():
    import cchc.periods.views  # noqa: F401  (registers the endpoints)

    declared = {name for name in WRITE_ENDPOINTS if name.startswith("periods:")}
    assert declared == {case["url_name"] for case in CASES}
    assert len(declared) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c["url_name"] for c in CASES])
@pytest.mark.parametrize("role", ["admin", "officer", "reporter", "viewer"])
def test_case_status_per_role(client, tree, users, case, role):
    client.force_login(users[role])
    url = reverse(case["url_name"], kwargs=case["kwargs"](tree))
    response = client.post(url, case["data"](tree))
    if role in case["allowed"]:
        assert response.status_code == 302, response.content[:500]
    else:
        assert response.status_code == 403
