"""Validation rules (like DHIS2's): `left operator right` over indicator values, e.g. `#{1.1.2} <= #{1.1.1}`.

Expressions are parsed by a tiny recursive-descent parser — never `eval` — into a tree of numbers,
`#{code}` references, unary minus and + − × ÷ with parentheses (`*`, `/`, `×`, `÷`, `-`, `−` all
accepted). Arithmetic is `Decimal`. A rule whose operands are missing, or that divides by zero, is
*not evaluated* (neither passed nor failed) and lists the missing codes, so an empty form does not
drown the reporter in errors. Severity `error` blocks submission; `warning` needs a comment.
"""

from __future__ import annotations

import csv
import io
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from enum import StrEnum
from pathlib import Path

from cchc.reporting.catalog import Catalog

PRECISION = 34  # digits of Decimal arithmetic while evaluating (IEEE decimal128)


class RuleError(ValueError):
    """A rule file or expression is malformed; the message (Vietnamese) names the rule and position."""


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_EVALUATED = "not_evaluated"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# --- expression tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Ref:
    code: str


@dataclass(frozen=True)
class Neg:
    operand: Expr


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * /
    left: Expr
    right: Expr


Expr = Num | Ref | Neg | BinOp

_OPERATOR_ALIASES = {"+": "+", "-": "-", "\u2212": "-", "*": "*", "×": "*", "/": "/", "÷": "/"}
COMPARISONS: Mapping[str, Callable[[Decimal, Decimal], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}
_COMPARISON_ALIASES = {"≤": "<=", "≥": ">=", "≠": "!=", "=": "==", "<>": "!="}


class _SyntaxError(Exception):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position  # 1-based character position


@dataclass(frozen=True)
class _Token:
    kind: str  # num, ref, op, lparen, rparen, end
    text: str
    position: int  # 1-based


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "#":
            if text[i + 1 : i + 2] != "{":
                raise _SyntaxError("sau '#' phải là '{mã chỉ tiêu}'", i + 1)
            end = text.find("}", i + 2)
            if end == -1:
                raise _SyntaxError("thiếu dấu '}' đóng tham chiếu chỉ tiêu", i + 1)
            code = text[i + 2 : end].strip()
            if not code:
                raise _SyntaxError("tham chiếu chỉ tiêu trống", i + 1)
            tokens.append(_Token("ref", code, i + 1))
            i = end + 1
        elif ch.isascii() and (ch.isdigit() or ch == "."):
            start = i
            while i < len(text) and text[i].isascii() and (text[i].isdigit() or text[i] == "."):
                i += 1
            raw = text[start:i]
            if raw.count(".") > 1 or raw.startswith(".") or raw.endswith("."):
                raise _SyntaxError(f"số '{raw}' không hợp lệ (dùng dấu chấm thập phân, ví dụ 0.5)", start + 1)
            tokens.append(_Token("num", raw, start + 1))
        elif ch in _OPERATOR_ALIASES:
            tokens.append(_Token("op", _OPERATOR_ALIASES[ch], i + 1))
            i += 1
        elif ch == "(":
            tokens.append(_Token("lparen", ch, i + 1))
            i += 1
        elif ch == ")":
            tokens.append(_Token("rparen", ch, i + 1))
            i += 1
        else:
            raise _SyntaxError(f"ký tự '{ch}' không được phép", i + 1)
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    """expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ; unary := '-' unary | atom."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def parse(self) -> Expr:
        if self.current.kind == "end":
            raise _SyntaxError("biểu thức trống", self.current.position)
        node = self.expr()
        if self.current.kind != "end":
            raise _SyntaxError(f"thừa '{self.current.text}'", self.current.position)
        return node

    def expr(self) -> Expr:
        node = self.term()
        while self.current.kind == "op" and self.current.text in "+-":
            op = self.current.text
            self.index += 1
            node = BinOp(op, node, self.term())
        return node

    def term(self) -> Expr:
        node = self.unary()
        while self.current.kind == "op" and self.current.text in "*/":
            op = self.current.text
            self.index += 1
            node = BinOp(op, node, self.unary())
        return node

    def unary(self) -> Expr:
        token = self.current
        if token.kind == "op" and token.text in "+-":
            self.index += 1
            operand = self.unary()
            return Neg(operand) if token.text == "-" else operand
        return self.atom()

    def atom(self) -> Expr:
        token = self.current
        if token.kind == "num":
            self.index += 1
            return Num(Decimal(token.text))
        if token.kind == "ref":
            self.index += 1
            return Ref(token.text)
        if token.kind == "lparen":
            self.index += 1
            node = self.expr()
            if self.current.kind != "rparen":
                raise _SyntaxError("thiếu dấu ')'", self.current.position)
            self.index += 1
            return node
        if token.kind == "end":
            raise _SyntaxError("biểu thức kết thúc đột ngột", token.position)
        raise _SyntaxError(f"không mong đợi '{token.text}'", token.position)


def parse_expression(text: str, where: str = "") -> Expr:
    """Parse an arithmetic expression; `RuleError` names `where` (e.g. "Quy tắc R03, cột left")."""
    try:
        return _Parser(text).parse()
    except _SyntaxError as exc:
        prefix = f"{where}, " if where else ""
        raise RuleError(f"{prefix}vị trí {exc.position}: {exc.message}") from None


def references(expr: Expr) -> tuple[str, ...]:
    """Indicator codes referenced by an expression, unique, in order of appearance."""
    found: list[str] = []

    def walk(node: Expr) -> None:
        if isinstance(node, Ref):
            if node.code not in found:
                found.append(node.code)
        elif isinstance(node, Neg):
            walk(node.operand)
        elif isinstance(node, BinOp):
            walk(node.left)
            walk(node.right)

    walk(expr)
    return tuple(found)


class _Missing(Exception):
    pass


def evaluate_expression(expr: Expr, values: Mapping[str, Decimal | None]) -> Decimal:
    """Evaluate with Decimal arithmetic (34 digits); KeyError for a missing value, ZeroDivisionError."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ctx.traps[DivisionByZero] = True
        ctx.traps[InvalidOperation] = True
        return _eval(expr, values)


def _eval(node: Expr, values: Mapping[str, Decimal | None]) -> Decimal:
    if isinstance(node, Num):
        return +node.value
    if isinstance(node, Ref):
        value = values.get(node.code)
        if value is None:
            raise KeyError(node.code)
        return +Decimal(value)
    if isinstance(node, Neg):
        return -_eval(node.operand, values)
    left, right = _eval(node.left, values), _eval(node.right, values)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        raise ZeroDivisionError
    return left / right


# --- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    left: Expr
    operator: str
    right: Expr
    severity: Severity
    message: str
    left_text: str = ""
    right_text: str = ""
    line: int = 0

    @property
    def references(self) -> tuple[str, ...]:
        codes = list(references(self.left))
        codes += [code for code in references(self.right) if code not in codes]
        return tuple(codes)


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    status: Status
    severity: Severity
    message: str
    left: Decimal | None = None
    right: Decimal | None = None
    missing: tuple[str, ...] = ()
    reason: str = ""

    @property
    def blocking(self) -> bool:
        """A failed error-severity rule blocks submission."""
        return self.status is Status.FAILED and self.severity is Severity.ERROR


def normalize_operator(raw: str) -> str:
    """Canonical comparison operator ("≤" → "<="); RuleError for anything else."""
    op = _COMPARISON_ALIASES.get(raw.strip(), raw.strip())
    if op not in COMPARISONS:
        raise RuleError(f"toán tử so sánh '{raw}' không hợp lệ (chấp nhận: {', '.join(COMPARISONS)})")
    return op


def make_rule(
    rule_id: str,
    left: str,
    op: str,
    right: str,
    severity: str = "error",
    message: str = "",
    line: int = 0,
) -> Rule:
    """Build one rule from its texts; errors name the rule id, the column and the position."""
    try:
        operator_ = normalize_operator(op)
    except RuleError as exc:
        raise RuleError(f"Quy tắc {rule_id}, cột operator: {exc}") from None
    try:
        severity_ = Severity(severity.strip())
    except ValueError:
        raise RuleError(
            f"Quy tắc {rule_id}, cột severity: mức độ '{severity}' không hợp lệ (chấp nhận: error, warning)"
        ) from None
    return Rule(
        id=rule_id,
        left=parse_expression(left, f"Quy tắc {rule_id}, cột left"),
        operator=operator_,
        right=parse_expression(right, f"Quy tắc {rule_id}, cột right"),
        severity=severity_,
        message=message.strip(),
        left_text=left.strip(),
        right_text=right.strip(),
        line=line,
    )


def check_references(rules: Iterable[Rule], catalog: Catalog) -> None:
    """Every referenced code must be a numeric value indicator of the catalog."""
    for rule in rules:
        for code in rule.references:
            indicator = catalog.get(code)
            if indicator is None:
                raise RuleError(f"Quy tắc {rule.id}: chỉ tiêu {code} không có trong danh mục")
            if not indicator.is_numeric:
                raise RuleError(
                    f"Quy tắc {rule.id}: chỉ tiêu {code} không phải chỉ tiêu số nên không dùng trong quy tắc"
                )


RULE_COLUMNS = ("id", "left", "operator", "right", "severity", "message_vi")


def parse_rules(text: str, catalog: Catalog | None = None) -> tuple[Rule, ...]:
    """Parse a rule CSV (id,left,operator,right,severity,message_vi); check references if given a catalog."""
    reader = csv.DictReader(io.StringIO(text))
    header = [column.strip() for column in (reader.fieldnames or [])]
    missing = [column for column in RULE_COLUMNS if column not in header]
    if missing:
        raise RuleError(f"Dòng 1: thiếu cột {', '.join(missing)}")
    reader.fieldnames = header
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = {column: (row.get(column) or "").strip() for column in RULE_COLUMNS}
        if not any(cells.values()):
            continue
        rule_id = cells["id"]
        if not rule_id:
            raise RuleError(f"Dòng {line}, cột id: thiếu mã quy tắc")
        if rule_id in seen:
            raise RuleError(f"Dòng {line}, cột id: mã quy tắc {rule_id} trùng với dòng {seen[rule_id]}")
        seen[rule_id] = line
        if not cells["message_vi"]:
            raise RuleError(f"Quy tắc {rule_id}, cột message_vi: thiếu thông báo")
        rules.append(
            make_rule(
                rule_id,
                cells["left"],
                cells["operator"],
                cells["right"],
                cells["severity"],
                cells["message_vi"],
                line,
            )
        )
    if catalog is not None:
        check_references(rules, catalog)
    return tuple(rules)


def load_rules(path: str | Path, catalog: Catalog | None = None) -> tuple[Rule, ...]:
    """Load a rule CSV file (UTF-8, BOM allowed)."""
    return parse_rules(Path(path).read_text(encoding="utf-8-sig"), catalog)


def evaluate_rule(rule: Rule, values: Mapping[str, Decimal | None]) -> RuleResult:
    """Evaluate one rule: passed, failed, or not evaluated (missing operands / division by zero)."""
    missing = tuple(code for code in rule.references if values.get(code) is None)
    base = {"rule_id": rule.id, "severity": rule.severity, "message": rule.message}
    if missing:
        return RuleResult(
            status=Status.NOT_EVALUATED,
            missing=missing,
            reason=f"thiếu số liệu chỉ tiêu {', '.join(missing)}",
            **base,
        )
    try:
        left = evaluate_expression(rule.left, values)
        right = evaluate_expression(rule.right, values)
    except ZeroDivisionError:
        return RuleResult(status=Status.NOT_EVALUATED, reason="phép chia cho 0", **base)
    status = Status.PASSED if COMPARISONS[rule.operator](left, right) else Status.FAILED
    return RuleResult(status=status, left=left, right=right, **base)


def evaluate(rules: Iterable[Rule], values: Mapping[str, Decimal | None]) -> list[RuleResult]:
    """Evaluate every rule against one submission's values, in rule order."""
    return [evaluate_rule(rule, values) for rule in rules]
