"""The units entries of the permission matrix cover every write endpoint and behave as declared."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cchc.accounts.permissions import WRITE_ENDPOINTS
from cchc.units import views  # noqa: F401  (registers the write endpoints)

from .matrix import CASES


def test_every_units_write_endpoint_has_a_case():
    declared = {name for name in WRITE_ENDPOINTS if name.startswith("units:")}
    assert declared == {case["url_name"] for case in CASES}
    assert declared == {"units:create", "units:edit", "units:import"}


@pytest.mark.parametrize("case", CASES, ids=[c["url_name"] for c in CASES])
@pytest.mark.parametrize("role", ["admin", "officer", "reporter", "viewer"])
def test_case_status_by_role(client, users, tree, case, role):
    kwargs = case["kwargs"](tree) if callable(case["kwargs"]) else case["kwargs"]
    client.force_login(users[role])
    response = client.post(reverse(case["url_name"], kwargs=kwargs), case["data"](tree))
    if role in case["allowed"]:
        assert response.status_code == 302, response.content.decode()[:2000]
    else:
        assert response.status_code == 403
