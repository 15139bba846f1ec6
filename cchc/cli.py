"""The `cchc` command line: one entry point for every batch job.

Each app contributes its sub-commands through a `cli.py` module with `register(subparsers)`.
Every sub-command prints JSON with `--json` and, on bad input, exits 1 with one Vietnamese line.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

# Apps that add sub-commands, in the order they appear in --help.
COMMAND_MODULES = [
    "cchc.core_cli", "cchc.units.cli", "cchc.periods.cli", "cchc.scoring.cli", "cchc.onestop.cli",
    "cchc.reporting.cli",
]


class CliError(Exception):
    """Bad input or a refused action: the message is shown to the user as is (Vietnamese)."""


def json_flag() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    return parent


def emit(args: argparse.Namespace, result: dict[str, Any], text: str) -> None:
    """Print the result as JSON with --json, else as a human sentence."""
    if getattr(args, "json", False):
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        print(text)


def setup_django() -> None:
    """Set Django up (settings, apps) unless it is already, and speak Vietnamese."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.utils import translation

    translation.activate("vi")


@functools.cache
def django_ready() -> None:
    """setup_django() once per process: cheap enough to call before every message or number."""
    setup_django()


def gettext(message: str) -> str:
    """Translate when the message is used: the parsers are built before Django is set up."""
    django_ready()
    from django.utils.translation import gettext as django_gettext

    return django_gettext(message)


def lazy_django(parser: argparse.ArgumentParser) -> None:
    """Mark a sub-command that calls django_ready() itself, only when it needs Django.

    Why: ``django.setup()`` costs about 0,3–0,5 s, most of the fixed cost of a command such as
    ``dossiers stats --input FILE --json`` that touches neither the database nor a translation.
    """
    parser.set_defaults(needs_django=False)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="cchc", description="Hệ thống quản lý cải cách hành chính")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int | None] = args.handler
    try:
        if getattr(args, "needs_django", True):
            setup_django()
        return handler(args) or 0
    except CliError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `cchc ... | head` closed the pipe: not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
