"""The scoring engine: leaf points → node points, total, index %, band, lost points and ranks.

Pure Python (no Django), exact `Decimal` arithmetic. A parent always scores the sum of its children;
the index is rounded half-up to 2 decimals only at the end, so 78.9 / 89 is 88.65 %, never an
artefact of rounding each area first.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cchc.scoring.i18n import gettext as _
from cchc.scoring.numbers import HUNDRED, json_number, round_half_up, to_decimal, vi_number
from cchc.scoring.template import AUTOMATIC_METHODS, Criterion, Rule, Template


class ScoreError(ValueError):
    """Scores that cannot be applied to a template; `messages` names each offending code."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


def _about(code: str, problem: str, **params: Any) -> str:
    return _("Criterion %(code)s: %(problem)s") % {
        "code": code,
        "problem": problem % params if params else problem,
    }


def index_of(points: Decimal, maximum: Decimal) -> Decimal:
    """points / maximum × 100, rounded half-up to 2 decimals (the one rounding of the index)."""
    return round_half_up(points * HUNDRED / maximum, 2)


@dataclass(frozen=True)
class NodeResult:
    """The points of one criterion: `score` of `max`, its index %, and the points it lost."""

    code: str
    name: str
    score: Decimal
    max: Decimal
    scored: bool  # every leaf under it received points
    children: tuple[NodeResult, ...] = ()

    @property
    def index(self) -> Decimal:
        return index_of(self.score, self.max)

    @property
    def lost(self) -> Decimal:
        return self.max - self.score

    def walk(self) -> Iterable[NodeResult]:
        yield self
        for child in self.children:
            yield from child.walk()

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "score": json_number(self.score),
            "max": json_number(self.max),
            "index": json_number(self.index),
            "lost": json_number(self.lost),
            "children": [child.to_json() for child in self.children],
        }


@dataclass(frozen=True)
class Result:
    """The score of one unit on one template."""

    template: Template
    criteria: tuple[NodeResult, ...]
    not_scored: tuple[str, ...]  # leaf codes without points (counted as 0)
    nodes: dict[str, NodeResult] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for area in self.criteria:
            for node in area.walk():
                self.nodes[node.code] = node

    @property
    def total(self) -> Decimal:
        return sum((area.score for area in self.criteria), Decimal(0))

    @property
    def max(self) -> Decimal:
        return sum((area.max for area in self.criteria), Decimal(0))

    @property
    def index(self) -> Decimal:
        return index_of(self.total, self.max)

    @property
    def band(self) -> str | None:
        return self.template.band_for(self.index)

    @property
    def areas(self) -> dict[str, Decimal]:
        """Index % of each top-level area, by code."""
        return {area.code: area.index for area in self.criteria}

    def lost_points(self) -> list[NodeResult]:
        """Leaves that lost points, most lost first: what a unit must fix."""
        leaves = [node for node in self.nodes.values() if not node.children and node.lost > 0]
        return sorted(leaves, key=lambda node: node.lost, reverse=True)

    def to_json(self) -> dict[str, Any]:
        """The public `cchc score compute --json` contract (DESIGN.md), plus the unscored leaves."""
        return {
            "total": json_number(self.total),
            "max": json_number(self.max),
            "index": json_number(self.index),
            "band": self.band,
            "criteria": [area.to_json() for area in self.criteria],
            "not_scored": list(self.not_scored),
        }

    def summary(self) -> str:
        """One Vietnamese line: "Tổng điểm 78,9/89 — chỉ số 88,65% — xếp loại Tốt"."""
        band = self.band
        text = _("Total %(total)s/%(max)s — index %(index)s%% — %(band)s") % {
            "total": vi_number(self.total),
            "max": vi_number(self.max),
            "index": vi_number(self.index, 2),
            "band": (_("band %(band)s") % {"band": band}) if band else _("no band"),
        }
        return text


def _check_leaf_scores(template: Template, leaf_scores: Mapping[str, Any]) -> dict[str, Decimal]:
    errors: list[str] = []
    points: dict[str, Decimal] = {}
    for raw_code, value in leaf_scores.items():
        code = str(raw_code).strip()
        node = template.nodes.get(code)
        if node is None:
            errors.append(_about(code, _("does not exist in template %(template)s"), template=template.code))
            continue
        if node.children:
            errors.append(
                _about(
                    code,
                    _("has sub-criteria; give points for them (%(children)s), not for it"),
                    children=", ".join(child.code for child in node.children),
                )
            )
            continue
        if value is None:  # explicitly left blank: not scored
            continue
        number = to_decimal(value)
        if number is None:
            errors.append(_about(code, _('the points must be a number, not "%(value)s"'), value=value))
        elif number < 0:
            errors.append(
                _about(code, _("the points (%(value)s) must not be negative"), value=vi_number(number))
            )
        elif number > node.max:
            errors.append(
                _about(
                    code,
                    _("the points (%(value)s) exceed its maximum (%(max)s)"),
                    value=vi_number(number),
                    max=vi_number(node.max),
                )
            )
        else:
            points[code] = number
    if errors:
        raise ScoreError(errors)
    return points


