"""Validation rules: the expression parser, the shipped rule file and evaluation."""

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.reporting import BNV_2021_INDICATORS, BNV_2021_RULES
from cchc.reporting.catalog import load_catalog
from cchc.reporting.rules import (
    PRECISION,
    BinOp,
    Neg,
    Num,
    Ref,
    RuleError,
    Severity,
    Status,
    evaluate,
    evaluate_expression,
    load_rules,
    make_rule,
    parse_expression,
    parse_rules,
    references,
)

D = Decimal


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(BNV_2021_INDICATORS)


@pytest.fixture(scope="module")
def rules(catalog):
    return load_rules(BNV_2021_RULES, catalog)


def test_every_shipped_rule_parses_and_references_catalog_codes(rules, catalog):
    assert [r.id for r in rules] == [f"R{i:02d}" for i in range(1, 16)]
    for rule in rules:
        assert rule.references, rule.id
        for code in rule.references:
            assert catalog[code].is_numeric
        assert rule.message
    r03 = rules[2]
    assert r03.left == BinOp("+", Ref("1.3.2"), Ref("1.3.3"))
    assert r03.operator == "<=" and r03.right == Ref("1.3.1")
    assert rules[5].references == ("3.1.3", "3.1.3.a", "3.1.3.b", "3.1.3.c")
    assert rules[14].right == Num(D(100))
    assert {r.severity for r in rules} == {Severity.ERROR, Severity.WARNING}


def test_r01_completed_more_than_planned_fails_as_error(rules):
    results = evaluate(rules, {"1.1.1": D(46), "1.1.2": D(50)})
    r01 = results[0]
    assert r01.rule_id == "R01"
    assert r01.status is Status.FAILED
    assert r01.severity is Severity.ERROR and r01.blocking
    assert r01.left == 50 and r01.right == 46
    assert r01.message.startswith("Số nhiệm vụ đã hoàn thành không được lớn hơn")
    assert evaluate(rules, {"1.1.1": D(46), "1.1.2": D(21)})[0].status is Status.PASSED


def test_missing_operands_are_not_evaluated_and_listed(rules):
    results = {r.rule_id: r for r in evaluate(rules, {"1.3.1": D(10), "1.3.3": None})}
    r03 = results["R03"]
    assert r03.status is Status.NOT_EVALUATED
    assert r03.missing == ("1.3.2", "1.3.3")
    assert "1.3.2" in r03.reason and not r03.blocking
    assert results["R01"].missing == ("1.1.2", "1.1.1")


def test_warnings_and_sums(rules):
    values = {"3.1.3": D(1964), "3.1.3.a": D(1500), "3.1.3.b": D(300), "3.1.3.c": D(100)}
    r06 = {r.rule_id: r for r in evaluate(rules, values)}["R06"]
    assert r06.status is Status.FAILED and r06.severity is Severity.WARNING and not r06.blocking
    values["3.1.3.c"] = D(164)
    assert {r.rule_id: r for r in evaluate(rules, values)}["R06"].status is Status.PASSED
    r15 = {r.rule_id: r for r in evaluate(rules, {"7.6.2.a": D("60.5"), "7.6.2.b": D("39.6")})}["R15"]
    assert r15.status is Status.FAILED and r15.left == D("100.1")


def test_division_by_zero_is_not_evaluated():
    rule = make_rule("X1", "#{a} / #{b} * 100", "<=", "100", "error", "Tỷ lệ vượt 100%")
    [result] = evaluate([rule], {"a": D(3), "b": D(0)})
    assert result.status is Status.NOT_EVALUATED and "chia cho 0" in result.reason
    [result] = evaluate([rule], {"a": D(3), "b": D(4)})
    assert result.status is Status.PASSED and result.left == 75


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 + 2 × 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("10 − 4 − 3", D(3)),
        ("12 ÷ 4 / 3", D(1)),
        ("-2 * -3", D(6)),
        ("-(1 + 2)", D(-3)),
        ("2.5 * 2", D("5.0")),
        ("#{x} - #{y}", D(-1)),
    ],
)
def test_expression_arithmetic(text, value):
    assert evaluate_expression(parse_expression(text), {"x": D(1), "y": D(2)}) == value


@pytest.mark.parametrize(
    ("left", "op", "right", "fragment"),
    [
        ("#{1.1.1} +", "<=", "1", "Quy tắc R9, cột left, vị trí 11"),
        ("#{1.1.1", "<=", "1", "Quy tắc R9, cột left, vị trí 1: thiếu dấu '}'"),
        ("(1 + 2", "<=", "1", "Quy tắc R9, cột left, vị trí 7: thiếu dấu ')'"),
        ("1", "<=", "2 $ 3", "Quy tắc R9, cột right, vị trí 3: ký tự '$'"),
        ("1", "<=", "2 3", "Quy tắc R9, cột right, vị trí 3: thừa '3'"),
        ("1", "<=", "", "Quy tắc R9, cột right, vị trí 1: biểu thức trống"),
        ("1", "<=", "1.2.3", "cột right, vị trí 1: số '1.2.3'"),
        ("#1", "<=", "1", "cột left, vị trí 1: sau '#'"),
        ("1", "=>", "1", "Quy tắc R9, cột operator"),
    ],
)
def test_syntax_errors_name_rule_column_and_position(left, op, right, fragment):
    with pytest.raises(RuleError) as info:
        make_rule("R9", left, op, right, "error", "msg")
    assert fragment in str(info.value)


