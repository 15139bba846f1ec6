"""Shared fixtures: a small province tree and one user per role."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.accounts.models import Role, User
from cchc.units.models import Unit, UnitKind

PASSWORD = "Mat-khau-thu-nghiem-2021"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_hashers: keep the production password hashers (argon2)")


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest) -> None:
    """Argon2 is slow by design; hash fixture passwords fast unless a test is about hashing."""
    if request.node.get_closest_marker("real_hashers"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db) -> dict[str, Unit]:
    """Tỉnh → (Sở Nội vụ, Sở Tư pháp, huyện A → xã A1, huyện B) plus a unit of another province."""
    province = Unit.objects.create(code="T64", name="UBND tỉnh Gia Lai", kind=UnitKind.PROVINCE)
    snv = Unit.objects.create(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    stp = Unit.objects.create(code="STP", name="Sở Tư pháp", kind=UnitKind.DEPARTMENT, parent=province)
    district_a = Unit.objects.create(
        code="H01", name="UBND huyện Chư Păh", kind=UnitKind.DISTRICT, parent=province
    )
    commune = Unit.objects.create(
        code="X0101", name="UBND xã Ia Ly", kind=UnitKind.COMMUNE, parent=district_a
    )
    district_b = Unit.objects.create(
        code="H02",
        name="UBND huyện Ia Grai",
        kind=UnitKind.DISTRICT,
        parent=province,
        valid_from=dt.date(2000, 1, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    other = Unit.objects.create(code="T52", name="UBND tỉnh Bình Định", kind=UnitKind.PROVINCE)
    return {
        "province": province,
        "snv": snv,
        "stp": stp,
        "district_a": district_a,
        "commune": commune,
        "district_b": district_b,
        "other": other,
    }


@pytest.fixture
def users(tree) -> dict[str, User]:
    """One active user per role; the officer belongs to the province, the reporter to Sở Tư pháp."""

    def make(username: str, role: str, unit: Unit | None) -> User:
        user = User(username=username, role=role, unit=unit, is_superuser=role == Role.ADMIN,
                    is_staff=role == Role.ADMIN)
        user.set_password(PASSWORD)
        user.save()
        return user

    return {
        "admin": make("quantri", Role.ADMIN, None),
        "officer": make("snv_canbo", Role.OFFICER, tree["province"]),
        "reporter": make("stp_baocao", Role.REPORTER, tree["stp"]),
        "viewer": make("lanhdao", Role.VIEWER, tree["province"]),
    }
