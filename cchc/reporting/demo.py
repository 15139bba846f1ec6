"""Demo reports for Gia Lai, 6 months of 2021, loaded through the same services a reporter uses.

- `data/demo/gialai-2021-h1.csv`: the province-level figures of the appendix of the Gia Lai report
  (seed `002_…`), as a legacy submission of unit `GL`, approved. Rates there have no counts, so
  they are kept as entered and marked non-aggregable.
- `data/demo/synthetic.json`: deterministic (seeded) figures for the departments and districts
  that pass every rule, so aggregates and completeness look real; one unit submits with a rule
  warning it explains, one submits after the deadline, some are only submitted, one is a draft,
  some never report.

Submission times are set to fixed dates around the period's deadline, so "on time" and "late" do
not depend on the day the demo is loaded. Running it again changes nothing: reports already
beyond draft are left as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from cchc.reporting import DATA_DIR
from cchc.reporting.catalog import Aggregation, Catalog, ValueType

DEMO_DIR = DATA_DIR / "demo"
PROVINCE_FILE = DEMO_DIR / "gialai-2021-h1.csv"
SYNTHETIC_FILE = DEMO_DIR / "synthetic.json"


def read_province_values(path: Path = PROVINCE_FILE) -> dict[str, dict[str, str]]:
    """code → {value, numerator, denominator, note} as written in the file (Vietnamese numbers)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"].strip(): {
                k: (row.get(k) or "").strip() for k in ("value", "numerator", "denominator", "note")
            }
            for row in csv.DictReader(handle)
        }


