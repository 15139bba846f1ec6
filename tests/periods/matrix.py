"""Write endpoints of the periods app for the global permission-matrix test.

Each case: url name, a callable building the URL kwargs (creating what it needs), a callable
building valid POST data, and the roles allowed. Success is 302 or 200, refusal 403.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

_serial = itertools.count(1)


def _period_kwargs(tree: Any) -> dict[str, Any]:
    from cchc.periods.models import Period

    n = next(_serial)
    period = Period.objects.create(
        code=f"2021-C-matrix-{n}", kind="custom", year=2021, name=f"Kỳ thử {n}",
        start=dt.date(2021, 1, 1), end=dt.date(2021, 1, 31), deadline=dt.date(2021, 2, 5),
    )
    return {"pk": period.pk}


def _custom_data(tree: Any) -> dict[str, Any]:
    n = next(_serial)
    return {"code": f"2021-C-moi-{n}", "name": f"Kỳ mới {n}", "start": "01/03/2021", "end": "31/03/2021"}


CASES: list[dict[str, Any]] = [
    {
        "url_name": "periods:toggle",
        "kwargs": _period_kwargs,
        "data": lambda tree: {"action": "close"},
        "allowed": {"admin", "officer"},
    },
    {
        "url_name": "periods:create_year",
        "kwargs": lambda tree: {},
        "data": lambda tree: {"year": "2021"},
        "allowed": {"admin", "officer"},
    },
    {
        "url_name": "periods:create_custom",
        "kwargs": lambda tree: {},
        "data": _custom_data,
        "allowed": {"admin", "officer"},
    },
    {
        "url_name": "periods:deadlines",
        "kwargs": lambda tree: {},
        "data": lambda tree: {"month": "3", "quarter": "5", "half": "5", "year": "10", "custom": "5"},
        "allowed": {"admin", "officer"},
    },
]
