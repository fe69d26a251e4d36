"""The participants sheet (CSV or XLSX): who was interviewed, in which group, and their
consent records. Every row is checked and every problem listed (file, row, field); the
sheet is stored only when it has none, in one transaction.

Columns (case-insensitive; ``*`` required): ``participant_id*``, ``group*`` (YP, FW, JP),
``sex``, ``age_band`` (e.g. ``16-17``), ``region`` (city or region), ``interview_date``,
``interviewer``, ``language`` (``es``, ``en``), ``minor`` (derived from ``age_band`` when
absent), ``consent_interview*``, ``consent_quote*``, ``caregiver_consent`` (required for a
minor), ``withdrawal_date``, ``redact_names`` (names to redact in this participant's
transcripts, ``;``-separated; stored encrypted, never shown).

A refusal (``consent_interview = no``) is a valid record: it is stored, and any transcript
for that participant is refused on import.

>>> parse_bool("Sí"), parse_bool("no"), parse_bool("")
(True, False, None)
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dhkit.errors import DhkitError, ValidationError
from dhkit.qualitative.model import GROUPS, Participant
from dhkit.qualitative.storage import ensure_tables
from dhkit.validation import ValidationReport
from dhkit.workspace.store import Store, file_sha256

REQUIRED = ("participant_id", "group", "consent_interview", "consent_quote")
OPTIONAL = ("sex", "age_band", "region", "interview_date", "interviewer", "language", "minor",
            "caregiver_consent", "withdrawal_date", "redact_names")
ALIASES = {"id": "participant_id", "grupo": "group", "city": "region", "age": "age_band",
           "withdrawn_on": "withdrawal_date", "withdrawal": "withdrawal_date",
           "lang": "language", "date": "interview_date"}
TRUE = {"yes", "y", "si", "s", "true", "t", "1", "1.0"}
FALSE = {"no", "n", "false", "f", "0", "0.0"}


@dataclass(frozen=True)
class ParticipantsImport:
    """What ``import_participants`` stored: counts only."""

    file: str
    sha256: str
    n_participants: int
    n_refused: int
    n_withdrawn: int


def parse_bool(value: object) -> bool | None:
    """``yes/sí/true/1`` → True, ``no/false/0`` → False, blank → None; else ValueError."""
    text = _clean(value)
    if text is None:
        return None
    folded = "".join(c for c in unicodedata.normalize("NFD", text.lower())
                     if not unicodedata.combining(c))
    if folded in TRUE:
        return True
    if folded in FALSE:
        return False
    raise ValueError(text)


def parse_date(value: object) -> dt.date | None:
    """ISO ``2024-07-15`` or ``15/07/2024`` (day first, as in Colombia); blank → None."""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _clean(value)
    if text is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def is_minor_band(age_band: str | None) -> bool | None:
    """True when the band's upper bound is under 18 (``16-17``), None when unknown."""
    if not age_band:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", age_band)]
    if not numbers:
        return None
    return max(numbers) < 18


def read_participants(path: str | Path) -> tuple[list[Participant], dict[str, list[str]]]:
    """Read and check a participants sheet; raise ``ValidationError`` (QUAL-001) listing
    every problem. Returns the participants and the names to redact per participant.

    Reference: consent model of the Disrupting Harm interview protocols (interview,
    quotation, caregiver consent for minors, withdrawal at any time).
    """
    from dhkit.tabular import read_table

    path = Path(path)
    df = read_table(path)
    df.columns = [ALIASES.get(_key(c), _key(c)) for c in df.columns]
    report = ValidationReport()
    name = path.name
    for col in REQUIRED:
        if col not in df.columns:
            report.add("QUAL-002", f"required column '{col}' is missing", file=name,
                       hint=f"add a column '{col}' (see docs/qualitative.md)")
    if not report.ok:
        raise ValidationError("QUAL-001", f"{name}: {len(report)} problem(s) in the "
                              "participants sheet; nothing was imported.", report)
    people: list[Participant] = []
    names: dict[str, list[str]] = {}
    seen: set[str] = set()
    for i, rec in enumerate(df.to_dict("records")):
        row = i + 2
        p, extra = _row(rec, row, name, report, seen)
        if p is not None:
            people.append(p)
            if extra:
                names[p.participant_id] = extra
    if not report.ok:
        raise ValidationError("QUAL-001", f"{name}: {len(report)} problem(s) in the "
                              "participants sheet; nothing was imported.", report)
    return people, names


