"""Scoring workflow: every write to an assessment goes through here, checked and audited.

Views, the command line and the demo call these functions; none of them writes the models directly.
Each write checks the central permission (`cchc.accounts.permissions`): the unit's reporters enter its
self-assessment, province officers (or admins) appraise, import survey points and publish. Bad input
raises `ValidationError` with Vietnamese messages naming the criterion or the CSV line; a concurrent
edit raises `ConflictError`; a forbidden action raises `PermissionDenied`. Published assessments are
locked. The arithmetic is the pure engine's (`cchc.scoring.engine`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

# SYSTEM, ConflictError and SystemActor are part of this module's API (callers use services.SYSTEM).
from cchc.accounts.actors import SYSTEM, ConflictError, SystemActor, audited, real_user  # noqa: F401
from cchc.accounts.permissions import Action, can, require, unit_scope
from cchc.scoring.engine import NodeResult, Result, ScoreError, automatic_scores, rank, score
from cchc.scoring.models import (
    EDITABLE_BY_UNIT,
    RANKED,
    Assessment,
    Evidence,
    LeafScore,
    ScoringTemplate,
    Status,
)
from cchc.scoring.numbers import round_half_up, to_decimal, vi_number
from cchc.scoring.template import Criterion, Template, TemplateError, parse_template, shipped_templates
from cchc.units.models import Unit

MANUAL = "manual"
SURVEY = "survey"
CHANGED_CODES_SHOWN = 10




def _require_any(user: Any, actions: Iterable[Action], unit: Any) -> None:
    if not any(can(user, action, unit) for action in actions):
        raise PermissionDenied


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _about(code: str, problem: str) -> str:
    return _("Criterion %(code)s: %(problem)s") % {"code": code, "problem": problem}


def parse_points(code: str, value: Any, maximum: Decimal) -> Decimal | None:
    """Points typed by a user ("0,5", 0.5, Decimal): None when blank; ValidationError naming `code`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    number = to_decimal(value)
    if number is None:
        raise ValidationError(
            _about(code, _('the points must be a number, not "%(value)s"') % {"value": value})
        )
    if number < 0:
        raise ValidationError(
            _about(code, _("the points (%(value)s) must not be negative") % {"value": vi_number(number)})
        )
    if number > maximum:
        raise ValidationError(
            _about(
                code,
                _("the points (%(value)s) exceed its maximum (%(max)s)")
                % {"value": vi_number(number), "max": vi_number(maximum)},
            )
        )
    if number != round_half_up(number, 2):
        raise ValidationError(
            _about(code, _("the points (%(value)s) have more than 2 decimals") % {"value": vi_number(number)})
        )
    return round_half_up(number, 2)


def _check_editable_by_unit(assessment: Assessment) -> None:
    if assessment.status not in EDITABLE_BY_UNIT:
        raise ValidationError(
            _("The assessment is %(status)s: the unit can no longer change it.")
            % {"status": _status_label(assessment.status)}
        )


def _check_not_locked(assessment: Assessment) -> None:
    if assessment.is_locked:
        raise ValidationError(_("The assessment is published and locked: it can no longer be changed."))


@contextlib.contextmanager
def _locked(assessment: Assessment, user: Any, expected_version: int | None = None) -> Iterator[Assessment]:
    """A transaction holding the assessment row; checks the version the user edited; bumps it on exit."""
    with audited(user), transaction.atomic():
        fresh = (
            Assessment.objects.select_for_update().select_related("template", "unit").get(pk=assessment.pk)
        )
        if expected_version is not None and fresh.version != expected_version:
            changed = list(
                fresh.leaves.filter(changed_in_version__gt=expected_version)
                .order_by("id")
                .values_list("code", flat=True)
            )
            who = fresh.updated_by.get_full_name() or fresh.updated_by.username if fresh.updated_by else ""
            shown = ", ".join(changed[:CHANGED_CODES_SHOWN]) + (
                " …" if len(changed) > CHANGED_CODES_SHOWN else ""
            )
            message = _(
                "The assessment was changed by %(who)s at %(when)s while you were editing "
                "(version %(current)s, you edited version %(expected)s); %(what)s. Reload it and enter "
                "your changes again."
            ) % {
                "who": who or _("another user"),
                "when": timezone.localtime(fresh.updated_at).strftime("%H:%M %d/%m/%Y"),
                "current": fresh.version,
                "expected": expected_version,
                "what": (_("criteria changed: %(codes)s") % {"codes": shown})
                if changed
                else _("its status is now %(status)s") % {"status": _status_label(fresh.status)},
            }
            raise ConflictError(message, current_version=fresh.version, changed_codes=changed)
        fresh.version += 1
        fresh.updated_by = real_user(user)
        yield fresh
        fresh.save()
    assessment.refresh_from_db()


