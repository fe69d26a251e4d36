"""Country assessments against the checklist: load, validate, diff, Excel round trip.

An assessment is one YAML file per country in the study folder
(``DIR/legal/assessment-CO.yaml``): version-controlled and diffable. Each answer gives
the scale value, the legal provision, a citation of where the evidence comes from
(source, section, pages), an evidence note, and optionally its own analyst, reviewer,
review date and status (draft → reviewed → final; defaults come from the file's header).

Rules checked by :func:`validate_assessment` (every problem listed, with its line):
answers on the scale; known item ids, each answered once; every checklist item answered
(``unknown`` is an answer); a citation on every met / partly met / not met answer; a
provision on every met / partly met answer; reviewed or final status needs a reviewer
and a review date.

>>> a = load_assessment(colombia_assessment_path())
>>> a.country, a.answer_for("CRM-06").answer
('CO', 'not_met')
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field, replace  # noqa: F401 (used in doctests)
from importlib import resources
from pathlib import Path

from dhkit.errors import ValidationError
from dhkit.legal import yamlio
from dhkit.legal.checklist import SCALE, Checklist, load_checklist
from dhkit.validation import ValidationReport

STATUSES = ("draft", "reviewed", "final")
NEEDS_CITATION = ("met", "partly_met", "not_met")
NEEDS_PROVISION = ("met", "partly_met")
PAGES = re.compile(r"^\d+(\s*[-–]\s*\d+)?(\s*,\s*\d+(\s*[-–]\s*\d+)?)*$")

SCHEMA = {
    "type": "object",
    "required": ["country", "checklist_version", "version", "status", "analyst", "answers"],
    "additionalProperties": False,
    "properties": {
        "assessment": {"type": "string"},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "checklist_version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
        "version": {"type": "integer", "minimum": 1},
        "status": {"enum": list(STATUSES)},
        "analyst": {"type": "string", "minLength": 1},
        "reviewer": {"type": ["string", "null"]},
        "review_date": {"type": ["string", "null"]},
        "sources": {"type": "object", "additionalProperties": {"type": "string"}},
        "answers": {"type": "array", "items": {
            "type": "object", "required": ["item", "answer"], "additionalProperties": False,
            "properties": {
                "item": {"type": "string"},
                "answer": {"type": "string"},
                "provision": {"type": ["string", "null"]},
                "cite": {"type": ["object", "null"], "additionalProperties": False,
                         "required": ["source", "section", "pages"],
                         "properties": {"source": {"type": "string"},
                                        "section": {"type": "string", "minLength": 1},
                                        "pages": {"type": ["string", "integer"]}}},
                "note": {"type": ["string", "null"]},
                "note_es": {"type": ["string", "null"]},
                "analyst": {"type": ["string", "null"]},
                "reviewer": {"type": ["string", "null"]},
                "review_date": {"type": ["string", "null"]},
                "status": {"enum": [*STATUSES, None]},
            }}},
    },
}


@dataclass(frozen=True)
class Citation:
    """Where the evidence for an answer comes from."""

    source: str
    section: str
    pages: str

    def __str__(self) -> str:
        return f"{self.source}, {self.section}, pp. {self.pages}"


@dataclass(frozen=True)
class Answer:
    """One item's answer."""

    item: str
    answer: str
    provision: str = ""
    cite: Citation | None = None
    note: str = ""
    analyst: str | None = None
    note_es: str = ""
    reviewer: str | None = None
    review_date: str | None = None
    status: str | None = None
    line: int | None = field(default=None, compare=False)

    def note_in(self, lang: str) -> str:
        """The evidence note in ``lang`` when written, else the analyst's note."""
        return self.note_es if lang == "es" and self.note_es else self.note


@dataclass(frozen=True)
class Assessment:
    """A country's answers to one checklist version."""

    country: str
    checklist_version: str
    version: int
    status: str
    analyst: str
    answers: tuple[Answer, ...]
    reviewer: str | None = None
    review_date: str | None = None
    sources: dict = field(default_factory=dict)
    path: str = field(default="", compare=False)

    def answer_for(self, item_id: str) -> Answer | None:
        for a in self.answers:
            if a.item == item_id:
                return a
        return None

    def by_item(self) -> dict[str, Answer]:
        return {a.item: a for a in self.answers}


def colombia_assessment_path() -> Path:
    """The shipped Colombia assessment (built from the published report)."""
    return Path(str(resources.files("dhkit.legal") / "data" / "assessment-CO.yaml"))


