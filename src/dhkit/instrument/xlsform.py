"""Read any team's XLSForm into a typed :class:`~dhkit.instrument.codebook.Codebook`.

Why not pyxform's own parser: pyxform turns a form into an XForm (XML for data collection)
and stops at the first error; we need the *data* view of the form (every variable with its
Kobo path, level, list, labels per language code) and every problem of a form listed at
once with sheet and row. pyxform is still used to check a form (:func:`check_with_pyxform`),
because it is the reference that Kobo and ODK Central run on upload.

Reference: the XLSForm specification (https://xlsform.org/en/), pyxform's aliases
(``pyxform/aliases.py``) for the alternative spellings accepted here.

>>> from dhkit.instrument import shipped_form_path
>>> cb = read_xlsform(shipped_form_path())
>>> cb.question("inst_told_whom").repeat, cb.question("inst_told_whom").list_name
('instance', 'confidant')
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from dhkit.errors import DhkitError, ValidationError
from dhkit.instrument.codebook import Choice, Codebook, Question, Repeat
from dhkit.validation import ValidationReport

#: Types that take a choice list: ``select_one LIST`` etc.
SELECT_TYPES = frozenset({"select_one", "select_multiple", "rank", "select_one_external"})
FILE_SELECT_TYPES = frozenset({"select_one_from_file", "select_multiple_from_file"})
#: Answer types without a list, as pyxform knows them.
SIMPLE_TYPES = frozenset({
    "integer", "decimal", "range", "text", "calculate", "note", "date", "time", "dateTime",
    "geopoint", "geotrace", "geoshape", "image", "audio", "video", "file", "barcode",
    "acknowledge", "trigger", "hidden", "start", "end", "today", "deviceid", "subscriberid",
    "simserial", "phonenumber", "username", "email", "audit", "background-audio",
    "background-video", "start-geopoint", "background-geopoint", "osm", "xml-external",
    "csv-external", "begin group",
    "end group", "begin repeat", "end repeat",
})
TYPE_ALIASES = {
    "int": "integer", "string": "text", "photo": "image", "datetime": "dateTime",
    "begin_group": "begin group", "end_group": "end group", "begin_repeat": "begin repeat",
    "end_repeat": "end repeat", "begin lgroup": "begin repeat", "end lgroup": "end repeat",
    "begin looped group": "begin repeat", "end looped group": "end repeat",
    "select1": "select_one", "select one": "select_one", "select one from": "select_one",
    "select all that apply": "select_multiple", "select all that apply from": "select_multiple",
    "select multiple": "select_multiple",
    "select one from file": "select_one_from_file",
    "select multiple from file": "select_multiple_from_file",
    # older spellings pyxform still accepts (its question type dictionary): forms written
    # years ago and exported from other tools use them
    "select one using": "select_one", "select multiple using": "select_multiple",
    "select multiple from": "select_multiple", "select one external": "select_one_external",
    "add select one prompt using": "select_one",
    "add select multiple prompt using": "select_multiple",
    "phone number": "text", "date time": "dateTime", "gps": "geopoint", "location": "geopoint",
    "percentage": "integer", "number of days in last month": "integer",
    "number of days in last six months": "integer", "number of days in last year": "integer",
    "device id": "deviceid", "get device id": "deviceid", "imei": "deviceid",
    "uri:deviceid": "deviceid", "get phone number": "phonenumber",
    "uri:phonenumber": "phonenumber", "sim id": "simserial", "get sim id": "simserial",
    "uri:simserial": "simserial", "subscriber id": "subscriberid",
    "get subscriber id": "subscriberid", "uri:subscriberid": "subscriberid",
    "uri:username": "username", "uri:email": "email", "start time": "start",
    "get start time": "start", "end time": "end", "get end time": "end", "get today": "today",
    **{f"q {word}": canon for word, canon in (
        ("picture", "image"), ("image", "image"), ("audio", "audio"), ("video", "video"),
        ("barcode", "barcode"), ("calculate", "calculate"), ("date", "date"),
        ("date time", "dateTime"), ("datetime", "dateTime"), ("decimal", "decimal"),
        ("geopoint", "geopoint"), ("geoshape", "geoshape"), ("geotrace", "geotrace"),
        ("int", "integer"), ("location", "geopoint"), ("note", "note"), ("string", "text"),
        ("acknowledge", "acknowledge"), ("select", "select_multiple"), ("select1", "select_one"))},
    **{f"add {word} prompt": canon for word, canon in (
        ("audio", "audio"), ("barcode", "barcode"), ("calculate", "calculate"), ("date", "date"),
        ("date time", "dateTime"), ("datetime", "dateTime"), ("decimal", "decimal"),
        ("file", "file"), ("image", "image"), ("integer", "integer"), ("location", "geopoint"),
        ("note", "note"), ("text", "text"), ("acknowledge", "acknowledge"), ("video", "video"))},
}
COLUMN_ALIASES = {
    "relevance": "relevant", "bind::relevant": "relevant", "caption": "label",
    "bind::constraint": "constraint", "bind::required": "required",
    "bind::calculate": "calculation", "calculate": "calculation",
    "constraint message": "constraint_message", "constraining_message": "constraint_message",
    "jr:constraintmsg": "constraint_message", "bind::jr:constraintmsg": "constraint_message",
    "jr:count": "repeat_count", "control::jr:count": "repeat_count",
    "list name": "list_name", "value": "name", "readonly": "read_only",
    "bind::readonly": "read_only",
}
TRANSLATABLE = ("label", "hint", "constraint_message")
TRUE_WORDS = {"yes", "true", "true()", "1", "y"}
FALSE_WORDS = {"no", "false", "false()", "0", "n", ""}
REF = re.compile(r"\$\{([^}]*)\}")
LANG_COLUMN = re.compile(r"^(?P<base>[^:]+?)\s*::?\s*(?P<lang>.+)$")
LANG_NAME = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\)\s*$")


# ------------------------------------------------------------------ languages
def _language_names() -> dict[str, str]:
    """Lower-cased language name (English or native) -> code, from Babel's CLDR data."""
    from babel import Locale

    names: dict[str, str] = {}
    for code, name in Locale("en").languages.items():
        if "_" not in code:
            names.setdefault(name.lower(), code)
    for code in ("es", "fr", "pt", "ar", "ru", "zh", "sw", "am", "id", "th", "vi", "km",
                 "ms", "tl", "de", "it"):
        try:
            names.setdefault(Locale(code).get_display_name(code).lower(), code)
        except Exception:  # noqa: BLE001 - a locale missing from Babel is not fatal
            pass
    return names


