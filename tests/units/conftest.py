"""Fixtures for the unit views: an officer of another province besides the shared users."""

from __future__ import annotations

import pytest

from cchc.accounts.models import Role, User


@pytest.fixture
def other_officer(tree) -> User:
    """A province officer of Bình Định (tree["other"]): must not touch Gia Lai's units."""
    user = User(username="binhdinh_canbo", role=Role.OFFICER, unit=tree["other"])
    user.set_password("Mat-khau-thu-nghiem-2021")
    user.save()
    return user
