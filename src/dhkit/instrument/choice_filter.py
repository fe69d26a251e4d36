"""The ``choice_filter`` of a cascading select, read into the simple terms dhkit checks.

A cascading select offers only the choices whose row in the choices sheet matches the
filter, e.g. district with ``choice_filter region=${region}`` offers the districts whose
``region`` column equals the answer to ``region``. ODK Collect and Enketo evaluate the filter
as XPath; dhkit checks at import that the stored answer was one of the offered choices
(``dhkit.ingest.validate``). Only the forms pyxform users commonly write are read (a
conjunction of the terms below); any other filter is reported by ``dhkit instrument check``
as a note (INS-031, "not checked at import"). The XPath parser of
:mod:`dhkit.instrument.expressions` is reused: this module only recognises the shapes, it
does not evaluate XPath (a general XPath engine would not give one SQL predicate per rule).

Terms (``col`` is a column of the choices sheet; ``name`` is the choice's own name):

- ``col = ${q}``, ``${q} = col``, ``col != ${q}``
- ``col = 'text'`` or ``col = 3`` (a fixed filter), and ``!=``
- ``selected(${q}, col)``: ``col`` is one of the answers of the select_multiple ``q``

Reference: https://xlsform.org/en/#cascading-selects

>>> [(t.column, t.ref, t.literal) for t in read_choice_filter("region=${r} and kind = 'urban'")]
[('region', 'r', None), ('kind', None, 'urban')]
>>> read_choice_filter("starts-with(name, ${x})") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

from dhkit.errors import DhkitError

SUPPORTED = ("col=${q}", "col!=${q}", "col='text'", "selected(${q}, col)", "joined by 'and'")


@dataclass(frozen=True)
class Term:
    op: str                    # "=", "!=" or "selected"
    column: str                # choices-sheet column (lower case; "name" = the choice's name)
    ref: str | None            # the question whose answer is compared, or None
    literal: str | None        # a fixed value compared with (when ``ref`` is None)


def read_choice_filter(expr: str) -> tuple[Term, ...] | None:
    """The terms of a supported filter (all must hold), or None when dhkit cannot check it."""
    from dhkit.instrument.expressions import BinOp, Call, Num, Path, Ref, Str, parse

    try:
        node = parse(expr)
    except DhkitError:
        return None

    def col(n) -> str | None:
        return n.text.lower() if isinstance(n, Path) and n.text not in (".", "..") \
            and "/" not in n.text else None

    def terms(n) -> list[Term] | None:
        if isinstance(n, BinOp) and n.op == "and":
            a, b = terms(n.left), terms(n.right)
            return None if a is None or b is None else a + b
        if isinstance(n, BinOp) and n.op in ("=", "!="):
            left, right = (n.left, n.right) if col(n.left) else (n.right, n.left)
            c = col(left)
            if c is None:
                return None
            if isinstance(right, Ref):
                return [Term(n.op, c, right.name, None)]
            if isinstance(right, (Str, Num)):
                return [Term(n.op, c, None, right.value)]
            return None
        if isinstance(n, Call) and n.name == "selected" and len(n.args) == 2 \
                and isinstance(n.args[0], Ref) and col(n.args[1]):
            return [Term("selected", col(n.args[1]), n.args[0].name, None)]
        return None

    out = terms(node)
    return tuple(out) if out else None
