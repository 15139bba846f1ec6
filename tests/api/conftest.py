"""API fixtures: the reporting fixtures (catalog, 2021 periods, users around the tree) and one
API token per user, with a client that sends it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import ApiToken
from tests.reporting.conftest import catalog, h1, periods, rep_users  # noqa: F401 (fixtures)

SUBMISSION = "/api/submissions/{unit}/2021-H1/bnv-2021"


class TokenClient:
    """A Django test client that authenticates every request with a Bearer token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any):
        return self.client.get(path, params, headers=self._headers())

    def put(self, path: str, body: Any):
        return self.client.put(path, body, content_type="application/json", headers=self._headers())

    def post(self, path: str, body: Any = None):
        return self.client.post(path, body or {}, content_type="application/json", headers=self._headers())


@pytest.fixture
def tokens(rep_users) -> dict[str, str]:  # noqa: F811
    return {name: ApiToken.issue(user, f"hệ thống {name}")[1] for name, user in rep_users.items()}


@pytest.fixture
def api_as(tokens, catalog, periods):  # noqa: F811
    """api_as("reporter") → a client acting with that user's token (None: no token at all)."""

    def make(name: str | None) -> TokenClient:
        return TokenClient(tokens[name] if name else None)

    return make
