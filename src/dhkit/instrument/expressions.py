"""XLSForm expressions: parse the XPath subset forms use, and translate it to DuckDB SQL.

Import validation checks ``relevant`` and ``constraint`` on millions of rows; evaluating
them row by row in Python is far too slow, so :func:`to_sql` turns an expression into one
DuckDB boolean expression over the data's columns. No library does this translation (the
XPath engines, e.g. JavaRosa or elementpath, evaluate against an XML document), hence this
small recursive-descent parser.

Semantics follow XPath 1.0 as ODK/Kobo apply it (https://www.w3.org/TR/xpath-10/ §3.4,
https://getodk.github.io/xforms-spec/): an empty answer is the empty string; comparing with
a number converts both sides to numbers (``TRY_CAST(... AS DOUBLE)``; empty or non-numeric
gives NaN, so ``=`` and ``<`` are false and ``!=`` is true); comparing two answers or an
answer with a string compares text; ``selected(${q}, 'v')`` looks for ``v`` among the
space-separated values of ``q``. Every translated comparison is NULL-free, so a relevance
rule is always TRUE or FALSE.

Supported: ``${q}``, ``.``, numbers, 'strings', ``= != < <= > >=``, ``and or not()``,
``+ - * div mod``, unary minus, ``selected``, ``count-selected``, ``if``, ``regex``,
``string-length``, ``number``, ``int``, ``string``, ``concat``, ``contains``,
``starts-with``, ``coalesce``, ``round``, ``abs``, ``true()``, ``false()``, ``date()`` and,
given the day of each row, ``today()``; dates compare in days (see :func:`to_sql`). Anything
else raises ``DhkitError`` INS-031 naming the question and expression.

>>> to_sql("${age} >= 12 and selected(${apps}, 'wa')")
'(COALESCE((TRY_CAST("age" AS DOUBLE) >= 12), FALSE) AND list_contains(string_split(COALESCE(CAST("apps" AS VARCHAR), \\'\\'), \\' \\'), \\'wa\\'))'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Union

from dhkit.errors import DhkitError


# ------------------------------------------------------------------ AST
@dataclass(frozen=True)
class Ref:
    """``${name}``: the answer to another question."""
    name: str


@dataclass(frozen=True)
class Self:
    """``.``: the answer to the question the expression belongs to."""


@dataclass(frozen=True)
class Num:
    value: str                     # as written, e.g. "12" or "0.5"


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class BinOp:
    op: str                        # or and = != < <= > >= + - * div mod
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Neg:
    operand: "Node"


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple["Node", ...]


@dataclass(frozen=True)
class Path:
    """A path other than ``.`` (e.g. ``..`` in ``position(..)``); not translatable."""
    text: str


Node = Union[Ref, Self, Num, Str, BinOp, Neg, Call, Path]


# ------------------------------------------------------------------ parsing
TOKEN = re.compile(r"""
    \s*(?:
      (?P<ref>\$\{[^}]*\})
    | (?P<num>\d+(?:\.\d*)?|\.\d+)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,|\|)
    | (?P<path>\.\.(?:/[\w.\-]+)*|\.(?![\w]))
    | (?P<name>[A-Za-z_][\w\-.:]*)
    )""", re.VERBOSE)
WORD_OPS = {"and", "or", "div", "mod"}


def _where(question: str | None, column: str | None) -> str:
    parts = [f"question '{question}'" if question else "", column or ""]
    return ", ".join(p for p in parts if p) + (": " if any(parts) else "")


def _tokens(expr: str, where: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    text = expr.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise DhkitError("INS-030", f"{where}cannot read {expr!r} at character {pos + 1}: "
                                        f"{text[pos:pos + 10].strip()!r}. Fix the expression")
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "name" and value in WORD_OPS:
            kind = "op"
        out.append((kind, value, m.start(kind)))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent over XPath 1.0 precedence: or < and < = != < relational < + - <
    * div mod < unary minus < primary."""

    LEVELS = (("or",), ("and",), ("=", "!="), ("<", "<=", ">", ">="), ("+", "-"),
              ("*", "div", "mod"))

    def __init__(self, expr: str, where: str) -> None:
        self.expr, self.where = expr, where
        self.toks = _tokens(expr, where)
        self.i = 0

    def fail(self, what: str) -> DhkitError:
        at = self.toks[self.i][2] + 1 if self.i < len(self.toks) else len(self.expr) + 1
        return DhkitError("INS-030", f"{self.where}cannot parse {self.expr!r}: {what} at "
                                     f"character {at}. Fix the expression")

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise self.fail(f"expected {value!r}" if value else "unexpected end")
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise self.fail("empty expression")
        node = self.binary(0)
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()[1]!r}")
        return node

    def binary(self, level: int) -> Node:
        if level == len(self.LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in self.LEVELS[level]:
            self.i += 1
            node = BinOp(tok[1], node, self.binary(level + 1))
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] == "-":
            self.i += 1
            return Neg(self.unary())
        return self.primary()

    def primary(self) -> Node:
        kind, value, _ = self.take()
        if kind == "ref":
            return Ref(value[2:-1].strip())
        if kind == "num":
            return Num(value)
        if kind == "str":
            return Str(value[1:-1])
        if kind == "path":
            return Self() if value == "." else Path(value)
        if kind == "op" and value == "(":
            node = self.binary(0)
            self.take(")")
            return node
        if kind == "name" and self.peek() and self.peek()[1] == "(":
            self.take("(")
            args: list[Node] = []
            if self.peek() and self.peek()[1] != ")":
                args.append(self.binary(0))
                while self.peek() and self.peek()[1] == ",":
                    self.i += 1
                    args.append(self.binary(0))
            self.take(")")
            return Call(value, tuple(args))
        if kind == "name":
            return Path(value)
        self.i -= 1
        raise self.fail(f"unexpected {value!r}")


