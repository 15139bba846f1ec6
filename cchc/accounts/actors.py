"""Who a service call acts for, and the conflict every optimistic-locked save can raise.

Shared by the reporting and scoring services: batch jobs (command line, demo) act as SYSTEM, which
passes every permission check like an admin but records no user; web requests pass their user.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from auditlog.context import set_actor


class ConflictError(Exception):
    """Someone saved the same record since the form was opened; nothing was written."""

    def __init__(self, message: str, *, current_version: int, changed_codes: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version
        self.changed_codes = changed_codes


class SystemActor:
    """The actor of trusted batch jobs (command line, demo): acts like an admin, records no user."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    role = "admin"
    unit_id = None
    pk = None

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def real_user(user: Any) -> Any:
    """The user to store in `*_by` fields and the audit log: None for the system actor."""
    return user if getattr(user, "pk", None) is not None else None


@contextlib.contextmanager
def audited(user: Any) -> Iterator[None]:
    """Record `user` as the actor of the audit rows written inside (web requests already set it)."""
    real = real_user(user)
    if real is None:
        yield
        return
    with set_actor(real):
        yield
