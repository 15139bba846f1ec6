"""Scoring templates: load a YAML criteria tree and check it before any unit is scored with it.

A template is data a province edits (see `data/templates/*.yaml`), so every mistake in it must be reported
in Vietnamese, naming the criterion, all at once — not as a traceback on the first unit scored.
Pure Python (no Django). Numbers are read from their YAML text as `Decimal`, never through float.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from cchc.scoring.i18n import gettext as _
from cchc.scoring.numbers import plain, to_decimal, vi_number

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "templates"

METHODS = ("manual", "indicator", "metric", "survey")
AUTOMATIC_METHODS = ("indicator", "metric", "survey")
RULE_TYPES = ("proportional", "threshold", "bands", "boolean", "penalty")
THRESHOLD_DIRECTIONS = ("at_least", "at_most")
# Unit kinds of cchc.units.models.UnitKind, plus "all" for indices every unit is scored on (766).
UNIT_KINDS = ("tinh", "so_nganh", "huyen", "xa", "nganh_doc", "other", "all")

TEMPLATE_KEYS = ("code", "name", "year", "unit_kind", "bands", "criteria")
OPTIONAL_TEMPLATE_KEYS = ("description", "legal_basis", "version")
NODE_KEYS = ("code", "name", "max", "method", "rule", "source", "children", "description", "note")
RULE_PARAMS: dict[str, tuple[str, ...]] = {
    "proportional": ("target",),
    "threshold": ("threshold", "direction", "partial"),
    "bands": ("bands",),
    "boolean": (),
    "penalty": ("per", "floor"),
}


class TemplateError(ValueError):
    """A template that cannot be used; `messages` lists every problem, each naming its criterion."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class Band:
    """A classification: every index ≥ `min` (and below the next band) is labelled `label`."""

    min: Decimal
    label: str


@dataclass(frozen=True)
class RuleBand:
    """One step of a `bands` rule: a value ≥ `min` earns `points`."""

    min: Decimal
    points: Decimal


@dataclass(frozen=True)
class Rule:
    """How an automatic leaf turns a value (a rate, a count, yes/no) into points; bound to its leaf."""

    type: str
    code: str
    max: Decimal
    target: Decimal | None = None
    threshold: Decimal | None = None
    direction: str = "at_least"
    partial: Decimal = Decimal(0)
    bands: tuple[RuleBand, ...] = ()  # ascending by min
    per: Decimal | None = None
    floor: Decimal = Decimal(0)


