"""Appendix indicators 3.4.x and 7.8.3/7.8.4 of a period, from one-stop dossiers.

Why: every periodic report quotes these rates, and officials copy them from the one-stop system by
hand. Here they come from the same dossier metrics as ``cchc dossiers stats`` (one grouped DuckDB
pass), each as numerator and denominator so the reporting core can sum them over units.

Rows (BNV 2021 catalog, ``cchc/reporting/data/indicators-bnv-2021.csv``), over the period's data
window, for the unit and every unit below it:

- 3.4.1 / 3.4.2 / 3.4.3: dossiers completed on time (early included) / completed, at province level
  (sở, ngành: dossier level ``tinh``), district level (``huyen``) and commune level (``xa``).
  Dossiers of central-sector offices (``nganh_doc``) belong to none of these rows. A dossier
  without a level takes the level of its unit's kind (sở, ngành → tinh).
- 3.4.4 (đất đai) and 3.4.5 (xây dựng): the same rate for one field at the three levels together,
  and per level in the sub-rows .a (tỉnh), .b (huyện), .c (xã). Which dossier ``field`` values count
  for which row comes from the field list ``data/fields.yaml`` (compared without case or accents).
- 7.8.3 / 7.8.4: dossiers received online / all dossiers received, of the procedures offered at
  service level 3 / 4 (mức độ 3: filed online; mức độ 4: fully online). The export carries no
  service level, so a procedure's level is the field list's ``service_levels`` entry, else what its
  dossiers in the window show: fully online (toàn trình) → 4, only partly online (một phần) → 3.
  Procedures with no online dossier are of neither level, so without online dossiers these rows
  are left out.

A row whose denominator is 0 has no rate and is not written. The computation (``indicator_counts``)
is pure; ``fill_from_dossiers`` writes the result into the unit's submission through the reporting
services (permission, editable status and audit checked there), importing Django only when called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .schema import ONLINE_CHANNELS, normalize_name

FIELDS_FILE = Path(__file__).resolve().parent / "data" / "fields.yaml"
LEVEL_ROWS = {"tinh": "3.4.1", "huyen": "3.4.2", "xa": "3.4.3"}
LEVEL_SUFFIXES = {"tinh": "a", "huyen": "b", "xa": "c"}
SERVICE_LEVEL_ROWS = {3: "7.8.3", 4: "7.8.4"}
FULLY_ONLINE = "truc_tuyen_toan_trinh"
PARTLY_ONLINE = "truc_tuyen_mot_phan"
# dossier level of a unit's own dossiers when the export leaves the level empty
KIND_LEVELS = {"tinh": "tinh", "so_nganh": "tinh", "huyen": "huyen", "xa": "xa", "nganh_doc": "nganh_doc"}


class FieldListError(ValueError):
    """A field list file that cannot be used; the message (Vietnamese) names the key and the problem."""


@dataclass(frozen=True)
class FieldList:
    """Which dossier fields count for which catalog row, and known procedure service levels."""

    aliases: dict[str, str]  # normalised alias -> field key
    labels: dict[str, str]  # field key -> Vietnamese label
    rows: dict[str, str]  # catalog row (3.4.4) -> field key
    service_levels: dict[str, int] = field(default_factory=dict)  # procedure code -> 3 | 4

    def field_of(self, name: str | None) -> str | None:
        """The field key a dossier's ``field`` value stands for (None: a field no row counts)."""
        if name is None:
            return None
        return self.aliases.get(normalize_name(name))