def parse(expr: str, *, question: str | None = None, column: str | None = None) -> Node:
    """Parse an XLSForm expression into an AST; ``DhkitError`` INS-030 when it cannot.

    >>> parse("${a} > 2")
    BinOp(op='>', left=Ref(name='a'), right=Num(value='2'))
    """
    return _Parser(expr, _where(question, column)).parse()


def references(expr: str | Node) -> set[str]:
    """The question names an expression refers to with ``${...}``.

    >>> sorted(references("${a} = 1 or selected(${b}, 'x')"))
    ['a', 'b']
    """
    node = parse(expr) if isinstance(expr, str) else expr
    if isinstance(node, Ref):
        return {node.name}
    if isinstance(node, BinOp):
        return references(node.left) | references(node.right)
    if isinstance(node, Neg):
        return references(node.operand)
    if isinstance(node, Call):
        return set().union(*(references(a) for a in node.args)) if node.args else set()
    return set()


def functions(expr: str | Node) -> set[str]:
    """The functions an expression calls.

    >>> sorted(functions(". <= today() and not(selected(${b}, 'x'))"))
    ['not', 'selected', 'today']
    """
    node = parse(expr) if isinstance(expr, str) else expr
    if isinstance(node, BinOp):
        return functions(node.left) | functions(node.right)
    if isinstance(node, Neg):
        return functions(node.operand)
    if isinstance(node, Call):
        return {node.name}.union(*(functions(a) for a in node.args))
    return set()