def synthetic_values(catalog: Catalog, rng: random.Random) -> dict[str, Any]:
    """One unit's figures: every value indicator filled, every rule of the BNV catalog satisfied."""
    values: dict[str, Any] = {}
    for indicator in catalog.values():
        if indicator.aggregation is Aggregation.RATIO:
            den = rng.randint(20, 600)
            values[indicator.code] = (rng.randint(den * 6 // 10, den), den)
        elif indicator.value_type is ValueType.CHOICE:
            values[indicator.code] = rng.choice(indicator.choices).code
        elif indicator.value_type is ValueType.INTEGER:
            values[indicator.code] = rng.randint(0, 40)
    v = values

    def upto(limit: int) -> int:
        return rng.randint(0, max(limit, 0))

    v["1.1.1"] = rng.randint(10, 45)
    v["1.1.2"] = upto(v["1.1.1"])
    v["1.2.4"] = upto(v["1.2.3"])
    v["1.3.2"] = upto(v["1.3.1"])
    v["1.3.3"] = upto(v["1.3.1"] - v["1.3.2"])
    v["2.4"] = upto(v["2.2"] + v["2.3"])
    v["2.5"] = upto(v["2.4"])
    for code, top in (("3.1.3.a", 400), ("3.1.3.b", 300), ("3.1.3.c", 150)):
        v[code] = rng.randint(20, top)
    v["3.1.3"] = v["3.1.3.a"] + v["3.1.3.b"] + v["3.1.3.c"]
    v["3.2.1"] = upto(v["3.1.3"])
    v["3.5.1"] = rng.randint(v["3.1.3"] // 2, v["3.1.3"])
    v["3.5.2"] = upto(v["3.5.1"])
    v["3.5.3"] = upto(v["3.5.1"])
    v["3.2.2"] = upto(v["3.5.2"])
    v["7.8.1"] = upto(v["3.5.2"])
    v["7.8.2"] = v["3.5.2"] - v["7.8.1"]
    for code in ("4.1.4.a", "4.1.4.b", "4.1.4.c"):
        v[code] = rng.randint(0, 30)
    v["4.1.4"] = v["4.1.4.a"] + v["4.1.4.b"] + v["4.1.4.c"]
    v["4.2.1"] = rng.randint(30, 200)
    v["4.2.2"] = rng.randint(v["4.2.1"] * 8 // 10, v["4.2.1"])
    v["4.3.1"] = rng.randint(100, 2000)
    v["4.3.2"] = rng.randint(v["4.3.1"] * 8 // 10, v["4.3.1"])
    sent = rng.randint(500, 8000)
    v["7.6.2"] = sent
    electronic = rng.randint(sent * 8 // 10, sent)
    v["7.6.2.a"] = (electronic, sent)
    v["7.6.2.b"] = (upto(sent - electronic), sent)
    return values


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _backdate(submission: Any, submitted: dt.datetime, approved: dt.datetime | None) -> None:
    """Fixed demo timestamps instead of 'now' (audited like any change)."""
    submission.submitted_at = submitted
    if approved is not None and submission.approved_at is not None:
        submission.approved_at = approved
    submission.save(update_fields=["submitted_at", "approved_at"])


def load_reporting_demo(
    synthetic_path: Path = SYNTHETIC_FILE, province_path: Path = PROVINCE_FILE
) -> dict[str, Any]:
    """Load the demo reports (units, periods and catalog must exist or are loaded); idempotent."""
    from cchc.periods.models import Period
    from cchc.reporting import services
    from cchc.reporting.models import Status, Submission
    from cchc.units.models import Unit

    spec = json.loads(synthetic_path.read_text(encoding="utf-8"))
    services.load_catalog()
    catalog = services.default_catalog()
    pure = catalog.pure
    period = Period.objects.get(code=spec["period"])
    province = Unit.objects.get(code=spec["province"])
    actor = services.SYSTEM
    created = 0

    with transaction.atomic():
        legacy = services.get_or_create_submission(province, period, catalog, actor)
        if legacy.status in (Status.DRAFT, Status.RETURNED) and period.is_open:
            rows = read_province_values(province_path)
            data = {
                code: {
                    "value": row["value"],
                    "numerator": row["numerator"],
                    "denominator": row["denominator"],
                    "note": row["note"],
                }
                for code, row in rows.items()
            }
            services.save_values(legacy, actor, data, legacy.version, source="legacy")
            legacy.is_legacy = True
            legacy.save(update_fields=["is_legacy"])
            services.submit(legacy, actor)
            services.approve(legacy, actor)
            legacy.refresh_from_db()
            _backdate(legacy, _at(dt.date(2021, 6, 15)), _at(dt.date(2021, 6, 18)))
            created += 1

        rng = random.Random(spec["seed"])
        units = [u for u in services.expected_units(period, catalog, province) if u.kind in spec["kinds"]]
        deadline = period.deadline
        for unit in units:
            values = synthetic_values(pure, rng)  # drawn for every unit, so one unit's data never shifts
            before = rng.choice(spec["submitted_days_before_deadline"])
            if unit.code in spec["missing"]:
                continue
            submission = services.get_or_create_submission(unit, period, catalog, actor)
            if submission.status not in (Status.DRAFT, Status.RETURNED) or not period.is_open:
                continue
            warning = spec["warning"]
            if unit.code == warning["unit"]:
                values["4.2.2"] = values["4.2.1"] + rng.randint(1, 5)  # R13: more staff present than assigned
            if submission.values.exists() and unit.code in spec["draft"]:
                continue
            services.save_values(submission, actor, values, submission.version)
            created += 1
            if unit.code in spec["draft"]:
                continue
            if unit.code == warning["unit"]:
                services.comment_rule(submission, actor, warning["rule"], warning["comment"])
            services.submit(submission, actor)
            submitted = _at(deadline - dt.timedelta(days=before), 9 + before)
            if unit.code == spec["late"]["unit"]:
                submitted = _at(deadline + dt.timedelta(days=spec["late"]["days_after_deadline"]), 15)
            approved = None
            if unit.code not in spec["submitted"]:
                services.approve(submission, actor)
                approved = submitted + dt.timedelta(days=2)
            submission.refresh_from_db()
            _backdate(submission, submitted, approved)

    result = services.completeness(period, catalog, province).as_dict()
    return {
        "period": period.code,
        "catalog": catalog.code,
        "created": created,
        "submissions": Submission.objects.filter(period=period, catalog=catalog).count(),
        "completeness": result["counts"],
        "province_values": len(read_province_values(province_path)),
    }
