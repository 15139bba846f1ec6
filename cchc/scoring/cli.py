"""`cchc score …`: validate a scoring template and compute a unit's score from a scores file.

    cchc score compute --template par-district-2022.yaml --scores diem.json [--json]
    cchc score validate --template FILE [--json]
    cchc score templates [--json]
    cchc score load-templates [FILE ...] [--json]
    cchc score import-survey --template CODE --year Y FILE [--json]
    cchc score results --template CODE --year Y [--published] [--xlsx OUT] [--json]
    cchc score compute-auto --template CODE --year Y [--unit CODE] [--json]

`--template` takes a file or the name of a shipped template (`cchc score templates` lists them).
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cchc.cli import CliError, emit, json_flag
from cchc.scoring.i18n import gettext as _
from cchc.scoring.numbers import json_number, vi_number

if TYPE_CHECKING:
    from cchc.scoring.template import Template

# the engine and the templates (YAML) are imported by the handlers that use them: every `cchc`
# command builds this parser, and most never score anything

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

    p = commands.add_parser(
        "load-templates", parents=[json_flag()], help=_("load scoring templates into the database")
    )
    p.add_argument(
        "files", nargs="*", metavar=_("FILE"), help=_("template YAML files (default: the shipped ones)")
    )
    p.set_defaults(handler=cmd_load_templates)

    p = commands.add_parser(
        "import-survey",
        parents=[json_flag()],
        help=_("import survey points from CSV (unit_code, leaf_code, points)"),
    )
    p.add_argument("--template", required=True, help=_("template code in the database"))
    p.add_argument("--year", required=True, type=int, help=_("assessment year"))
    p.add_argument("file", metavar=_("FILE"), help=_("CSV file"))
    p.set_defaults(handler=cmd_import_survey)

    p = commands.add_parser(
        "results", parents=[json_flag()], help=_("results table: points, index, band, rank")
    )
    p.add_argument("--template", required=True, help=_("template code in the database"))
    p.add_argument("--year", required=True, type=int, help=_("assessment year"))
    p.add_argument("--published", action="store_true", help=_("only published assessments"))
    p.add_argument("--xlsx", metavar=_("OUT"), help=_("also write the table to this XLSX file"))
    p.set_defaults(handler=cmd_results)

    p = commands.add_parser(
        "compute-auto",
        parents=[json_flag()],
        help=_("fill the automatic criteria from approved reports and the dossier store"),
    )
    p.add_argument("--template", required=True, help=_("template code in the database"))
    p.add_argument("--year", required=True, type=int, help=_("assessment year"))
    p.add_argument("--unit", metavar=_("CODE"), help=_("only this unit's assessment"))
    p.set_defaults(handler=cmd_compute_auto)


def resolve_template(name: str) -> Template:
    """Load a template from a file path, or a shipped template by name; CliError names the problem."""
    from cchc.scoring.template import TemplateError, load_template, shipped_templates

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
    from cchc.scoring.template import TemplateError, load_yaml

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
    from cchc.scoring.engine import ScoreError, score

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
    from cchc.scoring.template import shipped_templates

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


# --- database commands (Django is set up by cchc.cli.main) ---------------------------------------------


def _messages(exc: Exception) -> str:
    return "; ".join(getattr(exc, "messages", None) or [str(exc)])


def _stored_template(code: str) -> Any:
    from cchc.scoring.models import ScoringTemplate

    template = ScoringTemplate.objects.filter(code=code).first()
    if template is None:
        known = ", ".join(ScoringTemplate.objects.values_list("code", flat=True)) or "—"
        raise CliError(
            _(
                "there is no template %(code)s in the database "
                "(loaded: %(known)s; run cchc score load-templates)"
            )
            % {"code": code, "known": known}
        )
    return template


def cmd_load_templates(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from cchc.scoring import services

    try:
        files = args.files
        loaded = services.load_template_files(files) if files else services.load_shipped_templates()
    except ValidationError as exc:
        raise CliError(_messages(exc)) from exc
    labels = {"created": _("created"), "updated": _("updated"), "unchanged": _("unchanged")}
    rows = [
        {
            "code": t.code,
            "name": t.name,
            "year": t.year,
            "max": json_number(t.max_points),
            "version": t.version,
            "action": action,
        }
        for t, action in loaded
    ]
    lines = [f"{t.code}: {t.name} ({vi_number(t.max_points)}) — {labels[action]}" for t, action in loaded]
    emit(args, {"templates": rows}, "\n".join(lines))
    return 0


def cmd_import_survey(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from cchc.scoring import services

    template = _stored_template(args.template)
    path = Path(args.file)
    if not path.is_file():
        raise CliError(_("survey file %(path)s does not exist") % {"path": args.file})
    try:
        summary = services.import_survey(template, args.year, path, services.SYSTEM)
    except ValidationError as exc:
        raise CliError(
            _("survey file %(path)s: %(errors)s") % {"path": args.file, "errors": _messages(exc)}
        ) from exc
    text = _("%(rows)s survey points imported for %(assessments)s units.") % summary
    emit(args, summary, text)
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    from cchc.scoring import services

    template = _stored_template(args.template)
    rows = services.results(template, args.year, published_only=args.published)
    if not rows:
        raise CliError(
            _("no assessment of %(template)s for %(year)s") % {"template": args.template, "year": args.year}
        )
    if args.xlsx:
        from cchc.scoring.exports import export_results_xlsx

        try:
            Path(args.xlsx).write_bytes(export_results_xlsx(template, args.year))
        except OSError as exc:
            raise CliError(_("cannot write %(path)s: %(error)s") % {"path": args.xlsx, "error": exc}) from exc
    data = {
        "template": template.code,
        "year": args.year,
        "rows": [
            {
                "unit": row.unit.code,
                "name": row.unit.name,
                "group": row.group,
                "status": row.status,
                "total": json_number(row.total),
                "max": json_number(row.max),
                "index": json_number(row.index),
                "band": row.band,
                "rank": row.rank,
                "group_size": row.group_size,
                "areas": {area.code: json_number(area.score) for area in row.areas},
                "previous_total": json_number(row.previous_total),
                "previous_index": json_number(row.previous_index),
                "previous_rank": row.previous_rank,
                "points_change": json_number(row.points_change),
                "index_change": json_number(row.index_change),
                "rank_change": row.rank_change,
            }
            for row in rows
        ],
    }
    lines = []
    for row in rows:
        rank = f"{row.rank}/{row.group_size}" if row.rank is not None else "—"
        lines.append(
            f"{rank:>6}  {row.unit.name}: {vi_number(row.total)}/{vi_number(row.max)} "
            f"({vi_number(row.index, 2)}%) {row.band or ''}"
        )
    emit(args, data, "\n".join(lines))
    return 0


def cmd_compute_auto(args: argparse.Namespace) -> int:
    """Fill the automatic criteria of every assessment of a template × year (or one unit's)."""
    from django.core.exceptions import ValidationError

    from cchc.onestop.store import DossierStore
    from cchc.scoring import services
    from cchc.scoring.models import Assessment

    template = _stored_template(args.template)
    found = Assessment.objects.filter(template=template, year=args.year).select_related("unit", "template")
    if args.unit:
        found = found.filter(unit__code=args.unit)
    assessments = list(found.order_by("unit__code"))
    if not assessments:
        if args.unit:
            raise CliError(
                _("unit %(unit)s has no assessment of %(template)s for %(year)s")
                % {"unit": args.unit, "template": args.template, "year": args.year}
            )
        raise CliError(
            _("no assessment of %(template)s for %(year)s") % {"template": args.template, "year": args.year}
        )
    locked = [a.unit.code for a in assessments if a.is_locked]
    if locked:
        raise CliError(
            _("the assessments of %(units)s are published and locked: nothing was changed")
            % {"units": ", ".join(locked)}
        )
    store = DossierStore()
    filled: dict[str, dict[str, Any]] = {}
    missing: dict[str, list[str]] = {}
    lines = []
    for assessment in assessments:
        code = assessment.unit.code
        try:
            points, lacking = services.fill_automatic(assessment, services.SYSTEM, store=store)
        except ValidationError as exc:
            raise CliError(
                _("unit %(unit)s: %(errors)s") % {"unit": code, "errors": _messages(exc)}
            ) from exc
        filled[code] = {leaf: json_number(value) for leaf, value in points.items()}
        missing[code] = lacking
        lines.append(
            _("%(unit)s: %(filled)s criteria computed, %(missing)s without data%(codes)s")
            % {
                "unit": code,
                "filled": len(points),
                "missing": len(lacking),
                "codes": f" ({', '.join(lacking)})" if lacking else "",
            }
        )
    data = {"assessments": len(assessments), "filled": filled, "missing": missing}
    emit(args, data, "\n".join(lines))
    return 0