_NAMES: dict[str, str] | None = None


def language_code(text: str) -> str:
    """The language code of an XLSForm language suffix.

    >>> language_code("English (en)"), language_code("Español"), language_code("French")
    ('en', 'es', 'fr')
    """
    global _NAMES
    text = text.strip()
    m = LANG_NAME.match(text)
    if m:
        return m.group("code").lower()
    if re.fullmatch(r"[a-z]{2,3}", text):
        return text
    if _NAMES is None:
        _NAMES = _language_names()
    return _NAMES.get(text.lower(), re.sub(r"\W+", "_", text.lower()).strip("_") or "default")


# ------------------------------------------------------------------ sheets
def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_rows(ws) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header (stripped) and the non-empty rows as ``(excel_row, {header: text})``."""
    rows = ws.iter_rows(values_only=True)
    header = [_cell(h) for h in next(rows, ())]
    out = []
    for i, values in enumerate(rows, start=2):
        rec = {h: _cell(v) for h, v in zip(header, values) if h}
        if any(rec.values()):
            out.append((i, rec))
    return header, out


def _columns(header: list[str], default_lang: str) -> dict[str, tuple[str, str | None]]:
    """Map each header to ``(canonical column, language code or None)``."""
    cols: dict[str, tuple[str, str | None]] = {}
    for h in header:
        if not h:
            continue
        low = h.strip().lower()
        if low in COLUMN_ALIASES:
            cols[h] = (COLUMN_ALIASES[low], None)
            continue
        m = LANG_COLUMN.match(h.strip())
        if m and not low.startswith(("bind::", "control::", "instance::", "body::")):
            base = COLUMN_ALIASES.get(m.group("base").lower(), m.group("base").lower())
            if base in TRANSLATABLE:
                cols[h] = (base, language_code(m.group("lang")))
                continue
        cols[h] = (low, default_lang if low in TRANSLATABLE else None)
    return cols


def _texts(rec: dict[str, str], cols: dict, base: str) -> dict[str, str]:
    return {lang: rec[h] for h, (col, lang) in cols.items()
            if col == base and lang and rec.get(h)}


def _plain(rec: dict[str, str], cols: dict, name: str) -> str:
    for h, (col, lang) in cols.items():
        if col == name and lang is None and rec.get(h):
            return rec[h]
    return ""


# ------------------------------------------------------------------ types
def parse_type(raw: str) -> tuple[str, str | None, bool]:
    """``(canonical type word, list name or file, or_other)`` of an XLSForm type.

    >>> parse_type("select_multiple platform or_other")
    ('select_multiple', 'platform', True)
    >>> parse_type("begin_group")
    ('begin group', None, False)
    """
    text = " ".join(raw.split())
    low = text.lower()
    canonical = {t.lower(): t for t in SIMPLE_TYPES | SELECT_TYPES | FILE_SELECT_TYPES}
    if low in TYPE_ALIASES:
        return TYPE_ALIASES[low], None, False
    if low in canonical:
        return canonical[low], None, False
    for alias in sorted(TYPE_ALIASES, key=len, reverse=True):
        if low.startswith(alias + " ") and TYPE_ALIASES[alias] in SELECT_TYPES | FILE_SELECT_TYPES:
            text = TYPE_ALIASES[alias] + text[len(alias):]
            break
    parts = text.split(" ")
    word = parts[0]
    word = canonical.get(word.lower(), word)
    rest = parts[1:]
    or_other = bool(rest) and rest[-1].lower() == "or_other"
    if or_other:
        rest = rest[:-1]
    return word, (rest[0] if rest else None), or_other


def _required(text: str) -> tuple[bool, str | None, bool]:
    """``(required, required_if expression, recognised)``."""
    low = text.strip().lower()
    if low in TRUE_WORDS:
        return True, None, True
    if low in FALSE_WORDS:
        return False, None, True
    if "${" in text or "(" in text or "=" in text:
        return False, text, True
    return False, None, False


# ------------------------------------------------------------------ reading
def _open(path: Path):
    from openpyxl import load_workbook

    if not path.exists():
        raise DhkitError("INS-001", f"{path}: file not found. Give the path of an XLSForm "
                                    "(.xlsx) or omit it to use the shipped form")
    from dhkit.zipguard import check_zip

    check_zip(path)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any unreadable workbook is the user's input
        raise DhkitError("INS-001", f"{path}: cannot be read as an .xlsx workbook "
                                    f"({type(exc).__name__}). Save the form as .xlsx") from exc


def _sheet(wb, name: str):
    for ws in wb.worksheets:
        if ws.title.strip().lower() == name:
            return ws
    return None


def _settings(wb) -> dict[str, str]:
    ws = _sheet(wb, "settings")
    if ws is None:
        return {}
    _, rows = _sheet_rows(ws)
    if not rows:
        return {}
    rec = rows[0][1]
    aliases = {"set_form_title": "form_title", "set_form_id": "form_id", "title": "form_title",
               "id_string": "form_id"}
    return {aliases.get(k.lower(), k.lower()): v for k, v in rec.items() if v}


def inspect_xlsform(path: str | Path) -> tuple[Codebook, ValidationReport]:
    """Read an XLSForm leniently: the codebook and every problem found (never raises for them).

    Only an unreadable file raises (``DhkitError`` INS-001). Use :func:`read_xlsform` to
    fail on problems.
    """
    path = Path(path)
    wb = _open(path)
    report = ValidationReport()
    fname = path.name
    settings = _settings(wb)
    default_lang = language_code(settings["default_language"]) \
        if settings.get("default_language") else None

    survey_ws = _sheet(wb, "survey")
    if survey_ws is None:
        report.add("INS-002", "the workbook has no 'survey' sheet", file=fname,
                   hint="An XLSForm needs sheets named survey and choices (and settings)")
        wb.close()
        return Codebook(title=settings.get("form_title", path.stem),
                        form_id=settings.get("form_id", path.stem), source=str(path)), report
    s_header, s_rows = _sheet_rows(survey_ws)
    c_ws = _sheet(wb, "choices")
    c_header, c_rows = _sheet_rows(c_ws) if c_ws is not None else ([], [])
    wb.close()

    # The language of plain `label` columns: the default language, else English unless an
    # explicit English column exists.
    # (only label columns count: `label` with `hint::English` is still English).
    explicit = {lang for h in s_header + c_header
                for col, lang in [_columns([h], "?").get(h, ("", None))]
                if col == "label" and lang and lang != "?"}
    plain_lang = default_lang or ("en" if "en" not in explicit else "default")
    s_cols = _columns(s_header, plain_lang)
    c_cols = _columns(c_header, plain_lang)
    for needed in ("type", "name"):
        if needed not in {c for c, _ in s_cols.values()}:
            report.add("INS-003", f"the survey sheet has no '{needed}' column", file=fname,
                       field=f"survey:{needed}", row=1)
    languages = list(dict.fromkeys(
        lang for cols in (s_cols, c_cols) for col, lang in cols.values()
        if lang and col == "label"))
    if default_lang is None:
        default_lang = plain_lang if plain_lang in languages else (languages or ["en"])[0]

    choices = _read_choices(c_rows, c_cols, fname, c_ws is not None, report)
    s_rows = _expand_kobo_groups(s_rows, s_cols, fname, report, choices)
    questions, repeats = _read_survey(s_rows, s_cols, fname, choices, report)
    _check_references(questions, fname, report)

    cb = Codebook(
        title=settings.get("form_title", path.stem),
        form_id=settings.get("form_id", path.stem),
        version=settings.get("version", ""),
        languages=languages or [default_lang],
        default_language=default_lang,
        questions=questions, choices=choices, repeats=repeats, source=str(path),
    )
    return cb, report


def read_xlsform(path: str | Path) -> Codebook:
    """Read an XLSForm (``survey``, ``choices``, ``settings`` sheets) into a :class:`Codebook`.

    Every problem of the form is collected first; if there is any, raises
    ``ValidationError("INS-004", ...)`` whose ``report`` lists them all with sheet and row.
    Reference: https://xlsform.org/en/ .

    >>> from dhkit.instrument import shipped_form_path
    >>> read_xlsform(shipped_form_path()).question("child_age").constraint
    '. >= 12 and . <= 17'
    """
    cb, report = inspect_xlsform(path)
    if not report.ok:
        first = report.problems[0]
        raise ValidationError(
            "INS-004",
            f"{Path(path).name}: the XLSForm has {len(report)} problem(s), first: {first}. "
            f"Run `dhkit instrument check {path}` to list them all", report)
    return cb


def _read_choices(rows, cols, fname, has_sheet, report) -> dict[str, list[Choice]]:
    choices: dict[str, list[Choice]] = {}
    if has_sheet and rows:
        for needed in ("list_name", "name"):
            if needed not in {c for c, _ in cols.values()}:
                report.add("INS-003", f"the choices sheet has no '{needed}' column",
                           file=fname, row=1, field=f"choices:{needed}")
                return choices
    seen: dict[tuple[str, str], int] = {}
    for row, rec in rows:
        list_name, name = _plain(rec, cols, "list_name"), _plain(rec, cols, "name")
        if not list_name or not name:
            report.add("INS-015", "choice row needs both list_name and name", file=fname,
                       row=row, field="choices:" + ("name" if list_name else "list_name"),
                       hint="Fill the cell or delete the row")
            continue
        if (list_name, name) in seen:
            report.add("INS-015", f"choice '{name}' appears twice in list '{list_name}' "
                       f"(first at row {seen[list_name, name]})", file=fname, row=row,
                       field="choices:name", value=name, hint="Give each choice a unique name")
            continue
        seen[list_name, name] = row
        choices.setdefault(list_name, []).append(
            Choice(list_name, name, _texts(rec, cols, "label"), row, {
                col: rec[h] for h, (col, lang) in cols.items()
                if lang is None and col not in ("list_name", "name") and rec.get(h)}))
    return choices


def _read_survey(rows, cols, fname, choices, report):
    questions: dict[str, Question] = {}
    repeats: dict[str, Repeat] = {}
    stack: list[tuple[str, str, int, bool]] = []   # (kind, name, row, sensitive)
    first_row: dict[str, int] = {}
    for row, rec in rows:
        raw_type = _plain(rec, cols, "type")
        name = _plain(rec, cols, "name")
        where = dict(file=fname, row=row)
        if not raw_type:
            report.add("INS-010", f"row has no type (name '{name}')" if name else
                       "row has content but no type", field="survey:type", **where,
                       hint="Give the row a type or delete it")
            continue
        word, list_name, or_other = parse_type(raw_type)
        if raw_type.lower().split()[:2] in (["begin", "loop"], ["end", "loop"]):
            if raw_type.lower().startswith("begin"):   # one message for the pair
                report.add("INS-010", f"'{raw_type}' (pyxform's loop over a choice list) is not "
                           "supported", field="survey:type", value=raw_type, **where,
                           hint="Write it as one group per choice, or as a repeat")
            continue
        if word not in SIMPLE_TYPES | SELECT_TYPES | FILE_SELECT_TYPES:
            report.add("INS-010", f"unknown question type '{raw_type}'", field="survey:type",
                       value=raw_type, **where,
                       hint="Use an XLSForm type such as integer, text, select_one LIST")
            continue
        if word in ("end group", "end repeat"):
            kind = word.split()[1]
            if not stack:
                report.add("INS-012", f"'{word}' with no open {kind}", field="survey:type",
                           **where, hint="Delete the row or add the matching begin row")
            elif stack[-1][0] != kind:
                open_kind, open_name, open_row, _ = stack.pop()
                report.add("INS-012", f"'{word}' closes {open_kind} '{open_name}' opened at "
                           f"row {open_row}", field="survey:type", **where,
                           hint=f"Use 'end {open_kind}' or fix the nesting")
            else:
                stack.pop()
            continue
        if not name:
            report.add("INS-014", f"'{raw_type}' row has no name", field="survey:name",
                       **where, hint="Every question, group and repeat needs a unique name")
            if word.startswith("begin"):
                stack.append((word.split()[1], f"(row {row})", row, False))
            continue
        if name in first_row:
            report.add("INS-013", f"name '{name}' is used twice (first at row "
                       f"{first_row[name]})", field="survey:name", value=name, **where,
                       hint="Rename one: data columns are identified by name")
            if word.startswith("begin"):
                stack.append((word.split()[1], name, row, False))
            continue
        first_row[name] = row
        if word in SELECT_TYPES and list_name is None:
            report.add("INS-011", f"'{raw_type}' needs a choice list name", field="survey:type",
                       value=raw_type, **where, hint="Write e.g. 'select_one yes_no'")
        elif word in SELECT_TYPES and not list_name.startswith("${") \
                and word != "select_one_external" and list_name not in choices:
            report.add("INS-011", f"choice list '{list_name}' is not in the choices sheet",
                       field="survey:type", value=list_name, **where,
                       hint="Add the list to the choices sheet or fix its name")

        group = "/".join(n for _, n, _, _ in stack)
        repeat = next((n for k, n, _, _ in reversed(stack) if k == "repeat"), None)
        inherited = any(s for *_, s in stack)
        req, req_if, ok = _required(_plain(rec, cols, "required"))
        if not ok:
            report.add("INS-016", f"required value '{_plain(rec, cols, 'required')}' is not "
                       "yes/no/true/false or an expression", field="survey:required",
                       **where, hint="Write yes, no, true() or an expression")
        sensitive = inherited or _required(_plain(rec, cols, "sensitive"))[0]
        cm = _texts(rec, cols, "constraint_message")
        q = Question(
            name=name, type=" ".join(p for p in (word, list_name, "or_other" if or_other
                                                  else None) if p),
            row=row, labels=_texts(rec, cols, "label"), hints=_texts(rec, cols, "hint"),
            list_name=list_name if word in SELECT_TYPES | FILE_SELECT_TYPES else None,
            relevant=_plain(rec, cols, "relevant") or None,
            constraint=_plain(rec, cols, "constraint") or None,
            constraint_message=next(iter(cm.values()), None),
            required=req, required_if=req_if,
            calculation=_plain(rec, cols, "calculation") or None,
            group=group, repeat=repeat, sensitive=sensitive, or_other=or_other,
            choice_file=list_name if word in FILE_SELECT_TYPES else None,
            appearance=_plain(rec, cols, "appearance") or None,
            choice_filter=_plain(rec, cols, "choice_filter") or None,
            repeat_count=_plain(rec, cols, "repeat_count") or None,
            constraint_messages=cm,
            parameters=_plain(rec, cols, "parameters") or None,
        )
        questions[name] = q
        if word.startswith("begin"):
            kind = word.split()[1]
            if kind == "repeat":
                repeats[name] = Repeat(name, group, repeat, q.labels, row, q.relevant,
                                       q.repeat_count, sensitive)
            stack.append((kind, name, row, sensitive))
        if or_other and f"{name}_other" not in questions:
            _add_other(questions, choices, q, list_name)
    for kind, name, row, _ in stack:
        report.add("INS-012", f"{kind} '{name}' is never closed", file=fname, row=row,
                   field="survey:type", hint=f"Add an 'end {kind}' row")
    return questions, repeats


#: KoboToolbox's own row types for its "Ranking", "Rating" and "Matrix" questions: Kobo
#: documents them for XLSForm authors and expands them when a form is uploaded (its "Download
#: XLS" already gives them expanded)
KOBO_BEGIN = {"begin_rank": "rank", "begin rank": "rank", "begin_score": "score",
              "begin score": "score"}
KOBO_ROW = {"rank": "rank__level", "score": "score__row"}
KOBO_LIST = {"rank": "kobo--rank-items", "score": "kobo--score-choices"}


def _expand_kobo_groups(rows, cols: dict, fname: str, report,
                        choices: dict[str, list[Choice]] | None = None) -> list:
    """Kobo's ranking, rating and matrix rows as the XLSForm rows Kobo deploys them as (kpi
    ``kobo_to_xlsform``: ``KoboRankGroup``, ``KoboScoreGroup``, ``KoboMatrixGroupHandler``),
    so the data's columns (``rnk/n1``, ``skr/skr1``, ``m1_car/m1_car_q1``) are the questions
    they are:

    - ``begin_rank NAME`` (column ``kobo--rank-items``: the list): a group ``NAME``; each
      ``rank__level`` a required ``select_one LIST`` differing from the levels before it
      (constraint ``${n2} != ${n1}``); ``end_rank`` closes the group.
    - ``begin_score NAME`` (column ``kobo--score-choices``): a group ``NAME`` holding the
      header ``NAME_header`` (``select_one LIST``, appearance ``label``) and each
      ``score__row`` as ``select_one LIST`` (required when the begin row is).

    - ``begin_kobomatrix NAME`` (column ``kobo--matrix_list``: the items) … its column
      questions … ``end_kobomatrix``: a group ``NAME_header`` of notes, then per item ``it``
      a group ``NAME_it`` holding the note ``NAME_it_note`` and each column question ``q``
      as ``NAME_it_q`` (labelled "item: column"; ``${q}`` in its relevant, constraint and
      required read as ``${NAME_it_q}``).

    Every other row is returned as it is."""
    def col(name: str) -> str:
        for h, (c, lang) in cols.items():
            if c == name and lang is None:
                return h
        cols["\0" + name] = (name, None)       # a column the sheet lacks
        return "\0" + name

    out, open_kind, matrix = [], None, None
    prev: list[str] = []
    header_required = False
    for row, rec in rows:
        raw = " ".join(_plain(rec, cols, "type").lower().split())
        if matrix is not None:         # a matrix's columns, written out at its end
            if raw in ("end_kobomatrix", "end kobomatrix"):
                out += _kobo_matrix(*matrix, cols, col, choices or {}, fname, report)
                matrix = None
            else:
                matrix[2].append((row, rec))
            continue
        if raw in KOBO_BEGIN and open_kind is None:
            open_kind, prev = KOBO_BEGIN[raw], []
            listed = _plain(rec, cols, KOBO_LIST[open_kind])
            if not listed:
                report.add("INS-011", f"'{raw}' needs its list in the column "
                           f"{KOBO_LIST[open_kind]}", file=fname, row=row,
                           field=f"survey:{KOBO_LIST[open_kind]}",
                           hint="Name the choice list of the ranking/rating question")
            kobo_list = listed or "?"
            header_required = _required(_plain(rec, cols, "required"))[0]
            group = {**rec, col("type"): "begin group", col("appearance"): "field-list",
                     col("required"): ""}
            out.append((row, group))
            if open_kind == "score":
                out.append((row, {col("type"): f"select_one {kobo_list}",
                                  col("name"): f"{_plain(rec, cols, 'name')}_header",
                                  col("appearance"): "label",
                                  **{h: v for h, v in rec.items() if cols.get(h, ("",))[0]
                                     == "label"}}))
            continue
        if open_kind is not None and raw == KOBO_ROW[open_kind]:
            name = _plain(rec, cols, "name")
            new = {**rec, col("type"): f"select_one {kobo_list}"}
            if open_kind == "rank":
                new[col("required")] = "yes"
                if prev and not _plain(rec, cols, "constraint"):
                    new[col("constraint")] = " and ".join(f"${{{name}}} != ${{{p}}}"
                                                          for p in prev)
                prev.append(name)
            else:
                new[col("required")] = "yes" if header_required else ""
            out.append((row, new))
            continue
        if open_kind is not None and raw in ("end_rank", "end rank", "end_score", "end score"):
            out.append((row, {col("type"): "end group"}))
            open_kind = None
            continue
        if raw in ("begin_kobomatrix", "begin kobomatrix"):
            matrix = (row, rec, [])
            continue
        out.append((row, rec))
    if matrix is not None:
        report.add("INS-012", "'begin_kobomatrix' is never closed", file=fname, row=matrix[0],
                   field="survey:type", hint="Add an 'end_kobomatrix' row")
    return out


def _kobo_matrix(row, rec, columns, cols, col, choices, fname, report) -> list:
    """The rows Kobo deploys a ``begin_kobomatrix`` as (see :func:`_expand_kobo_groups`)."""
    name = _plain(rec, cols, "name")
    items = choices.get(_plain(rec, cols, "kobo--matrix_list"), [])
    if not items:
        report.add("INS-011", f"matrix '{name}' needs its list of items (column "
                   "kobo--matrix_list) in the choices sheet", file=fname, row=row,
                   field="survey:kobo--matrix_list",
                   value=_plain(rec, cols, "kobo--matrix_list"),
                   hint="Name the choice list whose choices are the matrix's rows")
        return []
    labels = [h for h, (c, lang) in cols.items() if c == "label" and lang]
    names = [_plain(c, cols, "name") for _, c in columns]
    def texts(of: dict) -> dict:
        return {h: of[h] for h in labels if of.get(h)}

    def item_texts(item: Choice) -> dict:
        return {h: item.labels.get(cols[h][1], item.name) for h in labels}

    out = [(row, {col("type"): "begin group", col("name"): f"{name}_header"}),
           (row, {col("type"): "note", col("name"): f"{name}_header_note", **texts(rec)})]
    out += [(r, {col("type"): "note", col("name"): f"{name}_header_{n}", **texts(c)})
            for (r, c), n in zip(columns, names)]
    out.append((row, {col("type"): "end group"}))
    for item in items:
        base = f"{name}_{item.name}"
        out.append((row, {col("type"): "begin group", col("name"): base, **item_texts(item)}))
        out.append((row, {col("type"): "note", col("name"): f"{base}_note",
                          **item_texts(item)}))
        for (r, c), n in zip(columns, names):
            new = {**c, col("name"): f"{base}_{n}" if n else ""}
            for h in labels:
                if c.get(h):
                    new[h] = f"{item.labels.get(cols[h][1], item.name)}: {c[h]}"
            for key in ("relevant", "constraint", "required"):
                text = _plain(c, cols, key)
                for other in names:
                    text = text.replace(f"${{{other}}}", f"${{{base}_{other}}}")
                if text:
                    new[col(key)] = text
            out.append((r, new))
        out.append((row, {col("type"): "end group"}))
    return out


#: "Other" in the languages teams write forms in (pyxform writes the English word in every
#: language and warns; the dictionary then showed "(other)" under a French or Spanish label)
OTHER_WORD = {"en": "Other", "es": "Otro", "fr": "Autre", "pt": "Outro", "ar": "أخرى",
              "sw": "Nyingine", "id": "Lainnya", "vi": "Khác", "th": "อื่น ๆ", "km": "ផ្សេងៗ"}


def _add_other(questions, choices, q: Question, list_name: str | None) -> None:
    """``or_other``: pyxform adds choice ``other`` and a text question ``NAME_other``."""
    langs = list(q.labels) or ["en"]
    word = {lang: OTHER_WORD.get(lang, "Other") for lang in langs}
    if list_name and list_name in choices and "other" not in {c.name for c in choices[list_name]}:
        # "en" kept in every form: Kobo's label exports write pyxform's English "Other"
        choices[list_name].append(Choice(list_name, "other", {**word, "en": word.get("en", "Other")},
                                         None))
    cond = f"selected(${{{q.name}}}, 'other')"
    questions[f"{q.name}_other"] = replace(
        q, name=f"{q.name}_other", type="text", list_name=None, or_other=False,
        labels={k: f"{v} ({word[k].lower()})" for k, v in q.labels.items()}, hints={},
        relevant=cond, constraint=None, constraint_message=None, constraint_messages={},
        required=q.required,
        calculation=None, choice_filter=None)


def _check_references(questions: dict[str, Question], fname: str, report) -> None:
    """Every ``${name}`` in an expression must name a question of the form (INS-017)."""
    for q in questions.values():
        for column in ("relevant", "constraint", "calculation", "required_if", "choice_filter",
                       "repeat_count"):
            expr = getattr(q, column)
            for ref in REF.findall(expr or ""):
                if ref not in questions:
                    report.add("INS-017", f"'{column}' of '{q.name}' refers to ${{{ref}}}, "
                               "which is not a question of the form", file=fname, row=q.row,
                               field=f"survey:{column}", value=ref,
                               hint="Fix the name inside ${...}")


# ------------------------------------------------------------------ pyxform
def check_with_pyxform(path: str | Path) -> ValidationReport:
    """Convert the form with pyxform in-process; its error and warnings become problems.

    INS-020 is pyxform's error (the form would be refused by Kobo / ODK Central), INS-021
    a pyxform warning. A form holding KoboToolbox's ranking/rating rows (which pyxform does
    not know: Kobo expands them before pyxform sees the form) is converted as Kobo deploys
    it (:func:`_expand_kobo_groups`), rows named as in the original. Reference: pyxform
    ``xls2xform.convert``.

    >>> from dhkit.instrument import shipped_form_path
    >>> check_with_pyxform(shipped_form_path()).ok
    True
    """
    import tempfile

    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    path = Path(path)
    report = ValidationReport()
    warnings: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        expanded, rows = _kobo_expanded_copy(path, Path(tmp))

        def where(text: str) -> int | None:
            row = _row_of(text)
            return rows.get(row, row) if row is not None else None

        try:
            convert(xlsform=str(expanded or path), warnings=warnings, validate=False)
        except (PyXFormError, ValueError, KeyError, TypeError) as exc:
            text = " ".join(str(exc).split())
            report.add("INS-020", f"pyxform refuses the form: {text}", file=path.name,
                       row=where(text), hint="Fix the form; Kobo and ODK Central would "
                       "refuse it")
        for w in warnings:
            text = " ".join(str(w).split())
            report.add("INS-021", f"pyxform warning: {text}", file=path.name, row=where(text))
    return report


def _kobo_expanded_copy(path: Path, folder: Path) -> tuple[Path | None, dict[int, int]]:
    """A copy of the form in ``folder`` with its Kobo ranking/rating rows written as Kobo
    deploys them, and each row of the copy's survey sheet -> its row in the original; (None,
    {}) when the form has no such rows (or cannot be read: pyxform then says why)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path)
    except Exception:  # noqa: BLE001 - pyxform reports an unreadable workbook itself
        return None, {}
    ws = _sheet(wb, "survey")
    if ws is None:
        return None, {}
    header, rows = _sheet_rows(ws)
    cols = _columns(header, "default")
    kinds = {" ".join(_plain(rec, cols, "type").lower().split()) for _, rec in rows}
    if not kinds & (set(KOBO_BEGIN) | {"begin_kobomatrix", "begin kobomatrix"}):
        return None, {}
    c_ws = _sheet(wb, "choices")
    c_header, c_rows = _sheet_rows(c_ws) if c_ws is not None else ([], [])
    choices = _read_choices(c_rows, _columns(c_header, "default"), path.name,
                            c_ws is not None, ValidationReport())
    expanded = _expand_kobo_groups(rows, cols, path.name, ValidationReport(), choices)
    keep = [h for h in header if h and not h.lower().startswith("kobo--")]
    keep += [h for h in cols if h.startswith("\0")]
    index = ws.parent.worksheets.index(ws)
    wb.remove(ws)
    new = wb.create_sheet("survey", index)
    new.append([h.lstrip("\0") for h in keep])
    mapping = {}
    for i, (row, rec) in enumerate(expanded, start=2):
        new.append([rec.get(h, "") for h in keep])
        mapping[i] = row
    out = folder / path.name
    wb.save(out)
    return out, mapping