def _leaf_rows(assessment: Assessment) -> dict[str, LeafScore]:
    return {row.code: row for row in assessment.leaves.all()}


def _nodes(template: Template) -> dict[str, Criterion]:
    return {leaf.code: leaf for leaf in template.leaves()}


def _raise_all(errors: list[str]) -> None:
    if errors:
        raise ValidationError(errors)


# --- templates ---------------------------------------------------------------------------------------


def load_template_text(text: str, user: Any = SYSTEM) -> tuple[ScoringTemplate, str]:
    """Store a validated template (YAML text); returns the row and "created" / "updated" / "unchanged".

    A template whose assessments are published keeps its text: its results must not move afterwards.
    """
    require(user, Action.APPROVE)
    try:
        parsed = parse_template(text)
    except TemplateError as exc:
        raise ValidationError(exc.messages) from exc
    fields = {
        "name": parsed.name,
        "year": parsed.year,
        "unit_kind": parsed.unit_kind,
        "source": text,
        "max_points": parsed.max,
    }
    with audited(user), transaction.atomic():
        row = ScoringTemplate.objects.select_for_update().filter(code=parsed.code).first()
        if row is None:
            return ScoringTemplate.objects.create(code=parsed.code, **fields), "created"
        if all(getattr(row, key) == value for key, value in fields.items()):
            return row, "unchanged"
        if row.assessments.filter(status=Status.PUBLISHED).exists():
            raise ValidationError(
                _(
                    "Template %(code)s has published results and cannot be changed; "
                    "give the new version a new code."
                )
                % {"code": parsed.code}
            )
        for key, value in fields.items():
            setattr(row, key, value)
        row.version += 1
        row.save()
        return row, "updated"


def load_shipped_templates(user: Any = SYSTEM) -> list[tuple[ScoringTemplate, str]]:
    """Load (or refresh) every template shipped with cchc (`data/templates/*.yaml`)."""
    return [
        load_template_text(path.read_text(encoding="utf-8"), user) for path in shipped_templates().values()
    ]


def load_template_files(paths: Iterable[str | Path], user: Any = SYSTEM) -> list[tuple[ScoringTemplate, str]]:
    """Load templates from YAML files; the error names the file."""
    loaded = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(
                _("Cannot read template file %(path)s: %(error)s") % {"path": path, "error": exc}
            ) from exc
        try:
            loaded.append(load_template_text(text, user))
        except ValidationError as exc:
            raise ValidationError([f"{path}: {message}" for message in exc.messages]) from exc
    return loaded


# --- assessments -------------------------------------------------------------------------------------


def _fits(template: Template, unit: Unit) -> bool:
    return "all" in template.unit_kinds or unit.kind in template.unit_kinds


def _ensure_leaves(assessment: Assessment, template: Template) -> None:
    existing = set(assessment.leaves.values_list("code", flat=True))
    LeafScore.objects.bulk_create(
        [
            LeafScore(assessment=assessment, code=leaf.code, changed_in_version=assessment.version)
            for leaf in template.leaves()
            if leaf.code not in existing
        ]
    )


def _get_or_create(template: ScoringTemplate, unit: Unit, year: int, user: Any) -> tuple[Assessment, bool]:
    parsed = template.parsed
    if not _fits(parsed, unit):
        raise ValidationError(
            _("Template %(template)s scores units of kind %(kinds)s; %(unit)s is not one of them.")
            % {"template": template.code, "kinds": parsed.unit_kind, "unit": unit}
        )
    with audited(user), transaction.atomic():
        assessment, created = Assessment.objects.get_or_create(
            template=template,
            unit=unit,
            year=year,
            defaults={"group": unit.kind, "updated_by": real_user(user)},
        )
        _ensure_leaves(assessment, parsed)
    return assessment, created


def get_or_create_assessment(template: ScoringTemplate, unit: Unit, year: int, user: Any) -> Assessment:
    """The assessment of `unit` on `template` for `year`, created with one row per scored criterion."""
    _require_any(user, (Action.ENTER_DATA, Action.APPROVE), unit)
    if not 1900 <= int(year) <= 2200:
        raise ValidationError(_("The year %(year)s is not valid.") % {"year": year})
    return _get_or_create(template, unit, int(year), user)[0]


