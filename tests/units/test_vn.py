"""The current national list (34 provinces, 3321 communes) from vietnam-provinces."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from auditlog.models import LogEntry

from cchc.units.models import Unit, UnitKind
from cchc.units.vn import load_vn

pytestmark = pytest.mark.django_db


def test_load_vn_creates_provinces_and_communes_with_gso_codes():
    started = time.monotonic()
    result = load_vn()
    elapsed = time.monotonic() - started

    assert result == {"provinces": 34, "communes": 3321}
    assert Unit.objects.filter(kind=UnitKind.PROVINCE).count() == 34
    assert Unit.objects.filter(kind=UnitKind.COMMUNE).count() == 3321
    hanoi = Unit.objects.get(code="01")
    assert hanoi.name == "Thành phố Hà Nội" and hanoi.parent is None
    hoan_kiem = Unit.objects.get(code="00070")
    assert hoan_kiem.parent == hanoi and hoan_kiem.kind == UnitKind.COMMUNE
    assert not Unit.objects.filter(kind=UnitKind.COMMUNE, parent__isnull=True).exists()
    assert set(Unit.objects.values_list("valid_from", flat=True)) == {dt.date(2025, 7, 1)}
    assert elapsed < 10
    assert LogEntry.objects.filter(object_pk="vietnam-provinces").count() == 1


def test_load_vn_is_idempotent_and_repairs_names():
    load_vn()
    Unit.objects.filter(code="01").update(name="Hà Nội (tên cũ)")
    Unit.objects.filter(code="00070").update(parent=None)

    assert load_vn() == {"provinces": 34, "communes": 3321}
    assert Unit.objects.count() == 34 + 3321
    assert Unit.objects.get(code="01").name == "Thành phố Hà Nội"
    assert Unit.objects.get(code="00070").parent.code == "01"
    entries = LogEntry.objects.filter(object_pk="vietnam-provinces").order_by("id")
    assert entries.count() == 2
    assert entries.last().changes_dict["updated"] == ["", "2"]

    load_vn()  # nothing changed: no new audit entry
    assert entries.count() == 2
