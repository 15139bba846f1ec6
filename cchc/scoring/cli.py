"""`cchc score …`: validate a scoring template and compute a unit's score from a scores file.

    cchc score compute --template par-district-2022.yaml --scores diem.json [--json]
    cchc score validate --template FILE [--json]
    cchc score templates [--json]

`--template` takes a file or the name of a shipped template (`cchc score templates` lists them).
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc.cli import CliError, emit, json_flag
from cchc.scoring.engine import ScoreError, score
from cchc.scoring.i18n import gettext as _
from cchc.scoring.numbers import json_number, vi_number
from cchc.scoring.template import Template, TemplateError, load_template, load_yaml, shipped_templates

MAX_LISTED = 15  # unscored leaves listed in the text summary (--json lists them all)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("score", help=_("score units on a template (PAR index, 766 index)"))
    commands = parser.add_subparsers(dest="score_command", metavar=_("COMMAND"))
    commands.required = True

    p = commands.add_parser(
        "compute", parents=[json_flag()], help=_("compute total, index, band from a scores file")
    )
    p.add_argument("--template", required=True, help=_("template YAML file or shipped template name"))
    p.add_argument("--scores", required=True, help=_("JSON or YAML file mapping leaf codes to points"))
    p.set_defaults(handler=cmd_compute)

    p = commands.add_parser("validate", parents=[json_flag()], help=_("check a scoring template"))
    p.add_argument("--template", required=True, help=_("template YAML file or shipped template name"))
    p.set_defaults(handler=cmd_validate)

    p = commands.add_parser("templates", parents=[json_flag()], help=_("list the shipped scoring templates"))
    p.set_defaults(handler=cmd_templates)


def resolve_template(name: str) -> Template:
    """Load a template from a file path, or a shipped template by name; CliError names the problem."""
    path = Path(name)
    if not path.exists():
        shipped = shipped_templates()
        if name in shipped:
            path = shipped[name]
        else:
            raise CliError(
                _("template file %(path)s does not exist (shipped templates: %(names)s)")
                % {"path": name, "names": ", ".join(shipped)}
            )
    try:
        return load_template(path)
    except TemplateError as exc:
        raise CliError(_("template %(path)s is invalid: %(errors)s") % {"path": name, "errors": exc}) from exc


def read_scores(name: str) -> dict[str, Any]:
    """Read a scores file (JSON or YAML mapping of leaf code → points), numbers kept exact."""
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CliError(_("scores file %(path)s does not exist") % {"path": name}) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(
            _("cannot read scores file %(path)s: %(error)s") % {"path": name, "error": exc}
        ) from exc
    data: Any
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
        except json.JSONDecodeError as exc:
            raise CliError(
                _("scores file %(path)s: JSON error at line %(line)s: %(error)s")
                % {"path": name, "line": exc.lineno, "error": exc.msg}
            ) from exc
    else:
        try:
            data = load_yaml(text)
        except TemplateError as exc:
            raise CliError(_("scores file %(path)s: %(errors)s") % {"path": name, "errors": exc}) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CliError(
            _('scores file %(path)s must map leaf codes to points, e.g. {"1.1": 3.5}') % {"path": name}
        )
    for code, value in data.items():
        if isinstance(value, dict | list):
            raise CliError(
                _("scores file %(path)s: the points of %(code)s must be a number")
                % {"path": name, "code": code}
            )
    return {str(code): value for code, value in data.items()}


def cmd_compute(args: argparse.Namespace) -> int:
    template = resolve_template(args.template)
    scores = read_scores(args.scores)
    try:
        result = score(template, scores)
    except ScoreError as exc:
        raise CliError(_("scores file %(path)s: %(errors)s") % {"path": args.scores, "errors": exc}) from exc
    lines = [result.summary()]
    for area in result.criteria:
        points = f"{vi_number(area.score)}/{vi_number(area.max)}"
        lines.append(f"  {area.code}. {area.name}: {points} ({vi_number(area.index, 2)}%)")
    if result.not_scored:
        shown = ", ".join(result.not_scored[:MAX_LISTED]) + (
            " …" if len(result.not_scored) > MAX_LISTED else ""
        )
        lines.append(
            _("%(count)s criteria not scored (counted as 0): %(codes)s")
            % {"count": len(result.not_scored), "codes": shown}
        )
    emit(args, result.to_json(), "\n".join(lines))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    template = resolve_template(args.template)
    leaves = template.leaves()
    automatic = [leaf for leaf in leaves if leaf.method != "manual"]
    result = {
        "code": template.code,
        "name": template.name,
        "year": template.year,
        "unit_kind": template.unit_kind,
        "max": json_number(template.max),
        "leaves": len(leaves),
        "automatic": len(automatic),
        "areas": [{"code": a.code, "name": a.name, "max": json_number(a.max)} for a in template.criteria],
        "bands": [{"min": json_number(b.min), "label": b.label} for b in template.bands],
    }
    text = _(
        "Template %(code)s is valid: %(areas)s areas, %(leaves)s scored criteria "
        "(%(automatic)s automatic), %(max)s points in total."
    ) % {
        "code": template.code,
        "areas": len(template.criteria),
        "leaves": len(leaves),
        "automatic": len(automatic),
        "max": vi_number(template.max),
    }
    emit(args, result, text)
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    rows, lines = [], []
    for name, path in shipped_templates().items():
        template = resolve_template(str(path))
        rows.append(
            {"name": name, "code": template.code, "title": template.name, "max": json_number(template.max)}
        )
        lines.append(f"{name}: {template.name} ({vi_number(template.max)})")
    text = "\n".join(lines)
    emit(args, {"templates": rows}, text)
    return 0
