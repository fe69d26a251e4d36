"""What the methods chapter needs beyond the analysis frame: every household submission
(respondents and not), the household rosters, the interview participants, and the study's
methods notes (``methods.yaml``: coverage, exclusions, issued households, ethics,
safeguarding, limitations).

``methods.yaml`` is data, validated on load: unknown keys and wrong types are listed with
file and line (RPT-020), as for every settings file. Every key is optional; the methods
chapter states only what the data and this file give. Example::

    coverage: 0.99
    households_issued: 2268
    exclusions: {en: "Remote areas closed for security reasons.", es: "..."}
    ethics: {en: "...", es: "..."}
    safeguarding: {en: "...", es: "..."}
    limitations:
      - {en: "...", es: "..."}

>>> notes = parse_methods_notes("coverage: 0.99\\nhouseholds_issued: 10\\n")
>>> notes.coverage, notes.households_issued
(0.99, 10)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from dhkit.errors import ValidationError
from dhkit.validation import ValidationReport

METHODS_FILE = "methods.yaml"
_TEXT = {"type": "object", "additionalProperties": False, "required": ["en"],
         "properties": {"en": {"type": "string"}, "es": {"type": "string"}}}
SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "coverage": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "households_issued": {"type": "integer", "minimum": 1},
        "fieldwork": {"type": "string"},
        "exclusions": _TEXT, "ethics": _TEXT, "safeguarding": _TEXT,
        "limitations": {"type": "array", "items": _TEXT},
    },
}


@dataclass(frozen=True)
class MethodsNotes:
    """The study's own methods facts that no data table holds."""

    coverage: float | None = None
    households_issued: int | None = None
    fieldwork: str = ""
    exclusions: dict = field(default_factory=dict)
    ethics: dict = field(default_factory=dict)
    safeguarding: dict = field(default_factory=dict)
    limitations: tuple = ()


@dataclass
class Fieldwork:
    """Every household submission with its roster counts, and the interview participants."""

    households: pd.DataFrame     # hh_id, region, psu_id, area, interview_result, p_psu,
    #                              p_hh, teens, teens_online (roster 12-17s / internet users)
    participants: pd.DataFrame   # group, region (city), sex, interview_date
    notes: MethodsNotes = field(default_factory=MethodsNotes)
    #: first and last day of the survey's fieldwork, from the submissions' own dates
    survey_period: tuple[date, date] | None = None


#: Submission date columns, most telling first: the interview's end, its start, the form's
#: "today", then the server's receipt (Kobo ``_submission_time``, ODK Central
#: ``SubmissionDate``), which can lag the interview.
DATE_COLUMNS = ("end", "start", "today", "_submission_time", "SubmissionDate")


def survey_period(main: pd.DataFrame) -> tuple[date, date] | None:
    """The first and last interview date of the submissions (the first date column of
    :data:`DATE_COLUMNS` that parses), or None when the data carry no dates.

    >>> survey_period(pd.DataFrame({"_submission_time": ["2024-03-05T03:28:58", "2024-07-02"]}))
    (datetime.date(2024, 3, 5), datetime.date(2024, 7, 2))
    """
    for col in DATE_COLUMNS:
        if col not in main.columns:
            continue
        when = pd.to_datetime(main[col], errors="coerce", utc=True, format="mixed").dropna()
        if len(when):
            return when.min().date(), when.max().date()
    return None


def parse_methods_notes(text: str, file: str = METHODS_FILE) -> MethodsNotes:
    """Parse and validate ``methods.yaml`` text; RPT-020 lists every problem with its line."""
    from dhkit.legal import yamlio

    doc = yamlio.loads(text, file) or {}
    report = ValidationReport()
    yamlio.check_schema(doc, SCHEMA, file, report, "RPT-020")
    if not report.ok:
        raise ValidationError("RPT-020", f"{file}: {len(report)} problem(s) in the methods "
                              "notes", report)
    return MethodsNotes(
        coverage=doc.get("coverage"), households_issued=doc.get("households_issued"),
        fieldwork=str(doc.get("fieldwork") or ""),
        exclusions=dict(doc.get("exclusions") or {}), ethics=dict(doc.get("ethics") or {}),
        safeguarding=dict(doc.get("safeguarding") or {}),
        limitations=tuple(dict(x) for x in doc.get("limitations") or ()))


def load_methods_notes(study_dir: Path) -> MethodsNotes:
    path = Path(study_dir) / METHODS_FILE
    if not path.exists():
        return MethodsNotes()
    return parse_methods_notes(path.read_text(encoding="utf-8"), str(path))


def households_frame(main: pd.DataFrame, roster: pd.DataFrame | None) -> pd.DataFrame:
    """Every submission with the number of 12-17-year-olds on its roster and how many of
    them used the internet (NaN where no roster was taken)."""
    cols = [c for c in ("hh_id", "region", "psu_id", "area", "interview_result", "p_psu",
                        "p_hh", "consent_caregiver", "assent_child", "cg_sex", "child_sex")
            if c in main.columns]
    hh = main[cols].copy()
    if roster is not None and len(roster) and {"member_age", "member_internet"} <= set(roster):
        age = pd.to_numeric(roster["member_age"], errors="coerce")
        teen = age.between(12, 17)
        online = teen & (pd.to_numeric(roster["member_internet"], errors="coerce") == 1)
        counts = pd.DataFrame({"hh_id": roster["hh_id"], "teens": teen.astype(float),
                               "teens_online": online.astype(float)}).groupby("hh_id").sum()
        hh = hh.merge(counts, left_on="hh_id", right_index=True, how="left")
    else:
        hh["teens"] = np.nan
        hh["teens_online"] = np.nan
    return hh


def load_fieldwork(store, study_dir: Path | None) -> Fieldwork:
    """From an open study store: all submissions, rosters and participants."""
    main = store.read("main")
    roster = store.read("roster") if store.has_table("roster") else None
    participants = pd.DataFrame(columns=["group", "region", "sex", "interview_date"])
    if store.has_table("qual_participants"):
        from dhkit.qualitative.participants import participants as read_participants

        # interviewed people only: a refusal is recorded but is not an interview
        people = [p for p in read_participants(store).values() if p.consent_interview]
        participants = pd.DataFrame([{"group": p.group, "region": p.region or "",
                                      "sex": p.sex or "", "interview_date": p.interview_date}
                                     for p in people],
                                    columns=["group", "region", "sex", "interview_date"])
    notes = load_methods_notes(study_dir) if study_dir is not None else MethodsNotes()
    return Fieldwork(households_frame(main, roster), participants, notes, survey_period(main))
