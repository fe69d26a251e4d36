"""Choices kept in a file attached to the form: ``select_one_from_file cities.csv``.

XLSForm lets a select take its choices from a CSV, XML or GeoJSON file uploaded with the form
(Kobo "media", ODK Central "form attachments"), not from the choices sheet. The file's value
column is ``name`` (GeoJSON: the feature's ``id``) unless the question's ``parameters`` say
``value=COLUMN``; its other columns may be read by a ``choice_filter`` (as pyxform builds the
itemset: ``pyxform/question.py`` ``_build_itemset_file``, defaults ``name``/``label``, and
``id``/``title`` for GeoJSON).

A study holds the file next to its form: in the study's ``instrument/`` folder (``dhkit
init --instrument FORM.xlsx`` and ``dhkit instrument add DIR FORM.xlsx`` copy a file found next
to the form). The import then checks the answers like ordinary choices (IMP-005, and IMP-021
for a ``choice_filter``); when the file is not there it says so once, in its notes, naming
the question and how to supply the file.

Two older ways of taking choices from outside the choices sheet are read too (XLSForm spec,
"Dynamic selects from pre-loaded data" and "Database-backed fast external itemsets"):

- ``select_one_external LIST``: the choices are in the form's own ``external_choices`` sheet
  (pyxform writes them to ``itemsets.csv``, the file the device reads). The answers are
  checked against that sheet — or an ``itemsets.csv`` kept next to the form when the sheet
  is absent — like ordinary choices (IMP-005; a ``choice_filter`` over the sheet's columns
  by IMP-021).
- a ``select_one LIST`` with the appearance ``search('fruits' ...)``: the values come from
  ``fruits.csv``; the list's row on the choices sheet names the CSV column of the value
  (``name``) and of the label (``label``, per language), and rows with numeric names are
  static choices shown with them. The answers are checked against the values of the CSV
  plus the static choices; a search that filters the rows (``search('villages',
  'matches', 'district', ${district})``, ``'contains'``, ``'startswith'``, ``'endswith'``,
  a sixth-argument filter column) is evaluated per data row as ODK Collect does
  (:class:`~dhkit.instrument.choice_filter.SearchCall`, IMP-021 in
  :func:`dhkit.ingest.validate.search_filter_checks`), from every row of the CSV
  (``Codebook.search_lists``).

Choice labels of all these (every language column) also serve to read "labels as values"
exports back to codes.

Why not pyxform: it only writes the file's name into the XForm (the device reads the file);
reading the choices is a few lines of the standard library (``csv``, ``xml.etree``, ``json``)
and openpyxl for the ``external_choices`` sheet.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "cities.csv").write_text("name,label,region\\nbog,Bogotá,and\\ncal,Cali,pac\\n")
>>> [(c.name, c.attrs["region"]) for c in read_choice_file(d / "cities.csv")]
[('bog', 'and'), ('cal', 'pac')]
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

from dhkit.errors import DhkitError
from dhkit.instrument.codebook import Choice, Codebook, Question, SearchList

#: question types whose choices come from an attached file
FILE_TYPES = ("select_one_from_file", "select_multiple_from_file")
#: the largest attached file read (choices for a select: thousands of rows, not millions)
MAX_BYTES = 50 * 2**20


def file_questions(cb: Codebook) -> list[Question]:
    """The questions of ``cb`` whose choices come from an attached file."""
    return [q for q in cb.questions.values() if q.base_type in FILE_TYPES and q.choice_file]


def search_call(q: Question) -> tuple[str, bool] | None:
    """``(CSV file name, filtered?)`` of a select whose appearance has ``search()`` (the
    file is ``NAME.csv``; filtered: more than the file's name is passed), else None.

    >>> search_call(Question("f", "select_one fruits", appearance="quick search('fruits')"))
    ('fruits.csv', False)
    >>> search_call(Question("f", "select_one f", appearance="search('hh', 'matches', 'id', ${x})"))
    ('hh.csv', True)
    """
    call = search_of(q)
    if call is None or not call.file:
        return None
    return call.file, call.terms is None or bool(call.terms)


def search_of(q: Question):
    """The :class:`~dhkit.instrument.choice_filter.SearchCall` of a select_one or
    select_multiple whose appearance has ``search()``, else None."""
    from dhkit.instrument.choice_filter import read_search

    if q.base_type not in ("select_one", "select_multiple") or not q.appearance:
        return None
    return read_search(q.appearance)


def attached_questions(cb: Codebook) -> list[Question]:
    """Questions whose choices live outside the choices sheet: ``select_*_from_file``,
    ``select_one_external`` and selects with a ``search()`` appearance."""
    return [q for q in cb.questions.values()
            if (q.base_type in FILE_TYPES and q.choice_file)
            or q.base_type == "select_one_external" or search_call(q) is not None]


def value_column(q: Question) -> str:
    """The file's column holding the values stored in the data (``parameters`` value=)."""
    m = re.search(r"(?:^|[\s;,])value\s*=\s*([^\s;,]+)", q.parameters or "")
    if m:
        return m.group(1)
    return "id" if (q.choice_file or "").lower().endswith(".geojson") else "name"


def label_column(q: Question) -> str | None:
    """The file's label column when the ``parameters`` name one (``label=town_name``), else
    None (``label``/``title`` and their ``::language`` columns).

    >>> label_column(Question("t", "select_one_from_file t.csv", parameters="value=code label=nom"))
    'nom'
    """
    m = re.search(r"(?:^|[\s;,])label\s*=\s*([^\s;,]+)", q.parameters or "")
    return m.group(1) if m else None


def read_choice_file(path: Path, value: str = "name", list_name: str | None = None,
                     default: str = "default", label: str | None = None) -> list[Choice]:
    """The choices of an attached CSV, XML or GeoJSON file, in file order; labels keyed by
    language code (``label::Español (es)`` -> ``es``; a plain ``label``: ``default``), read
    from the ``label`` column the question's ``parameters`` name when it names one.

    Raises ``DhkitError`` INS-044 when the file cannot be read or has no ``value`` column."""
    from dhkit.instrument.xlsform import language_code

    path = Path(path)
    name = list_name or path.name
    if path.stat().st_size > MAX_BYTES:
        raise DhkitError("INS-044", f"{path.name}: larger than {MAX_BYTES >> 20} MB; not a "
                         "choice list")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            records = _csv_records(path)
        elif suffix == ".xml":
            records = _xml_records(path)
        elif suffix == ".geojson":
            records = _geojson_records(path)
        else:
            raise DhkitError("INS-044", f"{path.name}: not a .csv, .xml or .geojson file")
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as exc:
        raise DhkitError("INS-044", f"{path.name}: cannot be read ({type(exc).__name__}: "
                         f"{str(exc)[:120]})") from None
    if records and not any(value in r for r in records):
        cols = sorted({k for r in records for k in r})
        raise DhkitError("INS-044", f"{path.name}: no column '{value}' (the values the data "
                         f"hold); it has {', '.join(cols[:12])}")
    label_cols = (label.lower(),) if label else ("label", "title")
    out, seen = [], set()
    for i, rec in enumerate(records, start=2):
        v = str(rec.get(value) or "").strip()
        if not v or v in seen:
            continue
        seen.add(v)
        labels = {language_code(k.split("::", 1)[1]) if "::" in k else default: str(t)
                  for k, t in rec.items() if k.split("::")[0].strip().lower() in label_cols
                  and t}
        attrs = {k.lower(): str(t) for k, t in rec.items() if k != value and t is not None}
        out.append(Choice(name, v, labels, i, attrs))
    return out


def _csv_records(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delim = ";" if first.count(";") > first.count(",") else ","
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(text.splitlines(), delimiter=delim)]


def _xml_records(path: Path) -> list[dict[str, str]]:
    """``<root><item><name>..</name><label>..</label></item>...</root>`` (ODK's shape)."""
    import xml.etree.ElementTree as ET

    text = path.read_text(encoding="utf-8-sig")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ValueError("a DOCTYPE or ENTITY declaration is not allowed")
    root = ET.fromstring(text)
    return [{c.tag: (c.text or "").strip() for c in item} for item in root]


def _geojson_records(path: Path) -> list[dict[str, str]]:
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    out = []
    for f in data.get("features", []) if isinstance(data, dict) else []:
        props = dict(f.get("properties") or {})
        if "id" not in props and f.get("id") is not None:
            props["id"] = f["id"]
        out.append({k: "" if v is None else str(v) for k, v in props.items()})
    return out


def find_choice_file(name: str, folders: list[Path]) -> Path | None:
    """The attached file ``name`` in the first of ``folders`` that holds it."""
    for folder in folders:
        p = Path(folder) / name
        if p.is_file():
            return p
    return None


def external_choices(cb: Codebook, folders: list[Path]) -> dict[str, list[Choice]] | None:
    """The ``external_choices`` sheet of the form ``cb`` was read from (list name ->
    choices, labels keyed by language code, other columns as ``attrs``), else the
    ``itemsets.csv`` found in ``folders`` (pyxform's copy of that sheet); None when neither
    is there."""
    from dhkit.instrument.xlsform import language_code

    records: list[dict[str, str]] | None = None
    src = Path(cb.source) if cb.source else None
    if src is not None and src.suffix.lower() in (".xlsx", ".xlsm") and src.is_file():
        from openpyxl import load_workbook

        wb = load_workbook(src, read_only=True, data_only=True)
        try:
            ws = next((w for w in wb.worksheets
                       if w.title.strip().lower() == "external_choices"), None)
            if ws is not None:
                rows = [["" if v is None else str(v).strip() for v in r]
                        for r in ws.iter_rows(values_only=True)]
                head = rows[0] if rows else []
                records = [dict(zip(head, r)) for r in rows[1:] if any(r)]
        finally:
            wb.close()
    if records is None:
        path = find_choice_file("itemsets.csv", folders)
        if path is None:
            return None
        records = _csv_records(path)
    out: dict[str, list[Choice]] = {}
    for i, rec in enumerate(records, start=2):
        lists = {k.strip().lower().replace(" ", "_"): v for k, v in rec.items() if k}
        ln, name = (lists.get("list_name") or "").strip(), (lists.get("name") or "").strip()
        if not ln or not name or name in {c.name for c in out.get(ln, [])}:
            continue
        labels = {language_code(k.split("::", 1)[1]) if "::" in k else cb.default_language:
                  str(v) for k, v in rec.items() if k and k.split("::")[0].strip().lower()
                  == "label" and v}
        attrs = {k.strip(): str(v) for k, v in rec.items()
                 if k and "::" not in k and k.strip().lower() not in ("list_name", "list name",
                                                                       "name", "label") and v}
        out.setdefault(ln, []).append(Choice(ln, name, labels, i, attrs))
    return out


def search_placeholder(q: Question, cb: Codebook) -> Choice | None:
    """The row of a ``search()`` list on the choices sheet that is not a choice: its name is
    the CSV column of the values, its labels the CSV column(s) of the labels (XLSForm
    "dynamic selects from pre-loaded data"); the list's numeric names are static choices."""
    return next((c for c in cb.choices.get(q.list_name or "", [])
                 if not re.fullmatch(r"-?\d+", c.name)), None)


def static_choices(q: Question, cb: Codebook) -> list[Choice]:
    """The static choices of a ``search()`` list: its rows with numeric names."""
    return [c for c in cb.choices.get(q.list_name or "", []) if re.fullmatch(r"-?\d+", c.name)]


def _search_choices(q: Question, cb: Codebook, path: Path) -> tuple[list[Choice], SearchList]:
    """The choices of a ``search()`` select: the static choices of its list (numeric names)
    and one per distinct value of the CSV column the list's other row names; labels from
    the CSV columns its label cells name (per language; several columns joined by spaces).
    And every row of the CSV (:class:`SearchList`), for its filter."""
    static = static_choices(q, cb)
    spec = search_placeholder(q, cb)
    if spec is None:
        return static, SearchList(path.name, "", (), tuple(c.name for c in static))
    records = _csv_records(path)
    if records and spec.name not in records[0]:
        raise DhkitError("INS-044", f"{path.name}: no column '{spec.name}' (the list "
                         f"{q.list_name} names it as the value column); it has "
                         f"{', '.join(sorted(records[0])[:12])}")
    out, seen = list(static), {c.name for c in static}
    every = []
    for i, rec in enumerate(records, start=2):
        v = (rec.get(spec.name) or "").strip()
        if not v:
            continue
        every.append(Choice(path.name, v, {}, i, {k.lower(): t for k, t in rec.items()}))
        if v in seen:
            continue
        seen.add(v)
        labels = {lang: " ".join(rec.get(col.strip(), "") for col in cols.split(",")).strip()
                  for lang, cols in spec.labels.items()}
        out.append(Choice(q.list_name or path.name, v, {k: t for k, t in labels.items() if t},
                          i, {k.lower(): t for k, t in rec.items() if k != spec.name}))
    return out, SearchList(path.name, spec.name, tuple(every), tuple(c.name for c in static))


def with_file_choices(cb: Codebook, folders: list[Path]) -> tuple[Codebook, list[str]]:
    """``cb`` with the choices of every attached file found in ``folders`` (list name: the
    file's name), of its ``external_choices`` (``select_one_external``) and of the CSV of
    each ``search()`` select (and its rows, in ``search_lists``, for the filter), and a note
    for each question that could not be checked (file missing or unreadable)."""
    qs = attached_questions(cb)
    if not qs:
        return cb, []
    choices, notes = dict(cb.choices), []
    searched = dict(cb.search_lists)
    where = Path(folders[0]) if folders else Path("instrument")
    external = None
    if any(q.base_type == "select_one_external" for q in qs):
        external = external_choices(cb, folders) or {}
    for q in qs:
        if q.base_type == "select_one_external":
            if q.list_name in external:
                choices[q.list_name] = external[q.list_name]
            else:
                notes.append(f"{q.name}: answers not checked (select_one_external "
                             f"{q.list_name}: the form has no external_choices sheet with "
                             f"list {q.list_name} and no itemsets.csv is in the study; copy "
                             f"itemsets.csv next to the form, into {where}/, and import again)")
            continue
        call = search_call(q)
        if call is not None:
            name = call[0]
            path = find_choice_file(name, folders)
            try:
                if path is None:
                    raise DhkitError("INS-044", "the file is not in the study; copy "
                                     f"{name} next to the form, into {where}/, and import again")
                choices[q.list_name], searched[q.list_name] = _search_choices(q, cb, path)
            except (DhkitError, OSError, UnicodeDecodeError, csv.Error) as exc:
                why = exc.message if isinstance(exc, DhkitError) else type(exc).__name__
                choices[q.list_name] = []      # never judged by the placeholder row
                searched.pop(q.list_name, None)
                notes.append(f"{q.name}: answers not checked against {name} of its "
                             f"search() appearance ({why})")
            continue
        where = Path(folders[0]) if folders else Path("instrument")
        path = find_choice_file(q.choice_file, folders)
        if path is None:
            notes.append(f"{q.name}: answers not checked against the choices of "
                         f"{q.base_type} {q.choice_file} (the file is not in the study; copy "
                         f"{q.choice_file} next to the form, into {where}/, and import again)")
            continue
        try:
            choices[q.choice_file] = read_choice_file(path, value_column(q), q.choice_file,
                                                      cb.default_language, label_column(q))
        except DhkitError as exc:
            notes.append(f"{q.name}: answers not checked against the choices of "
                         f"{q.choice_file} ({exc.message}; fix the file in {path.parent}/ and "
                         "import again)")
    return replace(cb, choices=choices, search_lists=searched), notes


def copy_choice_files(form: Path, dest: Path) -> list[str]:
    """Copy the files the form's selects take their choices from, found next to ``form``,
    into ``dest`` (the study's instrument folder); returns the names copied."""
    from dhkit.instrument.xlsform import inspect_xlsform

    form, dest = Path(form), Path(dest)
    if not any(p.suffix.lower() in (".csv", ".xml", ".geojson")
               for p in form.parent.iterdir() if p.is_file()):
        return []          # nothing that could be attached (the shipped form's folder)
    try:
        cb, _ = inspect_xlsform(form)
    except DhkitError:
        return []
    copied = []
    names = [q.choice_file for q in file_questions(cb)]
    names += [search_call(q)[0] for q in attached_questions(cb) if search_call(q)]
    names += ["itemsets.csv"] if any(q.base_type == "select_one_external"
                                     for q in cb.questions.values()) else []
    for name in dict.fromkeys(names):
        src = form.parent / name
        if src.is_file() and Path(name).name == name and src.resolve() != (dest / name).resolve():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / name)
            copied.append(name)
    return copied