def _parse_scores(
    assessment: Assessment, scores: Mapping[str, tuple[Any, str]], *, manual_only: bool
) -> dict[str, tuple[Decimal | None, str]]:
    """Check {code: (points, comment)} against the template, naming every bad criterion at once."""
    nodes = _nodes(assessment.template.parsed)
    parsed: dict[str, tuple[Decimal | None, str]] = {}
    errors: list[str] = []
    for code, (points, comment) in scores.items():
        node = nodes.get(code)
        if node is None:
            errors.append(_about(code, _("is not a scored criterion of this template")))
            continue
        if manual_only and node.method != MANUAL:
            errors.append(_about(code, _("is scored automatically, not self-assessed")))
            continue
        try:
            parsed[code] = (parse_points(code, points, node.max), (comment or "").strip())
        except ValidationError as exc:
            errors.extend(exc.messages)
    _raise_all(errors)
    return parsed


def save_self_scores(
    assessment: Assessment,
    user: Any,
    scores: Mapping[str, tuple[Any, str]],
    expected_version: int,
) -> Assessment:
    """The unit's own points and comments for manual criteria ({code: (points, comment)})."""
    require(user, Action.ENTER_DATA, assessment.unit)
    parsed = _parse_scores(assessment, scores, manual_only=True)
    with _locked(assessment, user, expected_version) as fresh:
        _check_editable_by_unit(fresh)
        rows = _leaf_rows(fresh)
        for code, (points, comment) in parsed.items():
            row = rows[code]
            if row.self_points != points or row.self_comment != comment:
                row.self_points, row.self_comment = points, comment
                row.changed_in_version = fresh.version
                row.save()
    return assessment


def save_remediation(
    assessment: Assessment, user: Any, notes: Mapping[str, tuple[str, Unit | str | None]]
) -> Assessment:
    """What the unit did to recover lost points and who is responsible ({code: (note, unit)}).

    Allowed in every status: the lost-points report is written after the results are published.
    """
    _require_any(user, (Action.ENTER_DATA, Action.APPROVE), assessment.unit)
    nodes = _nodes(assessment.template.parsed)
    errors: list[str] = []
    resolved: dict[str, tuple[str, Unit | None]] = {}
    for code, (note, unit) in notes.items():
        if code not in nodes:
            errors.append(_about(code, _("is not a scored criterion of this template")))
            continue
        if isinstance(unit, str) and unit.strip():
            found = Unit.objects.filter(code=unit.strip()).first()
            if found is None:
                errors.append(_about(code, _('there is no unit with code "%(unit)s"') % {"unit": unit}))
                continue
            unit = found
        elif isinstance(unit, str):
            unit = None
        resolved[code] = ((note or "").strip(), unit)
    _raise_all(errors)
    with _locked(assessment, user) as fresh:
        rows = _leaf_rows(fresh)
        for code, (note, unit) in resolved.items():
            row = rows[code]
            unit_id = unit.pk if unit is not None else None
            if row.remediation_note != note or row.responsible_unit_id != unit_id:
                row.remediation_note, row.responsible_unit = note, unit
                row.changed_in_version = fresh.version
                row.save()
    return assessment


# --- evidence ----------------------------------------------------------------------------------------

EVIDENCE_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
_OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


def _clean_name(name: str) -> str:
    base = _UNSAFE_NAME.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip() or "tep"
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:190] + dot + ext[:9]) if dot else base[:200]
    return base


def _content_matches(ext: str, handle: IO[bytes]) -> bool:
    """Magic bytes of the declared type (and, for DOCX/XLSX, the part that makes the zip that type)."""
    handle.seek(0)
    head = handle.read(8)
    handle.seek(0)
    if ext == ".pdf":
        return head.startswith(b"%PDF-")
    if ext == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext in _OOXML_PART:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(handle) as archive:
                return _OOXML_PART[ext] in archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return False
        finally:
            handle.seek(0)
    return False


