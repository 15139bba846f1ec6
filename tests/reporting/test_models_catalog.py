"""Stored catalogs: loaded from the shipped files, idempotent, versioned; submissions unique; audited."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cchc.reporting import BNV_2021_INDICATORS, BNV_2021_RULES, services
from cchc.reporting.catalog import load_catalog
from cchc.reporting.models import Catalog, Indicator, RuleDef, Submission, Value
from cchc.reporting.rules import load_rules


def test_catalog_rows_mirror_the_files(catalog):
    pure = load_catalog(BNV_2021_INDICATORS)
    rows = list(Indicator.objects.filter(catalog=catalog).order_by("order"))
    assert [r.code for r in rows] == list(pure.codes)
    by_code = {r.code: r for r in rows}
    assert by_code["3.4.1"].aggregation == "ratio"
    assert by_code["3.4.1"].numerator_label == "Số hồ sơ giải quyết đúng hạn (kể cả trước hạn)"
    assert by_code["1.4.2"].choices[1] == {"code": "1", "label": "Phát phiếu"}
    assert by_code["1.1"].kind == "group" and by_code["1.1"].value_type == ""
    assert by_code["3.1.3.a"].parent_code == "3.1.3"
    rules = load_rules(BNV_2021_RULES, pure)
    assert list(RuleDef.objects.filter(catalog=catalog).values_list("rule_id", flat=True)) == [
        r.id for r in rules
    ]
    assert catalog.source_hash and len(catalog.source_hash) == 64
    assert catalog.pure.codes == pure.codes and len(catalog.rules) == len(rules)


def test_loading_again_changes_nothing(catalog):
    ids = list(Indicator.objects.values_list("id", flat=True))
    again = services.load_catalog()
    assert again["created"] is False and again["updated"] is False
    assert list(Indicator.objects.values_list("id", flat=True)) == ids
    assert Catalog.objects.count() == 1


def test_changed_files_refused_once_used(tmp_path, catalog, tree, h1):
    Submission.objects.create(unit=tree["stp"], period=h1, catalog=catalog)
    changed = tmp_path / "indicators.csv"
    changed.write_text(
        BNV_2021_INDICATORS.read_text(encoding="utf-8").replace("Số TTHC cấp xã", "TTHC cấp xã"),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="bnv-2021"):
        services.load_catalog(changed)
    assert Indicator.objects.get(catalog=catalog, code="3.1.3.c").name == "Số TTHC cấp xã"
    fresh = services.load_catalog(changed, code="bnv-2021-v2")
    assert (
        fresh["created"]
        and Indicator.objects.get(catalog__code="bnv-2021-v2", code="3.1.3.c").name == "TTHC cấp xã"
    )


def test_one_submission_per_unit_period_catalog(catalog, tree, h1):
    Submission.objects.create(unit=tree["stp"], period=h1, catalog=catalog)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(unit=tree["stp"], period=h1, catalog=catalog)


def test_value_changes_are_audited(catalog, tree, h1, rep_users):
    reporter = rep_users["reporter"]
    submission = services.get_or_create_submission(tree["stp"], h1, catalog, reporter)
    services.save_values(submission, reporter, {"1.1.1": "12"}, submission.version)
    services.save_values(submission, reporter, {"1.1.1": "14"}, submission.version)
    value = Value.objects.get(submission=submission, indicator_code="1.1.1")
    entries = LogEntry.objects.get_for_object(value).order_by("timestamp")
    assert entries.count() == 2
    assert entries.last().actor == reporter
    assert "14" in str(entries.last().changes)
    assert LogEntry.objects.get_for_object(submission).exists()


def test_on_time_against_the_deadline(catalog, tree, h1):
    import datetime as dt

    from django.utils import timezone

    submission = Submission.objects.create(unit=tree["stp"], period=h1, catalog=catalog)
    assert submission.on_time is None
    submission.submitted_at = timezone.make_aware(dt.datetime.combine(h1.deadline, dt.time(23, 30)))
    assert submission.on_time is True
    submission.submitted_at += dt.timedelta(hours=1)
    assert submission.on_time is False
