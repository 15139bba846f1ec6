"""`cchc indicators …`: the indicator catalog and the appendix XLSX round trip from the shell.

    cchc indicators load-catalog [--json]
    cchc indicators template --unit CODE --period ID --out FILE.xlsx [--catalog CODE]
    cchc indicators import FILE --unit CODE --period ID [--catalog CODE] [--json]
    cchc indicators export --unit CODE --period ID --out FILE.xlsx [--aggregate] [--submitted] [--json]
    cchc indicators completeness --unit CODE --period ID [--json]

Batch jobs act as the system (like an administrator); the web and the API check the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cchc.cli import CliError, emit, json_flag
from cchc.cli import gettext as _


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("indicators", help="chỉ tiêu thống kê: danh mục, nhập và xuất phụ lục XLSX")
    commands = parser.add_subparsers(dest="indicators_command", metavar="LỆNH")
    commands.required = True

    p = commands.add_parser(
        "load-catalog", parents=[json_flag()], help="nạp danh mục chỉ tiêu và quy tắc kiểm tra"
    )
    p.set_defaults(handler=cmd_load_catalog)

    def target(p: argparse.ArgumentParser) -> None:
        p.add_argument("--unit", required=True, help="mã đơn vị")
        p.add_argument("--period", required=True, help="mã kỳ báo cáo, ví dụ 2021-H1")
        p.add_argument("--catalog", default="bnv-2021", help="mã danh mục chỉ tiêu (mặc định bnv-2021)")

    p = commands.add_parser("template", parents=[json_flag()], help="tạo mẫu phụ lục XLSX để điền")
    target(p)
    p.add_argument("--out", required=True, help="tệp XLSX ghi ra")
    p.set_defaults(handler=cmd_template)

    p = commands.add_parser("import", parents=[json_flag()], help="nhập phụ lục XLSX đã điền")
    p.add_argument("file", metavar="TỆP", help="tệp XLSX")
    target(p)
    p.set_defaults(handler=cmd_import)

    p = commands.add_parser(
        "export", parents=[json_flag()], help="xuất số liệu hoặc số liệu tổng hợp ra XLSX"
    )
    target(p)
    p.add_argument("--out", required=True, help="tệp XLSX ghi ra")
    p.add_argument("--aggregate", action="store_true", help="tổng hợp từ các đơn vị trực thuộc")
    p.add_argument("--submitted", action="store_true", help="tổng hợp cả báo cáo đã gửi chưa duyệt")
    p.set_defaults(handler=cmd_export)

    p = commands.add_parser(
        "completeness", parents=[json_flag()], help="tình hình nộp báo cáo của các đơn vị"
    )
    target(p)
    p.set_defaults(handler=cmd_completeness)


def _target(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    from django.core.exceptions import ValidationError

    from cchc.periods.services import find_period
    from cchc.reporting.models import Catalog
    from cchc.reporting.services import default_catalog
    from cchc.units.models import Unit

    unit = Unit.objects.filter(code=args.unit.strip()).first()
    if unit is None:
        raise CliError(_("Unit %(code)s does not exist.") % {"code": args.unit})
    try:
        period = find_period(args.period)
    except ValidationError as exc:
        raise CliError(" ".join(exc.messages)) from None
    if args.catalog == "bnv-2021":
        catalog = default_catalog()
    else:
        catalog = Catalog.objects.filter(code=args.catalog).first()
        if catalog is None:
            raise CliError(_("Catalog %(code)s does not exist.") % {"code": args.catalog})
    return unit, period, catalog


def _write(path: str, data: bytes) -> Path:
    out = Path(path)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise CliError(
            _("Cannot write %(path)s: %(error)s") % {"path": out, "error": exc.strerror}
        ) from None
    return out


def cmd_load_catalog(args: argparse.Namespace) -> int:
    from cchc.reporting.catalog import CatalogError
    from cchc.reporting.rules import RuleError
    from cchc.reporting.services import load_catalog

    try:
        result = load_catalog()
    except (CatalogError, RuleError) as exc:
        raise CliError(str(exc)) from None
    text = _("Catalog %(catalog)s: %(indicators)s indicators, %(rules)s rules (%(state)s).") % {
        **result,
        "state": _("created")
        if result["created"]
        else _("updated")
        if result["updated"]
        else _("unchanged"),
    }
    emit(args, result, text)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from cchc.reporting.xlsx import template_xlsx

    unit, period, catalog = _target(args)
    out = _write(args.out, template_xlsx(unit, period, catalog))
    emit(
        args,
        {"out": str(out), "unit": unit.code, "period": period.code},
        _("Written %(path)s.") % {"path": out},
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from cchc.reporting.services import SYSTEM, ConflictError, entry_error_message, get_or_create_submission
    from cchc.reporting.xlsx import XlsxImportError, import_xlsx

    unit, period, catalog = _target(args)
    if not Path(args.file).is_file():
        raise CliError(_("File %(name)s does not exist.") % {"name": args.file})
    try:
        with transaction.atomic():  # a refused file leaves no empty submission behind
            submission = get_or_create_submission(unit, period, catalog, SYSTEM)
            result = import_xlsx(args.file, submission, SYSTEM)
    except XlsxImportError as exc:
        if args.json:
            print(json.dumps({"saved": 0, "errors": [e.as_dict() for e in exc.errors]}, ensure_ascii=False))
        else:
            for error in exc.errors:
                print(str(error), file=sys.stderr)
        raise CliError(exc.message) from None
    except ConflictError as exc:
        raise CliError(exc.message) from None
    except ValidationError as exc:
        raise CliError(" ".join(entry_error_message(exc))) from None
    data = {**result.as_dict(), "unit": unit.code, "period": period.code, "status": submission.status}
    emit(args, data, _("Saved %(saved)s values (%(unchanged)s unchanged).") % data)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from cchc.reporting.models import Submission
    from cchc.reporting.services import aggregate
    from cchc.reporting.xlsx import export_xlsx

    unit, period, catalog = _target(args)
    if args.aggregate:
        source: Any = aggregate(unit, period, catalog, include_submitted=args.submitted)
    else:
        source = Submission.objects.filter(unit=unit, period=period, catalog=catalog).first()
        if source is None:
            raise CliError(
                _("Unit %(unit)s has no report for period %(period)s.")
                % {"unit": unit.code, "period": period.code}
            )
    out = _write(args.out, export_xlsx(source))
    data = {"out": str(out), "unit": unit.code, "period": period.code, "aggregate": args.aggregate}
    if args.aggregate:
        data["units"] = list(source.units)
    emit(args, data, _("Written %(path)s.") % {"path": out})
    return 0


def cmd_completeness(args: argparse.Namespace) -> int:
    from cchc.reporting.services import completeness

    unit, period, catalog = _target(args)
    result = completeness(period, catalog, unit).as_dict()
    counts = result["counts"]
    text = (
        _(
            "%(submitted)s of %(expected)s units submitted (%(late)s late), %(approved)s approved, "
            "%(missing)s missing."
        )
        % counts
    )
    emit(args, result, text)
    return 0