def add_evidence(leaf_score: LeafScore, uploaded_file: Any, user: Any) -> Evidence:
    """Attach a proof file (PDF, DOCX, XLSX, PNG, JPEG; size-limited) to a self-assessed criterion."""
    assessment = leaf_score.assessment
    require(user, Action.ENTER_DATA, assessment.unit)
    _check_editable_by_unit(assessment)
    name = _clean_name(getattr(uploaded_file, "name", "") or "")
    ext = Path(name).suffix.lower()
    code = leaf_score.code
    if ext not in EVIDENCE_TYPES:
        raise ValidationError(
            _about(
                code,
                _('the file "%(name)s" is not accepted: only PDF, DOCX, XLSX, PNG and JPEG files are')
                % {"name": name},
            )
        )
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
        uploaded_file.seek(0)
    limit = settings.CCHC_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            _about(
                code,
                _('the file "%(name)s" is %(size)s MB, more than the %(limit)s MB allowed')
                % {
                    "name": name,
                    "size": vi_number(round_half_up(Decimal(size) / 1048576, 2)),
                    "limit": vi_number(round_half_up(Decimal(limit) / 1048576, 2)),
                },
            )
        )
    if size == 0:
        raise ValidationError(_about(code, _('the file "%(name)s" is empty') % {"name": name}))
    if not _content_matches(ext, uploaded_file):
        raise ValidationError(
            _about(
                code,
                _('the content of "%(name)s" is not a %(type)s file (the name does not match the content)')
                % {"name": name, "type": ext[1:].upper()},
            )
        )
    evidence = Evidence(
        leaf_score=leaf_score,
        original_name=name,
        content_type=EVIDENCE_TYPES[ext],
        size=size,
        uploaded_by=real_user(user),
    )
    with audited(user), transaction.atomic():
        evidence.file.save(f"{uuid.uuid4().hex}{ext}", File(uploaded_file), save=False)
        try:
            evidence.save()
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


def delete_evidence(evidence: Evidence, user: Any) -> None:
    """Remove a proof file while the unit may still change its self-assessment."""
    assessment = evidence.leaf_score.assessment
    require(user, Action.ENTER_DATA, assessment.unit)
    _check_editable_by_unit(assessment)
    with audited(user), transaction.atomic():
        evidence.delete()
        transaction.on_commit(lambda: evidence.file.delete(save=False))


def evidence_for_download(evidence: Evidence, user: Any) -> tuple[IO[bytes], str, str]:
    """(open file, download name, content type) — only for the unit's users and the province."""
    require(user, Action.VIEW_UNIT_DATA, evidence.leaf_score.assessment.unit)
    return evidence.file.open("rb"), evidence.original_name, evidence.content_type


# --- workflow ----------------------------------------------------------------------------------------


def submit(assessment: Assessment, user: Any, expected_version: int | None = None) -> Assessment:
    """The unit sends its self-assessment for appraisal; every manual criterion must have points."""
    require(user, Action.ENTER_DATA, assessment.unit)
    nodes = _nodes(assessment.template.parsed)
    with _locked(assessment, user, expected_version) as fresh:
        _check_editable_by_unit(fresh)
        missing = [
            row.code
            for row in fresh.leaves.order_by("id")
            if row.code in nodes and nodes[row.code].method == MANUAL and row.self_points is None
        ]
        if missing:
            raise ValidationError(
                _("Self-assess every criterion before submitting; missing: %(codes)s")
                % {"codes": ", ".join(missing)}
            )
        fresh.status = Status.SUBMITTED
        fresh.submitted_at = timezone.now()
        fresh.return_reason = ""
    return assessment