def parse_fields(data: Any, where: str = "fields.yaml") -> FieldList:
    """Check a parsed field list (see ``data/fields.yaml``) and build its lookup tables."""
    if not isinstance(data, Mapping) or not isinstance(data.get("fields"), Mapping):
        raise FieldListError(f"{where}: thiếu mục “fields” (danh sách lĩnh vực và tên gọi khác).")
    aliases: dict[str, str] = {}
    labels: dict[str, str] = {}
    for key, spec in data["fields"].items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("aliases"), list) or not spec["aliases"]:
            raise FieldListError(f"{where}: lĩnh vực “{key}” cần danh sách “aliases” không rỗng.")
        labels[str(key)] = str(spec.get("label") or key)
        for alias in [spec.get("label"), *spec["aliases"]]:
            if alias is None:
                continue
            normal = normalize_name(str(alias))
            if not normal:
                raise FieldListError(f"{where}: lĩnh vực “{key}” có tên gọi rỗng.")
            other = aliases.setdefault(normal, str(key))
            if other != str(key):
                raise FieldListError(
                    f"{where}: tên “{alias}” thuộc cả lĩnh vực “{other}” và “{key}”."
                )
    rows: dict[str, str] = {}
    for code, key in (data.get("rows") or {}).items():
        if str(key) not in labels:
            raise FieldListError(
                f"{where}: chỉ tiêu {code} trỏ tới lĩnh vực “{key}” không có trong “fields”."
            )
        rows[str(code)] = str(key)
    levels: dict[str, int] = {}
    for code, level in (data.get("service_levels") or {}).items():
        if level not in (3, 4):
            raise FieldListError(
                f"{where}: mức độ dịch vụ của thủ tục {code} là “{level}”, phải là 3 hoặc 4."
            )
        levels[str(code)] = int(level)
    return FieldList(aliases, labels, rows, levels)