def score(template: Template, leaf_scores: Mapping[str, Decimal | int | float | str | None]) -> Result:
    """Score a unit: `leaf_scores` maps leaf codes to points; a missing leaf counts 0 and is listed."""
    points = _check_leaf_scores(template, leaf_scores)
    not_scored: list[str] = []

    def build(node: Criterion) -> NodeResult:
        if node.is_leaf:
            given = node.code in points
            if not given:
                not_scored.append(node.code)
            return NodeResult(node.code, node.name, points.get(node.code, Decimal(0)), node.max, given)
        children = tuple(build(child) for child in node.children)
        return NodeResult(
            node.code,
            node.name,
            sum((child.score for child in children), Decimal(0)),
            node.max,
            all(child.scored for child in children),
            children,
        )

    criteria = tuple(build(area) for area in template.criteria)
    return Result(template=template, criteria=criteria, not_scored=tuple(not_scored))


# --- automatic methods ------------------------------------------------------------------------------


def _rule_value(rule: Rule, value: Any, *, non_negative: bool) -> Decimal:
    number = to_decimal(value)
    if number is None:
        raise ScoreError([_about(rule.code, _('the value must be a number, not "%(value)s"'), value=value)])
    if non_negative and number < 0:
        raise ScoreError(
            [_about(rule.code, _("the value (%(value)s) must not be negative"), value=vi_number(number))]
        )
    return number


def evaluate_rule(rule: Rule, value: Decimal | int | float | str | bool) -> Decimal:
    """Points earned by `value` under an automatic leaf's rule, rounded half-up to 2 decimals.

    proportional: max × min(value / target, 1) — value is a rate, full points at the target;
    threshold: max when value ≥ threshold (≤ with direction at_most), else `partial` (default 0);
    bands: the points of the highest step whose min ≤ value, 0 below the first step;
    boolean: max when true (or non-zero), else 0;
    penalty: max − per × count, never below `floor` (default 0).
    """
    maximum = rule.max
    if rule.type == "boolean":
        truth = value if isinstance(value, bool) else _rule_value(rule, value, non_negative=False) != 0
        points = maximum if truth else Decimal(0)
    elif rule.type == "proportional":
        assert rule.target is not None
        rate = _rule_value(rule, value, non_negative=True)
        points = maximum * min(rate / rule.target, Decimal(1))
    elif rule.type == "threshold":
        assert rule.threshold is not None
        number = _rule_value(rule, value, non_negative=False)
        met = number >= rule.threshold if rule.direction == "at_least" else number <= rule.threshold
        points = maximum if met else rule.partial
    elif rule.type == "bands":
        number = _rule_value(rule, value, non_negative=False)
        points = Decimal(0)
        for step in rule.bands:  # ascending by min
            if number >= step.min:
                points = step.points
    elif rule.type == "penalty":
        assert rule.per is not None
        count = _rule_value(rule, value, non_negative=True)
        points = max(maximum - rule.per * count, rule.floor)
    else:  # pragma: no cover — parse_rule only builds known types
        raise ValueError(rule.type)
    return min(round_half_up(points, 2), maximum)


def automatic_scores(template: Template, inputs: Mapping[str, Any]) -> tuple[dict[str, Decimal], list[str]]:
    """Points of the automatic leaves (indicator, metric, survey) from their source values.

    `inputs` maps a leaf's `source` (metric name, indicator code, survey name) — or its own code — to
    the value measured. Returns the points by leaf code and the automatic leaves that had no value.
    """
    points: dict[str, Decimal] = {}
    missing: list[str] = []
    for leaf in template.leaves():
        if leaf.method not in AUTOMATIC_METHODS or leaf.rule is None:
            continue
        key = leaf.source if leaf.source in inputs else leaf.code
        if inputs.get(key) is None:
            missing.append(leaf.code)
            continue
        points[leaf.code] = evaluate_rule(leaf.rule, inputs[key])
    return points, missing


def rank(items: Iterable[tuple[Hashable, Decimal | int | float | str]]) -> dict[Hashable, int]:
    """Competition ranking ("1224") by index, highest first: ties share a rank, the next rank skips."""
    pairs: list[tuple[Hashable, Decimal]] = []
    seen: set[Hashable] = set()
    for key, value in items:
        if key in seen:
            raise ValueError(_("%(key)s appears more than once in the ranking") % {"key": key})
        seen.add(key)
        number = to_decimal(value)
        if number is None:
            raise ValueError(
                _('%(key)s: the index must be a number, not "%(value)s"') % {"key": key, "value": value}
            )
        pairs.append((key, number))
    ordered = sorted(pairs, key=lambda pair: pair[1], reverse=True)
    ranks: dict[Hashable, int] = {}
    previous: Decimal | None = None
    current = 0
    for position, (key, number) in enumerate(ordered, start=1):
        if number != previous:
            current, previous = position, number
        ranks[key] = current
    return ranks
