"""Reporting fixtures: the shipped catalog in the database, the 2021 periods, users around the tree.

`rep_users` adds, besides the tree's users, a reporter of district H01 and an officer of another
province (T52), so permission tests can show who is refused.
"""

from __future__ import annotations

import pytest

from cchc.accounts.models import Role, User
from cchc.periods.models import Period
from cchc.periods.services import create_year_periods
from cchc.reporting import services
from cchc.reporting.models import Catalog


@pytest.fixture
def catalog(db) -> Catalog:
    services.load_catalog()
    return Catalog.objects.get(code="bnv-2021")


@pytest.fixture
def periods(db) -> dict[str, Period]:
    create_year_periods(2021)
    return {p.code: p for p in Period.objects.filter(year=2021)}


@pytest.fixture
def h1(periods) -> Period:
    return periods["2021-H1"]


@pytest.fixture
def rep_users(tree, users) -> dict[str, User]:
    def make(username: str, role: str, unit) -> User:
        user = User(username=username, role=role, unit=unit)
        user.set_password("x-Mat-khau-2021")
        user.save()
        return user

    return {
        **users,
        "district_reporter": make("h01_baocao", Role.REPORTER, tree["district_a"]),
        "other_officer": make("bdinh_canbo", Role.OFFICER, tree["other"]),
    }
