"""Write endpoints of the reporting pages for the global permission-matrix test.

The reporter of the `users` fixture belongs to Sở Tư pháp (STP): entry endpoints act on STP's 2021-H1
draft; approve/return act on STP's report after it was submitted (made through the services as the
system actor).
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile


def _h1() -> Any:
    from cchc.periods.models import Period
    from cchc.periods.services import create_year_periods

    if not Period.objects.filter(code="2021-H1").exists():
        create_year_periods(2021)
    return Period.objects.get(code="2021-H1")


def _draft(tree: Any) -> Any:
    from cchc.reporting import services

    return services.get_or_create_submission(tree["stp"], _h1(), services.default_catalog(), services.SYSTEM)


def _submitted(tree: Any) -> dict[str, Any]:
    from cchc.reporting import services

    draft = _draft(tree)
    services.save_values(draft, services.SYSTEM, {"1.1.1": "4", "1.1.2": "3"}, draft.version)
    services.submit(draft, services.SYSTEM)
    return {"unit_code": "STP", "period_code": "2021-H1"}


def _draft_kwargs(tree: Any) -> dict[str, Any]:
    _draft(tree)
    return {"unit_code": "STP", "period_code": "2021-H1"}


def _template_file(tree: Any) -> dict[str, Any]:
    from openpyxl import load_workbook

    from cchc.reporting import services
    from cchc.reporting.xlsx import template_xlsx

    book = load_workbook(io.BytesIO(template_xlsx(tree["stp"], _h1(), services.default_catalog())))
    sheet = book.active
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "1.1.1")
    sheet.cell(row, 4).value = 6
    buffer = io.BytesIO()
    book.save(buffer)
    return {"file": SimpleUploadedFile("phu-luc.xlsx", buffer.getvalue())}


CASES: list[dict[str, Any]] = [
    {
        "url_name": "reporting:save",
        "kwargs": _draft_kwargs,
        "data": lambda tree: {"version": "", "v-1-1-1": "1.964", "note-1-1-1": "Ghi chú"},
        "allowed": {"admin", "reporter"},
    },
    {
        "url_name": "reporting:submit",
        "kwargs": _draft_kwargs,
        "data": lambda tree: {},
        "allowed": {"admin", "reporter"},
    },
    {
        "url_name": "reporting:upload",
        "kwargs": _draft_kwargs,
        "data": _template_file,
        "allowed": {"admin", "reporter"},
    },
    {
        "url_name": "reporting:approve",
        "kwargs": _submitted,
        "data": lambda tree: {},
        "allowed": {"admin", "officer"},
    },
    {
        "url_name": "reporting:return",
        "kwargs": _submitted,
        "data": lambda tree: {"comment": "Thiếu số liệu"},
        "allowed": {"admin", "officer"},
    },
]
