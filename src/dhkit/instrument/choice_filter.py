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
    op: str                    # "=", "!=" or "selected"; of a search(): SEARCH_TYPES, "is"
    column: str                # choices-sheet column (lower case; "name" = the choice's name;
                               # of a search(): the CSV's, several joined by ",")
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


# ------------------------------------------------------------------ search() appearance
#: the row searches of ``search()`` as ODK Collect names them (``startsWith`` ...), lower case
SEARCH_TYPES = ("contains", "matches", "startswith", "endswith")


@dataclass(frozen=True)
class SearchCall:
    """A ``search()`` appearance read: ``search(FILE[, HOW, COLUMNS, VALUE[, COLUMN, VALUE2]])``.

    ODK Collect (``ExternalDataHandlerSearch``, the implementation the XLSForm docs describe)
    offers the rows of ``FILE.csv`` where any of ``COLUMNS`` (comma-separated) is LIKE the
    value (``contains``: anywhere, ``matches``: the whole text, ``startswith``/``endswith``;
    SQLite LIKE: letters compared without case, ``%``/``_`` wildcards; an unknown ``HOW`` is
    ``contains``), and with six arguments only those whose ``COLUMN`` equals ``VALUE2``
    exactly. A value is ``${q}`` (an empty answer is the empty text) or a literal.
    ``terms`` holds them as :class:`Term` (ops ``contains`` ... and ``is``), all of which one
    row must satisfy; None when the call cannot be read (``why`` says what).

    >>> s = read_search("quick search('villages', 'matches', 'district', ${district})")
    >>> s.file, [(t.op, t.column, t.ref) for t in s.terms]
    ('villages.csv', [('matches', 'district', 'district')])
    >>> read_search("search('fruits')").terms
    ()
    >>> read_search("minimal") is None
    True
    """
    file: str                              # the CSV: NAME.csv
    text: str                              # the call as written, for messages
    terms: tuple[Term, ...] | None         # the row filter (empty: every row)
    why: str = ""                          # when terms is None

    @property
    def refs(self) -> list[str]:
        return list(dict.fromkeys(t.ref for t in self.terms or () if t.ref))


def _call_text(appearance: str) -> str | None:
    """``search(...)`` as written in an appearance, up to its closing parenthesis."""
    import re

    m = re.search(r"\bsearch\s*\(", appearance)
    if not m:
        return None
    depth, quote = 0, ""
    for i in range(m.end() - 1, len(appearance)):
        ch = appearance[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return appearance[m.start():i + 1]
    return appearance[m.start():]


def read_search(appearance: str | None) -> SearchCall | None:
    """The ``search()`` call of an appearance, or None when it has none."""
    from dhkit.instrument.expressions import Call, Num, Ref, Str, parse

    text = _call_text(appearance or "")
    if text is None:
        return None
    try:
        node = parse(text)
    except DhkitError:
        node = None
    if not isinstance(node, Call) or not node.args or not isinstance(node.args[0], Str):
        return SearchCall("", text, None, "the call cannot be read")
    name = node.args[0].value.strip()
    file = name if name.lower().endswith(".csv") else name + ".csv"
    args = node.args[1:]
    if len(args) not in (0, 3, 5):
        return SearchCall(file, text, None, f"{len(node.args)} arguments; ODK reads 1, 4 or 6")

    def value(n) -> tuple[str | None, str | None] | None:
        if isinstance(n, Ref):
            return n.name, None
        if isinstance(n, (Str, Num)):
            return None, n.value
        return None

    terms: list[Term] = []
    if args:
        if not all(isinstance(a, Str) for a in args[:2]) or value(args[2]) is None:
            return SearchCall(file, text, None, "its search type and columns must be "
                              "quoted text and its value ${question} or a literal")
        how = args[0].value.strip().lower()
        how = how if how in SEARCH_TYPES else "contains"    # Collect's fallback
        cols = ",".join(c.strip().lower() for c in args[1].value.split(",") if c.strip())
        if cols:
            terms.append(Term(how, cols, *value(args[2])))
    if len(args) == 5:
        if not isinstance(args[3], Str) or value(args[4]) is None:
            return SearchCall(file, text, None, "its filter column must be quoted text and "
                              "its filter value ${question} or a literal")
        terms.append(Term("is", args[3].value.strip().lower(), *value(args[4])))
    return SearchCall(file, text, tuple(terms))
