"""`cchc dossiers import` and `cchc dossiers stats`: one-stop dossiers into the store, and their metrics.

Heavy modules (DuckDB, pyarrow, the calendar) are imported inside the handlers so that the
`cchc` start-up cost stays small for every other command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from cchc.cli import CliError, django_ready, emit, json_flag, lazy_django
from cchc.cli import gettext as _

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_VN = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def gettext_noop(message: str) -> str:
    """Mark a msgid for makemessages at import time (Django's own needs settings loaded first)."""
    return message


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("dossiers", help="hồ sơ thủ tục hành chính một cửa: nhập, thống kê")
    commands = parser.add_subparsers(dest="dossiers_command", metavar="LỆNH")
    commands.required = True

    p = commands.add_parser(
        "import", parents=[json_flag()],
        help="nhập tệp hồ sơ vào kho (cập nhật hồ sơ trùng mã, không nhân đôi)",
    )
    p.add_argument("file", metavar="TỆP", help="tệp hồ sơ CSV, XLSX, JSONL hoặc Parquet")
    p.add_argument(
        "--skip-bad", metavar="TỆP_LỖI", help="bỏ qua dòng lỗi và ghi chúng (số dòng, lý do) vào tệp CSV này"
    )
    p.add_argument("--mapping", metavar="ÁNH_XẠ", help="tệp YAML ánh xạ cột và giá trị của hệ thống một cửa")
    p.set_defaults(handler=cmd_import)
    lazy_django(p)

    p = commands.add_parser(
        "stats", parents=[json_flag()], help="số liệu hồ sơ (tiếp nhận, giải quyết, đúng hạn, trực tuyến...)"
    )
    p.add_argument(
        "--input", metavar="TỆP", help="tệp hồ sơ CSV, XLSX, JSONL hoặc Parquet (mặc định: kho hồ sơ đã nhập)"
    )
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
    lazy_django(p)

    p = commands.add_parser(
        "fill-indicators", parents=[json_flag()],
        help="điền chỉ tiêu 3.4.x, 7.8.3, 7.8.4 của báo cáo kỳ từ hồ sơ (đơn vị và các đơn vị trực thuộc)",
    )
    p.add_argument("--unit", metavar="MÃ", required=True, help="mã đơn vị báo cáo")
    p.add_argument("--period", metavar="ID", required=True, help="kỳ báo cáo, ví dụ 2021-H1")
    p.add_argument(
        "--input", metavar="TỆP", help="tệp hồ sơ CSV, XLSX, JSONL hoặc Parquet (mặc định: kho hồ sơ đã nhập)"
    )
    p.set_defaults(handler=cmd_fill_indicators)

    p = commands.add_parser(
        "index766", parents=[json_flag()],
        help="bộ chỉ số phục vụ (Quyết định 766/QĐ-TTg) theo đơn vị, theo tháng",
    )
    p.add_argument("--year", metavar="NĂM", required=True, type=int, help="năm số liệu, ví dụ 2021")
    p.add_argument("--month", metavar="THÁNG", type=int, help="một tháng số liệu (1–12)")
    p.add_argument("--unit", metavar="MÃ", help="chỉ đơn vị có mã này")
    p.add_argument(
        "--input", metavar="TỆP", help="tệp hồ sơ CSV, XLSX, JSONL hoặc Parquet (mặc định: kho hồ sơ đã nhập)"
    )
    p.set_defaults(handler=cmd_index766)


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
            django_ready()
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
    from .reader import DossierFileError

    start, end = window_of(args)
    try:
        by = parse_by(args.by)
    except StatsInputError as exc:
        raise CliError(str(exc)) from None
    if not args.input:
        from .store import DossierStore

        store = DossierStore()
        source = store.source()
        if source is None:
            raise CliError(
                _("the dossier store %(root)s is empty: import a file with `cchc dossiers import FILE`, "
                  "or give --input FILE.") % {"root": store.root}
            )
        try:
            result = dossier_stats(source, start, end, by=by, unit=args.unit)
        except StatsInputError as exc:
            raise CliError(str(exc)) from None
        emit(args, result, "" if args.json else render_table(result, by))
        return 0
    path = Path(args.input)
    if not path.is_file():
        raise CliError(_("file not found: %(path)s") % {"path": args.input})
    try:
        # the path itself: a canonical Parquet file is scanned in place, anything else is read
        result = dossier_stats(path, start, end, by=by, unit=args.unit)
    except DossierFileError as exc:
        raise CliError(exc.summary()) from None
    except (CalendarRangeError, CalendarDataError, StatsInputError) as exc:
        raise CliError(f"{path}: {exc}") from None
    emit(args, result, "" if args.json else render_table(result, by))
    return 0


def _input_path(args: argparse.Namespace) -> Path | None:
    """The --input file (checked to exist), or None for the dossier store."""
    if not args.input:
        return None
    path = Path(args.input)
    if not path.is_file():
        raise CliError(_("file not found: %(path)s") % {"path": args.input})
    return path


def cmd_fill_indicators(args: argparse.Namespace) -> int:
    from django.core.exceptions import PermissionDenied, ValidationError

    from cchc.periods.models import Period
    from cchc.units.models import Unit

    from .calendar import CalendarDataError, CalendarRangeError
    from .indicators import FieldListError, fill_from_dossiers
    from .metrics import StatsInputError
    from .reader import DossierFileError

    unit = Unit.objects.filter(code=args.unit).first()
    if unit is None:
        raise CliError(_("--unit: unit %(code)s does not exist.") % {"code": args.unit})
    period = Period.objects.filter(code=args.period).first()
    if period is None:
        raise CliError(_("period %(code)s does not exist.") % {"code": args.period})
    path = _input_path(args)
    try:
        result = fill_from_dossiers(unit, period, source=path)
    except ValidationError as exc:
        raise CliError(" ".join(exc.messages)) from None
    except PermissionDenied:
        raise CliError(_("you may not enter the data of unit %(code)s.") % {"code": unit.code}) from None
    except DossierFileError as exc:
        raise CliError(exc.summary()) from None
    except (CalendarRangeError, CalendarDataError, StatsInputError, FieldListError) as exc:
        raise CliError(str(exc)) from None
    start = period.start.strftime("%d/%m/%Y")
    end = period.end.strftime("%d/%m/%Y")
    lines = [
        _("Report of %(unit)s for %(period)s (dossiers from %(start)s to %(end)s): %(count)s indicators "
          "filled from dossiers.")
        % {"unit": unit.code, "period": period.code, "start": start, "end": end,
           "count": len(result["values"])}
    ]
    for code, value in result["values"].items():
        lines.append(
            f"  {code:<8} {_number(value['numerator']):>12} / {_number(value['denominator']):<12} "
            f"{_number(value['rate'])}%"
        )
    if not result["values"]:
        lines.append(_("No dossier of this unit or its units was completed or received in the window."))
    emit(args, result, "\n".join(lines))
    return 0


def cmd_index766(args: argparse.Namespace) -> int:
    from cchc.periods import windows

    from .calendar import CalendarDataError, CalendarRangeError
    from .index766 import service_index
    from .reader import DossierFileError
    from .store import DossierStore

    if not windows.MIN_YEAR <= args.year <= windows.MAX_YEAR:
        raise CliError(
            _("--year %(year)s is out of range (%(min)s–%(max)s).")
            % {"year": args.year, "min": windows.MIN_YEAR, "max": windows.MAX_YEAR}
        )
    if args.month is not None and not 1 <= args.month <= 12:
        raise CliError(_("--month %(month)s is not a month (1–12).") % {"month": args.month})
    path = _input_path(args)
    source: Any = path if path is not None else DossierStore()
    try:
        rows = service_index(source, args.year, args.month, args.unit)
    except DossierFileError as exc:
        raise CliError(exc.summary()) from None
    except (CalendarRangeError, CalendarDataError) as exc:
        raise CliError(str(exc)) from None
    result = {"year": args.year, "month": args.month, "unit": args.unit, "rows": rows}
    title = _("Service index 766 of %(year)s: %(count)s unit-months.")
    lines = [title % {"year": args.year, "count": len(rows)}]
    for row in rows:
        lines.append(
            f"  {row['month']}  {row['unit']:<12} {_number(row['total']):>7} / "
            f"{_number(row['max'])}  {_number(row['index'])}%  {row['band'] or ''}"
        )
    emit(args, result, "\n".join(lines))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .calendar import CalendarDataError, CalendarRangeError
    from .reader import DossierFileError
    from .store import DossierStore

    path = Path(args.file)
    if not path.is_file():
        raise CliError(_("file not found: %(path)s") % {"path": args.file})
    mapping = Path(args.mapping) if args.mapping else None
    if mapping is not None and not mapping.is_file():
        raise CliError(_("mapping file not found: %(path)s") % {"path": args.mapping})

    def progress(stage: str, step: int, steps: int) -> None:
        print(f"[{step}/{steps}] {stage}…", file=sys.stderr, flush=True)

    store = DossierStore()
    try:
        result = store.import_file(
            path,
            skip_bad=Path(args.skip_bad) if args.skip_bad else None,
            mapping=mapping,
            progress=None if args.json else progress,
        )
    except DossierFileError as exc:
        details = "\n".join(f"  {error}" for error in exc.errors[1:]) if len(exc.errors) > 1 else ""
        if details:
            print(details, file=sys.stderr)
        raise CliError(exc.summary() + " " + _("Nothing was imported.")) from None
    except (CalendarRangeError, CalendarDataError) as exc:
        raise CliError(f"{path}: {exc}") from None
    data = result._asdict()
    text = _(
        "Imported %(imported)s new dossiers, updated %(updated)s, rejected %(rejected)s rows; "
        "the store now holds %(total)s dossiers."
    ) % {key: _number(value) for key, value in data.items()}
    if args.skip_bad and result.rejected:
        text += "\n" + _("Rejected rows written to %(path)s.") % {"path": args.skip_bad}
    emit(args, data, text)
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
    django_ready()
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
