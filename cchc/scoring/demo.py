"""Demo scores: the Gia Lai districts on the district PAR template, 2021 published, 2022 mostly published.

Everything comes from `data/demo/par-district-gialai.yaml` (levels per district and year, seed, which
self-assessment stays a draft) and goes through the same services the pages use, so the demo also
exercises the workflow and the audit trail. Scores are drawn from a generator seeded per unit and year:
every load gives the same numbers. Running it again changes nothing (existing assessments are kept).
"""

from __future__ import annotations

import csv
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc.scoring.template import Criterion, Rule, load_yaml

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo" / "par-district-gialai.yaml"
UNITS_DIR = Path(__file__).resolve().parents[1] / "demo" / "data"
QUARTER = Decimal("0.25")
APPRAISAL_CUT = 0.12  # share of self-assessed criteria the council lowers
APPRAISAL_COMMENT = "Tài liệu kiểm chứng chưa đầy đủ, hội đồng thẩm định trừ điểm."
SELF_COMMENT = "Đã thực hiện; tài liệu kiểm chứng lưu tại đơn vị."


def _quarters_below(maximum: Decimal, rng: random.Random) -> Decimal:
    """Partial points: a multiple of 0,25 strictly below the maximum (0 when the maximum is small)."""
    steps = int(maximum / QUARTER)
    if maximum != steps * QUARTER:
        return (steps * QUARTER) if steps and rng.random() < 0.5 else Decimal(0)
    return QUARTER * rng.randrange(0, max(steps, 1))


def _measured(rule: Rule, full: bool, rng: random.Random) -> Any:
    """A measured value that earns the full points (or not) under `rule`."""
    if rule.type == "boolean":
        return full
    if rule.type == "proportional":
        assert rule.target is not None
        share = Decimal(1) if full else Decimal(rng.randint(50, 95)) / 100
        return (rule.target * share).quantize(Decimal("0.01"))
    if rule.type == "threshold":
        assert rule.threshold is not None
        if full:
            return rule.threshold
        return (
            rule.threshold - rng.randint(5, 20)
            if rule.direction == "at_least"
            else rule.threshold + rng.randint(1, 3)
        )
    if rule.type == "bands":
        top = rule.bands[-1].min
        return top if full else rule.bands[0].min - rng.randint(0, 10)
    if rule.type == "penalty":
        return 0 if full else rng.randint(1, 3)
    raise ValueError(rule.type)


def _district_codes(units_file: str) -> list[str]:
    with (UNITS_DIR / units_file).open(encoding="utf-8", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle) if row["kind"] == "huyen"]


def _area_of(template: Any) -> dict[str, str]:
    return {node.code: area.code for area in template.criteria for node in area.walk()}


def load_scoring_demo() -> dict[str, Any]:
    """Load the demo assessments (idempotent); returns counts for `cchc demo` to print."""
    from django.db import transaction

    from cchc.cli import CliError
    from cchc.scoring import services
    from cchc.scoring.models import Assessment, Status
    from cchc.scoring.template import shipped_templates
    from cchc.units.models import Unit

    config = load_yaml(DEMO_FILE.read_text(encoding="utf-8"))
    actor = services.SYSTEM
    template_path = shipped_templates()[config["template"]]
    created = existing = 0
    published: dict[int, int] = {}
    with transaction.atomic():
        template, _action = services.load_template_text(template_path.read_text(encoding="utf-8"), actor)
        parsed = template.parsed
        area_of = _area_of(parsed)
        codes = _district_codes(config["units_file"])
        units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
        missing = [code for code in codes if code not in units]
        if missing:
            raise CliError(
                "Thiếu đơn vị của dữ liệu mẫu chấm điểm: "
                + ", ".join(missing)
                + " (hãy nạp danh sách đơn vị trước)"
            )
        for year_text, options in config["years"].items():
            year = int(year_text)
            drafts = set((options or {}).get("draft") or [])
            for code in codes:
                unit = units[code]
                if Assessment.objects.filter(template=template, unit=unit, year=year).exists():
                    existing += 1
                    continue
                level = float(config["levels"][code][year_text])
                rng = random.Random(f"{config['seed']}-{code}-{year}")
                _score_one(
                    services, template, parsed, unit, year, level, rng, code in drafts, config, area_of
                )
                created += 1
            if (options or {}).get("publish") and Assessment.objects.filter(
                template=template, year=year, status=Status.APPRAISED
            ).exists():
                published[year] = len(services.publish(template, year, actor)["published"])
    return {
        "template": template.code,
        "created": created,
        "existing": existing,
        "published": published,
    }


def _score_one(
    services: Any,
    template: Any,
    parsed: Any,
    unit: Any,
    year: int,
    level: float,
    rng: random.Random,
    draft: bool,
    config: dict[str, Any],
    area_of: dict[str, str],
) -> None:
    actor = services.SYSTEM
    assessment = services.get_or_create_assessment(template, unit, year, actor)
    leaves: list[Criterion] = parsed.leaves()
    inputs: dict[str, Any] = {}
    self_scores: dict[str, tuple[Decimal, str]] = {}
    draft_areas = set(config.get("draft_areas") or [])
    for leaf in leaves:
        full = rng.random() < level
        if leaf.method != "manual":
            if leaf.rule is not None:
                inputs.setdefault(leaf.source or leaf.code, _measured(leaf.rule, full, rng))
            continue
        if draft and area_of[leaf.code] not in draft_areas:
            continue
        points = leaf.max if full else _quarters_below(leaf.max, rng)
        self_scores[leaf.code] = (points, SELF_COMMENT if points == leaf.max else "")
    services.compute_automatic(assessment, inputs, actor)
    services.save_self_scores(assessment, actor, self_scores, assessment.version)
    if draft:
        return
    services.submit(assessment, actor)
    appraisal = {}
    for code, (points, _comment) in self_scores.items():
        if points > 0 and rng.random() < APPRAISAL_CUT:
            appraisal[code] = (points - min(points, QUARTER), APPRAISAL_COMMENT)
    services.save_appraisal(assessment, actor, appraisal)
    lost = services.score_assessment(assessment).lost_points()
    notes = {
        node.code: (str(config["remediation"][area_of[node.code]]), unit)
        for node in lost
        if area_of[node.code] in config["remediation"]
    }
    services.save_remediation(assessment, actor, notes)