def _row_of(text: str) -> int | None:
    m = re.search(r"\brow(?:\s*number)?\s*[:#]?\s*(\d+)", text, re.IGNORECASE)
    return int(m.group(1)) if m else None


def check_form(path: str | Path) -> ValidationReport:
    """Everything ``dhkit instrument check`` reports: our reading checks, pyxform's verdict,
    and whether each ``relevant``/``constraint`` translates to SQL (INS-030/031).

    >>> from dhkit.instrument import shipped_form_path
    >>> check_form(shipped_form_path()).codes()
    []
    """
    from dhkit.instrument.expressions import to_sql

    path = Path(path)
    cb, report = inspect_xlsform(path)
    report.extend(check_with_pyxform(path))
    for q in cb.questions.values():
        for column in ("relevant", "constraint"):
            expr = getattr(q, column)
            if not expr:
                continue
            try:
                # today() in a constraint is checked at import against each submission's
                # day; in a relevance rule it is not
                day = "CURRENT_DATE" if column == "constraint" else None
                to_sql(expr, '"self"', question=q.name, column=column, today=day)
            except DhkitError as exc:
                report.add(exc.code, exc.message, file=path.name, row=q.row,
                           field=f"survey:{column}", value=expr,
                           hint="dhkit will not check this rule at import"
                           if exc.code == "INS-031" else None)
        _check_choice_filter(q, path.name, report)
    _check_choice_files(cb, path, report)
    return report


