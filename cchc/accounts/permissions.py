"""The one permission check every view, API endpoint and command goes through.

Roles are coarse (admin, province officer, unit reporter, viewer); the unit scope makes them
precise: an officer acts on the units under the province unit they belong to, a reporter on
their own unit only. Views never test roles themselves; they call `require` or use `requires`.
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


def _role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    return user.role


def unit_scope(user: Any) -> set[int] | None:
    """Ids of the units the user may act on; None means every unit."""
    role = _role(user)
    if role == Role.ADMIN:
        return None
    if role is None or user.unit_id is None:
        return set()
    if role == Role.OFFICER:
        from cchc.units.queries import descendant_ids

        return descendant_ids(user.unit_id)
    if role == Role.REPORTER:
        return {user.unit_id}
    return set()


def can(user: Any, action: Action, unit: Any = None) -> bool:
    """May `user` do `action` (on `unit`, a Unit or its id, when the action is unit-scoped)?"""
    role = _role(user)
    if role is None or action not in ROLE_ACTIONS.get(role, frozenset()):
        return False
    if role == Role.ADMIN or action not in SCOPED_ACTIONS:
        return True
    scope = unit_scope(user)
    if unit is None:
        # Unit-scoped action asked in general: allowed when the user has some unit to act on.
        return bool(scope)
    unit_id = unit if isinstance(unit, int) else unit.pk
    return unit_id in scope


def require(user: Any, action: Action, unit: Any = None) -> None:
    if not can(user, action, unit):
        raise PermissionDenied


def requires(action: Action, *, write: bool = False, url_name: str | None = None) -> Callable:
    """View decorator: login, then the role check. Object-level checks call `require` inside."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        if write:
            WRITE_ENDPOINTS[url_name or view.__name__] = action

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require(request.user, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
