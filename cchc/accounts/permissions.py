"""The one permission check every view, API endpoint and command goes through.

Roles are coarse (admin, province officer, unit reporter, viewer); the unit scope makes them
precise: an officer acts on every unit of the province they belong to, a reporter on their own
unit only. Views never test roles themselves; they call `require` or use `requires`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import Role


class Action(StrEnum):
    VIEW = "view"  # reference data, dashboards, published results
    VIEW_UNIT_DATA = "view_unit_data"  # a unit's own working data (drafts)
    ENTER_DATA = "enter_data"  # write a unit's own figures
    APPROVE = "approve"  # approve / return a unit's submissions
    MANAGE_UNITS = "manage_units"
    MANAGE_PERIODS = "manage_periods"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.OFFICER: frozenset(
        {
            Action.VIEW,
            Action.VIEW_UNIT_DATA,
            Action.APPROVE,
            Action.MANAGE_UNITS,
            Action.MANAGE_PERIODS,
            Action.VIEW_AUDIT,
        }
    ),
    Role.REPORTER: frozenset({Action.VIEW, Action.VIEW_UNIT_DATA, Action.ENTER_DATA}),
    Role.VIEWER: frozenset({Action.VIEW}),
}

# Actions whose unit argument must fall inside the user's scope.
SCOPED_ACTIONS = frozenset(
    {Action.VIEW_UNIT_DATA, Action.ENTER_DATA, Action.APPROVE, Action.MANAGE_UNITS}
)

# url name -> action, filled by @requires(..., write=True); the permission-matrix test
# checks that every registered write endpoint is covered for every role.
WRITE_ENDPOINTS: dict[str, Action] = {}


def effective_role(user: Any) -> str | None:
    """The role the checks use: None for anonymous or inactive users, admin for superusers."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    return user.role


# Kept for callers of the first version.
_role = effective_role


def _province_root(unit_id: int) -> int:
    """The province an officer's unit belongs to: the unit itself, its nearest province ancestor,
    or the top of its tree when no ancestor is a province (a stand-alone unit)."""
    from cchc.units.models import Unit, UnitKind

    seen: set[int] = set()
    current = Unit.objects.only("id", "kind", "parent_id").get(pk=unit_id)
    while current.kind != UnitKind.PROVINCE and current.parent_id is not None and current.pk not in seen:
        seen.add(current.pk)
        current = Unit.objects.only("id", "kind", "parent_id").get(pk=current.parent_id)
    return current.pk


def unit_scope(user: Any) -> set[int] | None:
    """Ids of the units the user may act on; None means every unit."""
    role = effective_role(user)
    if role == Role.ADMIN:
        return None
    if role is None or user.unit_id is None:
        return set()
    if role == Role.OFFICER:
        from cchc.units.queries import descendant_ids

        return descendant_ids(_province_root(user.unit_id))
    if role == Role.REPORTER:
        return {user.unit_id}
    return set()


def _unit_id(unit: Any) -> int | None:
    if isinstance(unit, bool):
        raise TypeError("unit must be a Unit or its id")
    if isinstance(unit, int):
        return unit
    if isinstance(unit, str):
        return int(unit)
    return unit.pk


def can(user: Any, action: Action, unit: Any = None) -> bool:
    """May `user` do `action` (on `unit`, a Unit or its id, when the action is unit-scoped)?

    Without `unit`, a scoped action is allowed when the user has a unit to act on at all (used
    to show or hide navigation); the object-level check must then pass the unit.
    """
    role = effective_role(user)
    if role is None or action not in ROLE_ACTIONS.get(role, frozenset()):
        return False
    if role == Role.ADMIN or action not in SCOPED_ACTIONS:
        return True
    if unit is None:
        # Officers' and reporters' scopes always contain their own unit: no query needed.
        return user.unit_id is not None
    unit_id = _unit_id(unit)
    if role == Role.REPORTER:
        return unit_id is not None and unit_id == user.unit_id
    return unit_id in unit_scope(user)


def require(user: Any, action: Action, unit: Any = None) -> None:
    """Raise PermissionDenied (HTTP 403) unless `can(user, action, unit)`."""
    if not can(user, action, unit):
        raise PermissionDenied


def requires(action: Action, *, write: bool = False, url_name: str | None = None) -> Callable:
    """View decorator: login, then the role check. Object-level checks call `require` inside.

    A view that changes data is declared with `write=True` and its namespaced url name, so the
    permission-matrix test can prove every write endpoint is covered for every role.
    """
    if write and not url_name:
        raise TypeError("requires(..., write=True) needs url_name='app:name'")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        if write:
            WRITE_ENDPOINTS[url_name] = action

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.cchc_action = action  # type: ignore[attr-defined]
        wrapped.cchc_write = write  # type: ignore[attr-defined]
        return wrapped

    return decorator
