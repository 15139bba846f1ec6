"""`cchc periods ...`: create, list, show, open and close reporting periods."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from cchc.cli import CliError, emit, json_flag

from . import windows


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("periods", help="kỳ báo cáo (tháng, quý, 6 tháng, năm, tùy chỉnh)")
    actions = parser.add_subparsers(dest="periods_command", metavar="LỆNH")
    actions.required = True

    p = actions.add_parser("create", parents=[json_flag()], help="tạo các kỳ báo cáo của một năm")
    p.add_argument("--year", type=int, required=True, help="năm, ví dụ 2021")
    p.set_defaults(handler=cmd_create)

    p = actions.add_parser(
        "create-custom", parents=[json_flag()], help="tạo kỳ tùy chỉnh với ngày bắt đầu, kết thúc"
    )
    p.add_argument("code", help="mã kỳ, dạng 2021-C-kiem-tra")
    p.add_argument("--name", required=True, help="tên kỳ")
    p.add_argument("--start", required=True, help="ngày bắt đầu dd/mm/yyyy")
    p.add_argument("--end", required=True, help="ngày kết thúc dd/mm/yyyy")
    p.set_defaults(handler=cmd_create_custom)

    p = actions.add_parser("list", parents=[json_flag()], help="liệt kê các kỳ báo cáo")
    p.add_argument("--year", type=int, help="chỉ các kỳ của năm này")
    p.set_defaults(handler=cmd_list)

    p = actions.add_parser("show", parents=[json_flag()], help="xem một kỳ báo cáo")
    p.add_argument("code", metavar="ID", help="mã kỳ, ví dụ 2021-H1")
    p.set_defaults(handler=cmd_show)

    for name, is_open, text in (("open", True, "mở kỳ để nhận báo cáo"), ("close", False, "khóa kỳ báo cáo")):
        p = actions.add_parser(name, parents=[json_flag()], help=text)
        p.add_argument("code", metavar="ID", help="mã kỳ, ví dụ 2021-H1")
        p.set_defaults(handler=cmd_set_open, is_open=is_open)


def as_dict(period: Any) -> dict[str, Any]:
    """The JSON shape of a period, shared by the command line and tests."""
    return {
        "id": period.pk,
        "code": period.code,
        "kind": period.kind,
        "year": period.year,
        "name": period.name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "deadline": period.deadline.isoformat(),
        "is_open": period.is_open,
    }


def _message(exc: Any) -> str:
    """One line out of a ValidationError, whatever its shape."""
    return " ".join(str(m) for m in exc.messages)


def _find(code: str) -> Any:
    from django.core.exceptions import ValidationError

    from .services import find_period

    try:
        return find_period(code)
    except ValidationError as exc:
        raise CliError(_message(exc)) from exc


def _date(value: str, label: str) -> dt.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    from django.utils.translation import gettext as _

    raise CliError(_("%(field)s: “%(value)s” is not a date (dd/mm/yyyy).") % {"field": label, "value": value})


def cmd_create(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .services import ensure_year_periods

    try:
        result = ensure_year_periods(args.year)
    except ValidationError as exc:
        raise CliError(_message(exc)) from exc
    text = _("Periods of %(year)s: %(created)s created, %(existing)s already existed.") % {
        "year": args.year, "created": result.created, "existing": result.existing}
    emit(args, {"created": result.created, "existing": result.existing}, text)
    return 0


def cmd_create_custom(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .services import create_custom_period

    start = _date(args.start, _("Start date"))
    end = _date(args.end, _("End date"))
    try:
        period = create_custom_period(args.code, args.name, start, end)
    except ValidationError as exc:
        raise CliError(_message(exc)) from exc
    emit(args, as_dict(period), _("Created period %(code)s.") % {"code": period.code})
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _

    from .models import Period

    periods = Period.objects.all()
    if args.year is not None:
        periods = periods.filter(year=args.year)
    order = {kind: i for i, kind in enumerate(windows.KINDS)}
    periods = sorted(periods, key=lambda p: (-p.year, order.get(p.kind, 99), p.start, p.end, p.code))
    lines = [
        _("%(code)s  %(name)s  %(start)s – %(end)s  due %(deadline)s  %(state)s") % {
            "code": f"{p.code:<22}", "name": f"{p.name:<26}", "start": f"{p.start:%d/%m/%Y}",
            "end": f"{p.end:%d/%m/%Y}", "deadline": f"{p.deadline:%d/%m/%Y}",
            "state": _("open") if p.is_open else _("closed")}
        for p in periods
    ]
    emit(args, {"periods": [as_dict(p) for p in periods]}, "\n".join(lines) or _("No reporting period yet."))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _

    period = _find(args.code)
    text = "\n".join([
        f"{period.code} · {period.name}",
        _("Data window: %(start)s – %(end)s")
        % {"start": f"{period.start:%d/%m/%Y}", "end": f"{period.end:%d/%m/%Y}"},
        _("Submission deadline: %(date)s") % {"date": f"{period.deadline:%d/%m/%Y}"},
        _("Status: %(state)s") % {"state": _("open") if period.is_open else _("closed")},
    ])
    emit(args, as_dict(period), text)
    return 0


def cmd_set_open(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _

    from .services import close_period, open_period

    period = _find(args.code)
    period = open_period(period) if args.is_open else close_period(period)
    text = (_("Period %(code)s is open.") if period.is_open else _("Period %(code)s is closed.")) % {
        "code": period.code}
    emit(args, as_dict(period), text)
    return 0