def test_operator_aliases():
    assert make_rule("A", "1", "≤", "2").operator == "<="
    assert make_rule("A", "1", "=", "2").operator == "=="
    assert make_rule("A", "1", "≠", "2").operator == "!="


HEADER = "id,left,operator,right,severity,message_vi\n"


def test_unknown_code_reference_names_the_rule(catalog):
    text = HEADER + "R01,#{1.1.2},<=,#{1.1.1},error,ok\nR02,#{9.9.9},<=,#{1.1.1},error,sai\n"
    with pytest.raises(RuleError, match=r"Quy tắc R02: chỉ tiêu 9\.9\.9 không có trong danh mục"):
        parse_rules(text, catalog)
    assert len(parse_rules(text)) == 2  # without a catalog only the syntax is checked


def test_non_numeric_reference_rejected(catalog):
    with pytest.raises(RuleError, match="Quy tắc R05: chỉ tiêu 1.4.2 không phải chỉ tiêu số"):
        parse_rules(HEADER + "R05,#{1.4.2},<=,1,error,x\n", catalog)
    with pytest.raises(RuleError, match="Quy tắc R06: chỉ tiêu 1 không phải chỉ tiêu số"):
        parse_rules(HEADER + "R06,#{1},<=,1,error,x\n", catalog)


def test_rule_file_validation():
    with pytest.raises(RuleError, match="trùng với dòng 2"):
        parse_rules(HEADER + "R1,1,<=,2,error,a\nR1,1,<=,2,error,b\n")
    with pytest.raises(RuleError, match="Quy tắc R1, cột severity"):
        parse_rules(HEADER + "R1,1,<=,2,fatal,a\n")
    with pytest.raises(RuleError, match="thiếu cột message_vi"):
        parse_rules("id,left,operator,right,severity\n")
    with pytest.raises(RuleError, match="Quy tắc R1, cột message_vi"):
        parse_rules(HEADER + "R1,1,<=,2,error,\n")


# --- the parser agrees with Python's Decimal arithmetic ------------------------------------

CODES = ["a", "b", "1.1.1", "3.1.3.a"]
OPS = {"+": ["+"], "-": ["-", "\u2212"], "*": ["*", "×"], "/": ["/", "÷"]}

literals = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
leaves = st.one_of(literals.map(Num), st.sampled_from(CODES).map(Ref))
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        children.map(Neg),
        st.tuples(st.sampled_from(list(OPS)), children, children).map(lambda t: BinOp(*t)),
    ),
    max_leaves=12,
)


def render(node, draw_alias) -> str:
    if isinstance(node, Num):
        return format(node.value, "f")
    if isinstance(node, Ref):
        return "#{" + node.code + "}"
    if isinstance(node, Neg):
        return f"-({render(node.operand, draw_alias)})"
    return f"({render(node.left, draw_alias)} {draw_alias(node.op)} {render(node.right, draw_alias)})"


def python_value(node, values):
    """Reference evaluation with Python's own Decimal operators."""
    if isinstance(node, Num):
        return +node.value
    if isinstance(node, Ref):
        return +values[node.code]
    if isinstance(node, Neg):
        return -python_value(node.operand, values)
    left, right = python_value(node.left, values), python_value(node.right, values)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    return left / right


@given(
    trees,
    st.fixed_dictionaries({code: literals for code in CODES}),
    st.randoms(use_true_random=False),
)
def test_parser_agrees_with_python_decimal(tree, values, rnd):
    text = render(tree, lambda op: rnd.choice(OPS[op]))
    parsed = parse_expression(text)
    assert set(references(parsed)) == set(references(tree))
    with localcontext() as ctx:
        ctx.prec = PRECISION
        try:
            expected = python_value(tree, values)
        except (ZeroDivisionError, ArithmeticError):
            expected = None
    if expected is None:
        with pytest.raises(ZeroDivisionError):
            evaluate_expression(parsed, values)
    else:
        assert evaluate_expression(parsed, values) == expected


@given(
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8),
    st.lists(st.sampled_from(["+", "-", "*"]), min_size=7, max_size=7),
)
def test_precedence_without_parentheses(numbers, ops):
    """`a + b * c - d` binds like Python: products first, then left to right."""
    ops = ops[: len(numbers) - 1]
    text = " ".join(
        part for pair in zip(map(str, numbers), [*ops, ""], strict=True) for part in pair if part
    )
    # reference: collapse products, then add/subtract left to right
    terms, signs, current = [], [], numbers[0]
    for op, n in zip(ops, numbers[1:], strict=True):
        if op == "*":
            current *= n
        else:
            terms.append(current)
            signs.append(op)
            current = n
    terms.append(current)
    expected = terms[0]
    for sign, term in zip(signs, terms[1:], strict=True):
        expected = expected + term if sign == "+" else expected - term
    assert evaluate_expression(parse_expression(text), {}) == expected
