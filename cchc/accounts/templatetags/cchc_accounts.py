"""Small template helpers for the account pages."""

from __future__ import annotations

import datetime as dt
import math

from django import template

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int | str:
    """Whole minutes of a time span, rounded up (the lockout page says how long to wait)."""
    if not isinstance(value, dt.timedelta):
        return ""
    return math.ceil(value.total_seconds() / 60)