def _check_choice_files(cb: Codebook, path: Path, report: ValidationReport) -> None:
    """A note (INS-044) for a ``select_one_from_file`` whose file is not next to the form or
    cannot be read, or a ``search()`` select whose CSV is not: the import will not check
    its answers."""
    from dhkit.instrument.attachments import file_questions, read_choice_file, value_column

    for q in file_questions(cb):
        f = path.parent / q.choice_file
        try:
            why = None if f.is_file() and read_choice_file(f, value_column(q)) is not None \
                else f"{q.choice_file} is not next to the form"
        except DhkitError as exc:
            why = exc.message
        if why:
            report.add("INS-044", f"{q.name}: choices not checked at import ({why})",
                       file=path.name, row=q.row, field="survey:type", value=q.type,
                       hint=f"Keep {q.choice_file} in the form's folder: dhkit init and "
                            "dhkit instrument add copy it into the study")
    from dhkit.instrument.attachments import search_call

    for q in cb.questions.values():
        call = search_call(q)
        if call is not None and not (path.parent / call[0]).is_file():
            report.add("INS-044", f"{q.name}: choices not checked at import ({call[0]} of its "
                       "search() appearance is not next to the form)", file=path.name,
                       row=q.row, field="survey:appearance", value=q.appearance,
                       hint=f"Keep {call[0]} in the form's folder: dhkit init and dhkit "
                            "instrument add copy it into the study")


def _check_choice_filter(q: Question, fname: str, report: ValidationReport) -> None:
    """A note (INS-031) for a ``choice_filter`` or a ``search()`` filter the import cannot
    check."""
    from dhkit.instrument.choice_filter import SUPPORTED, read_choice_filter

    if q.choice_filter and read_choice_filter(q.choice_filter) is None:
        report.add("INS-031", f"{q.name}: choice_filter not checked at import (dhkit checks "
                   f"{', '.join(SUPPORTED)})", file=fname, row=q.row,
                   field="survey:choice_filter", value=q.choice_filter,
                   hint="dhkit will not check this rule at import")
    from dhkit.instrument.attachments import search_of

    call = search_of(q)
    if call is not None and call.terms is None:
        report.add("INS-031", f"{q.name}: the filter of its search() appearance is not "
                   f"checked at import ({call.why})", file=fname, row=q.row,
                   field="survey:appearance", value=q.appearance,
                   hint="dhkit will check the answers against every row of the file")
