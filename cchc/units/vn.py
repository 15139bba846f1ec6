"""Load the current national list of provinces and communes (since 1 July 2025) from `vietnam-provinces`.

Codes are the official GSO codes as text: provinces on 2 digits ("01"), communes/wards on 5
("00004"), so they match what other systems export. The load is repeatable: it creates what is
missing and renames/re-parents what changed, in bulk, and records one audit entry summarising it.
"""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Unit, UnitKind

REFORM_DATE = dt.date(2025, 7, 1)  # two-level local government takes effect


def province_code(code: int) -> str:
    return f"{int(code):02d}"


def ward_code(code: int) -> str:
    return f"{int(code):05d}"


def _sync(wanted: dict[str, dict], existing: dict[str, Unit]) -> tuple[list[Unit], list[Unit]]:
    """Units to create and stored units whose name, kind or parent differ from `wanted`."""
    to_create: list[Unit] = []
    to_update: list[Unit] = []
    for code, values in wanted.items():
        unit = existing.get(code)
        if unit is None:
            to_create.append(Unit(code=code, valid_from=REFORM_DATE, **values))
            continue
        if any(getattr(unit, name) != value for name, value in values.items()) or unit.valid_from is None:
            for name, value in values.items():
                setattr(unit, name, value)
            if unit.valid_from is None:
                unit.valid_from = REFORM_DATE
            to_update.append(unit)
    return to_create, to_update


def load_vn() -> dict[str, int]:
    """Create or update the 34 provinces and their communes; returns the counts in the package."""
    from vietnam_provinces import Province, Ward
    from vietnam_provinces import __version__ as package_version

    provinces = list(Province.iter_all())
    wards = list(Ward.iter_all())
    fields = ["name", "kind", "parent_id", "valid_from"]
    with transaction.atomic():
        wanted = {
            province_code(p.code): {"name": p.name, "kind": UnitKind.PROVINCE, "parent_id": None}
            for p in provinces
        }
        existing = Unit.objects.in_bulk(list(wanted), field_name="code")
        new_provinces, changed_provinces = _sync(wanted, existing)
        Unit.objects.bulk_create(new_provinces, batch_size=500)
        Unit.objects.bulk_update(changed_provinces, fields, batch_size=500)

        province_ids = dict(Unit.objects.filter(code__in=list(wanted)).values_list("code", "id"))
        wanted = {
            ward_code(w.code): {
                "name": w.name,
                "kind": UnitKind.COMMUNE,
                "parent_id": province_ids[province_code(w.province_code)],
            }
            for w in wards
        }
        existing = Unit.objects.in_bulk(list(wanted), field_name="code")
        new_wards, changed_wards = _sync(wanted, existing)
        Unit.objects.bulk_create(new_wards, batch_size=500)
        Unit.objects.bulk_update(changed_wards, fields, batch_size=500)

        created = len(new_provinces) + len(new_wards)
        updated = len(changed_provinces) + len(changed_wards)
        if created or updated:
            label = _("National unit list (vietnam-provinces %(version)s)") % {"version": package_version}
            new_codes = [u.code for u in new_provinces + new_wards]
            changed_codes = [u.code for u in changed_provinces + changed_wards]
            # Bulk writes bypass auditlog's signals: one summary entry says what happened.
            LogEntry.objects.create(
                content_type=ContentType.objects.get_for_model(Unit),
                object_pk="vietnam-provinces",
                object_repr=label,
                action=LogEntry.Action.CREATE if not updated else LogEntry.Action.UPDATE,
                changes={
                    "created": ["", str(created)],
                    "updated": ["", str(updated)],
                    "created_codes": ["", ", ".join(new_codes[:100])],
                    "updated_codes": ["", ", ".join(changed_codes[:100])],
                },
            )
    return {"provinces": len(provinces), "communes": len(wards)}
