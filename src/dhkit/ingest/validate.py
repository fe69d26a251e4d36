"""Validation of staged survey data against the codebook, set-based in DuckDB SQL.

Every rule becomes one SQL predicate over the whole staged table (the XLSForm's ``relevant``
and ``constraint`` expressions are translated by :func:`dhkit.instrument.expressions.to_sql`),
and the predicates are combined with ``UNION ALL`` into one problems table: one row per
(row, field, code). No Python loop over rows, so a million rows validate in seconds.

Codes (``docs/errors/IMP.md``): IMP-004 type, IMP-005 choice, IMP-006 required answer
missing, IMP-007 answered where not asked, IMP-010 constraint, IMP-011 age out of range,
IMP-021 a choice a cascading select's ``choice_filter`` did not offer.
Cross-row rules (keys, parents) live in :mod:`dhkit.ingest.importer`.

>>> sql_type(Question("a", "integer"), Codebook("t", "f"))
'BIGINT'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from dhkit.errors import DhkitError
from dhkit.instrument.codebook import Codebook, Question

#: XLSForm types whose answers are free text: their values never appear in messages
FREE_TEXT = {"text", "barcode", "geopoint", "geotrace", "geoshape", "calculate", "hidden",
             "string", "osm", "image", "audio", "video", "file"}
#: XLSForm metadata types: recorded by the device, not asked of the respondent
METADATA_TYPES = {"start", "end", "today", "deviceid", "subscriberid", "simserial",
                  "phonenumber", "username", "email", "audit", "start-geopoint",
                  "background-audio", "background-video"}
#: XLSForm types holding one point, "lat lon altitude accuracy"
GEO_TYPES = ("geopoint", "start-geopoint", "background-geopoint")
#: the columns exporters split a point into: (part, ODK Central's / Briefcase's suffix);
#: Kobo (formpack ``FormGPSField``) writes ``_NAME_latitude`` ... ``_NAME_precision`` next to
#: the point's own column, ODK Central ``NAME-Latitude`` ... ``NAME-Accuracy`` instead of it
GEO_PARTS = (("latitude", "Latitude"), ("longitude", "Longitude"), ("altitude", "Altitude"),
             ("precision", "Accuracy"))
# "1.0" -> "1" (SPSS/Stata/Excel write whole numbers as floats); LIKE is cheaper than a regex
NUMERIC_PREP = ("CASE WHEN {x} LIKE '%.0' AND TRY_CAST({x} AS DOUBLE) IS NOT NULL "
                "THEN rtrim(rtrim({x}, '0'), '.') ELSE {x} END")


def qi(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: object) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def txt(name: str) -> str:
    """The staged text column of a question."""
    return qi("#" + name)


def whole_number(v: str) -> str:
    """SQL: TRUE where the text ``v`` reads as a whole number (the one test for integer
    answers and for calculations stored as BIGINT).

    DuckDB's cast to BIGINT rounds a fraction (``'1.5'`` gives 2), so the cast alone would
    store 2 for an answer of 1.5. A value is a whole number when its cast prints back as
    itself (nearly every cell: one cheap test) or else equals its value read as a number
    (``'02'``, ``'2.00'``, ``'1e2'``; not ``'1.5'``, ``'15e-1'`` or ``'0x10'``).

    >>> import duckdb
    >>> duckdb.sql("SELECT " + ", ".join(whole_number(repr(x)) for x in
    ...            ("2", "02", "2.00", "1e2", "1.5", "15e-1", "-0.5", "0x10", "x"))).fetchone()
    (True, True, True, True, False, False, False, False, False)
    """
    n = f"TRY_CAST({v} AS BIGINT)"
    return (f"CASE WHEN CAST({n} AS VARCHAR) = {v} THEN TRUE "
            f"ELSE COALESCE(TRY_CAST({v} AS DOUBLE) = {n}, FALSE) END")


def _not_whole(v: str) -> str:
    """SQL: why ``v`` is not a whole number (a number too large to keep says so; an ID
    column typed as an integer question is the usual cause)."""
    return (f"CASE WHEN abs(TRY_CAST({v} AS DOUBLE)) >= 9.2e18 THEN 'is too large for a whole "
            "number (at most 9223372036854775807; an ID is better a text question)' "
            "ELSE 'is not a whole number' END")


def finite_number(v: str) -> str:
    """SQL: TRUE where the text ``v`` reads as a finite number (the test for decimal and
    range answers and for calculations stored as DOUBLE). DuckDB reads ``'NaN'``, ``'inf'``
    and ``'1e400'`` as numbers a mean cannot use; an answer is never stored as one.

    >>> import duckdb
    >>> duckdb.sql("SELECT " + ", ".join(finite_number(repr(x)) for x in
    ...            ("2.5", "-1e3", "NaN", "inf", "1e400", "x"))).fetchone()
    (True, True, False, False, False, False)
    """
    return f"COALESCE(isfinite(TRY_CAST({v} AS DOUBLE)), FALSE)"


def int_codes(cb: Codebook, q: Question) -> bool:
    codes = cb.choice_values(q.list_name or "")
    return bool(codes) and all(re.fullmatch(r"-?\d+", c) for c in codes)


def sql_type(q: Question, cb: Codebook) -> str:
    """The store column type of a question (calculate: decided from the data, see importer).

    Integer-coded choice lists (``yes_no``: 1, 2, 98, 99) are stored as BIGINT so analysts
    compare with numbers; other choice codes and select_multiple (space-separated) as text.
    """
    t = q.base_type
    if t == "integer":
        return "BIGINT"
    if t in ("decimal", "range"):
        return "DOUBLE"
    if t == "select_one":      # a search() select: its codes come from a CSV (text)
        return "BIGINT" if int_codes(cb, q) and not _searched(q) else "VARCHAR"
    if t == "date":
        return "DATE"
    return "VARCHAR"


def _searched(q: Question) -> bool:
    from dhkit.instrument.attachments import search_call

    return search_call(q) is not None


def normalise(q: Question, cb: Codebook, header: str | None,
              splits: dict[str, str] | None, decimal_comma: bool = False) -> str:
    """SQL turning the raw column(s) of a question into clean text (NULL when empty).

    ``splits``: a select_multiple's 0/1 columns (choice -> header), or the parts of a
    geopoint (``latitude`` ... ``precision`` -> header) an export wrote instead of it.

    ``decimal_comma`` (a ``;``-separated CSV: Kobo/Excel in French or Spanish locales write
    "120,5"): a decimal answer written ``digits,digits`` is read with a decimal point."""
    if splits and not header and q.base_type in GEO_TYPES:    # ODK Central: the parts only
        if "latitude" not in splits or "longitude" not in splits:
            return "CAST(NULL AS VARCHAR)"
        cells = [f"NULLIF(NULLIF(trim({qi(splits[p])}), ''), 'nan')" for p, _ in GEO_PARTS
                 if p in splits]
        return (f"CASE WHEN {cells[0]} IS NOT NULL AND {cells[1]} IS NOT NULL THEN "
                f"concat_ws(' ', {', '.join(cells)}) END")
    if splits and not header:
        parts = ", ".join(
            f"CASE WHEN lower(trim({qi(h)})) IN ('1', '1.0', 'true', 'yes') THEN {lit(c)} END"
            for c, h in splits.items())
        return f"NULLIF(concat_ws(' ', {parts}), '')"
    if not header:
        return "CAST(NULL AS VARCHAR)"
    x = f"NULLIF(NULLIF(trim({qi(header)}), ''), 'nan')"
    if q.base_type in ("select_multiple", "rank"):
        return (f"CASE WHEN regexp_matches({x}, '\\s\\s|[\\t\\n]') THEN NULLIF(trim("
                f"regexp_replace({x}, '\\s+', ' ', 'g')), '') ELSE {x} END")
    if decimal_comma and q.base_type in ("decimal", "range", "calculate"):
        x = (f"CASE WHEN regexp_full_match({x}, '-?\\d+,\\d+') THEN replace({x}, ',', '.') "
             f"ELSE {x} END")
    if q.base_type in ("integer", "decimal", "calculate") or (
            q.base_type == "select_one" and int_codes(cb, q)):
        return NUMERIC_PREP.format(x=x)
    return x


def labelled_codes(q: Question, cb: Codebook, labels: dict[str, str] | None) -> dict[str, str]:
    """Code -> choice name for a text-coded select_one exported with numeric codes and value
    labels (R factors written to Stata, SPSS exports): every label must name a choice (its
    name or a label in any language). Empty when the codes need no translation."""
    choices = cb.choices.get(q.list_name or "", [])
    if q.base_type != "select_one" or not labels or not choices or int_codes(cb, q):
        return {}
    names = {c.name for c in choices}
    by_label: dict[str, str] = {}
    for c in choices:
        by_label.setdefault(c.name.casefold(), c.name)
        for lab in c.labels.values():
            by_label.setdefault(" ".join(str(lab).split()).casefold(), c.name)
    out = {}
    for code, lab in labels.items():
        name = by_label.get(" ".join(str(lab).split()).casefold())
        if name is None or code in names:
            return {}
        out[code] = name
    return out


def translate_codes(expr: str, mapping: dict[str, str]) -> str:
    """SQL: the code (``1`` or ``1.0``) replaced by its choice name; other values unchanged."""
    if not mapping:
        return expr
    whens = " ".join(f"WHEN {lit(code)} THEN {lit(name)}" for code, name in mapping.items())
    return f"COALESCE(CASE regexp_replace({expr}, '\\.0$', '') {whens} END, {expr})"


def label_codes(q: Question, cb: Codebook) -> dict[str, str]:
    """Choice label (any language, case- and space-folded) -> choice name, for the
    "labels as values" exports (Kobo's export option "labels" instead of "XML values").
    Labels that name two different choices are left out (ambiguous)."""
    out: dict[str, str] = {}
    clash: set[str] = set()
    for c in cb.choices.get(q.list_name or "", []):
        for lab in c.labels.values():
            key = " ".join(str(lab).split()).casefold()
            if out.get(key, c.name) != c.name:
                clash.add(key)
            out[key] = c.name
    return {k: v for k, v in out.items() if k not in clash}


def label_clashes(q: Question, cb: Codebook) -> dict[str, list[str]]:
    """Labels (as written, first seen) that name two or more choices of the question's list
    (two towns called "San José" in a file of towns): label -> choice names. A "labels as
    values" export cannot tell them apart, so :func:`label_codes` leaves them out.

    >>> from dhkit.instrument.codebook import Choice
    >>> cb = Codebook("t", "f", choices={"t": [Choice("t", "t4", {"en": "San José"}),
    ...     Choice("t", "t9", {"en": "San  josé"}), Choice("t", "t1", {"en": "Cali"})]})
    >>> label_clashes(Question("town", "select_one t", list_name="t"), cb)
    {'San José': ['t4', 't9']}
    """
    seen: dict[str, tuple[str, list[str]]] = {}
    for c in cb.choices.get(q.list_name or "", []):
        for lab in dict.fromkeys(c.labels.values()):
            key = " ".join(str(lab).split()).casefold()
            first, names = seen.setdefault(key, (str(lab), []))
            if c.name not in names:
                names.append(c.name)
    return {first: names for first, names in seen.values() if len(names) > 1}


def translate_labels(expr: str, mapping: dict[str, str], multiple: bool = False) -> str:
    """SQL: a choice label replaced by its choice name; codes and other values unchanged.
    select_multiple: each label of a list written with ", " or ";" (Kobo label exports)."""
    if not mapping:
        return expr
    whens = " ".join(f"WHEN {lit(lab)} THEN {lit(name)}" for lab, name in mapping.items())
    one = "CASE lower(trim(regexp_replace(@X@, '\\s+', ' ', 'g'))) " + whens + " END"
    single = f"COALESCE({one.replace('@X@', expr)}, {expr})"
    if not multiple:
        return single
    parts = f"string_split_regex({expr}, '\\s*[;,]\\s*')"
    each = f"list_transform({parts}, t -> COALESCE({one.replace('@X@', 't')}, t))"
    return (f"CASE WHEN {one.replace('@X@', expr)} IS NOT NULL THEN {one.replace('@X@', expr)} "
            f"WHEN regexp_matches({expr}, '[;,]') THEN array_to_string({each}, ' ') "
            f"ELSE {expr} END")


#: A choice list longer than this is checked by a hash lookup, not by ``IN (a, b, ...)``.
#: The staging scan runs with DuckDB's IN-clause rewrite off (it would reorder the rows), and
#: there ``x NOT IN (...)`` compares each value with every code: a search() list of 10,000
#: villages took 6.7 s per 200,000 rows (0.15 s as a lookup after staging, 1,000,000 rows).
LOOKUP_CODES = 256


@dataclass(frozen=True)
class Check:
    code: str
    field: str
    condition: str        # SQL: TRUE where the row has the problem
    message: str          # SQL string expression
    value: str            # SQL text of the offending value (kept in the store and CSV only)
    #: SQL terms written verbatim in ``condition`` that other checks may test too (a
    #: question's relevance): :func:`shared_terms` computes each once per row
    terms: tuple[str, ...] = ()
    #: a lookup in a long choice list (``NOT IN (SELECT unnest([...]))``, a hash join): the
    #: staging scan leaves it out (a join there would lose the file's row order) and the
    #: importer flags its rows after staging, see :data:`LOOKUP_CODES`
    lookup: bool = False


def effective_relevance(q: Question, cb: Codebook) -> list[str]:
    """The question's own ``relevant`` and those of every enclosing group (not repeats)."""
    out = []
    for name in q.group.split("/") if q.group else []:
        g = cb.questions.get(name)
        if g is not None and g.type == "begin group" and g.relevant:
            out.append(g.relevant)
    if q.relevant:
        out.append(q.relevant)
    return out


def choice_kind(q: Question) -> str | None:
    """``select_one``/``select_multiple`` for a question whose answers are choices (those of
    an attached file or the form's external_choices too: ``select_one_from_file``,
    ``select_one_external``; a ``rank`` holds its list's names in the order given, space-
    separated, so each is checked like a select_multiple's), else None."""
    t = q.base_type
    if t in ("select_one", "select_multiple"):
        return t
    return {"select_one_from_file": "select_one", "select_one_external": "select_one",
            "select_multiple_from_file": "select_multiple", "rank": "select_multiple"}.get(t)


def question_checks(q: Question, cb: Codebook, columns: dict[str, str], present: bool,
                    age: tuple[str, int, int] | None, notes: list[str],
                    today: str | None = None) -> list[Check]:
    """All row rules for one question. ``columns`` maps names to SQL (for ``to_sql``);
    ``today``: SQL of the day each row was submitted (``today()`` in a constraint is
    checked against it, only on rows that have one)."""
    from dhkit.instrument.expressions import functions, to_sql

    v = columns[q.name]
    t = q.base_type
    out: list[Check] = []
    shown = f"'\"' || {v} || '\" '" if t not in FREE_TEXT else "'the answer '"
    kind = choice_kind(q)
    dates = {n for n in columns if n in cb.questions and cb.questions[n].base_type == "date"}

    def translate(expr: str, what: str, day: str | None = None) -> str | None:
        try:
            return to_sql(expr, self_column=v, columns=columns, question=q.name,
                          dates=dates, self_date=t == "date", today=day)
        except DhkitError as exc:
            notes.append(f"{q.name}: {what} not checked ({exc.message})")
            return None

    if present:
        if t == "integer":
            out.append(Check("IMP-004", q.name, f"{v} IS NOT NULL AND NOT ({whole_number(v)})",
                             f"{shown} || {_not_whole(v)}", v))
        elif t in ("decimal", "range"):
            comma = (f"CASE WHEN regexp_full_match({v}, '-?\\d+,\\d+') THEN ' (a decimal "
                     "comma? write it with a point, e.g. 120.5)' ELSE '' END")
            out.append(Check("IMP-004", q.name, f"{v} IS NOT NULL AND NOT {finite_number(v)}",
                             f"{shown} || 'is not a number' || {comma}", v))
        elif t == "date":
            out.append(Check("IMP-004", q.name, f"{v} IS NOT NULL AND TRY_CAST({v} AS DATE) "
                             "IS NULL", f"{shown} || 'is not a date (YYYY-MM-DD)'", v))
        codes = cb.choice_values(q.list_name or "")
        if codes and kind:
            arr = "[" + ", ".join(lit(c) for c in codes) + "]"
            shown_codes = ", ".join(codes[:12]) + (", ..." if len(codes) > 12 else "")
            tail = f" is not a choice of list {q.list_name} (expected {shown_codes})"
            if kind == "select_one" and len(codes) > LOOKUP_CODES:
                out.append(Check("IMP-005", q.name, f"{v} IS NOT NULL AND {v} NOT IN "
                                 f"(SELECT unnest({arr}))",
                                 f"'\"' || {v} || '\"' || {lit(tail)}", v, lookup=True))
            elif kind == "select_one":
                out.append(Check("IMP-005", q.name, f"{v} IS NOT NULL AND {v} NOT IN "
                                 f"({', '.join(lit(c) for c in codes)})",
                                 f"'\"' || {v} || '\"' || {lit(tail)}", v))
            else:   # one regular expression per row; the list is split only for messages
                bad = f"list_filter(string_split({v}, ' '), x -> NOT list_contains({arr}, x))"
                alt = "|".join(re.escape(c) for c in codes)
                out.append(Check("IMP-005", q.name, f"{v} IS NOT NULL AND NOT regexp_full_match("
                                 f"{v}, {lit(f'(?:{alt})(?: (?:{alt}))*')})",
                                 f"'\"' || array_to_string({bad}, ' ') || '\"' || {lit(tail)}",
                                 v))
        if q.choice_filter and kind and codes:
            out += choice_filter_checks(q, cb, columns, notes)
        if kind and codes and q.list_name in cb.search_lists:
            out += search_filter_checks(q, cb, columns, notes)
    rel_exprs = effective_relevance(q, cb)
    rel_sql = [translate(e, "relevance") for e in rel_exprs]
    rel = None if any(r is None for r in rel_sql) else (
        " AND ".join(f"({r})" for r in rel_sql) if rel_sql else "TRUE")
    asked = f"COALESCE({rel}, FALSE)"
    terms = (asked,) if rel not in (None, "TRUE") else ()
    if present and t != "calculate" and rel is not None and rel != "TRUE":
        out.append(Check("IMP-007", q.name, f"{v} IS NOT NULL AND NOT {asked}",
                         lit("answered although the question was not asked (its relevance "
                             "rule is false for this row)"), v, terms))
    if (q.required or q.required_if) and t != "calculate" and rel is not None:
        cond = f"{v} IS NULL AND {asked}"
        if q.required_if:
            req = translate(q.required_if, "required rule")
            cond = f"{cond} AND COALESCE({req}, FALSE)" if req else None
        if cond and present:
            out.append(Check("IMP-006", q.name, cond, lit("required answer is missing"), v,
                             terms))
    if present and q.constraint:
        con = translate(q.constraint, "constraint", today)
        if con and today and "today" in functions(q.constraint):     # judged where known
            con = f"{today} IS NULL OR ({con})"
        if con:
            msg = q.constraint_message or f"fails the constraint {q.constraint}"
            ok = {"integer": f" AND ({whole_number(v)})",   # a value of the wrong type
                  "decimal": f" AND {finite_number(v)}",    # is IMP-004 only
                  "range": f" AND {finite_number(v)}",
                  "date": f" AND TRY_CAST({v} AS DATE) IS NOT NULL"}.get(t, "")
            out.append(Check("IMP-010", q.name, f"{v} IS NOT NULL{ok} AND NOT COALESCE({con}, "
                             "TRUE)", lit(msg), v))
    if present and t == "range":
        out += range_checks(q, v)
    if present and age and q.name == age[0]:
        _, lo, hi = age
        a = f"TRY_CAST({v} AS DOUBLE)"
        out.append(Check("IMP-011", q.name, f"{a} < {lo} OR {a} > {hi}",
                         lit(f"age outside the study's range {lo}-{hi}"), v))
    return out


#: a ``range`` question's ``parameters`` when the form gives none (pyxform, ODK XForms spec)
RANGE_DEFAULTS = {"start": 1.0, "end": 10.0, "step": 1.0}


def range_parameters(q: Question) -> dict[str, float] | None:
    """``start``, ``end`` and ``step`` of a ``range`` question (``parameters`` column,
    ``start=0 end=5 step=0.5``; missing ones take their defaults), None when unreadable.

    >>> range_parameters(Question("r", "range", parameters="start=0;end=5 step=0.5"))
    {'start': 0.0, 'end': 5.0, 'step': 0.5}
    """
    out = dict(RANGE_DEFAULTS)
    for key, value in re.findall(r"(start|end|step)\s*=\s*([^\s;,]+)", q.parameters or ""):
        try:
            out[key] = float(value)
        except ValueError:
            return None
    return out if out["step"] != 0 else None


def range_checks(q: Question, v: str) -> list[Check]:
    """IMP-010: a ``range`` answer outside ``start``..``end`` or off its ``step`` (the
    device's slider cannot give one: a typed or edited value)."""
    p = range_parameters(q)
    if p is None:
        return []
    lo, hi = sorted((p["start"], p["end"]))
    x = f"TRY_CAST({v} AS DOUBLE)"
    k = f"(({x} - {p['start']!r}) / {abs(p['step'])!r})"
    shown = ", ".join(f"{n}={p[n]:g}" for n in ("start", "end", "step"))
    return [Check("IMP-010", q.name, f"{x} IS NOT NULL AND ({x} < {lo!r} OR {x} > {hi!r} OR "
                  f"abs({k} - round({k})) > 1e-9)",
                  lit(f"outside the range of the question or off its step ({shown})"), v)]


SEP = "\x1f"     # joins a choice name and a choices-sheet value in one lookup key


def in_list(x: str, values: list[str], hashed: bool = True) -> str:
    """SQL: ``x IN (values)``; a long list as a lookup (:data:`LOOKUP_CODES`), which only a
    check flagged ``lookup`` may hold (the staging scan leaves those out). ``hashed=False``
    inside a lambda (a subquery cannot sit there).

    >>> in_list("v", ["a", "b"])
    "v IN ('a', 'b')"
    """
    if hashed and len(values) > LOOKUP_CODES:
        return f"{x} IN (SELECT unnest([{', '.join(map(lit, values))}]))"
    return f"{x} IN ({', '.join(map(lit, values))})"


def _offered(terms, q: Question, cb: Codebook, columns: dict[str, str], x: str,
             hashed: bool = True) -> str:
    """SQL: TRUE where choice ``x`` (SQL text) is offered by the filter on this row, NULL
    where an answer the filter reads is empty (not judged: its own rule reports it)."""
    choices = cb.choices.get(q.list_name or "", [])

    def attr(c, column: str) -> str:
        return c.name if column == "name" else c.attrs.get(column, "")

    parts = []
    for term in terms:
        if term.ref is None:          # a fixed filter: the set of choices it offers
            hit = [c.name for c in choices if (attr(c, term.column) == term.literal)
                   == (term.op == "=")]
            parts.append(in_list(x, hit, hashed) if hit else "FALSE")
            continue
        p = columns[term.ref]
        pairs = [c.name + SEP + attr(c, term.column) for c in choices]
        keys = ", ".join(map(lit, pairs))
        if term.op == "selected":
            parts.append(f"CASE WHEN {p} IS NOT NULL THEN list_has_any(list_transform("
                         f"string_split({p}, ' '), t -> {x} || {lit(SEP)} || t), [{keys}]) END")
        else:
            hit = in_list(f"({x} || {lit(SEP)} || {p})", pairs, hashed)
            parts.append(f"CASE WHEN {p} IS NOT NULL THEN "
                         f"{hit if term.op == '=' else 'NOT ' + hit} END")
    return " AND ".join(f"({p})" for p in parts)


def choice_filter_checks(q: Question, cb: Codebook, columns: dict[str, str],
                         notes: list[str]) -> list[Check]:
    """IMP-021: the answer of a cascading select is a choice its ``choice_filter`` offered,
    given the answers it depends on (district ``s1`` with region ``N`` under
    ``region=${region}`` is not). Filters dhkit cannot read become a note, not a check."""
    from dhkit.instrument.choice_filter import SUPPORTED, read_choice_filter

    terms = read_choice_filter(q.choice_filter or "")
    missing = sorted({t.ref for t in terms or () if t.ref and t.ref not in columns})
    if terms is None or missing:
        why = (f"refers to {', '.join(missing)}, not available to this sheet" if terms
               else "dhkit checks only " + ", ".join(SUPPORTED))
        note = f"{q.name}: choice_filter {q.choice_filter} not checked at import ({why})"
        if note not in notes:         # once, however many files are imported
            notes.append(note)
        return []
    refs = list(dict.fromkeys(t.ref for t in terms if t.ref))
    return [_not_offered(q, cb, columns,
                         lambda x, hashed=True: _offered(terms, q, cb, columns, x, hashed), refs,
                         lit(f" (choice_filter {q.choice_filter})"))]


def _not_offered(q: Question, cb: Codebook, columns: dict[str, str], offered, refs: list[str],
                 tail: str) -> Check:
    """IMP-021 for a select whose choices are filtered: ``offered(x)`` is SQL, TRUE where the
    choice ``x`` (SQL text) was offered on this row (NULL: not judged); the message names the
    answers of ``refs`` and ends with ``tail`` (SQL text). Answers that are no choice at all
    are left to IMP-005."""
    v = columns[q.name]
    codes = [c for c in cb.choice_values(q.list_name or "") if not (q.or_other and c == "other")]
    long = max(len(codes), len(cb.choices.get(q.list_name or "", []))) > LOOKUP_CODES
    given = " || ' and ' || ".join(
        f"{lit(r + ' = ')} || '\"' || COALESCE({columns[r]}, '') || '\"'" for r in refs)
    if choice_kind(q) == "select_one":
        cond = f"{v} IS NOT NULL AND {in_list(v, codes)} AND NOT COALESCE({offered(v)}, TRUE)"
        shown = f"'\"' || {v} || '\"'"
    else:
        bad = (f"list_filter(string_split({v}, ' '), x -> {in_list('x', codes, False)} AND "
               f"NOT COALESCE({offered('x', False)}, TRUE))")
        long = False
        cond = f"{v} IS NOT NULL AND len({bad}) > 0"
        shown = f"'\"' || array_to_string({bad}, ' ') || '\"'"
    when = f" || ' when ' || {given}" if given else ""
    msg = f"{shown} || ' is not a choice offered'{when} || {tail}"
    return Check("IMP-021", q.name, cond, msg, v, lookup=long)


#: how a search() compares a CSV column with the value (SQLite LIKE in ODK Collect)
_PATTERN = {"contains": "'%' || {v} || '%'", "matches": "{v}", "startswith": "{v} || '%'",
            "endswith": "'%' || {v}"}
_VERB = {"contains": "contains", "matches": "matches", "startswith": "starts with",
         "endswith": "ends with", "is": "is"}


def search_filter_checks(q: Question, cb: Codebook, columns: dict[str, str],
                         notes: list[str]) -> list[Check]:
    """IMP-021: the answer of a select with a filtered ``search()`` appearance is a value of
    a row of its CSV the filter kept, given that row's answers (``search('villages',
    'matches', 'district', ${district})``: a village whose ``district`` column matches the
    answer to ``district``), or one of the list's static choices. ODK semantics
    (:class:`~dhkit.instrument.choice_filter.SearchCall`): an empty answer is the empty
    text (``contains`` then keeps every row, ``matches`` the rows whose column is empty).
    A filter that cannot be read or reads what this sheet lacks is a note, not a check."""
    from dhkit.instrument.attachments import search_of

    call = search_of(q)
    sl = cb.search_lists.get(q.list_name or "")
    if call is None or sl is None or call.terms == ():
        return []

    def note(why: str) -> list[Check]:
        text = (f"{q.name}: answers checked against every row of {call.file}; the filter of "
                f"its appearance {call.text} was not checked ({why})")
        if text not in notes:
            notes.append(text)
        return []

    if call.terms is None:
        return note(call.why)
    missing = [r for r in call.refs if r not in columns]
    if missing:
        return note(f"it refers to {', '.join(missing)}, not available to this sheet")
    names = list(dict.fromkeys(c for t in call.terms for c in t.column.split(",")))
    held = {k for r in sl.rows for k in r.attrs}
    absent = [c for c in names if c not in held]
    if sl.rows and absent:
        return note(f"{call.file} has no column {', '.join(absent)}")
    at = {c: i for i, c in enumerate(names, start=1)}
    parts, said = [], []
    for t in call.terms:
        val = lit(t.literal) if t.ref is None else f"COALESCE({columns[t.ref]}, '')"
        if t.op == "is":
            parts.append(f"r[{at[t.column]}] = {val}")
        else:
            pat = _PATTERN[t.op].format(v=val)
            parts.append("(" + " OR ".join(f"r[{at[c]}] ILIKE {pat}" for c in
                                           t.column.split(",")) + ")")
        said.append(f"{lit(' ' + ' or '.join(t.column.split(',')) + ' ' + _VERB[t.op] + ' ')}"
                    f" || '\"' || {val} || '\"'")
    rows: dict[str, dict[tuple[str, ...], None]] = {}
    for r in sl.rows:
        rows.setdefault(r.name, {})[tuple(r.attrs.get(c, "") for c in names)] = None
    table = "MAP {" + ", ".join(
        f"{lit(v)}: [" + ", ".join("[" + ", ".join(map(lit, row)) + "]" for row in rs) + "]"
        for v, rs in rows.items()) + "}"
    row_ok = " AND ".join(parts)

    def offered(x: str, hashed: bool = True) -> str:
        fixed = f"{x} IN ({', '.join(map(lit, sl.static))}) OR " if sl.static else ""
        kept = (f"COALESCE(len(list_filter(map_extract({table}, {x})[1], r -> {row_ok})), 0) "
                "> 0" if rows else "FALSE")
        return f"({fixed}{kept})"

    joined = " || ' and' || ".join(said)
    tail = (f"' (' || {lit(call.file)} || ' has no row of that value whose' || {joined} || "
            f"'; appearance ' || {lit(call.text)} || ')'")
    return [_not_offered(q, cb, columns, offered, call.refs, tail)]


def shared_terms(checks: list[Check]) -> tuple[list[str], list[Check]]:
    """Terms that several checks test (a relevance rule read by many questions: the shipped
    form's ``assent_child = 1`` guards 65 of its 157 rules), named ``_t0``, ``_t1``, ...:
    the projections that compute each once per row, and the checks reading the names.

    DuckDB does not share such a term between the parts of one ``CASE WHEN ... OR ...``
    (each part is judged as its own filter), so the staging scan computed it 65 times a row;
    computed once it costs about a tenth less CPU on the 1,000,000-row benchmark.

    >>> a = Check("IMP-006", "x", '"#x" IS NULL AND R', "'m'", '"#x"', ("R",))
    >>> b = Check("IMP-007", "y", '"#y" IS NOT NULL AND NOT R', "'m'", '"#y"', ("R",))
    >>> cols, (a2, b2) = shared_terms([a, b])
    >>> cols, a2.condition, b2.condition
    (['R AS _t0'], '"#x" IS NULL AND _t0', '"#y" IS NOT NULL AND NOT _t0')
    """
    counts = Counter(t for c in checks for t in set(c.terms))
    shared = sorted((t for t, n in counts.items() if n > 1), key=lambda t: (-len(t), t))
    names = {t: f"_t{j}" for j, t in enumerate(shared)}
    out = []
    for c in checks:
        cond = c.condition
        for t in sorted((t for t in c.terms if t in names), key=len, reverse=True):
            cond = cond.replace(t, names[t])
        out.append(replace(c, condition=cond) if cond != c.condition else c)
    return [f"{t} AS {names[t]}" for t in shared], out


def any_problem(checks: list[Check]) -> str:
    """SQL: TRUE where any check fails (FALSE, never NULL, elsewhere).

    A ``CASE WHEN`` rather than ``COALESCE(... OR ..., FALSE)`` (same value): DuckDB judges a
    CASE condition as a filter, so ``A AND B`` reads ``B`` only on the rows where ``A`` holds,
    while a boolean computed as a column evaluates every part on every row (measured on the
    shipped form's 157 rules: the flag costs about a third less CPU)."""
    if not checks:
        return "FALSE"
    return "CASE WHEN " + " OR ".join(f"({c.condition})" for c in checks) + \
        " THEN TRUE ELSE FALSE END"


def any_problem_sql(relation: str, checks: list[Check]) -> str:
    """One scan: the rows where any check fails (the detailed pass then reads only these)."""
    if not checks:
        return f"SELECT * FROM {relation} WHERE FALSE"
    return f"SELECT * FROM {relation} WHERE " + " OR ".join(f"({c.condition})" for c in checks)


def problems_sql(relation: str, checks: list[Check]) -> str:
    """One query: every (row, key, code, field, message, value) where a check fails."""
    if not checks:
        return ("SELECT NULL::BIGINT AS _row, NULL::VARCHAR AS _key, NULL::VARCHAR AS code, "
                "NULL::VARCHAR AS field, NULL::VARCHAR AS message, NULL::VARCHAR AS value "
                "WHERE FALSE")
    parts = [f"SELECT _row, _key, {lit(c.code)} AS code, {lit(c.field)} AS field, "
             f"CAST({c.message} AS VARCHAR) AS message, CAST({c.value} AS VARCHAR) AS value "
             f"FROM {relation} WHERE {c.condition}" for c in checks]
    return "\nUNION ALL\n".join(parts)
