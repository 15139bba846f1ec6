"""`cchc dossiers stats`: dossier metrics of a data window from a one-stop export file."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gettext as gettext_module
import re
from pathlib import Path
from typing import Any

from cchc.cli import CliError, emit, json_flag

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_VN = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


@functools.cache
def _catalog() -> gettext_module.NullTranslations:
    """This package's compiled Vietnamese catalog, read directly.

    cchc.onestop is not in INSTALLED_APPS yet (no models), so Django does not load its locale
    directory; messages Django leaves untranslated are looked up here.
    """
    return gettext_module.translation("django", localedir=LOCALE_DIR, languages=["vi"], fallback=True)


def _(message: str) -> str:
    """Translate through Django, falling back on this package's own catalog (see _catalog)."""
    from django.utils.translation import get_language, gettext

    translated = gettext(message)
    if translated == message and (get_language() or "").startswith("vi"):
        translated = _catalog().gettext(message)
    return translated


def gettext_noop(message: str) -> str:
    """Mark a msgid for makemessages at import time (Django's own needs settings loaded first)."""
    return message


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("dossiers", help="hồ sơ thủ tục hành chính một cửa: thống kê")
    commands = parser.add_subparsers(dest="dossiers_command", metavar="LỆNH")
    commands.required = True

    p = commands.add_parser(
        "stats", parents=[json_flag()], help="số liệu hồ sơ (tiếp nhận, giải quyết, đúng hạn, trực tuyến...)"
    )
    p.add_argument("--input", metavar="TỆP", help="tệp hồ sơ CSV, XLSX, JSONL hoặc Parquet")
    p.add_argument("--period", metavar="ID", help="kỳ báo cáo, ví dụ 2021-Q1 (từ 15/12/2020 đến 14/3/2021)")
    p.add_argument(
        "--from", dest="date_from", metavar="NGÀY", help="ngày bắt đầu (YYYY-MM-DD hoặc dd/mm/yyyy)"
    )
    p.add_argument("--to", dest="date_to", metavar="NGÀY", help="ngày kết thúc, tính cả ngày này")
    p.add_argument("--unit", metavar="MÃ", help="chỉ hồ sơ của đơn vị có mã này")
    p.add_argument(
        "--by",
        metavar="NHÓM",
        help="nhóm theo level, field, unit, channel, procedure, month (cách nhau dấu phẩy)",
    )
    p.set_defaults(handler=cmd_stats)


def parse_day(text: str, option: str) -> dt.date:
    """A date given on the command line, ISO or dd/mm/yyyy; CliError naming the option otherwise."""
    value = text.strip()
    parts: tuple[int, int, int] | None = None
    if m := _ISO.fullmatch(value):
        parts = (int(m[1]), int(m[2]), int(m[3]))
    elif m := _VN.fullmatch(value):
        parts = (int(m[3]), int(m[2]), int(m[1]))
    try:
        if parts is None:
            raise ValueError(value)
        return dt.date(*parts)
    except ValueError:
        raise CliError(
            _("%(option)s: “%(value)s” is not a valid date (expected YYYY-MM-DD or dd/mm/yyyy).")
            % {"option": option, "value": text}
        ) from None


def window_of(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    """The data window: a period id, or --from and --to (exactly one of the two ways)."""
    from cchc.periods import windows

    dates = (args.date_from, args.date_to)
    if args.period and any(dates):
        raise CliError(_("give either --period or --from/--to, not both."))
    if args.period:
        try:
            spec = windows.parse(args.period)
        except windows.PeriodCodeError as exc:
            if not windows.is_custom_code(args.period):
                raise CliError(str(exc)) from None
            from cchc.periods.models import Period

            period = Period.objects.filter(code=args.period).first()
            if period is None:
                raise CliError(_("period %(code)s does not exist.") % {"code": args.period}) from None
            return period.start, period.end
        return spec.start, spec.end
    if not all(dates):
        raise CliError(_("give --period ID, or both --from and --to."))
    start, end = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    if end < start:
        raise CliError(
            _("--to %(end)s is before --from %(start)s.")
            % {"end": end.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")}
        )
    return start, end


def cmd_stats(args: argparse.Namespace) -> int:
    from .calendar import CalendarDataError, CalendarRangeError
    from .metrics import StatsInputError, dossier_stats, parse_by
    from .reader import DossierFileError, read_dossiers

    start, end = window_of(args)
    try:
        by = parse_by(args.by)
    except StatsInputError as exc:
        raise CliError(str(exc)) from None
    if not args.input:
        raise CliError(_("give the dossier file with --input FILE (the dossier store is not available yet)."))
    path = Path(args.input)
    if not path.is_file():
        raise CliError(_("file not found: %(path)s") % {"path": args.input})
    try:
        table = read_dossiers(path)
        result = dossier_stats(table, start, end, by=by, unit=args.unit)
    except DossierFileError as exc:
        raise CliError(exc.summary()) from None
    except (CalendarRangeError, CalendarDataError, StatsInputError) as exc:
        raise CliError(f"{path}: {exc}") from None
    emit(args, result, render_table(result, by))
    return 0


_COLUMNS = (
    ("received", gettext_noop("Received")),
    ("carried_over", gettext_noop("Carried over")),
    ("completed", gettext_noop("Completed")),
    ("on_time", gettext_noop("On time")),
    ("late", gettext_noop("Late")),
    ("on_time_rate", gettext_noop("On-time %")),
    ("in_progress", gettext_noop("In progress")),
    ("overdue_in_progress", gettext_noop("Overdue")),
    ("online", gettext_noop("Online")),
    ("online_rate", gettext_noop("Online %")),
    ("late_without_apology", gettext_noop("Late, no apology")),
)


def _number(value: Any) -> str:
    from django.utils.formats import number_format

    if value is None:
        return "–"
    if isinstance(value, float):
        return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return number_format(value, use_l10n=True, force_grouping=True)


def render_table(result: dict[str, Any], by: list[str]) -> str:
    """A short Vietnamese text table: one line per group, then the total."""
    window = result["window"]
    start = dt.date.fromisoformat(window["from"]).strftime("%d/%m/%Y")
    end = dt.date.fromisoformat(window["to"]).strftime("%d/%m/%Y")
    title = _("Dossiers from %(start)s to %(end)s") % {"start": start, "end": end}
    header = [_("Group")] + [_(label) for _name, label in _COLUMNS]
    rows: list[list[str]] = []
    if by:
        for group in result["groups"]:
            label = " · ".join("—" if v is None else str(v) for v in group["key"].values())
            rows.append([label] + [_number(group[name]) for name, _label in _COLUMNS])
    rows.append([_("Total")] + [_number(result["total"][name]) for name, _label in _COLUMNS])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [title]
    for row in [header, *rows]:
        numbers = [cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)]
        cells = [row[0].ljust(widths[0]), *numbers]
        lines.append("  ".join(cells))
    return "\n".join(lines)