def _row(rec: dict, row: int, file: str, report: ValidationReport,
         seen: set[str]) -> tuple[Participant | None, list[str]]:
    n_before = len(report)

    def problem(code: str, field: str, message: str, hint: str | None = None) -> None:
        report.add(code, message, file=file, row=row, field=field, hint=hint)

    pid = _clean(rec.get("participant_id"))
    if pid is None:
        problem("QUAL-003", "participant_id", "participant id is empty")
    elif pid in seen:
        problem("QUAL-004", "participant_id", f"participant id '{pid}' appears twice")
    else:
        seen.add(pid)
    group = (_clean(rec.get("group")) or "").upper()
    if group not in GROUPS:
        problem("QUAL-005", "group", f"group '{group}' is not one of YP, FW, JP",
                "use YP (young person), FW (front-line worker) or JP (justice professional)")
    values: dict[str, object] = {}
    for field in ("consent_interview", "consent_quote", "caregiver_consent", "minor"):
        try:
            values[field] = parse_bool(rec.get(field))
        except ValueError as exc:
            problem("QUAL-006", field, f"'{exc}' is not yes/no")
    for field in ("consent_interview", "consent_quote"):
        if field in values and values[field] is None:
            problem("QUAL-007", field, f"participant '{pid}' has no {field} recorded",
                    "record yes or no from the consent form")
    for field in ("interview_date", "withdrawal_date"):
        try:
            values[field] = parse_date(rec.get(field))
        except ValueError as exc:
            problem("QUAL-008", field, f"'{exc}' is not a date",
                    "write dates as YYYY-MM-DD")
    age_band = _clean(rec.get("age_band"))
    minor = values.get("minor")
    if minor is None:
        minor = bool(is_minor_band(age_band)) if group == "YP" else False
    if minor and values.get("caregiver_consent") is None and values.get("consent_interview"):
        problem("QUAL-009", "caregiver_consent", f"participant '{pid}' is a minor and has no "
                "caregiver consent recorded", "record the caregiver's consent (yes or no)")
    if len(report) > n_before:
        return None, []
    names = [n.strip() for n in (_clean(rec.get("redact_names")) or "").split(";") if n.strip()]
    lang = _clean(rec.get("language"))
    return Participant(
        participant_id=pid, group=group, sex=_clean(rec.get("sex")), age_band=age_band,
        region=_clean(rec.get("region")), interview_date=values.get("interview_date"),
        interviewer=_clean(rec.get("interviewer")), language=lang.lower() if lang else None,
        minor=bool(minor), consent_interview=bool(values["consent_interview"]),
        consent_quote=bool(values["consent_quote"]),
        caregiver_consent=values.get("caregiver_consent"),
        withdrawn_on=values.get("withdrawal_date"),
    ), names


def import_participants(store: Store, path: str | Path) -> ParticipantsImport:
    """Check the sheet and store it (insert or update by participant id), all or nothing.

    >>> # import_participants(store, "participants.csv").n_participants
    """
    people, names = read_participants(path)
    ensure_tables(store)
    with store.transaction() as con:
        for p in people:
            con.execute("DELETE FROM study.qual_participants WHERE participant_id = ?",
                        [p.participant_id])
            con.execute("DELETE FROM study.qual_participant_names WHERE participant_id = ?",
                        [p.participant_id])
            con.execute("INSERT INTO study.qual_participants VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _as_row(p))
            for n in names.get(p.participant_id, []):
                con.execute("INSERT INTO study.qual_participant_names VALUES (?, ?)",
                            [p.participant_id, n])
        sha = file_sha256(path)
        store.audit("participants import", file=Path(path).name, sha256=sha,
                    rows_accepted=len(people), rows_quarantined=0)
    return ParticipantsImport(
        file=Path(path).name, sha256=sha, n_participants=len(people),
        n_refused=sum(not p.consent_interview for p in people),
        n_withdrawn=sum(p.withdrawn for p in people))


def participants(store: Store) -> dict[str, Participant]:
    """All stored participants by id."""
    ensure_tables(store)
    rows = store.con.execute(
        "SELECT participant_id, grp, sex, age_band, region, interview_date, interviewer, "
        "language, minor, consent_interview, consent_quote, caregiver_consent, withdrawn_on "
        "FROM study.qual_participants ORDER BY participant_id").fetchall()
    return {r[0]: Participant(*r) for r in rows}


def participant_names(store: Store, participant_id: str) -> list[str]:
    """Names to redact for one participant (from the sheet's ``redact_names``)."""
    ensure_tables(store)
    rows = store.con.execute("SELECT name FROM study.qual_participant_names "
                             "WHERE participant_id = ?", [participant_id]).fetchall()
    return [r[0] for r in rows]


def withdraw(store: Store, participant_id: str, on: dt.date) -> Participant:
    """Record a withdrawal of consent: from now on every output leaves this participant's
    quotes out (QUAL-010 when the id is unknown)."""
    people = participants(store)
    if participant_id not in people:
        raise DhkitError("QUAL-010", f"participant '{participant_id}' is not in the "
                         "participants sheet; check the id (dhkit participants list).")
    with store.transaction() as con:
        con.execute("UPDATE study.qual_participants SET withdrawn_on = ? "
                    "WHERE participant_id = ?", [on, participant_id])
        store.audit("participants withdraw", note=f"participant {participant_id}")
    return participants(store)[participant_id]


def _as_row(p: Participant) -> list:
    return [p.participant_id, p.group, p.sex, p.age_band, p.region, p.interview_date,
            p.interviewer, p.language, p.minor, p.consent_interview, p.consent_quote,
            p.caregiver_consent, p.withdrawn_on]


def _key(column: object) -> str:
    return str(column).strip().lower().replace(" ", "_").replace("-", "_")


def _clean(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None