def _s(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    return str(v)


def validate_assessment(doc, file: str, checklist: Checklist) -> ValidationReport:
    """Every problem in a parsed assessment document, each with file and line."""
    report = ValidationReport()
    yamlio.check_schema(doc, SCHEMA, file, report, "LEG-017")
    if not isinstance(doc, dict) or not isinstance(doc.get("answers"), list):
        return report
    cv = str(doc.get("checklist_version", ""))
    if cv and cv.split(".")[0] != checklist.version.split(".")[0]:
        report.add("LEG-016", f"the assessment was made against checklist {cv} but this "
                   f"checklist is {checklist.version} (different major version)", file=file,
                   line=getattr(doc, "key_line", lambda k: None)("checklist_version"),
                   field="checklist_version",
                   hint="Re-assess the changed items (dhkit legal diff) and update the version")
    sources = doc.get("sources") or {}
    _check_status(doc, file, report, where=None)
    seen: dict[str, int] = {}
    for i, ans in enumerate(doc["answers"]):
        if not isinstance(ans, dict):
            continue
        line = getattr(ans, "line", None)
        iid, value = ans.get("item"), ans.get("answer")
        label = f"answer {i + 1}"
        if isinstance(iid, str):
            label = f"item {iid}"
            if not checklist.has(iid):
                report.add("LEG-010", f"item id {iid} does not exist in checklist "
                           f"{checklist.version}", file=file, line=line, field="item",
                           value=iid, hint="Fix the id (see dhkit legal checklist)")
            elif iid in seen:
                report.add("LEG-014", f"item {iid} is answered twice (first on line "
                           f"{seen[iid]})", file=file, line=line, field="item", value=iid,
                           hint="Keep one answer per item")
            seen.setdefault(iid, line)
        if isinstance(value, str) and value not in SCALE:
            report.add("LEG-011", f"{label}: answer {value!r} is not on the scale "
                       f"({', '.join(SCALE)})", file=file, line=line, field="answer",
                       value=value, hint="Use one of the scale values")
        if value in NEEDS_CITATION and not ans.get("cite"):
            report.add("LEG-012", f"{label}: a '{value}' answer needs a citation (cite: "
                       "source, section, pages)", file=file, line=line, field="cite",
                       hint="Say where the evidence comes from, or answer 'unknown'")
        cite = ans.get("cite")
        if isinstance(cite, dict):
            if sources and cite.get("source") not in sources:
                report.add("LEG-019", f"{label}: citation source {cite.get('source')!r} is "
                           "not listed under 'sources'", file=file, line=line,
                           field="cite.source", hint="Add it to 'sources' or fix the id")
            if cite.get("pages") is not None and not PAGES.match(str(cite.get("pages"))):
                report.add("LEG-019", f"{label}: pages {cite.get('pages')!r} should be a "
                           "page or range such as 17-31", file=file, line=line,
                           field="cite.pages", hint="Write pages as 12 or 12-15")
        if value in NEEDS_PROVISION and not (ans.get("provision") or "").strip():
            report.add("LEG-018", f"{label}: a '{value}' answer needs the legal provision "
                       "that meets it", file=file, line=line, field="provision",
                       hint="Name the law and article (e.g. Criminal Code, art. 218)")
        _check_status(ans, file, report, where=label)
    missing = [it.id for it in checklist.items if it.id not in seen]
    if missing:
        shown = ", ".join(missing[:12]) + (" ..." if len(missing) > 12 else "")
        report.add("LEG-013", f"{len(missing)} checklist item(s) have no answer: {shown}",
                   file=file, line=getattr(doc, "key_line", lambda k: None)("answers"),
                   field="answers", hint="Answer every item; use 'unknown' when the "
                   "evidence does not settle it")
    return report


def _check_status(d, file, report, where) -> None:
    status = d.get("status")
    if status in ("reviewed", "final"):
        lacking = [k for k in ("reviewer", "review_date") if not d.get(k)] if where is None \
            else []
        if where is not None and (d.get("reviewer") is None) != (d.get("review_date") is None):
            lacking = ["reviewer" if d.get("reviewer") is None else "review_date"]
        if lacking:
            report.add("LEG-015", f"{where or 'the assessment'} is '{status}' but has no "
                       f"{' or '.join(lacking)}", file=file, line=getattr(d, "line", None),
                       field=lacking[0], hint="Record who reviewed it and when, or set the "
                       "status back to draft")


def parse_assessment(doc, path: str = "") -> Assessment:
    answers = []
    for a in doc["answers"]:
        cite = a.get("cite")
        answers.append(Answer(
            item=a["item"], answer=a["answer"], provision=(a.get("provision") or "").strip(),
            cite=Citation(cite["source"], cite["section"], str(cite["pages"])) if cite else None,
            note=(a.get("note") or "").strip(), note_es=(a.get("note_es") or "").strip(),
            analyst=a.get("analyst"),
            reviewer=a.get("reviewer"), review_date=_s(a.get("review_date")),
            status=a.get("status"), line=getattr(a, "line", None)))
    return Assessment(country=doc["country"], checklist_version=str(doc["checklist_version"]),
                      version=int(doc["version"]), status=doc["status"],
                      analyst=doc["analyst"], reviewer=doc.get("reviewer"),
                      review_date=_s(doc.get("review_date")),
                      sources=dict(doc.get("sources") or {}), answers=tuple(answers),
                      path=path)


def check_assessment_file(path: str | Path, checklist: Checklist | None = None
                          ) -> tuple[Assessment | None, ValidationReport]:
    """Validate an assessment file; returns the assessment (None if invalid) and the report.

    >>> a, rep = check_assessment_file(colombia_assessment_path())
    >>> rep.ok, len(a.answers) >= 140
    (True, True)
    """
    checklist = checklist or load_checklist()
    doc = yamlio.load(path)
    report = validate_assessment(doc, str(path), checklist)
    return (parse_assessment(doc, str(path)) if report.ok else None), report


def load_assessment(path: str | Path, checklist: Checklist | None = None) -> Assessment:
    """Load a valid assessment or raise ValidationError (LEG-017) with every problem."""
    a, report = check_assessment_file(path, checklist)
    if a is None:
        raise ValidationError("LEG-017", f"{path}: the assessment has {len(report)} "
                              "problem(s); run dhkit legal assess to list them.", report)
    return a


def assessment_to_doc(a: Assessment) -> dict:
    """The YAML document for an assessment, keys in a fixed order (diff-friendly)."""
    doc = {"assessment": "dhkit-legal-assessment", "country": a.country,
           "checklist_version": a.checklist_version, "version": a.version,
           "status": a.status, "analyst": a.analyst, "reviewer": a.reviewer,
           "review_date": a.review_date, "sources": dict(a.sources), "answers": []}
    for x in a.answers:
        d = {"item": x.item, "answer": x.answer}
        if x.provision:
            d["provision"] = x.provision
        if x.cite:
            d["cite"] = {"source": x.cite.source, "section": x.cite.section,
                         "pages": x.cite.pages}
        if x.note:
            d["note"] = x.note
        if x.note_es:
            d["note_es"] = x.note_es
        for k in ("analyst", "reviewer", "review_date", "status"):
            if getattr(x, k):
                d[k] = getattr(x, k)
        doc["answers"].append(d)
    return doc


def write_assessment(a: Assessment, path: str | Path) -> Path:
    """Write an assessment as YAML (stable key order, one answer per block)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Legal and policy assessment, {a.country}: checklist {a.checklist_version}, "
              f"assessment version {a.version}.\n# Validate with: dhkit legal assess DIR\n")
    path.write_text(yamlio.dumps(assessment_to_doc(a), header), encoding="utf-8")
    return path


def blank_assessment(country: str, checklist: Checklist | None = None,
                     analyst: str = "to be named") -> Assessment:
    """A draft assessment with every item 'unknown', to start a new country."""
    cl = checklist or load_checklist()
    return Assessment(country=country, checklist_version=cl.version, version=1,
                      status="draft", analyst=analyst,
                      answers=tuple(Answer(item=i.id, answer="unknown") for i in cl.items))


# ---------------------------------------------------------------- diffs
@dataclass(frozen=True)
class Change:
    """One difference between two versions of an assessment."""

    item: str
    field: str
    old: str
    new: str


def diff_assessments(old: Assessment, new: Assessment) -> list[Change]:
    """What changed between two assessments, item by item (header fields under '*').

    >>> a = load_assessment(colombia_assessment_path())
    >>> b = replace(a, answers=tuple(replace(x, answer="met") if x.item == "CRM-06" else x
    ...                              for x in a.answers))
    >>> diff_assessments(a, b)
    [Change(item='CRM-06', field='answer', old='not_met', new='met')]
    """
    changes = [Change("*", k, str(getattr(old, k)), str(getattr(new, k)))
               for k in ("country", "checklist_version", "version", "status", "reviewer",
                         "review_date") if getattr(old, k) != getattr(new, k)]
    o, n = old.by_item(), new.by_item()
    for item in sorted(o.keys() | n.keys()):
        if item not in n:
            changes.append(Change(item, "item", "answered", "removed"))
            continue
        if item not in o:
            changes.append(Change(item, "item", "absent", "added"))
            continue
        for k in ("answer", "provision", "cite", "note", "note_es", "status"):
            a, b = getattr(o[item], k), getattr(n[item], k)
            if a != b:
                changes.append(Change(item, k, "" if a is None else str(a),
                                      "" if b is None else str(b)))
    return changes
