"""Global permission matrix: every write endpoint × every role.

Each app lists its write endpoints in `tests/<app>/matrix.py` (`CASES`); this test runs them all
for every role and proves the list is complete: the url names registered through
`@requires(..., write=True, url_name=...)` must equal the url names covered here, so a new write
endpoint without a matrix entry fails the suite.
"""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import get_resolver, reverse

from cchc.accounts.models import Role
from cchc.accounts.permissions import WRITE_ENDPOINTS, can
from cchc.units.models import Unit
from tests.onestop.matrix import CASES as ONESTOP_CASES
from tests.periods.matrix import CASES as PERIODS_CASES
from tests.reporting.matrix import CASES as REPORTING_CASES
from tests.scoring.matrix import CASES as SCORING_CASES
from tests.units.matrix import CASES as UNITS_CASES

ROLES = ["admin", "officer", "reporter", "viewer", "anonymous"]

_serial = itertools.count(1)


def _admin_unit_data(tree: Any) -> dict[str, Any]:
    n = next(_serial)
    return {
        "code": f"ADM{n:04d}",
        "name": f"Đơn vị thêm qua trang quản trị {n}",
        "kind": "so_nganh",
        "parent": tree["province"].pk,
        "valid_from": "",
        "valid_to": "",
        "_save": "Lưu",
    }


def _admin_unit_created(tree: Any, data: dict[str, Any]) -> bool:
    return Unit.objects.filter(code=data["code"]).exists()


# The Django admin is write surface too: only the admin role may use it.
ADMIN_CASES: list[dict[str, Any]] = [
    {
        "url_name": "admin:units_unit_add",
        "kwargs": {},
        "data": _admin_unit_data,
        "allowed": {"admin"},
        "effect": _admin_unit_created,
    },
]

# Cases for endpoints declared with @requires(write=True); accounts and web have none of their own
# (log-in and log-out change no data).
DECLARED_CASES: list[dict[str, Any]] = [
    *UNITS_CASES, *PERIODS_CASES, *SCORING_CASES, *REPORTING_CASES, *ONESTOP_CASES
]
ALL_CASES: list[dict[str, Any]] = [*DECLARED_CASES, *ADMIN_CASES]




def _load_all_urlconfs() -> None:
    """Resolving the url patterns imports every view module, which registers its write endpoints."""

    def walk(patterns: list) -> None:
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)

    walk(get_resolver().url_patterns)


def test_every_write_endpoint_has_a_matrix_case():
    _load_all_urlconfs()
    declared = set(WRITE_ENDPOINTS)
    covered = {case["url_name"] for case in DECLARED_CASES}
    assert declared, "no write endpoint registered: url confs not loaded?"
    assert declared - covered == set(), "write endpoints without a permission-matrix case"
    assert covered - declared == set(), "matrix cases for url names not declared with write=True"
    for name in covered | {c["url_name"] for c in ADMIN_CASES}:
        assert name.count(":") == 1, f"{name}: write endpoints use namespaced url names"


def test_matrix_agrees_with_the_role_rules(users):
    """A role listed as allowed must hold the endpoint's action; a role holding it is listed."""
    _load_all_urlconfs()
    for case in DECLARED_CASES:
        action = WRITE_ENDPOINTS[case["url_name"]]
        holders = {role for role in ("admin", "officer", "reporter", "viewer") if can(users[role], action)}
        assert case["allowed"] <= holders, case["url_name"]


def _login_paths() -> set[str]:
    return {resolve_url(settings.LOGIN_URL), reverse("admin:login")}


@pytest.mark.parametrize("case", ALL_CASES, ids=[c["url_name"] for c in ALL_CASES])
@pytest.mark.parametrize("role", ROLES)
def test_write_endpoint_by_role(client, users, tree, case, role):
    kwargs = case["kwargs"](tree) if callable(case["kwargs"]) else case["kwargs"]
    data = case["data"](tree)
    if role != "anonymous":
        client.force_login(users[role])
    response = client.post(reverse(case["url_name"], kwargs=kwargs), data)
    location = urlsplit(response.get("Location", "")).path

    if role == "anonymous":
        assert response.status_code == 302
        assert location in _login_paths()
    elif role in case["allowed"]:
        assert response.status_code in (200, 302), response.content.decode()[:1500]
        if response.status_code == 302:
            assert location not in _login_paths()
    else:
        assert response.status_code == 403, response.content.decode()[:500]
    if "effect" in case:
        assert case["effect"](tree, data) is (role in case["allowed"])


def test_admin_case_runs_for_a_plain_admin_role_user(client, tree):
    """Not only superusers: a user whose role is admin may add a unit through the admin."""
    from cchc.accounts.models import User

    admin = User.objects.create(username="qt_vai_tro", role=Role.ADMIN)
    client.force_login(admin)
    data = _admin_unit_data(tree)
    response = client.post(reverse("admin:units_unit_add"), data)
    assert response.status_code == 302
    assert _admin_unit_created(tree, data)
