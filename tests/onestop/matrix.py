"""Write endpoints of the one-stop pages for the global permission-matrix test.

Filling indicators from dossiers writes a unit's figures: the unit's reporters (the `users` reporter
belongs to Sở Tư pháp) and admins may; officers approve reports but do not write them.
"""

from __future__ import annotations

from typing import Any


def _stp_h1(tree: Any) -> dict[str, Any]:
    from cchc.periods.models import Period
    from cchc.periods.services import create_year_periods

    if not Period.objects.filter(code="2021-H1").exists():
        create_year_periods(2021)
    return {"unit_code": tree["stp"].code, "period_code": "2021-H1"}


CASES: list[dict[str, Any]] = [
    {
        "url_name": "onestop:fill_indicators",
        "kwargs": _stp_h1,
        "data": lambda tree: {},
        "allowed": {"admin", "reporter"},
    },
]
