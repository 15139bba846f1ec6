"""Every role × action × unit inside / outside the user's scope, plus the edge cases."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.accounts import permissions
from cchc.accounts.models import Role, User
from cchc.accounts.permissions import WRITE_ENDPOINTS, Action, can, require, requires, unit_scope
from cchc.units.models import Unit, UnitKind

A = Action
ALL_UNITS = ["province", "snv", "stp", "district_a", "commune", "district_b", "other"]

# Written out by hand (not derived from ROLE_ACTIONS) so a change to the rules shows up here.
UNSCOPED_ALLOWED = {
    "admin": {A.VIEW, A.MANAGE_PERIODS, A.VIEW_AUDIT, A.MANAGE_USERS},
    "officer": {A.VIEW, A.MANAGE_PERIODS, A.VIEW_AUDIT},
    "reporter": {A.VIEW},
    "viewer": {A.VIEW},
}
SCOPED_ROLE_ACTIONS = {
    "admin": {A.VIEW_UNIT_DATA, A.ENTER_DATA, A.APPROVE, A.MANAGE_UNITS},
    "officer": {A.VIEW_UNIT_DATA, A.APPROVE, A.MANAGE_UNITS},
    "reporter": {A.VIEW_UNIT_DATA, A.ENTER_DATA},
    "viewer": set(),
}
# Units each role may act on for its scoped actions (fixture `tree`, officer of T64, reporter of STP).
IN_SCOPE = {
    "admin": set(ALL_UNITS),
    "officer": {"province", "snv", "stp", "district_a", "commune", "district_b"},
    "reporter": {"stp"},
    "viewer": set(),
}




def expected(role: str, action: Action, unit_key: str) -> bool:
    if action in UNSCOPED_ALLOWED[role]:
        return True
    return action in SCOPED_ROLE_ACTIONS[role] and unit_key in IN_SCOPE[role]


@pytest.mark.parametrize(
    ("role", "action", "unit_key"),
    list(itertools.product(["admin", "officer", "reporter", "viewer"], list(Action), ALL_UNITS)),
)
def test_role_action_unit(users, tree, role, action, unit_key):
    user = users[role]
    unit = tree[unit_key]
    want = expected(role, action, unit_key)
    assert can(user, action, unit) is want
    assert can(user, action, unit.pk) is want  # an id works as well as the object
    if want:
        require(user, action, unit)
    else:
        with pytest.raises(PermissionDenied):
            require(user, action, unit)


def test_officer_of_t64_cannot_act_on_t52(users, tree):
    officer = users["officer"]
    for action in (A.VIEW_UNIT_DATA, A.APPROVE, A.MANAGE_UNITS):
        assert can(officer, action, tree["commune"])
        assert not can(officer, action, tree["other"])


@pytest.mark.parametrize("role", ["admin", "officer", "reporter", "viewer"])
@pytest.mark.parametrize("action", list(Action))
def test_action_without_unit(users, role, action):
    """Asked in general (navigation), a scoped action is allowed when the role has it at all."""
    want = action in UNSCOPED_ALLOWED[role] or action in SCOPED_ROLE_ACTIONS[role]
    assert can(users[role], action) is want


@pytest.mark.parametrize("action", list(Action))
def test_anonymous_and_none_may_do_nothing(tree, action):
    assert not can(AnonymousUser(), action)
    assert not can(AnonymousUser(), action, tree["province"])
    assert not can(None, action)
    assert unit_scope(AnonymousUser()) == set()


@pytest.mark.parametrize("role", ["admin", "officer", "reporter", "viewer"])
def test_inactive_users_may_do_nothing(users, tree, role):
    user = users[role]
    user.is_active = False
    user.save()
    user = User.objects.get(pk=user.pk)
    for action in Action:
        assert not can(user, action)
        assert not can(user, action, tree["stp"])
    assert unit_scope(user) == set()


def test_superuser_is_admin_whatever_the_role(tree):
    boss = User.objects.create(username="sieu", role=Role.VIEWER, is_superuser=True)
    for action, key in itertools.product(Action, ALL_UNITS):
        assert can(boss, action, tree[key])
    assert unit_scope(boss) is None


def test_admin_role_without_superuser_flag_is_admin(tree):
    admin = User.objects.create(username="qt2", role=Role.ADMIN)
    assert unit_scope(admin) is None
    assert can(admin, A.MANAGE_USERS)
    assert can(admin, A.ENTER_DATA, tree["other"])


def test_users_without_unit_have_no_scope(tree):
    officer = User.objects.create(username="cb_khong_dv", role=Role.OFFICER)
    reporter = User.objects.create(username="bc_khong_dv", role=Role.REPORTER)
    assert unit_scope(officer) == set()
    assert not can(officer, A.APPROVE)
    assert not can(officer, A.APPROVE, tree["province"])
    assert can(officer, A.MANAGE_PERIODS)  # not unit-scoped
    assert not can(reporter, A.ENTER_DATA)
    assert not can(reporter, A.ENTER_DATA, tree["stp"])
    assert can(reporter, A.VIEW)


def test_officer_attached_to_a_department_acts_for_the_whole_province(tree):
    """A Sở Nội vụ officer belongs to the department but acts on every unit of the province."""
    officer = User.objects.create(username="snv2", role=Role.OFFICER, unit=tree["snv"])
    scope = unit_scope(officer)
    assert scope == {tree[k].pk for k in IN_SCOPE["officer"]}
    assert can(officer, A.APPROVE, tree["commune"])
    assert not can(officer, A.APPROVE, tree["other"])


def test_viewer_scope_is_empty_and_reporter_scope_is_own_unit(users, tree):
    assert unit_scope(users["viewer"]) == set()
    assert unit_scope(users["reporter"]) == {tree["stp"].pk}
    assert unit_scope(users["admin"]) is None


def test_unit_argument_must_be_a_unit_or_id(users):
    with pytest.raises(TypeError):
        can(users["officer"], A.APPROVE, True)


# --- the decorator -------------------------------------------------------------------------------


def test_write_view_must_name_its_url():
    with pytest.raises(TypeError):
        requires(A.MANAGE_UNITS, write=True)


def test_requires_registers_write_endpoints_and_checks_role(users):
    @requires(A.MANAGE_PERIODS, write=True, url_name="tests:fake_write")
    def fake(request):
        return HttpResponse("ok")

    try:
        assert WRITE_ENDPOINTS["tests:fake_write"] == A.MANAGE_PERIODS
        factory = RequestFactory()

        request = factory.post("/fake/")
        request.user = AnonymousUser()
        response = fake(request)
        assert response.status_code == 302
        assert "/login/?next=/fake/" in response["Location"]

        request.user = users["reporter"]
        with pytest.raises(PermissionDenied):
            fake(request)

        request.user = users["officer"]
        assert fake(request).content == b"ok"
    finally:
        WRITE_ENDPOINTS.pop("tests:fake_write", None)


def test_read_views_are_not_registered_as_write():
    before = dict(WRITE_ENDPOINTS)

    @requires(A.VIEW)
    def reader(request):
        return HttpResponse("ok")

    assert dict(WRITE_ENDPOINTS) == before
    assert reader.cchc_write is False


# --- officer scope on arbitrary trees ------------------------------------------------------------

_counter = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parents=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=12),
    officer_at=st.integers(min_value=0, max_value=40),
)
def test_officer_scope_is_exactly_the_province_subtree(db, parents, officer_at):
    """Two provinces; each new unit hangs under a random earlier unit. The officer attached to any
    unit of province A may act on every unit under A and on nothing under B."""
    run = next(_counter)
    prov_a = Unit.objects.create(code=f"PA{run}", name="A", kind=UnitKind.PROVINCE)
    prov_b = Unit.objects.create(code=f"PB{run}", name="B", kind=UnitKind.PROVINCE)
    units = [prov_a, prov_b]
    province_of = {prov_a.pk: prov_a.pk, prov_b.pk: prov_b.pk}
    for i, p in enumerate(parents):
        parent = units[p % len(units)]
        unit = Unit.objects.create(code=f"U{run}_{i}", name=f"U{i}", kind=UnitKind.DEPARTMENT, parent=parent)
        units.append(unit)
        province_of[unit.pk] = province_of[parent.pk]
    home = units[officer_at % len(units)]
    officer = User.objects.create(username=f"cb{run}", role=Role.OFFICER, unit=home)
    for unit in units:
        assert can(officer, A.APPROVE, unit) is (province_of[unit.pk] == province_of[home.pk])
    assert unit_scope(officer) == {u.pk for u in units if province_of[u.pk] == province_of[home.pk]}


def test_public_api_is_stable():
    for name in ("Action", "can", "require", "requires", "unit_scope", "WRITE_ENDPOINTS"):
        assert hasattr(permissions, name)
