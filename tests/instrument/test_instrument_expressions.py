"""XLSForm expressions: parsed, then translated to DuckDB SQL and executed on real rows."""

from __future__ import annotations

import duckdb
import pytest

from dhkit.errors import DhkitError
from dhkit.instrument import shipped_codebook
from dhkit.instrument.expressions import (BinOp, Call, Num, Ref, Self, Str, parse, references,
                                          to_sql, to_sql_value)

# Columns are text, as a Kobo CSV delivers them; empty answers are NULL.
ROWS = """
SELECT * FROM (VALUES
  (1, '15', 'wa fb', '1', NULL,  'abc-12'),
  (2, '11', 'fb',    '2', '3',   'xyz'),
  (3, NULL, NULL,    '1', '',    NULL),
  (4, 'x',  'wa',    '98', '2.5', 'A-1')
) AS t(id, age, apps, told, n, code)
"""


def rows_where(expr: str, self_column: str | None = None) -> list[int]:
    con = duckdb.connect()
    sql = f"SELECT id FROM ({ROWS}) WHERE {to_sql(expr, self_column)} ORDER BY id"
    return [r[0] for r in con.execute(sql).fetchall()]


def test_parse_builds_the_ast_with_precedence():
    assert parse("${a} = 1 or not(.) and selected(${b}, 'x')") == BinOp(
        "or", BinOp("=", Ref("a"), Num("1")),
        BinOp("and", Call("not", (Self(),)), Call("selected", (Ref("b"), Str("x")))))


def test_references():
    assert references("if(${a} > 1, ${b}, concat(${c}, 'x'))") == {"a", "b", "c"}


@pytest.mark.parametrize("expr,ids", [
    ("${age} >= 12 and ${age} <= 17", [1]),
    ("${age} < 12", [2]),                          # NULL and 'x' are NaN: false
    ("${age} != 15", [2, 3, 4]),                   # NaN != 15 is true in XPath
    ("${told} = 1", [1, 3]),
    ("${told} = '1'", [1, 3]),
    ("${told} != '1'", [2, 4]),
    ("selected(${apps}, 'wa')", [1, 4]),
    ("not(selected(${apps}, 'wa'))", [2, 3]),
    ("count-selected(${apps}) >= 2", [1]),
    ("count-selected(${apps}) = 0", [3]),
    ("${n} > 2 or ${told} = 98", [2, 4]),
    ("${n} * 2 = 5", [4]),
    ("${n} div 2 = 1.5", [2]),
    ("${n} mod 2 = 1", [2]),
    ("-${n} < -2", [2, 4]),
    ("if(${told} = 1, 'yes', 'no') = 'yes'", [1, 3]),
    ("regex(${code}, '^[a-z]+-[0-9]+$')", [1]),
    ("string-length(${code}) = 3", [2, 4]),
    ("${n} = ''", [1, 3]),
    ("${apps}", [1, 2, 4]),                        # a non-empty answer is true
    ("int(${n}) = 2", [4]),
    ("contains(${apps}, 'f') and starts-with(${code}, 'a')", [1]),
    ("true() and not(false())", [1, 2, 3, 4]),
])
def test_translation_selects_the_rows_xpath_would(expr, ids):
    assert rows_where(expr) == ids


def test_dot_is_the_self_column():
    assert rows_where(". >= 12 and . <= 17", self_column='"age"') == [1]
    assert rows_where("not(selected(., 'nobody') and count-selected(.) > 1)",
                      self_column='"apps"') == [1, 2, 3, 4]


def test_columns_mapping_and_unknown_reference():
    assert to_sql("${a} = 'x'", columns={"a": "m.a"}) == "(COALESCE(CAST(m.a AS VARCHAR), '') = 'x')"
    with pytest.raises(DhkitError) as info:
        to_sql("${zz} = 1", columns={"a": "m.a"}, question="q7", column="relevant")
    assert info.value.code == "INS-032" and "question 'q7'" in info.value.message


def test_unsupported_function_names_question_and_expression():
    with pytest.raises(DhkitError) as info:
        to_sql("today() > ${dob}", question="dob", column="constraint")
    msg = info.value.message
    assert info.value.code == "INS-031"
    assert "question 'dob'" in msg and "today()" in msg and "'today() > ${dob}'" in msg


def test_dot_without_self_column_is_refused():
    with pytest.raises(DhkitError) as info:
        to_sql(". > 1")
    assert info.value.code == "INS-031"


@pytest.mark.parametrize("bad", ["${a} = ", "(${a} = 1", "${a} == 1", "selected(${a})", "", "'x"])
def test_syntax_errors_are_ins_030(bad):
    with pytest.raises(DhkitError) as info:
        to_sql(bad)
    assert info.value.code == "INS-030"


def test_value_translation_of_any_tfcsea():
    cb = shipped_codebook()
    sql = to_sql_value(cb.question("any_tfcsea").calculation)
    con = duckdb.connect()
    items = [q.name for q in cb.questions.values() if q.name.startswith("ab_")]
    cols = ", ".join(f"'{'1' if i == 3 else '2'}' AS {n}" for i, n in enumerate(items))
    none = ", ".join(f"'2' AS {n}" for n in items)
    assert con.execute(f"SELECT {sql} FROM (SELECT {cols})").fetchone() == (1,)
    assert con.execute(f"SELECT {sql} FROM (SELECT {none})").fetchone() == (0,)


def test_every_rule_of_the_shipped_form_translates_and_runs():
    cb = shipped_codebook()
    con = duckdb.connect()
    names = [q.name for q in cb.questions.values()]
    table = "SELECT " + ", ".join(f"CAST(NULL AS VARCHAR) AS {n}" for n in names)
    n = 0
    for q in cb.questions.values():
        for col in ("relevant", "constraint"):
            expr = getattr(q, col)
            if expr:
                sql = to_sql(expr, f'"{q.name}"', question=q.name, column=col)
                assert con.execute(f"SELECT {sql} FROM ({table})").fetchone()[0] in (True, False)
                n += 1
    assert n >= 20