@dataclass(frozen=True)
class Criterion:
    """A node of the criteria tree: an area, a criterion or a sub-criterion."""

    code: str
    name: str
    max: Decimal
    method: str = "manual"
    rule: Rule | None = None
    source: str | None = None
    description: str = ""
    children: tuple[Criterion, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[Criterion]:
        """This node and all its descendants, depth first, in template order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Template:
    """A validated scoring template. Build it with `load_template` / `parse_template`."""

    code: str
    name: str
    year: int
    unit_kinds: tuple[str, ...]
    bands: tuple[Band, ...]  # highest min first
    criteria: tuple[Criterion, ...]
    description: str = ""
    nodes: dict[str, Criterion] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.nodes:
            for node in self.walk():
                self.nodes[node.code] = node

    @property
    def unit_kind(self) -> str:
        return ", ".join(self.unit_kinds)

    @property
    def max(self) -> Decimal:
        return sum((area.max for area in self.criteria), Decimal(0))

    def walk(self) -> Iterator[Criterion]:
        for area in self.criteria:
            yield from area.walk()

    def leaves(self) -> list[Criterion]:
        return [node for node in self.walk() if node.is_leaf]

    def band_for(self, index: Decimal) -> str | None:
        """The label of the highest band whose minimum is ≤ the index (boundaries inclusive)."""
        for band in self.bands:
            if index >= band.min:
                return band.label
        return None


# --- YAML -------------------------------------------------------------------------------------------


class _DecimalSafeLoader(yaml.SafeLoader):
    """SafeLoader that leaves plain numbers as text, so `1.10` stays a code and 0.1 stays exact."""


_DecimalSafeLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in copy.deepcopy(yaml.SafeLoader.yaml_implicit_resolvers).items()
}


def load_yaml(text: str) -> Any:
    """Parse YAML keeping numbers as their text (convert with `to_decimal`); syntax errors name the line."""
    try:
        return yaml.load(text, Loader=_DecimalSafeLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else "?"
        problem = exc.problem or exc.context or str(exc)
        raise TemplateError(
            [_("YAML syntax error at line %(line)s: %(problem)s") % {"line": line, "problem": problem}]
        ) from exc
    except yaml.YAMLError as exc:
        raise TemplateError([_("YAML syntax error: %(problem)s") % {"problem": exc}]) from exc


# --- loading and validation ------------------------------------------------------------------------


def load_template(path: str | Path) -> Template:
    """Read and validate a template file (UTF-8 YAML)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TemplateError([_("Template file %(path)s does not exist") % {"path": path}]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(
            [_("Cannot read template file %(path)s: %(error)s") % {"path": path, "error": exc}]
        ) from exc
    return parse_template(text)


def parse_template(text: str) -> Template:
    """Validate a template given as YAML text."""
    return template_from_dict(load_yaml(text))


def shipped_templates() -> dict[str, Path]:
    """The templates shipped with cchc, by name (file name without .yaml)."""
    return {path.stem: path for path in sorted(SHIPPED_DIR.glob("*.yaml"))}


def _about(code: str, problem: str, **params: Any) -> str:
    """One error message about criterion `code`: "Tiêu chí 1.2: <problem>"."""
    return _("Criterion %(code)s: %(problem)s") % {
        "code": code,
        "problem": problem % params if params else problem,
    }


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()


def template_from_dict(data: Any) -> Template:
    """Validate a parsed template; raise TemplateError listing every problem found."""
    if not isinstance(data, Mapping):
        raise TemplateError(
            [_("The template must be a YAML mapping with code, name, year, unit_kind, bands, criteria")]
        )
    errors: list[str] = []
    for key in TEMPLATE_KEYS:
        if key not in data:
            errors.append(_('The template has no "%(key)s" key') % {"key": key})
    for key in data:
        if key not in TEMPLATE_KEYS and key not in OPTIONAL_TEMPLATE_KEYS:
            errors.append(_('Unknown template key "%(key)s"') % {"key": key})

    code = _text(data.get("code"))
    name = _text(data.get("name"))
    for key, value in (("code", code), ("name", name)):
        if key in data and not value:
            errors.append(_('The template key "%(key)s" must not be empty') % {"key": key})

    year = 0
    if "year" in data:
        year_number = to_decimal(data["year"])
        if (
            year_number is None
            or year_number != year_number.to_integral_value()
            or not 1900 <= year_number <= 2200
        ):
            errors.append(_('"year" must be a year such as 2022, not "%(value)s"') % {"value": data["year"]})
        else:
            year = int(year_number)

    unit_kinds: tuple[str, ...] = ()
    if "unit_kind" in data:
        raw = data["unit_kind"]
        kinds = raw if isinstance(raw, list) else [raw]
        unit_kinds = tuple(_text(kind) for kind in kinds)
        bad = [kind for kind in unit_kinds if kind not in UNIT_KINDS]
        if not unit_kinds or bad:
            errors.append(
                _('"unit_kind" "%(value)s" is unknown (allowed: %(allowed)s)')
                % {"value": ", ".join(bad) or raw, "allowed": ", ".join(UNIT_KINDS)}
            )

    bands = _parse_bands(data.get("bands"), errors) if "bands" in data else ()

    criteria: tuple[Criterion, ...] = ()
    if "criteria" in data:
        raw_criteria = data["criteria"]
        if not isinstance(raw_criteria, list) or not raw_criteria:
            errors.append(_('"criteria" must be a non-empty list of criteria'))
        else:
            seen: set[str] = set()
            parsed = [
                _parse_node(node, f"criteria[{i + 1}]", seen, errors) for i, node in enumerate(raw_criteria)
            ]
            criteria = tuple(node for node in parsed if node is not None)

    if errors:
        raise TemplateError(errors)
    return Template(
        code=code,
        name=name,
        year=year,
        unit_kinds=unit_kinds,
        bands=bands,
        criteria=criteria,
        description=_text(data.get("description")),
    )


def _sorted_strictly(values: list[Decimal]) -> bool:
    ascending = all(a < b for a, b in zip(values, values[1:], strict=False))
    descending = all(a > b for a, b in zip(values, values[1:], strict=False))
    return ascending or descending


def _parse_bands(raw: Any, errors: list[str]) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        errors.append(_('"bands" must be a non-empty list of {min, label}'))
        return ()
    bands: list[Band] = []
    ok = True
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            errors.append(_("Band %(number)s must be a mapping {min, label}") % {"number": number})
            ok = False
            continue
        minimum = to_decimal(item.get("min"))
        label = _text(item.get("label"))
        if minimum is None or not 0 <= minimum <= 100:
            errors.append(
                _('Band %(number)s: "min" must be a number from 0 to 100, not "%(value)s"')
                % {"number": number, "value": item.get("min")}
            )
            ok = False
        if not label:
            errors.append(_("Band %(number)s has no label") % {"number": number})
            ok = False
        unknown = [key for key in item if key not in ("min", "label")]
        for key in unknown:
            errors.append(_('Band %(number)s: unknown key "%(key)s"') % {"number": number, "key": key})
            ok = False
        if minimum is not None and label:
            bands.append(Band(min=minimum, label=label))
    if not ok:
        return ()
    minimums = [band.min for band in bands]
    duplicates = sorted({m for m in minimums if minimums.count(m) > 1})
    for value in duplicates:
        errors.append(_("Bands: the minimum %(value)s appears more than once") % {"value": vi_number(value)})
    labels = [band.label for band in bands]
    for label in sorted({label for label in labels if labels.count(label) > 1}):
        errors.append(_('Bands: the label "%(label)s" appears more than once') % {"label": label})
    if not duplicates and not _sorted_strictly(minimums):
        errors.append(_("Bands: the minimums are not sorted (list them from highest to lowest)"))
    return tuple(sorted(bands, key=lambda band: band.min, reverse=True))


def _parse_node(raw: Any, where: str, seen: set[str], errors: list[str]) -> Criterion | None:
    """Validate one node and its subtree; returns None when it cannot be built (errors recorded)."""
    if not isinstance(raw, Mapping):
        errors.append(
            _("%(where)s: a criterion must be a mapping with code, name and max") % {"where": where}
        )
        return None
    code = _text(raw.get("code"))
    if not code:
        errors.append(_("%(where)s: the criterion has no code") % {"where": where})
        return None
    start = len(errors)
    if code in seen:
        errors.append(_about(code, _("the code appears more than once")))
    seen.add(code)
    for key in raw:
        if key not in NODE_KEYS:
            errors.append(_about(code, _('unknown key "%(key)s"'), key=key))
    name = _text(raw.get("name"))
    if not name:
        errors.append(_about(code, _("has no name")))

    maximum: Decimal | None = None
    if raw.get("max") is not None:
        maximum = to_decimal(raw["max"])
        if maximum is None:
            errors.append(_about(code, _('the maximum must be a number, not "%(value)s"'), value=raw["max"]))
        elif maximum < 0:
            errors.append(
                _about(code, _("the maximum must not be negative (%(value)s)"), value=vi_number(maximum))
            )
            maximum = None
        elif maximum == 0:
            errors.append(_about(code, _("the maximum must be greater than 0")))
            maximum = None

    children: list[Criterion] = []
    raw_children = raw.get("children")
    has_children = "children" in raw
    if has_children:
        if not isinstance(raw_children, list) or not raw_children:
            errors.append(_about(code, _('"children" must be a non-empty list of criteria')))
        else:
            for i, child in enumerate(raw_children, start=1):
                node = _parse_node(child, f"{code}.children[{i}]", seen, errors)
                if node is not None:
                    children.append(node)
            # A broken child has no reliable maximum: the sum is only checked when all children built.
            complete = len(children) == len(raw_children)
            if "method" in raw or "rule" in raw or "source" in raw:
                errors.append(
                    _about(
                        code,
                        _("has children (its points are their sum): no method, rule or source allowed"),
                    )
                )
            children_sum = sum((child.max for child in children), Decimal(0))
            if raw.get("max") is None:
                maximum = children_sum
            elif maximum is not None and complete and maximum != children_sum:
                errors.append(
                    _about(
                        code,
                        _("the maximum (%(max)s) differs from the sum of its children's maximums (%(sum)s)"),
                        max=vi_number(maximum),
                        sum=vi_number(children_sum),
                    )
                )
        method, rule, source = "manual", None, None
    else:
        if raw.get("max") is None:
            errors.append(_about(code, _("has no maximum (max)")))
        method, rule, source = _parse_method(raw, code, maximum, errors)

    if len(errors) > start or maximum is None:
        return None
    return Criterion(
        code=code,
        name=name,
        max=maximum,
        method=method,
        rule=rule,
        source=source,
        description=_text(raw.get("description")),
        children=tuple(children),
    )


def _parse_method(
    raw: Mapping[str, Any], code: str, maximum: Decimal | None, errors: list[str]
) -> tuple[str, Rule | None, str | None]:
    method = _text(raw.get("method")) or "manual"
    source = _text(raw.get("source")) or None
    if method not in METHODS:
        errors.append(
            _about(
                code,
                _('unknown method "%(method)s" (allowed: %(allowed)s)'),
                method=method,
                allowed=", ".join(METHODS),
            )
        )
        return method, None, source
    if method == "manual":
        if "rule" in raw:
            errors.append(_about(code, _("a manual criterion is scored by hand and has no rule")))
        return method, None, source
    if method in ("indicator", "metric") and not source:
        errors.append(
            _about(
                code,
                _('method "%(method)s" needs a source (the indicator code or metric name)'),
                method=method,
            )
        )
    raw_rule = raw.get("rule")
    if raw_rule is None:
        if method == "survey":
            # A survey result is a satisfaction percentage: full points at 100 %.
            raw_rule = {"type": "proportional", "target": "100"}
        else:
            errors.append(_about(code, _('method "%(method)s" needs a rule'), method=method))
            return method, None, source
    if maximum is None:
        return method, None, source
    return method, parse_rule(raw_rule, code, maximum, errors), source


def parse_rule(raw: Any, code: str, maximum: Decimal, errors: list[str] | None = None) -> Rule | None:
    """Validate a rule mapping for the leaf `code` worth `maximum` points.

    With an `errors` list, problems are appended and None returned; without it, TemplateError is raised.
    """
    own_errors: list[str] = []
    rule = _parse_rule(raw, code, maximum, own_errors)
    if errors is None and own_errors:
        raise TemplateError(own_errors)
    if errors is not None:
        errors.extend(own_errors)
    return None if own_errors else rule


def _parse_rule(raw: Any, code: str, maximum: Decimal, errors: list[str]) -> Rule | None:
    if not isinstance(raw, Mapping) or not _text(raw.get("type")):
        errors.append(_about(code, _("the rule must be a mapping with a type")))
        return None
    kind = _text(raw.get("type"))
    if kind not in RULE_TYPES:
        errors.append(
            _about(
                code,
                _('unknown rule type "%(type)s" (allowed: %(allowed)s)'),
                allowed=", ".join(RULE_TYPES),
                type=kind,
            )
        )
        return None
    for key in raw:
        if key != "type" and key not in RULE_PARAMS[kind]:
            errors.append(
                _about(code, _('rule %(type)s: unknown parameter "%(param)s"'), param=key, type=kind)
            )

    def number(
        param: str, required: bool = True, positive: bool = False, within_max: bool = False
    ) -> Decimal | None:
        if raw.get(param) is None:
            if required:
                errors.append(_about(code, _('rule %(type)s needs "%(param)s"'), param=param, type=kind))
            return None
        value = to_decimal(raw[param])
        if value is None:
            errors.append(
                _about(
                    code,
                    _('rule %(type)s: "%(param)s" must be a number, not "%(value)s"'),
                    param=param,
                    value=raw[param],
                    type=kind,
                )
            )
        elif positive and value <= 0:
            errors.append(
                _about(code, _('rule %(type)s: "%(param)s" must be greater than 0'), param=param, type=kind)
            )
            return None
        elif within_max and not 0 <= value <= maximum:
            errors.append(
                _about(
                    code,
                    _('rule %(type)s: "%(param)s" must be between 0 and the criterion\'s maximum (%(max)s)'),
                    param=param,
                    max=vi_number(maximum),
                    type=kind,
                )
            )
            return None
        return value

    start = len(errors)
    rule = Rule(type=kind, code=code, max=maximum)
    if kind == "proportional":
        rule = Rule(type=kind, code=code, max=maximum, target=number("target", positive=True))
    elif kind == "threshold":
        direction = _text(raw.get("direction")) or "at_least"
        if direction not in THRESHOLD_DIRECTIONS:
            errors.append(
                _about(
                    code,
                    _('rule threshold: "direction" must be at_least or at_most, not "%(value)s"'),
                    value=raw.get("direction"),
                )
            )
        rule = Rule(
            type=kind,
            code=code,
            max=maximum,
            threshold=number("threshold"),
            direction=direction,
            partial=number("partial", required=False, within_max=True) or Decimal(0),
        )
    elif kind == "bands":
        rule = Rule(
            type=kind,
            code=code,
            max=maximum,
            bands=_parse_rule_bands(raw.get("bands"), code, maximum, errors),
        )
    elif kind == "penalty":
        rule = Rule(
            type=kind,
            code=code,
            max=maximum,
            per=number("per", positive=True),
            floor=number("floor", required=False, within_max=True) or Decimal(0),
        )
    return None if len(errors) > start else rule


def _parse_rule_bands(raw: Any, code: str, maximum: Decimal, errors: list[str]) -> tuple[RuleBand, ...]:
    if not isinstance(raw, list) or not raw:
        errors.append(_about(code, _('rule bands: "bands" must be a non-empty list of {min, points}')))
        return ()
    steps: list[RuleBand] = []
    for number, item in enumerate(raw, start=1):
        minimum = to_decimal(item.get("min")) if isinstance(item, Mapping) else None
        points = to_decimal(item.get("points")) if isinstance(item, Mapping) else None
        if minimum is None or points is None:
            errors.append(
                _about(
                    code, _('rule bands: step %(number)s needs a numeric "min" and "points"'), number=number
                )
            )
            continue
        if not 0 <= points <= maximum:
            errors.append(
                _about(
                    code,
                    _("rule bands: step %(number)s gives %(points)s points, outside 0 to maximum %(max)s"),
                    number=number,
                    points=vi_number(points),
                    max=vi_number(maximum),
                )
            )
        steps.append(RuleBand(min=minimum, points=points))
    minimums = [step.min for step in steps]
    duplicates = sorted({m for m in minimums if minimums.count(m) > 1})
    for value in duplicates:
        errors.append(
            _about(code, _("rule bands: the minimum %(value)s appears more than once"), value=plain(value))
        )
    if not duplicates and not _sorted_strictly(minimums):
        errors.append(_about(code, _("rule bands: the minimums are not sorted")))
    return tuple(sorted(steps, key=lambda step: step.min))