def load_fields(path: str | Path = FIELDS_FILE) -> FieldList:
    """The field list of a YAML file (the shipped one by default)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FieldListError(f"Không tìm thấy tệp danh sách lĩnh vực: {path}") from None
    except yaml.YAMLError as exc:
        raise FieldListError(f"{path.name}: không đọc được YAML ({exc}).") from None
    return parse_fields(data, path.name)


def _add(totals: dict[str, list[int]], code: str, numerator: int, denominator: int) -> None:
    pair = totals.setdefault(code, [0, 0])
    pair[0] += numerator
    pair[1] += denominator


def on_time_rows(
    groups: Iterable[Mapping[str, Any]], unit_levels: Mapping[str, str | None], fields: FieldList
) -> dict[str, tuple[int, int]]:
    """(on time, completed) of rows 3.4.x from stats groups keyed by unit, level and field.

    Only groups of units in `unit_levels` (code -> level of the unit's own dossiers) count.
    """
    totals: dict[str, list[int]] = {}
    for group in groups:
        key = group["key"]
        if key["unit"] not in unit_levels:
            continue
        level = key.get("level") or unit_levels[key["unit"]]
        if level not in LEVEL_ROWS:
            continue
        on_time, completed = int(group["on_time"]), int(group["completed"])
        _add(totals, LEVEL_ROWS[level], on_time, completed)
        field_key = fields.field_of(key.get("field"))
        for row, wanted in fields.rows.items():
            if field_key == wanted:
                _add(totals, row, on_time, completed)
                _add(totals, f"{row}.{LEVEL_SUFFIXES[level]}", on_time, completed)
    return {code: (n, d) for code, (n, d) in totals.items() if d > 0}


def service_levels(groups: Iterable[Mapping[str, Any]], known: Mapping[str, int]) -> dict[str, int]:
    """Service level (3 or 4) of each procedure: the known one, else what its received dossiers show."""
    seen: dict[str, int] = {}
    for group in groups:
        procedure, channel = group["key"]["procedure"], group["key"]["channel"]
        if procedure is None or not group["received"]:
            continue
        level = 4 if channel == FULLY_ONLINE else 3 if channel == PARTLY_ONLINE else 0
        if level > seen.get(procedure, 0):
            seen[procedure] = level
    levels = {p: lv for p, lv in seen.items() if lv}
    levels.update(known)
    return levels


def online_rows(
    groups: Iterable[Mapping[str, Any]], unit_levels: Mapping[str, str | None], fields: FieldList
) -> dict[str, tuple[int, int]]:
    """(received online, received) of rows 7.8.3/7.8.4 from stats groups keyed by unit, procedure, channel.

    Procedure levels are read from every unit's dossiers (a procedure's level is the province's);
    the counts only from units in `unit_levels`.
    """
    groups = list(groups)
    levels = service_levels(groups, fields.service_levels)
    totals: dict[str, list[int]] = {}
    for group in groups:
        key = group["key"]
        level = levels.get(key["procedure"])
        if key["unit"] not in unit_levels or level is None:
            continue
        received = int(group["received"])
        online = received if key["channel"] in ONLINE_CHANNELS else 0
        _add(totals, SERVICE_LEVEL_ROWS[level], online, received)
    return {code: (n, d) for code, (n, d) in totals.items() if d > 0}


def _code_key(code: str) -> list[Any]:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split(".")]


def indicator_counts(
    source: Any,
    start: dt.date,
    end: dt.date,
    unit_levels: Mapping[str, str | None],
    fields: FieldList | None = None,
) -> dict[str, tuple[int, int]]:
    """Numerator and denominator of every row the dossiers of `unit_levels`' units give, in the window.

    `source` is whatever :func:`cchc.onestop.metrics.dossier_stats` accepts (table, file, store glob).
    """
    from .metrics import dossier_stats

    fields = fields or load_fields()
    by_field = dossier_stats(source, start, end, by=("unit", "level", "field"))["groups"]
    by_channel = dossier_stats(source, start, end, by=("unit", "procedure", "channel"))["groups"]
    rows = on_time_rows(by_field, unit_levels, fields)
    rows.update(online_rows(by_channel, unit_levels, fields))
    return dict(sorted(rows.items(), key=lambda item: _code_key(item[0])))


def fill_from_dossiers(
    unit: Any, period: Any, source: Any = None, user: Any = None, fields: FieldList | None = None
) -> dict[str, Any]:
    """Compute rows 3.4.x and 7.8.3/7.8.4 of `unit` for `period` and write them into its submission.

    Values are written with source "dossiers" (shown as "from dossiers" in the form), only into a
    draft or returned submission of an open period, by someone who may enter the unit's data
    (`user`, the system actor by default). `source` defaults to the dossier store. Raises
    ``PermissionDenied`` or ``ValidationError`` (Vietnamese message). Returns the window, the
    submission version and the values written ``{code: {numerator, denominator, rate}}`` (rate in
    %, 2 decimals, half-up).
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from cchc.accounts.permissions import Action, require
    from cchc.reporting import services
    from cchc.reporting.models import EDITABLE, Source, Status, Submission
    from cchc.units.models import Unit
    from cchc.units.queries import descendant_ids

    from .metrics import half_up_rate
    from .store import DossierStore

    user = services.SYSTEM if user is None else user
    require(user, Action.ENTER_DATA, unit)
    if not period.is_open:
        raise ValidationError(
            _("Period %(period)s is closed: its indicators can no longer be filled from dossiers.")
            % {"period": period.code}
        )
    if source is None:
        store = DossierStore()
        source = store.source()
        if source is None:
            raise ValidationError(
                _("The dossier store is empty: import the one-stop system's dossiers first "
                  "(`cchc dossiers import FILE`).")
            )
    catalog = services.default_catalog()
    existing = Submission.objects.filter(unit=unit, period=period, catalog=catalog).first()
    if existing is not None and existing.status not in EDITABLE:
        raise ValidationError(
            _("The report of %(unit)s for %(period)s is %(status)s: only a draft or returned report "
              "can be filled from dossiers.")
            % {"unit": unit.code, "period": period.code, "status": Status(existing.status).label}
        )
    # every unit ever under it: dossiers of a unit merged away during the period still count
    scope = Unit.objects.filter(pk__in=descendant_ids(unit.pk)).values_list("code", "kind")
    unit_levels = {code: KIND_LEVELS.get(kind) for code, kind in scope}
    counts = indicator_counts(source, period.start, period.end, unit_levels, fields)
    # created only now: a refused or failed fill leaves no empty draft behind
    submission = existing or services.get_or_create_submission(unit, period, catalog, user)
    data = {code: (numerator, denominator) for code, (numerator, denominator) in counts.items()}
    result = services.save_values(submission, user, data, submission.version, source=Source.DOSSIERS)
    values = {
        code: {"numerator": num, "denominator": den, "rate": half_up_rate(num, den)}
        for code, (num, den) in counts.items()
    }
    return {
        "unit": unit.code,
        "period": period.code,
        "window": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "version": result.version,
        "saved": result.saved,
        "unchanged": result.unchanged,
        "values": values,
    }
