"""`cchc units load-vn` and `cchc units import FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cchc.cli import CliError, emit, json_flag


def register(sub: argparse._SubParsersAction) -> None:
    units = sub.add_parser("units", help="danh mục đơn vị: nạp danh sách quốc gia, nhập từ CSV/XLSX")
    commands = units.add_subparsers(dest="units_command", metavar="LỆNH")
    commands.required = True

    p = commands.add_parser(
        "load-vn", parents=[json_flag()], help="nạp 34 tỉnh và các xã, phường hiện hành (từ 1/7/2025)"
    )
    p.set_defaults(handler=cmd_load_vn)

    p = commands.add_parser(
        "import", parents=[json_flag()], help="nhập danh sách đơn vị từ tệp CSV hoặc XLSX"
    )
    p.add_argument("file", metavar="TỆP", help="tệp CSV (UTF-8, dấu phẩy hoặc chấm phẩy) hoặc XLSX")
    p.set_defaults(handler=cmd_import)


def cmd_load_vn(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _

    from .vn import load_vn

    result = load_vn()
    emit(args, result, _("Loaded %(provinces)s provinces and %(communes)s communes/wards.") % result)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _

    from .importer import UnitImportError, import_units

    path = Path(args.file)
    if not path.is_file():
        raise CliError(_("file not found: %(path)s") % {"path": args.file})
    try:
        result = import_units(path)
    except UnitImportError as exc:
        # One summary line first (like every other error), then each problem with its line.
        print(_("Error: %(message)s") % {"message": exc.summary()}, file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    counts = {"created": result.created, "updated": result.updated}
    emit(args, counts, _("Units created: %(created)s, updated: %(updated)s.") % counts)
    return 0