# ------------------------------------------------------------------ SQL
BOOL, NUM, STR, NODE = "bool", "num", "str", "node"    # kinds of translated values
DATE = "date"            # a DuckDB DATE: a date question's answer, today(), date(...)
EPOCH = "DATE '1970-01-01'"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Translator:
    def __init__(self, expr: str, self_column: str | None, columns: Mapping[str, str] | None,
                 where: str, dates: frozenset[str] = frozenset(), self_date: bool = False,
                 today: str | None = None) -> None:
        self.expr, self.self_column, self.columns, self.where = expr, self_column, columns, where
        self.dates, self.self_date, self.today = dates, self_date, today

    def unsupported(self, what: str) -> DhkitError:
        return DhkitError("INS-031", f"{self.where}{what} in {self.expr!r} cannot be checked "
                                     "in SQL by dhkit. Rewrite it with the supported functions "
                                     "(docs/instrument.md) or check that rule outside dhkit")

    # conversions between kinds (XPath 1.0 §4: boolean(), number(), string())
    @staticmethod
    def as_bool(sql: str, kind: str) -> str:
        if kind == BOOL:
            return sql
        if kind == NUM:
            return f"COALESCE(({sql}) <> 0, FALSE)"
        if kind == DATE:
            return f"({sql} IS NOT NULL)"
        return f"(COALESCE(CAST({sql} AS VARCHAR), '') <> '')"

    @staticmethod
    def as_num(sql: str, kind: str) -> str:
        if kind == NUM:
            return sql
        if kind == BOOL:
            return f"CAST({sql} AS INTEGER)"
        if kind == DATE:        # days since 1970-01-01, as ODK turns a date into a number
            return f"({sql} - {EPOCH})"
        return f"TRY_CAST({sql} AS DOUBLE)"

    @staticmethod
    def as_days(sql: str, kind: str) -> str:
        """A side of a comparison with a date, in days: text holding a date is read as one
        (``. >= '2020-01-01'``), a number is a number of days."""
        if kind in (STR, NODE):
            return (f"COALESCE(TRY_CAST({sql} AS DATE) - {EPOCH}, "
                    f"TRY_CAST({sql} AS DOUBLE))")
        return _Translator.as_num(sql, kind)

    @staticmethod
    def as_str(sql: str, kind: str) -> str:
        if kind == STR:
            return sql
        if kind == BOOL:
            return f"CASE WHEN {sql} THEN 'true' ELSE 'false' END"
        if kind == NUM:
            return (f"CASE WHEN ({sql}) = trunc({sql}) THEN CAST(CAST({sql} AS BIGINT) AS VARCHAR)"
                    f" ELSE CAST({sql} AS VARCHAR) END")
        return f"COALESCE(CAST({sql} AS VARCHAR), '')"

    def go(self, node: Node) -> tuple[str, str]:
        if isinstance(node, Ref):
            if self.columns is not None:
                if node.name not in self.columns:
                    raise DhkitError("INS-032", f"{self.where}${{{node.name}}} in {self.expr!r} "
                                                "has no column in the data. Add the column or "
                                                "fix the name")
                sql = self.columns[node.name]
            else:
                sql = _quote_ident(node.name)
            if node.name in self.dates:
                return f"TRY_CAST({sql} AS DATE)", DATE
            return sql, NODE
        if isinstance(node, Self):
            if self.self_column is None:
                raise self.unsupported("'.' (the question's own answer) with no column given")
            if self.self_date:
                return f"TRY_CAST({self.self_column} AS DATE)", DATE
            return self.self_column, NODE
        if isinstance(node, Num):
            return node.value, NUM
        if isinstance(node, Str):
            return _quote_str(node.value), STR
        if isinstance(node, Neg):
            sql, kind = self.go(node.operand)
            return f"(-{self.as_num(sql, kind)})", NUM
        if isinstance(node, BinOp):
            return self.binop(node)
        if isinstance(node, Call):
            return self.call(node)
        raise self.unsupported(f"the path '{node.text}'")

    def binop(self, node: BinOp) -> tuple[str, str]:
        (ls, lk), (rs, rk) = self.go(node.left), self.go(node.right)
        op = node.op
        if op in ("and", "or"):
            return f"({self.as_bool(ls, lk)} {op.upper()} {self.as_bool(rs, rk)})", BOOL
        if op in ("+", "-", "*", "div", "mod"):
            sql_op = {"div": "/", "mod": "%"}.get(op, op)
            return f"({self.as_num(ls, lk)} {sql_op} {self.as_num(rs, rk)})", NUM
        sql_op = "<>" if op == "!=" else op
        text_eq = op in ("=", "!=") and {lk, rk} & {STR, NODE}   # ${d} != '': as text
        if DATE in (lk, rk) and BOOL not in (lk, rk) and not text_eq:   # as days
            default = "TRUE" if op == "!=" else "FALSE"
            return (f"COALESCE(({self.as_days(ls, lk)} {sql_op} {self.as_days(rs, rk)}), "
                    f"{default})", BOOL)
        if op in ("=", "!=") and BOOL in (lk, rk):
            return f"({self.as_bool(ls, lk)} {sql_op} {self.as_bool(rs, rk)})", BOOL
        if op in ("=", "!=") and NUM not in (lk, rk):
            return f"({self.as_str(ls, lk)} {sql_op} {self.as_str(rs, rk)})", BOOL
        # numeric comparison; NaN (NULL here) makes it false, except != (true)
        default = "TRUE" if op == "!=" else "FALSE"
        return (f"COALESCE(({self.as_num(ls, lk)} {sql_op} {self.as_num(rs, rk)}), {default})",
                BOOL)

    def call(self, node: Call) -> tuple[str, str]:
        name, args = node.name, node.args
        arity = {"not": 1, "selected": 2, "count-selected": 1, "if": 3, "regex": 2,
                 "string-length": 1, "number": 1, "int": 1, "string": 1, "contains": 2,
                 "starts-with": 2, "abs": 1, "true": 0, "false": 0, "today": 0, "date": 1}
        if name not in arity and name not in ("concat", "coalesce", "round"):
            raise self.unsupported(f"the function {name}()")
        if name == "today" and self.today is None:
            raise self.unsupported("today() (the day of each submission is not known here)")
        if name in arity and len(args) != arity[name]:
            raise DhkitError("INS-030", f"{self.where}{name}() takes {arity[name]} argument(s), "
                                        f"not {len(args)}, in {self.expr!r}. Fix the expression")
        vals = [self.go(a) for a in args]
        s = [self.as_str(*v) for v in vals]
        n = [self.as_num(*v) for v in vals]
        if name == "not":
            return f"(NOT {self.as_bool(*vals[0])})", BOOL
        if name == "true" or name == "false":
            return name.upper(), BOOL
        if name == "today":
            return self.today, DATE
        if name == "date":     # a date from its text, or from a number of days
            sql, kind = vals[0]
            if kind == DATE:
                return sql, DATE
            if kind in (NUM, BOOL):
                return f"({EPOCH} + CAST(floor({n[0]}) AS INTEGER))", DATE
            return f"TRY_CAST({sql} AS DATE)", DATE
        if name == "selected":
            return f"list_contains(string_split({s[0]}, ' '), {s[1]})", BOOL
        if name == "count-selected":
            words = f"len(regexp_split_to_array(trim({s[0]}), '\\s+'))"
            return f"CASE WHEN trim({s[0]}) = '' THEN 0 ELSE {words} END", NUM
        if name == "if":
            (a, ak), (b, bk) = vals[1], vals[2]
            cond = self.as_bool(*vals[0])
            if ak == bk == NUM or ak == bk == BOOL:
                return f"CASE WHEN {cond} THEN {a} ELSE {b} END", ak
            return f"CASE WHEN {cond} THEN {s[1]} ELSE {s[2]} END", STR
        if name == "regex":
            return f"regexp_matches({s[0]}, {s[1]})", BOOL
        if name == "string-length":
            return f"length({s[0]})", NUM
        if name == "number":
            return n[0], NUM
        if name == "int":
            return f"trunc({n[0]})", NUM
        if name == "string":
            return s[0], STR
        if name == "contains":
            return f"contains({s[0]}, {s[1]})", BOOL
        if name == "starts-with":
            return f"starts_with({s[0]}, {s[1]})", BOOL
        if name == "abs":
            return f"abs({n[0]})", NUM
        if name == "concat":
            return ("concat(" + ", ".join(s) + ")" if s else "''"), STR
        if name == "coalesce":
            if len(s) != 2:
                raise DhkitError("INS-030", f"{self.where}coalesce() takes 2 arguments in "
                                            f"{self.expr!r}. Fix the expression")
            return f"CASE WHEN {s[0]} <> '' THEN {s[0]} ELSE {s[1]} END", STR
        # round(x) or round(x, digits)
        if len(n) not in (1, 2):
            raise DhkitError("INS-030", f"{self.where}round() takes 1 or 2 arguments in "
                                        f"{self.expr!r}. Fix the expression")
        return f"round({', '.join(n[:1] + [f'CAST({d} AS INTEGER)' for d in n[1:]])})", NUM


