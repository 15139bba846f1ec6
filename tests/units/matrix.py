"""Write endpoints of the units app for the global permission-matrix test.

Each case: url name, URL kwargs (or a callable building them from the `tree` fixture), a callable
building valid POST data, and the roles allowed. Success is a 302 redirect or 200, refusal 403.
The officer is the Gia Lai officer of `users["officer"]` (unit tree["province"]).
"""

from __future__ import annotations

import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

_serial = itertools.count(1)


def _new_unit(tree: Any) -> dict[str, Any]:
    n = next(_serial)
    return {"code": f"MX{n:04d}", "name": f"Đơn vị thử {n}", "kind": "so_nganh",
            "parent_code": tree["province"].code, "valid_from": "", "valid_to": "", "successor_codes": ""}


def _edit_snv(tree: Any) -> dict[str, Any]:
    n = next(_serial)
    return {"code": "SNV", "name": f"Sở Nội vụ ({n})", "kind": "so_nganh",
            "parent_code": tree["province"].code, "valid_from": "", "valid_to": "", "successor_codes": ""}


def _upload(tree: Any) -> dict[str, Any]:
    n = next(_serial)
    text = f"code,name,kind,parent_code\nMI{n:04d},Đơn vị nhập {n},so_nganh,{tree['province'].code}\n"
    return {"file": SimpleUploadedFile(f"donvi-{n}.csv", text.encode("utf-8"), content_type="text/csv")}


CASES: list[dict[str, Any]] = [
    {
        "url_name": "units:create",
        "kwargs": {},
        "data": _new_unit,
        "allowed": {"admin", "officer"},
    },
    {
        "url_name": "units:edit",
        "kwargs": lambda tree: {"pk": tree["snv"].pk},
        "data": _edit_snv,
        "allowed": {"admin", "officer"},
    },
    {
        "url_name": "units:import",
        "kwargs": {},
        "data": _upload,
        "allowed": {"admin", "officer"},
    },
]
