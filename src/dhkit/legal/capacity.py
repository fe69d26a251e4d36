"""Law-enforcement capacity assessment with public and restricted answers.

The questionnaire (``data/le_questionnaire.yaml``) marks every question **public** or
**restricted**. :func:`import_answers` validates a filled answer sheet (all or nothing),
then splits it with :func:`is_public`, the single gate: public answers go to
``DIR/legal/le-capacity-CO.yaml`` (a plain, reviewable file), restricted answers only
to the encrypted store (table ``le_restricted``). Public reports read only the public
file and pass each answer through :func:`is_public` again. The restricted report needs
an explicit request and the study key, is written outside the public outputs folder and
carries a RESTRICTED banner on every page.

>>> q = load_questionnaire()
>>> is_public(q.question("LE-U01")), is_public(q.question("LE-U03"))
(True, False)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dhkit.errors import DhkitError, SafetyError, ValidationError
from dhkit.legal import yamlio
from dhkit.validation import ValidationReport

TYPES = ("yes_no", "yes_partly_no", "integer", "text", "by_year", "choice")
TABLE = "le_restricted"
_T = {"type": "object", "required": ["en", "es"],
      "properties": {"en": {"type": "string"}, "es": {"type": "string"}}}
SCHEMA = {
    "type": "object", "required": ["questionnaire", "version", "sections", "questions"],
    "properties": {
        "questionnaire": {"type": "string"}, "version": {"type": "string"},
        "sections": {"type": "object", "additionalProperties": _T},
        "questions": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "section", "visibility", "type", "question"],
            "properties": {"id": {"type": "string", "pattern": r"^LE-[A-Z]\d{2}$"},
                           "section": {"type": "string"},
                           "visibility": {"enum": ["public", "restricted"]},
                           "type": {"enum": list(TYPES)},
                           "choices": {"type": "array", "items": {"type": "string"}},
                           "question": _T}}}}}


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    visibility: str
    type: str
    question: dict
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Questionnaire:
    version: str
    sections: dict
    questions: tuple[Question, ...]

    def question(self, qid: str) -> Question:
        return {q.id: q for q in self.questions}[qid]

    def has(self, qid: str) -> bool:
        return any(q.id == qid for q in self.questions)


@dataclass(frozen=True)
class LEAnswer:
    question: str
    value: str
    year: int | None = None
    note: str = ""


def is_public(question: Question) -> bool:
    """The one gate between restricted and public content."""
    return question.visibility == "public"


def load_questionnaire(path: str | Path | None = None) -> Questionnaire:
    """Load and validate the questionnaire schema (LEG-030 with every problem)."""
    path = Path(path) if path else Path(str(resources.files("dhkit.legal") / "data" /
                                            "le_questionnaire.yaml"))
    doc = yamlio.load(path)
    report = ValidationReport()
    yamlio.check_schema(doc, SCHEMA, str(path), report, "LEG-030")
    if report.ok:
        seen = set()
        for q in doc["questions"]:
            if q["section"] not in doc["sections"]:
                report.add("LEG-030", f"question {q['id']}: unknown section {q['section']!r}",
                           file=str(path), line=q.line, field="section")
            if q["id"] in seen:
                report.add("LEG-030", f"question id {q['id']} is used twice", file=str(path),
                           line=q.line, field="id")
            if q["type"] == "choice" and not q.get("choices"):
                report.add("LEG-030", f"question {q['id']}: a choice question needs choices",
                           file=str(path), line=q.line, field="choices")
            seen.add(q["id"])
    if not report.ok:
        raise ValidationError("LEG-030", f"{path}: {len(report)} problem(s) in the "
                              "questionnaire.", report)
    return Questionnaire(str(doc["version"]), {k: dict(v) for k, v in doc["sections"].items()},
                         tuple(Question(q["id"], q["section"], q["visibility"], q["type"],
                                        dict(q["question"]), tuple(q.get("choices") or ()))
                               for q in doc["questions"]))


# ---------------------------------------------------------------- reading answer sheets
def read_answer_rows(path: str | Path, report: ValidationReport) -> list[tuple[int, dict]]:
    """Rows of an answer sheet (.csv or .xlsx, first sheet) with columns question, year,
    value, note; LEG-020 when a column is missing."""
    path = Path(path)
    if not path.is_file():
        raise DhkitError("LEG-001", f"{path}: file not found; check the path.")
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in ("question", "value") if c not in header]
            if missing:
                report.add("LEG-020", f"missing column(s): {', '.join(missing)}", file=str(path),
                           row=1, hint="Use the template from dhkit capacity template")
                return []
            return [(n, {k.strip().lower(): (v or "").strip() for k, v in row.items() if k})
                    for n, row in enumerate(reader, start=2) if any((v or "").strip()
                                                                    for v in row.values())]
    import openpyxl

    from dhkit.legal.xlsxio import read_sheet

    from dhkit.zipguard import check_zip

    check_zip(path)
    wb = openpyxl.load_workbook(path, read_only=True)
    first = wb.sheetnames[0]
    wb.close()
    return read_sheet(path, first, ["question", "value"], report) or []


def validate_answers(rows: list[tuple[int, dict]], q: Questionnaire, file: str
                     ) -> tuple[list[LEAnswer], ValidationReport]:
    """Check every row against the questionnaire; list every problem with its row."""
    report = ValidationReport()
    answers, seen = [], {}
    for n, d in rows:
        qid, value, year = d.get("question", ""), d.get("value", ""), d.get("year", "")
        if q.has(qid) and not (value or year or d.get("note")):
            continue  # a template row left blank: the question is not answered
        if not q.has(qid):
            report.add("LEG-031", f"question id {qid!r} is not in the questionnaire", file=file,
                       row=n, field="question", hint="Use an id from dhkit capacity template")
            continue
        question = q.question(qid)
        problem = _check_value(question, value)
        if problem:
            report.add("LEG-033", f"question {qid}: {problem}", file=file, row=n,
                       field="value", hint="Fix the value to match the question's type")
        y = None
        if question.type == "by_year":
            if not (year.isdigit() and 1990 <= int(year) <= 2100):
                report.add("LEG-034", f"question {qid} is asked by year; year {year!r} is not a "
                           "year", file=file, row=n, field="year",
                           hint="Give one row per year with a four-digit year")
            else:
                y = int(year)
        key = (qid, y)
        if key in seen:
            report.add("LEG-035", f"question {qid}{f' year {y}' if y else ''} is answered twice "
                       f"(first in row {seen[key]})", file=file, row=n, field="question",
                       hint="Keep one row per question (and year)")
        seen.setdefault(key, n)
        answers.append(LEAnswer(qid, value, y, d.get("note", "")))
    return answers, report


def _check_value(question: Question, value: str) -> str | None:
    if value == "":
        return "the value is empty"
    allowed = {"yes_no": ("yes", "no"), "yes_partly_no": ("yes", "partly", "no"),
               "choice": question.choices}.get(question.type)
    if allowed and value not in allowed:
        return f"{value!r} is not one of {', '.join(allowed)}"
    if question.type in ("integer", "by_year") and not value.isdigit():
        return f"{value!r} is not a whole number"
    return None


def partition(answers: list[LEAnswer], q: Questionnaire
              ) -> tuple[list[LEAnswer], list[LEAnswer]]:
    """Split answers into (public, restricted) with :func:`is_public`."""
    public = [a for a in answers if is_public(q.question(a.question))]
    restricted = [a for a in answers if not is_public(q.question(a.question))]
    return public, restricted


def import_answers(study, path: str | Path, key: str | None = None) -> tuple[int, int]:
    """Validate an answer sheet and store it: public answers to the study's public file,
    restricted answers to the encrypted store (replacing earlier ones). All or nothing.
    Returns (public rows, restricted rows)."""
    from dhkit.workspace.store import Store, file_sha256

    sheet, folder = Path(path).resolve(), study.dir.resolve()
    if folder in sheet.parents:
        raise SafetyError("LEG-036", f"{path} lies inside the study folder {folder}; it holds "
                          "restricted answers, so keep it in a protected place outside the "
                          "folder and import it from there.")
    q = load_questionnaire()
    report = ValidationReport()
    rows = read_answer_rows(path, report)
    answers, rep = validate_answers(rows, q, str(path)) if report.ok else ([], report)
    if report is not rep:
        report.extend(rep)
    if not report.ok:
        raise ValidationError("LEG-033", f"{path}: {len(report)} problem(s) in the answer "
                              "sheet; nothing was imported.", report)
    public, restricted = partition(answers, q)
    store_key = key or study.key()
    study.store_path.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(study.store_path, store_key) as store, store.transaction() as con:
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} (country VARCHAR, question VARCHAR, "
                    "year INTEGER, value VARCHAR, note VARCHAR)")
        if restricted:
            con.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?)",
                            [[study.country, a.question, a.year, a.value, a.note]
                             for a in restricted])
        store.audit("capacity import", file=Path(path).name, sha256=file_sha256(path),
                    rows_accepted=len(answers), rows_quarantined=0,
                    note=f"{len(public)} public, {len(restricted)} restricted")
    write_public(study, public, q)
    return len(public), len(restricted)


def write_public(study, answers: list[LEAnswer], q: Questionnaire) -> Path:
    doc = {"country": study.country, "questionnaire_version": q.version,
           "answers": [{k: v for k, v in (("question", a.question), ("year", a.year),
                                          ("value", a.value), ("note", a.note)) if v not in
                        (None, "")} for a in answers if is_public(q.question(a.question))]}
    path = study.capacity_public_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamlio.dumps(doc, "# Law-enforcement capacity: PUBLIC answers only. "
                                 "Restricted answers are in the encrypted store.\n"),
                    encoding="utf-8")
    return path


def load_public(study, q: Questionnaire) -> list[LEAnswer]:
    """Public answers of the study (anything not public in the questionnaire is dropped)."""
    if not study.capacity_public_path.exists():
        raise DhkitError("LEG-061", f"{study.capacity_public_path} not found: no capacity "
                         "answers yet; import them with dhkit capacity import DIR SHEET.")
    doc = yamlio.load(study.capacity_public_path)
    out = []
    for a in doc.get("answers") or []:
        if q.has(a.get("question", "")) and is_public(q.question(a["question"])):
            out.append(LEAnswer(a["question"], str(a.get("value", "")), a.get("year"),
                                a.get("note", "") or ""))
    return out


def load_restricted(study, key: str) -> list[LEAnswer]:
    """Restricted answers from the encrypted store (needs the key)."""
    from dhkit.workspace.store import Store

    with Store.open(study.store_path, key) as store:
        if not store.has_table(TABLE):
            return []
        rows = store.con.execute(f"SELECT question, value, year, note FROM {TABLE} "
                                 "ORDER BY question, year").fetchall()
    return [LEAnswer(r[0], r[1], r[2], r[3] or "") for r in rows]


# ---------------------------------------------------------------- reports
def _grouped(answers: list[LEAnswer], q: Questionnaire) -> list[tuple[str, list]]:
    by_q: dict[str, list[LEAnswer]] = {}
    for a in answers:
        by_q.setdefault(a.question, []).append(a)
    groups = []
    for sec in q.sections:
        items = [(qq, sorted(by_q.get(qq.id, []), key=lambda a: a.year or 0))
                 for qq in q.questions if qq.section == sec and qq.id in by_q]
        if items:
            groups.append((sec, items))
    return groups


def _render(study, answers, q, lang, restricted: bool) -> str:
    from dhkit.legal.render import render_html
    from dhkit.legal.strings import t

    title = t("le_restricted_title" if restricted else "le_title", lang)
    return render_html("capacity.html.j2", lang=lang, title=title, country=study.country,
                       restricted=restricted, groups=_grouped(answers, q), q=q)


def _write(html: str, out: Path, stem: str, formats, answers, q, lang) -> list[Path]:
    from dhkit.legal.render import Workbook, write_outputs
    from dhkit.legal.strings import t

    def xlsx(path: Path) -> Path:
        wb = Workbook(path)
        wb.sheet("answers", ["id", t("section", lang), t("question", lang), t("year", lang),
                             t("value", lang), t("note", lang), t("visibility", lang)],
                 [[a.question, q.sections[q.question(a.question).section][lang],
                   q.question(a.question).question[lang], a.year, a.value, a.note,
                   t(q.question(a.question).visibility, lang)] for a in answers],
                 [8, 30, 50, 8, 30, 40, 12])
        return wb.close()

    return write_outputs(html, out, stem, formats, xlsx)


def write_public_report(study, out: Path, lang: str = "en",
                        formats: tuple[str, ...] = ("html", "pdf", "xlsx")) -> list[Path]:
    """The public findings: only answers that pass :func:`is_public`."""
    q = load_questionnaire()
    answers = load_public(study, q)
    return _write(_render(study, answers, q, lang, False), Path(out),
                  f"le-capacity-{study.country}-{lang}", formats, answers, q, lang)


def write_restricted_report(study, out: Path, lang: str = "en", *, restricted: bool = False,
                            key: str | None = None,
                            formats: tuple[str, ...] = ("html", "pdf")) -> list[Path]:
    """The full report with restricted answers. Refused (exit 3) unless ``restricted`` is
    set, a key opens the store, and ``out`` lies outside the study folder (the folder is
    what gets copied and shared; restricted content inside it stays only in the store)."""
    if not restricted:
        raise SafetyError("LEG-032", "the restricted report contains law-enforcement "
                          "information for national authorities only; ask for it explicitly "
                          "with --restricted.")
    out = Path(out).resolve()
    folder = study.dir.resolve()
    if out == folder or folder in out.parents:
        raise SafetyError("LEG-032", f"{out} is inside the study folder {folder}; write the "
                          "restricted report to a protected place outside it (--out).")
    q = load_questionnaire()
    answers = load_public(study, q) + load_restricted(study, key or study.key())
    answers.sort(key=lambda a: ([x.id for x in q.questions].index(a.question), a.year or 0))
    return _write(_render(study, answers, q, lang, True), out,
                  f"le-capacity-{study.country}-RESTRICTED-{lang}", formats, answers, q, lang)


def write_template(path: str | Path, lang: str = "en") -> Path:
    """An answer sheet to fill in: one row per question (by-year questions: fill the year)."""
    from dhkit.legal.render import Workbook

    q = load_questionnaire()
    wb = Workbook(path)
    wb.sheet("answers", ["question", "year", "value", "note", "visibility", "type", "text"],
             [[x.id, "", "", "", x.visibility, x.type + (f": {'/'.join(x.choices)}" if x.choices
                                                         else ""), x.question[lang]]
              for x in q.questions], [10, 8, 30, 40, 12, 24, 70])
    return wb.close()
