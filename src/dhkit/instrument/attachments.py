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

Why not pyxform: it only writes the file's name into the XForm (the device reads the file);
reading the choices is a few lines of the standard library (``csv``, ``xml.etree``, ``json``).

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
from dhkit.instrument.codebook import Choice, Codebook, Question

#: question types whose choices come from an attached file
FILE_TYPES = ("select_one_from_file", "select_multiple_from_file")
#: the largest attached file read (choices for a select: thousands of rows, not millions)
MAX_BYTES = 50 * 2**20


def file_questions(cb: Codebook) -> list[Question]:
    """The questions of ``cb`` whose choices come from an attached file."""
    return [q for q in cb.questions.values() if q.base_type in FILE_TYPES and q.choice_file]


def value_column(q: Question) -> str:
    """The file's column holding the values stored in the data (``parameters`` value=)."""
    m = re.search(r"(?:^|[\s;,])value\s*=\s*([^\s;,]+)", q.parameters or "")
    if m:
        return m.group(1)
    return "id" if (q.choice_file or "").lower().endswith(".geojson") else "name"


def read_choice_file(path: Path, value: str = "name", list_name: str | None = None,
                     default: str = "default") -> list[Choice]:
    """The choices of an attached CSV, XML or GeoJSON file, in file order; labels keyed by
    language code (``label::Español (es)`` -> ``es``; a plain ``label``: ``default``).

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
    out, seen = [], set()
    for i, rec in enumerate(records, start=2):
        v = str(rec.get(value) or "").strip()
        if not v or v in seen:
            continue
        seen.add(v)
        labels = {language_code(k.split("::", 1)[1]) if "::" in k else default: str(t)
                  for k, t in rec.items() if k.split("::")[0].strip().lower() in ("label",
                                                                                   "title")
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


def with_file_choices(cb: Codebook, folders: list[Path]) -> tuple[Codebook, list[str]]:
    """``cb`` with the choices of every attached file found in ``folders`` (list name: the
    file's name), and a note for each question whose file is missing or unreadable."""
    qs = file_questions(cb)
    if not qs:
        return cb, []
    choices, notes = dict(cb.choices), []
    for q in qs:
        where = Path(folders[0]) if folders else Path("instrument")
        path = find_choice_file(q.choice_file, folders)
        if path is None:
            notes.append(f"{q.name}: answers not checked against the choices of "
                         f"{q.base_type} {q.choice_file} (the file is not in the study; copy "
                         f"{q.choice_file} next to the form, into {where}/, and import again)")
            continue
        try:
            choices[q.choice_file] = read_choice_file(path, value_column(q), q.choice_file,
                                                      cb.default_language)
        except DhkitError as exc:
            notes.append(f"{q.name}: answers not checked against the choices of "
                         f"{q.choice_file} ({exc.message}; fix the file in {path.parent}/ and "
                         "import again)")
    return replace(cb, choices=choices), notes


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
    for name in dict.fromkeys(q.choice_file for q in file_questions(cb)):
        src = form.parent / name
        if src.is_file() and Path(name).name == name and src.resolve() != (dest / name).resolve():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / name)
            copied.append(name)
    return copied