def to_sql(expr: str, self_column: str | None = None, *,
           columns: Mapping[str, str] | None = None,
           question: str | None = None, column: str | None = None,
           dates: frozenset[str] | set[str] = frozenset(), self_date: bool = False,
           today: str | None = None) -> str:
    """Translate an XLSForm boolean expression into a NULL-free DuckDB SQL boolean.

    ``self_column`` is the SQL for ``.`` (a constraint's own answer); ``${q}`` becomes the
    column ``"q"``, or ``columns[q]`` when a mapping is given (then an unknown name raises
    INS-032). ``question``/``column`` only name the rule in error messages. Unsupported
    functions raise ``DhkitError`` INS-031, syntax errors INS-030.

    Dates: the answers of the questions named in ``dates`` (and ``.`` when ``self_date``)
    are dates; ``today()`` is the SQL ``today`` (the day of each submission; without it,
    INS-031) and ``date(x)`` reads text or a number of days. A date compared with a date,
    a number or text holding a date compares in days since 1970-01-01, as ODK does, and
    ``today() - ${dob}`` is a number of days.

    >>> to_sql(". >= 12 and . <= 17", self_column='"child_age"')
    '(COALESCE((TRY_CAST("child_age" AS DOUBLE) >= 12), FALSE) AND COALESCE((TRY_CAST("child_age" AS DOUBLE) <= 17), FALSE))'
    >>> import duckdb
    >>> duckdb.sql("SELECT " + to_sql("selected(${a}, 'wa')") + " FROM (SELECT 'fb wa' AS a)").fetchone()
    (True,)
    >>> rule = to_sql(". <= today() and . >= date('2000-01-01')", '"dob"', self_date=True,
    ...               today="DATE '2024-03-01'")
    >>> duckdb.sql(f"SELECT {rule} FROM (VALUES ('2010-05-02'), ('2024-03-02')) t(dob)").fetchall()
    [(True,), (False,)]
    >>> answered = to_sql("${dob} != ''", dates={"dob"})
    >>> duckdb.sql(f"SELECT {answered} FROM (VALUES ('2010-05-02'), (NULL)) t(dob)").fetchall()
    [(True,), (False,)]
    """
    where = _where(question, column)
    node = _Parser(expr, where).parse()
    sql, kind = _Translator(expr, self_column, columns, where, frozenset(dates), self_date,
                            today).go(node)
    return _Translator.as_bool(sql, kind)


def to_sql_value(expr: str, self_column: str | None = None, *,
                 columns: Mapping[str, str] | None = None,
                 question: str | None = None, column: str | None = None) -> str:
    """Translate an expression as a value (e.g. a ``calculation``), not as a boolean.

    >>> to_sql_value("if(${a} = 1, 1, 0)")
    'CASE WHEN COALESCE((TRY_CAST("a" AS DOUBLE) = 1), FALSE) THEN 1 ELSE 0 END'
    """
    where = _where(question, column)
    node = _Parser(expr, where).parse()
    return _Translator(expr, self_column, columns, where).go(node)[0]