def return_for_revision(assessment: Assessment, user: Any, reason: str) -> Assessment:
    """The province sends a submitted self-assessment back to the unit with the reason."""
    require(user, Action.APPROVE, assessment.unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the assessment is returned."))
    with _locked(assessment, user) as fresh:
        if fresh.status != Status.SUBMITTED:
            raise ValidationError(
                _("Only a submitted assessment can be returned; this one is %(status)s.")
                % {"status": _status_label(fresh.status)}
            )
        fresh.status = Status.RETURNED
        fresh.return_reason = reason
    return assessment


def save_appraisal(
    assessment: Assessment,
    user: Any,
    scores: Mapping[str, tuple[Any, str]],
    expected_version: int | None = None,
) -> Assessment:
    """The appraisal council's points and comments ({code: (points, comment)}); blank keeps the unit's."""
    require(user, Action.APPROVE, assessment.unit)
    parsed = _parse_scores(assessment, scores, manual_only=False)
    with _locked(assessment, user, expected_version) as fresh:
        _check_not_locked(fresh)
        if fresh.status not in (Status.SUBMITTED, Status.APPRAISED):
            raise ValidationError(
                _("Only a submitted assessment can be appraised; this one is %(status)s.")
                % {"status": _status_label(fresh.status)}
            )
        rows = _leaf_rows(fresh)
        for code, (points, comment) in parsed.items():
            row = rows[code]
            if row.appraised_points != points or row.appraisal_comment != comment:
                row.appraised_points, row.appraisal_comment = points, comment
                row.changed_in_version = fresh.version
                row.save()
        fresh.status = Status.APPRAISED
        fresh.appraised_at = timezone.now()
    return assessment


def publish(template: ScoringTemplate, year: int, user: Any) -> dict[str, list[Assessment]]:
    """Publish and lock the appraised assessments of template × year within the user's province.

    Assessments not yet appraised are left as they are and listed under "skipped".
    """
    require(user, Action.APPROVE)
    scope = unit_scope(user)
    candidates = Assessment.objects.filter(template=template, year=year).select_related("unit")
    if scope is not None:
        if candidates.exists() and not candidates.filter(unit_id__in=scope).exists():
            raise PermissionDenied
        candidates = candidates.filter(unit_id__in=scope)
    published: list[Assessment] = []
    skipped: list[Assessment] = []
    with audited(user), transaction.atomic():
        for assessment in candidates.select_for_update().order_by("unit__code"):
            if assessment.status == Status.APPRAISED:
                assessment.status = Status.PUBLISHED
                assessment.published_at = timezone.now()
                assessment.version += 1
                assessment.updated_by = real_user(user)
                assessment.save()
                published.append(assessment)
            elif assessment.status != Status.PUBLISHED:
                skipped.append(assessment)
    if not published:
        raise ValidationError(
            _("No appraised assessment of %(template)s for %(year)s is waiting to be published.")
            % {"template": template.code, "year": year}
        )
    return {"published": published, "skipped": skipped}


# --- survey and automatic points ---------------------------------------------------------------------

SURVEY_COLUMNS = {
    "unit_code": ("unit_code", "mã đơn vị", "ma_don_vi"),
    "leaf_code": ("leaf_code", "mã tiêu chí", "ma_tieu_chi"),
    "points": ("points", "điểm", "diem"),
}


def _read_text(source: Any) -> str:
    if isinstance(source, str | Path):
        data: Any = Path(source).read_bytes()
    else:
        data = source.read()
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The survey file is not UTF-8 text.")) from exc
    return data.lstrip("\ufeff")


def import_survey(template: ScoringTemplate, year: int, csv_file: Any, user: Any) -> dict[str, int]:
    """Survey points from CSV (unit_code, leaf_code, points); all rows or none, each bad row named."""
    require(user, Action.APPROVE)
    text = _read_text(csv_file)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        raise ValidationError(_("The survey file is empty.")) from None
    positions: dict[str, int] = {}
    for key, aliases in SURVEY_COLUMNS.items():
        found = [i for i, cell in enumerate(header) if cell in aliases]
        if not found:
            raise ValidationError(_('The survey file has no "%(column)s" column.') % {"column": key})
        positions[key] = found[0]
    nodes = _nodes(template.parsed)
    units: dict[str, Unit | None] = {}
    errors: list[str] = []
    entries: list[tuple[int, Unit, str, Decimal]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        unit_code = row[positions["unit_code"]].strip()
        leaf_code = row[positions["leaf_code"]].strip()
        raw_points = row[positions["points"]].strip()
        prefix = _("Line %(line)s") % {"line": line}
        if unit_code not in units:
            units[unit_code] = Unit.objects.filter(code=unit_code).first() if unit_code else None
        unit = units[unit_code]
        if unit is None:
            errors.append(
                f"{prefix}, unit_code: " + _('there is no unit with code "%(unit)s"') % {"unit": unit_code}
            )
            continue
        node = nodes.get(leaf_code)
        if node is None:
            errors.append(
                f"{prefix}, leaf_code: "
                + _('"%(code)s" is not a scored criterion of template %(template)s')
                % {"code": leaf_code, "template": template.code}
            )
            continue
        if node.method != SURVEY:
            errors.append(f"{prefix}, leaf_code: " + _about(leaf_code, _("is not scored by survey")))
            continue
        try:
            points = parse_points(leaf_code, raw_points, node.max)
        except ValidationError as exc:
            errors.append(f"{prefix}, points: " + exc.messages[0])
            continue
        if points is None:
            errors.append(f"{prefix}, points: " + _about(leaf_code, _("the points are missing")))
            continue
        if (unit_code, leaf_code) in seen:
            errors.append(
                f"{prefix}: "
                + _("%(unit)s / %(code)s is already given on line %(first)s")
                % {"unit": unit_code, "code": leaf_code, "first": seen[(unit_code, leaf_code)]}
            )
            continue
        seen[(unit_code, leaf_code)] = line
        if not can(user, Action.APPROVE, unit):
            raise PermissionDenied
        if not _fits(template.parsed, unit):
            errors.append(
                f"{prefix}, unit_code: "
                + _("%(unit)s is not scored on template %(template)s")
                % {"unit": unit_code, "template": template.code}
            )
            continue
        entries.append((line, unit, leaf_code, points))
    if not entries and not errors:
        errors.append(_("The survey file has no data rows."))
    _raise_all(errors)
    by_unit: dict[int, list[tuple[int, str, Decimal]]] = {}
    unit_of: dict[int, Unit] = {}
    for line, unit, leaf_code, points in entries:
        by_unit.setdefault(unit.pk, []).append((line, leaf_code, points))
        unit_of[unit.pk] = unit
    with audited(user), transaction.atomic():
        for unit_id, rows in by_unit.items():
            assessment, _created = _get_or_create(template, unit_of[unit_id], int(year), user)
            with _locked(assessment, user) as fresh:
                if fresh.is_locked:
                    raise ValidationError(
                        _("Line %(line)s: the assessment of %(unit)s for %(year)s is published and locked.")
                        % {"line": rows[0][0], "unit": unit_of[unit_id].code, "year": year}
                    )
                leaf_rows = _leaf_rows(fresh)
                for _line, leaf_code, points in rows:
                    row = leaf_rows[leaf_code]
                    if row.survey_points != points:
                        row.survey_points = points
                        row.changed_in_version = fresh.version
                        row.save()
    return {"rows": len(entries), "assessments": len(by_unit)}


def year_window(year: int) -> tuple[dt.date, dt.date]:
    """The data window of a reporting year (Nghị định 09/2019: 15/12 of the year before → 14/12)."""
    return dt.date(year - 1, 12, 15), dt.date(year, 12, 14)


def dossier_inputs(dossiers: Any, unit_code: str, year: int) -> dict[str, Any]:
    """Dossier metrics of one unit over the year window, by metric name (rates in %)."""
    from cchc.onestop.metrics import dossier_stats

    start, end = year_window(year)
    total = dossier_stats(dossiers, start, end, unit=unit_code)["total"]
    values: dict[str, Any] = {key: value for key, value in total.items() if value is not None}
    received = total.get("received") or 0
    if received and total.get("paid_online") is not None:
        values["paid_online_rate"] = round_half_up(Decimal(total["paid_online"]) * 100 / received, 2)
    return values


def compute_automatic(
    assessment: Assessment,
    inputs: Mapping[str, Any],
    user: Any = SYSTEM,
    *,
    dossiers: Any = None,
) -> dict[str, Decimal]:
    """Points of the indicator / metric / survey-rule criteria from measured values, figure kept.

    `inputs` maps a criterion's `source` (or its code) to the value measured; with `dossiers` (a
    dossier table or file) the one-stop metrics of the unit over the year fill the sources they name
    (explicit inputs win). Returns the points by criterion code.
    """
    _require_any(user, (Action.ENTER_DATA, Action.APPROVE), assessment.unit)
    values: dict[str, Any] = {}
    if dossiers is not None:
        values.update(dossier_inputs(dossiers, assessment.unit.code, assessment.year))
    values.update(inputs)
    parsed = assessment.template.parsed
    try:
        points, _missing = automatic_scores(parsed, values)
    except ScoreError as exc:
        raise ValidationError(exc.messages) from exc
    nodes = _nodes(parsed)
    with _locked(assessment, user) as fresh:
        _check_not_locked(fresh)
        rows = _leaf_rows(fresh)
        for code, value in points.items():
            node = nodes[code]
            key = node.source if node.source in values else code
            raw = values[key]
            figure = Decimal(int(raw)) if isinstance(raw, bool) else to_decimal(raw)
            row = rows[code]
            if node.method == SURVEY:
                changed = row.survey_points != value
                row.survey_points = value
            else:
                changed = row.auto_points != value
                row.auto_points = value
            if changed or row.auto_source != key or row.auto_source_value != figure:
                row.auto_source, row.auto_source_value = key, figure
                row.changed_in_version = fresh.version
                row.save()
    return points


# --- results -----------------------------------------------------------------------------------------


def final_points(
    assessment: Assessment, leaves: Iterable[LeafScore] | None = None
) -> dict[str, Decimal | None]:
    """The points that count per criterion: appraised, else the unit's own (manual), automatic or survey."""
    nodes = _nodes(assessment.template.parsed)
    rows = list(leaves) if leaves is not None else list(assessment.leaves.all())
    points: dict[str, Decimal | None] = {}
    for row in rows:
        node = nodes.get(row.code)
        if node is None:
            continue
        if row.appraised_points is not None:
            points[row.code] = row.appraised_points
        elif node.method == MANUAL:
            points[row.code] = row.self_points
        elif node.method == SURVEY:
            points[row.code] = row.survey_points if row.survey_points is not None else row.auto_points
        else:
            points[row.code] = row.auto_points
    return points


def score_assessment(assessment: Assessment, leaves: Iterable[LeafScore] | None = None) -> Result:
    """The engine's result (total, index, band, per-node points) of an assessment's final points."""
    points = {code: value for code, value in final_points(assessment, leaves).items() if value is not None}
    return score(assessment.template.parsed, points)


@dataclass(frozen=True)
class ResultRow:
    """One unit in the results table; `rank_change` > 0 means it climbed since last year."""

    assessment: Assessment
    unit: Unit
    group: str
    status: str
    result: Result
    total: Decimal
    max: Decimal
    index: Decimal
    band: str | None
    rank: int | None
    group_size: int
    previous_total: Decimal | None = None
    previous_index: Decimal | None = None
    previous_rank: int | None = None
    points_change: Decimal | None = None
    index_change: Decimal | None = None
    rank_change: int | None = None

    @property
    def areas(self) -> tuple[NodeResult, ...]:
        return self.result.criteria


def _scored(template: ScoringTemplate, year: int, published_only: bool) -> list[tuple[Assessment, Result]]:
    assessments = (
        Assessment.objects.filter(template=template, year=year)
        .select_related("unit", "template")
        .prefetch_related("leaves")
        .order_by("unit__code")
    )
    if published_only:
        assessments = assessments.filter(status=Status.PUBLISHED)
    return [(a, score_assessment(a, a.leaves.all())) for a in assessments]


def _ranks(scored: list[tuple[Assessment, Result]]) -> tuple[dict[int, int], dict[str, int]]:
    """Rank by index within each group among appraised / published assessments."""
    groups: dict[str, list[tuple[int, Decimal]]] = {}
    for assessment, result in scored:
        if assessment.status in RANKED:
            groups.setdefault(assessment.group, []).append((assessment.pk, result.index))
    ranks: dict[int, int] = {}
    for items in groups.values():
        ranks.update(rank(items))  # type: ignore[arg-type]
    return ranks, {group: len(items) for group, items in groups.items()}


def results(template: ScoringTemplate, year: int, *, published_only: bool = False) -> list[ResultRow]:
    """Every unit's total, index, band and rank in its group, with last year's figures to compare.

    Only appraised or published assessments are ranked (drafts get rank None). Rows are sorted by
    group, rank, then unit code.
    """
    scored = _scored(template, year, published_only)
    ranks, sizes = _ranks(scored)
    previous_scored = _scored(template, year - 1, published_only)
    previous_ranks, _sizes = _ranks(previous_scored)
    previous = {
        a.unit_id: (result, previous_ranks.get(a.pk)) for a, result in previous_scored if a.status in RANKED
    }
    rows = []
    for assessment, result in scored:
        own_rank = ranks.get(assessment.pk)
        extra: dict[str, Any] = {}
        if assessment.unit_id in previous:
            before, before_rank = previous[assessment.unit_id]
            extra = {
                "previous_total": before.total,
                "previous_index": before.index,
                "previous_rank": before_rank,
                "points_change": result.total - before.total,
                "index_change": result.index - before.index,
                "rank_change": (before_rank - own_rank)
                if before_rank is not None and own_rank is not None
                else None,
            }
        rows.append(
            ResultRow(
                assessment=assessment,
                unit=assessment.unit,
                group=assessment.group,
                status=assessment.status,
                result=result,
                total=result.total,
                max=result.max,
                index=result.index,
                band=result.band,
                rank=own_rank,
                group_size=sizes.get(assessment.group, 0),
                **extra,
            )
        )
    rows.sort(key=lambda row: (row.group, row.rank is None, row.rank or 0, row.unit.code))
    return rows


@dataclass(frozen=True)
class AreaLine:
    code: str
    name: str
    score: Decimal
    max: Decimal
    index: Decimal
    lost: Decimal
    rank: int | None


@dataclass(frozen=True)
class LostLeaf:
    code: str
    name: str
    area_code: str
    max: Decimal
    points: Decimal
    lost: Decimal
    responsible_unit: Unit | None
    remediation_note: str
    leaf_score: LeafScore


@dataclass(frozen=True)
class LostPointsReport:
    """What a unit sends each year: per area its points and rank, then each criterion that lost points."""

    assessment: Assessment
    result: Result
    rank: int | None
    group_size: int
    areas: list[AreaLine]
    leaves: list[LostLeaf]

    @property
    def total(self) -> Decimal:
        return self.result.total

    @property
    def max(self) -> Decimal:
        return self.result.max

    @property
    def index(self) -> Decimal:
        return self.result.index

    @property
    def band(self) -> str | None:
        return self.result.band

    @property
    def lost(self) -> Decimal:
        return self.result.max - self.result.total


def lost_points(assessment: Assessment) -> LostPointsReport:
    """Per area the points and the rank among the group, then each criterion below its maximum."""
    template = assessment.template
    scored = _scored(template, assessment.year, published_only=False)
    ranks, sizes = _ranks(scored)
    own = next((result for a, result in scored if a.pk == assessment.pk), None)
    if own is None:
        own = score_assessment(assessment)
    ranked = [(a, r) for a, r in scored if a.status in RANKED and a.group == assessment.group]
    area_ranks: dict[str, dict[int, int]] = {
        area.code: rank([(a.pk, r.nodes[area.code].score) for a, r in ranked]) for area in own.criteria
    }
    areas = [
        AreaLine(
            code=area.code,
            name=area.name,
            score=area.score,
            max=area.max,
            index=area.index,
            lost=area.lost,
            rank=area_ranks[area.code].get(assessment.pk),
        )
        for area in own.criteria
    ]
    rows = {row.code: row for row in assessment.leaves.select_related("responsible_unit")}
    leaves = []
    for area in own.criteria:
        for node in area.walk():
            if node.children or node.lost <= 0 or node.code not in rows:
                continue
            row = rows[node.code]
            leaves.append(
                LostLeaf(
                    code=node.code,
                    name=node.name,
                    area_code=area.code,
                    max=node.max,
                    points=node.score,
                    lost=node.lost,
                    responsible_unit=row.responsible_unit,
                    remediation_note=row.remediation_note,
                    leaf_score=row,
                )
            )
    return LostPointsReport(
        assessment=assessment,
        result=own,
        rank=ranks.get(assessment.pk),
        group_size=sizes.get(assessment.group, 0),
        areas=areas,
        leaves=leaves,
    )


# --- automatic criteria from the stored data -------------------------------------------------------

# Periods whose approved report gives a year's indicator values, best first (the year report, then the
# second half, then the first half).
INDICATOR_PERIODS = ("Y", "H2", "H1")


def _indicator_value(value: Any) -> Decimal | None:
    """A stored value as a number: a ratio from its counts (× 100) when both exist, else the figure."""
    if value.numerator is not None and value.denominator:
        return round_half_up(Decimal(value.numerator) * 100 / Decimal(value.denominator), 4)
    return None if value.value is None else Decimal(value.value)


def indicator_inputs(unit: Unit, year: int) -> dict[str, Decimal]:
    """The unit's reporting indicator values of the year, by indicator code.

    Only approved reports count (or reports locked after approval): the indicator criteria must be
    scored on figures the province accepted. The year report is used when there is one, else the
    second half's, else the first half's.
    """
    from django.db.models import Q

    from cchc.reporting.models import Status as ReportStatus
    from cchc.reporting.models import Submission, Value

    accepted = Q(status=ReportStatus.APPROVED) | Q(status=ReportStatus.LOCKED, approved_at__isnull=False)
    for kind in INDICATOR_PERIODS:
        submissions = list(
            Submission.objects.filter(accepted, unit=unit, period__code=f"{year:04d}-{kind}").order_by(
                "catalog__code"
            )
        )
        if not submissions:
            continue
        values: dict[str, Decimal] = {}
        stored = Value.objects.filter(submission__in=submissions)
        for value in stored.order_by("submission__catalog__code", "id"):
            number = _indicator_value(value)
            if number is not None:
                values.setdefault(value.indicator_code, number)
        return values
    return {}


def _automatic_leaves(template: Template) -> list[Criterion]:
    return [leaf for leaf in template.leaves() if leaf.method != MANUAL and leaf.rule is not None]


def fill_automatic(
    assessment: Assessment, user: Any, *, store: Any = None
) -> tuple[dict[str, Decimal], list[str]]:
    """Score the automatic criteria from approved reports and the one-stop dossier store.

    Why: the indicator and metric criteria need no typing — their figures already sit in the approved
    periodic reports and the dossier store. `store` is a `DossierStore` (default: the configured one);
    an empty store is ignored. Returns the points by criterion code and the automatic criteria still
    without data (checks and audit are `compute_automatic`'s).
    """
    from cchc.onestop.store import DossierStore

    _require_any(user, (Action.ENTER_DATA, Action.APPROVE), assessment.unit)
    store = DossierStore() if store is None else store
    dossiers = store.source() if store.count() else None
    leaves = _automatic_leaves(assessment.template.parsed)
    # Only the codes the indicator criteria name: a catalog code shaped like a criterion code ("1.3")
    # must not score a criterion by its own code.
    sources = {leaf.source for leaf in leaves if leaf.method == "indicator"}
    inputs = {
        code: value
        for code, value in indicator_inputs(assessment.unit, assessment.year).items()
        if code in sources
    }
    points = compute_automatic(assessment, inputs, user, dossiers=dossiers)
    missing = [leaf.code for leaf in leaves if leaf.code not in points]
    return points, missing
