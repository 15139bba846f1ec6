"""The scoring engine: sums, index, bands, lost points, ranks and rules — exact and property-tested."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.scoring.engine import ScoreError, automatic_scores, evaluate_rule, rank, score
from cchc.scoring.template import Template, parse_rule, parse_template, template_from_dict

from .helpers import AREAS, areas_template_yaml, base_template

ACCEPTANCE = {"1": 12, "2": 8.25, "3": 16.1, "4": 7, "5": 13.75, "6": 7.5, "7": 12.3, "8": 2}
AREA_INDICES = [92.31, 82.5, 92, 93.33, 88.71, 93.75, 82, 80]


def test_acceptance_example():
    result = score(parse_template(areas_template_yaml()), ACCEPTANCE)
    assert result.total == Decimal("78.9")
    assert result.max == Decimal("89")
    assert result.index == Decimal("88.65")
    assert result.band == "Tốt"
    assert list(result.areas.values()) == [Decimal(str(x)) for x in AREA_INDICES]
    assert result.nodes["3"].lost == Decimal("1.4")
    assert result.not_scored == ()


def test_to_json_contract_has_no_float_artefacts():
    data = score(parse_template(areas_template_yaml()), ACCEPTANCE).to_json()
    text = json.dumps(data)
    assert '"total": 78.9,' in text and '"index": 88.65' in text
    assert data["max"] == 89 and isinstance(data["max"], int)
    area = data["criteria"][2]
    assert area == {
        "code": "3",
        "name": AREAS[2][1],
        "score": 16.1,
        "max": 17.5,
        "index": 92,
        "lost": 1.4,
        "children": [],
    }
    assert set(data) == {"total", "max", "index", "band", "criteria", "not_scored"}


def nested_template() -> Template:
    return template_from_dict(
        base_template(
            [
                {
                    "code": "1",
                    "name": "A",
                    "children": [
                        {"code": "1.1", "name": "a", "max": "1.5"},
                        {
                            "code": "1.2",
                            "name": "b",
                            "max": "2.5",
                            "children": [
                                {"code": "1.2.1", "name": "b1", "max": "1"},
                                {"code": "1.2.2", "name": "b2", "max": "1.5"},
                            ],
                        },
                    ],
                },
                {"code": "2", "name": "B", "max": "6"},
            ]
        )
    )


def test_parents_sum_children_and_missing_leaves_count_zero():
    result = score(nested_template(), {"1.1": "1.25", "1.2.2": Decimal("0.75")})
    assert result.nodes["1.2"].score == Decimal("0.75")
    assert result.nodes["1"].score == Decimal("2.00")
    assert result.nodes["1.2.1"].lost == Decimal("1")
    assert result.total == Decimal("2")
    assert result.index == Decimal("20.00")
    assert result.not_scored == ("1.2.1", "2")
    assert result.nodes["1"].scored is False and result.nodes["1.1"].scored is True
    assert [node.code for node in result.lost_points()] == ["2", "1.2.1", "1.2.2", "1.1"]


def test_empty_scores_give_zero_and_list_every_leaf():
    result = score(nested_template(), {})
    assert result.total == 0 and result.index == 0
    assert result.band == "Yếu"
    assert result.not_scored == ("1.1", "1.2.1", "1.2.2", "2")
    assert result.to_json()["criteria"][0]["score"] == 0


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ({"9.9": 1}, "Tiêu chí 9.9: không có trong bộ tiêu chí t"),
        (
            {"1.2": 1},
            "Tiêu chí 1.2: có tiêu chí con; hãy chấm điểm cho các tiêu chí con (1.2.1, 1.2.2), "
            "không chấm cho tiêu chí này",
        ),
        ({"1.1": "1.51"}, "Tiêu chí 1.1: điểm (1,51) vượt quá điểm tối đa (1,5)"),
        ({"2": -0.5}, "Tiêu chí 2: điểm (-0,5) không được âm"),
        ({"2": "năm"}, 'Tiêu chí 2: điểm phải là một số, không phải "năm"'),
        ({"2": True}, 'Tiêu chí 2: điểm phải là một số, không phải "True"'),
    ],
)
def test_bad_scores_name_the_code(scores, expected):
    with pytest.raises(ScoreError) as info:
        score(nested_template(), scores)
    assert info.value.messages == [expected]


def one_leaf(maximum: str) -> Template:
    return template_from_dict(base_template([{"code": "1", "name": "A", "max": maximum}]))


@pytest.mark.parametrize(
    ("maximum", "points", "index", "band"),
    [
        ("100", "80", "80.00", "Tốt"),
        ("100", "79.99", "79.99", "Khá"),
        ("200", "159.99", "80.00", "Tốt"),  # 79.995 rounds half-up to 80.00: inclusive boundary
        ("200", "159.98", "79.99", "Khá"),
        ("100", "65", "65.00", "Khá"),
        ("100", "64.99", "64.99", "Trung bình"),
        ("100", "50", "50.00", "Trung bình"),
        ("100", "0", "0.00", "Yếu"),
        ("3", "2", "66.67", "Khá"),
        ("400", "354.5", "88.63", "Tốt"),  # 88.625: half-up, not banker's rounding (88.62)
    ],
)
def test_bands_at_boundaries(maximum, points, index, band):
    result = score(one_leaf(maximum), {"1": points})
    assert result.index == Decimal(index)
    assert result.band == band


def test_no_band_below_the_lowest_minimum():
    template = template_from_dict(
        base_template([{"code": "1", "name": "A", "max": "10"}], bands=[{"min": "50", "label": "Đạt"}])
    )
    assert score(template, {"1": 4}).band is None
    assert score(template, {"1": 5}).band == "Đạt"


def test_rank_competition_ties():
    ranks = rank([("A", Decimal("88.65")), ("B", 92.3), ("C", "88.65"), ("D", 70), ("E", Decimal("88.650"))])
    assert ranks == {"B": 1, "A": 2, "C": 2, "E": 2, "D": 5}
    assert rank([]) == {}
    with pytest.raises(ValueError, match="xuất hiện hơn một lần"):
        rank([("A", 1), ("A", 2)])
    with pytest.raises(ValueError, match="chỉ số phải là một số"):
        rank([("A", "x")])


# --- rules -------------------------------------------------------------------------------------------


def rule(spec: dict, maximum: str = "2"):
    return parse_rule(spec, "3.4.1", Decimal(maximum))


def test_rule_examples():
    proportional = rule({"type": "proportional", "target": "100"})
    assert evaluate_rule(proportional, "97.5") == Decimal("1.95")
    assert evaluate_rule(proportional, 120) == Decimal("2")
    assert evaluate_rule(rule({"type": "proportional", "target": "50"}, "1.5"), 20) == Decimal("0.60")
    at_least = rule({"type": "threshold", "threshold": "90", "partial": "1"})
    assert evaluate_rule(at_least, 90) == 2 and evaluate_rule(at_least, "89.99") == 1
    at_most = rule({"type": "threshold", "threshold": "2", "direction": "at_most"})
    assert evaluate_rule(at_most, 2) == 2 and evaluate_rule(at_most, "2.01") == 0
    bands = rule(
        {
            "type": "bands",
            "bands": [
                {"min": "95", "points": "2"},
                {"min": "80", "points": "1.5"},
                {"min": "60", "points": "1"},
            ],
        }
    )
    assert [evaluate_rule(bands, v) for v in (59, 60, 79.9, 80, 95, 100)] == [0, 1, 1, Decimal("1.5"), 2, 2]
    boolean = rule({"type": "boolean"}, "0.75")
    assert evaluate_rule(boolean, True) == Decimal("0.75") and evaluate_rule(boolean, 0) == 0
    penalty = rule({"type": "penalty", "per": "0.25", "floor": "0.5"}, "1")
    assert [evaluate_rule(penalty, n) for n in (0, 1, 2, 3, 10)] == [
        1,
        Decimal("0.75"),
        Decimal("0.5"),
        Decimal("0.5"),
        Decimal("0.5"),
    ]


def test_rule_values_must_be_numbers():
    with pytest.raises(ScoreError, match="Tiêu chí 3.4.1: giá trị phải là một số"):
        evaluate_rule(rule({"type": "proportional", "target": "100"}), "nhiều")
    with pytest.raises(ScoreError, match="Tiêu chí 3.4.1: giá trị \\(-1\\) không được âm"):
        evaluate_rule(rule({"type": "penalty", "per": "1"}), -1)


def test_automatic_scores_from_sources():
    template = template_from_dict(
        base_template(
            [
                {
                    "code": "1",
                    "name": "Đúng hạn",
                    "max": "4",
                    "method": "metric",
                    "source": "on_time_rate",
                    "rule": {"type": "proportional", "target": "100"},
                },
                {
                    "code": "2",
                    "name": "Xin lỗi",
                    "max": "2",
                    "method": "metric",
                    "source": "late_without_apology",
                    "rule": {"type": "penalty", "per": "0.5"},
                },
                {"code": "3", "name": "Khảo sát", "max": "3", "method": "survey", "source": "sipas"},
                {"code": "4", "name": "Tự chấm", "max": "1"},
            ]
        )
    )
    points, missing = automatic_scores(template, {"on_time_rate": "96.43", "late_without_apology": 3})
    assert points == {"1": Decimal("3.86"), "2": Decimal("0.5")}
    assert missing == ["3"]
    result = score(template, {**points, "3": evaluate_rule(template.nodes["3"].rule, 90), "4": 1})
    assert result.total == Decimal("8.06")


rates = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
maxima = st.decimals(min_value=Decimal("0.25"), max_value=20, places=2, allow_nan=False, allow_infinity=False)


@given(
    maximum=maxima, target=st.decimals(min_value=Decimal("0.5"), max_value=100, places=1), a=rates, b=rates
)
def test_proportional_is_monotone_and_bounded(maximum, target, a, b):
    r = rule({"type": "proportional", "target": str(target)}, str(maximum))
    low, high = sorted((a, b))
    assert Decimal(0) <= evaluate_rule(r, low) <= evaluate_rule(r, high) <= maximum
    if low >= target:
        assert evaluate_rule(r, low) == maximum


@given(
    maximum=maxima,
    per=st.decimals(min_value=Decimal("0.01"), max_value=5, places=2),
    fraction=st.fractions(min_value=0, max_value=1),
    a=st.integers(0, 500),
    b=st.integers(0, 500),
)
def test_penalty_never_below_floor_and_non_increasing(maximum, per, fraction, a, b):
    floor = (maximum * Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(Decimal("0.01"))
    floor = min(floor, maximum)
    r = rule({"type": "penalty", "per": str(per), "floor": str(floor)}, str(maximum))
    low, high = sorted((a, b))
    assert floor <= evaluate_rule(r, high) <= evaluate_rule(r, low) <= maximum
    assert evaluate_rule(r, 0) == maximum


# --- property tests on random trees ------------------------------------------------------------------


def child_max(node: dict) -> Decimal:
    if "max" in node:
        return Decimal(node["max"])
    return sum((child_max(child) for child in node["children"]), Decimal(0))


@st.composite
def trees(draw, prefix: str = "", depth: int = 0) -> list[dict]:
    count = draw(st.integers(1, 4 if depth else 6))
    nodes = []
    for i in range(1, count + 1):
        code = f"{prefix}{i}"
        if depth < 3 and draw(st.booleans()):
            children = draw(trees(prefix=f"{code}.", depth=depth + 1))
            node = {"code": code, "name": f"Tiêu chí {code}", "children": children}
            if draw(st.booleans()):  # an explicit max equal to the sum; else the parent takes the sum
                node["max"] = str(sum(Decimal(child_max(child)) for child in children))
            nodes.append(node)
        else:
            maximum = draw(maxima)
            nodes.append({"code": code, "name": f"Tiêu chí {code}", "max": str(maximum)})
    return nodes


@st.composite
def scored_templates(draw):
    template = template_from_dict(base_template(draw(trees())))
    scores = {}
    for leaf in template.leaves():
        if draw(st.integers(0, 4)) == 0:
            continue  # left unscored
        fraction = draw(st.fractions(min_value=0, max_value=1, max_denominator=400))
        points = (leaf.max * fraction.numerator / fraction.denominator).quantize(
            Decimal("0.01"), rounding="ROUND_DOWN"
        )
        scores[leaf.code] = points
    return template, scores


@settings(max_examples=150, deadline=None)
@given(scored_templates())
def test_random_trees_sum_up(case):
    template, scores = case
    result = score(template, scores)
    assert result.total == sum(scores.values(), Decimal(0))
    assert result.max == template.max
    assert Decimal(0) <= result.total <= result.max
    assert Decimal(0) <= result.index <= Decimal(100)
    assert result.index == result.index.quantize(Decimal("0.01"))
    for node in result.nodes.values():
        assert Decimal(0) <= node.lost == node.max - node.score
        if node.children:
            assert node.score == sum(child.score for child in node.children)
            assert node.max == sum(child.max for child in node.children)
    assert set(result.not_scored) == {leaf.code for leaf in template.leaves()} - set(scores)
    # JSON keeps the exact values.
    data = json.loads(json.dumps(result.to_json()))
    assert Decimal(str(data["total"])) == result.total
    assert Decimal(str(data["index"])) == result.index


@settings(max_examples=50, deadline=None)
@given(scored_templates(), st.data())
def test_random_trees_reject_points_above_max(case, data):
    template, _ = case
    leaf = data.draw(st.sampled_from(template.leaves()))
    with pytest.raises(ScoreError) as info:
        score(template, {leaf.code: leaf.max + Decimal("0.01")})
    assert info.value.messages[0].startswith(f"Tiêu chí {leaf.code}: ")
