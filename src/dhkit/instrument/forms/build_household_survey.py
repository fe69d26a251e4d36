"""Build ``household_survey.xlsx`` (an XLSForm) from ``household_survey.yaml``.

The form's content lives in the YAML file (reviewable, diff-able); this script only lays it
out as the three XLSForm sheets (``survey``, ``choices``, ``settings``) with one label, hint
and constraint-message column per language (``label::English (en)``). The xlsx is written
with fixed timestamps, so building twice gives the same bytes.

Run from the repository root::

    python -m dhkit.instrument.forms.build_household_survey            # rewrites the xlsx
    python -m dhkit.instrument.forms.build_household_survey --check    # fails if out of date

Reference: the XLSForm specification, https://xlsform.org/en/ .
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "household_survey.yaml"
TARGET = HERE / "household_survey.xlsx"

#: Per-language columns, in sheet order.
TRANSLATED = ("label", "hint", "constraint_message")
#: Plain survey columns, in sheet order (after the translated ones).
PLAIN = ("required", "relevant", "constraint", "calculation", "repeat_count", "appearance",
         "read_only", "sensitive")
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


class FormSourceError(ValueError):
    """The YAML source has problems (all listed, one per line)."""


def _cell(value: object) -> str:
    if value is True:
        return "yes"
    if value is False or value is None:
        return ""
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def _check(src: dict) -> list[str]:
    """Every problem in the source, as lines naming the row."""
    problems: list[str] = []
    langs = src.get("languages") or {}
    for key in ("settings", "languages", "survey", "choices"):
        if key not in src:
            problems.append(f"{SOURCE.name}: missing top-level key '{key}'")
    for i, row in enumerate(src.get("survey") or [], start=1):
        where = f"{SOURCE.name}: survey row {i} ({row.get('name', '?')})"
        if not row.get("type") or not row.get("name"):
            problems.append(f"{where}: needs 'type' and 'name'")
        for col in TRANSLATED:
            text = row.get(col)
            if text is None:
                continue
            if not isinstance(text, dict) or set(text) != set(langs):
                problems.append(f"{where}: '{col}' needs one text per language {sorted(langs)}")
            elif not all(isinstance(t, str) for t in text.values()):
                problems.append(f"{where}: '{col}' texts must be quoted strings")
        unknown = set(row) - {"type", "name", *TRANSLATED, *PLAIN}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
    for list_name, items in (src.get("choices") or {}).items():
        for j, item in enumerate(items, start=1):
            if not isinstance(item.get("name"), str) or not all(
                    isinstance(item.get(lang), str) for lang in langs):
                problems.append(f"{SOURCE.name}: choices {list_name} item {j}: 'name' and "
                                f"labels {sorted(langs)} must be quoted strings")
    return problems


def load_source(path: Path = SOURCE) -> dict:
    """Read and check the YAML source; raise :class:`FormSourceError` listing every problem."""
    from dhkit.yamlio import BoundedLoader

    src = yaml.load(path.read_text(encoding="utf-8"), Loader=BoundedLoader)  # noqa: S506
    problems = _check(src)
    if problems:
        raise FormSourceError("\n".join(problems))
    return src


def build_workbook(src: dict):
    """The XLSForm as an ``openpyxl.Workbook``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    langs = src["languages"]
    lang_cols = [f"{col}::{name} ({code})" for col in TRANSLATED for code, name in langs.items()]
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", *lang_cols, *PLAIN])
    for row in src["survey"]:
        texts = [_cell((row.get(col) or {}).get(code))
                 for col in TRANSLATED for code in langs]
        survey.append([row["type"], row["name"], *texts, *(_cell(row.get(c)) for c in PLAIN)])

    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", *(f"label::{n} ({c})" for c, n in langs.items())])
    for list_name, items in src["choices"].items():
        for item in items:
            choices.append([list_name, item["name"], *(item[c] for c in langs)])

    settings = wb.create_sheet("settings")
    settings.append(list(src["settings"]))
    settings.append([_cell(v) for v in src["settings"].values()])

    for ws in wb.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    return wb


def _normalised_zip(raw: bytes) -> bytes:
    """Rewrite the xlsx zip with fixed timestamps so the bytes are reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in sorted(zin.infolist(), key=lambda i: i.filename):
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":      # openpyxl stamps the save time
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z",
                              data)
            zout.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), data,
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build_bytes(source: Path = SOURCE) -> bytes:
    """The xlsx file's bytes, built from ``source``."""
    import datetime as dt

    wb = build_workbook(load_source(source))
    fixed = dt.datetime(*FIXED_TIME)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = wb.properties.lastModifiedBy = "dhkit"
    buf = io.BytesIO()
    wb.save(buf)
    return _normalised_zip(buf.getvalue())


def build(source: Path = SOURCE, target: Path = TARGET) -> Path:
    """Write the XLSForm built from ``source`` to ``target``.

    >>> build(SOURCE, Path(tempfile.mkdtemp()) / "f.xlsx").name  # doctest: +SKIP
    'f.xlsx'
    """
    target.write_bytes(build_bytes(source))
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        data = build_bytes()
    except FormSourceError as exc:
        print(exc, file=sys.stderr)
        return 1
    if "--check" in args:
        if not TARGET.exists() or TARGET.read_bytes() != data:
            print(f"{TARGET.name} is out of date: run python -m "
                  "dhkit.instrument.forms.build_household_survey", file=sys.stderr)
            return 1
        return 0
    TARGET.write_bytes(data)
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
