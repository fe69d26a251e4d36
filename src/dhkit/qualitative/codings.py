"""Coded segments: import (CSV) with every problem listed, code × group frequencies and code
co-occurrence.

A segment is ``[start, end)`` of a transcript's **redacted** text (coders never see the
identifiers), coded with one code by one coder. The CSV has ``transcript_id``, ``code``
(id or name), ``coder`` and either ``start`` and ``end`` or ``match`` (a passage of the
redacted text; its first occurrence). Refused, with file and row: unknown transcript or
code, a transcript not yet redacted, a span outside the text, a passage not found, and two
overlapping segments with the same code by the same coder.

>>> overlaps((0, 10), (9, 12)), overlaps((0, 10), (10, 12))
(True, False)
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pandas as pd

from dhkit.errors import DhkitError, ValidationError
from dhkit.qualitative.codebook import NAMESPACE, codebook
from dhkit.qualitative.model import GROUPS, Coding
from dhkit.qualitative.storage import ensure_tables, insert_rows
from dhkit.validation import ValidationReport
from dhkit.workspace.store import Store, file_sha256


@dataclass(frozen=True)
class CodingsImport:
    file: str
    n_codings: int
    coders: tuple[str, ...]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two half-open spans share a character."""
    return a[0] < b[1] and b[0] < a[1]


def coding_guid(c: Coding) -> str:
    """Stable GUID of a coded segment."""
    return str(uuid.uuid5(NAMESPACE, f"coding:{c.transcript_id}:{c.start}:{c.end}:"
                                     f"{c.code_id}:{c.coder}"))


def redacted_texts(store: Store) -> dict[str, str]:
    """Redacted text of every redacted transcript."""
    ensure_tables(store)
    rows = store.con.execute("SELECT transcript_id, redacted_text FROM study.qual_transcripts "
                             "WHERE redacted_text IS NOT NULL").fetchall()
    return dict(rows)


def check_codings(store: Store, rows: list[dict], file: str,
                  report: ValidationReport) -> list[tuple[int, Coding]]:
    """Turn raw rows into (file row, coding) pairs, adding every problem to ``report``."""
    ensure_tables(store)
    texts = redacted_texts(store)
    known = {r[0] for r in store.con.execute("SELECT transcript_id FROM study.qual_transcripts"
                                             ).fetchall()}
    codes = codebook(store)
    by_id = {c.code_id: c.code_id for c in codes}
    by_name = {c.name.lower(): c.code_id for c in codes}
    out: list[tuple[int, Coding]] = []
    for i, r in enumerate(rows, start=2):
        where = {"file": file, "row": i}
        tid = str(r.get("transcript_id") or "").strip()
        raw_code = str(r.get("code") or r.get("code_id") or "").strip()
        coder = str(r.get("coder") or "").strip()
        bad = len(report)
        if tid not in known:
            report.add("QUAL-050", f"transcript '{tid}' is not in the store", field="transcript_id",
                       **where)
        elif tid not in texts:
            report.add("QUAL-051", f"transcript '{tid}' is not redacted yet; codings refer to "
                       "the redacted text", field="transcript_id", **where)
        code = by_id.get(raw_code) or by_name.get(raw_code.lower())
        if code is None:
            report.add("QUAL-052", f"code '{raw_code}' is not in the codebook", field="code",
                       hint="import the codebook first or fix the code", **where)
        if not coder:
            report.add("QUAL-053", "coder is empty", field="coder", **where)
        if len(report) > bad:
            continue
        text = texts[tid]
        start, end = _span(r, text)
        if start is None:
            report.add("QUAL-054", "give start < end within the redacted text, or a 'match' "
                       "passage that occurs in it", field="match" if r.get("match") else "start",
                       **where)
            continue
        out.append((i, Coding(tid, start, end, code, coder)))
    return out


def _span(r: dict, text: str) -> tuple[int | None, int | None]:
    match = str(r.get("match") or "")
    if match.strip():
        i = text.find(match)
        return (i, i + len(match)) if i >= 0 else (None, None)
    try:
        start, end = int(float(r.get("start"))), int(float(r.get("end")))
    except (TypeError, ValueError):
        return None, None
    return (start, end) if 0 <= start < end <= len(text) else (None, None)


def check_overlaps(codings: list[tuple[int, Coding]], existing: list[Coding], file: str,
                   report: ValidationReport) -> None:
    """QUAL-055 for segments of one coder and code that overlap (in the file or the store)."""
    groups: dict[tuple, list[tuple[int, Coding, bool]]] = {}
    for i, c in enumerate(existing):
        groups.setdefault((c.transcript_id, c.code_id, c.coder), []).append((i, c, False))
    for i, c in codings:
        groups.setdefault((c.transcript_id, c.code_id, c.coder), []).append((i, c, True))
    for (tid, code, coder), items in groups.items():
        items.sort(key=lambda t: t[1].start)
        for (ia, a, new_a), (ib, b, new_b) in pairwise(items):
            if (new_a or new_b) and overlaps((a.start, a.end), (b.start, b.end)):
                row = ib if new_b else ia
                report.add("QUAL-055", f"segment {b.start}-{b.end} of '{tid}' overlaps "
                           f"segment {a.start}-{a.end} with the same code '{code}' by coder "
                           f"'{coder}'", file=file, row=row,
                           hint="merge the two segments into one")


def import_codings(store: Store, path: str | Path, replace: bool = False) -> CodingsImport:
    """Check and store a codings CSV, all or nothing (QUAL-056 lists every problem). With
    ``replace``, the file's coders' earlier codings are replaced."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise DhkitError("QUAL-056", f"{path}: cannot be read ({exc.strerror}).") from None
    report = ValidationReport()
    new = check_codings(store, rows, path.name, report)
    return store_codings(store, new, path.name, report, replace, sha=file_sha256(path))


def store_codings(store: Store, rows: list[tuple[int, Coding]], file: str,
                  report: ValidationReport, replace: bool = False,
                  sha: str | None = None) -> CodingsImport:
    """Store checked (row, coding) pairs, refusing overlaps; raise with the full report if
    there is any problem."""
    new = [c for _, c in rows]
    coders = tuple(sorted({c.coder for c in new}))
    existing = [c for c in codings(store) if not (replace and c.coder in coders)]
    check_overlaps(rows, existing, file, report)
    if not report.ok:
        raise ValidationError("QUAL-056", f"{file}: {len(report)} problem(s) in the codings; "
                              "nothing was imported.", report)
    with store.transaction() as con:
        if replace:
            for coder in coders:
                con.execute("DELETE FROM study.qual_codings WHERE coder = ?", [coder])
        values = {c.coding_id or coding_guid(c): c for c in new}
        insert_rows(con, "qual_codings",
                    [[k, c.transcript_id, c.start, c.end, c.code_id, c.coder, file]
                     for k, c in values.items()])
        store.audit("codes import", file=file, sha256=sha, rows_accepted=len(new))
    return CodingsImport(file, len(new), coders)


def codings(store: Store, coder: str | None = None) -> list[Coding]:
    """Stored codings, optionally of one coder."""
    ensure_tables(store)
    sql = ("SELECT transcript_id, start_pos, end_pos, code_id, coder, coding_id "
           "FROM study.qual_codings")
    args = []
    if coder:
        sql += " WHERE coder = ?"
        args.append(coder)
    rows = store.con.execute(sql + " ORDER BY transcript_id, start_pos, code_id, coder",
                             args).fetchall()
    return [Coding(*r) for r in rows]


def _delete_all(store: Store) -> int:
    n = store.count("qual_codings")
    store.con.execute(f"DELETE FROM {store.table('qual_codings')}")
    return n


def delete_codings(store: Store, coder: str | None = None,
                   transcript_id: str | None = None) -> int:
    """Delete codings of a coder and/or a transcript; returns how many."""
    ensure_tables(store)
    with store.transaction():
        n = store.delete("qual_codings", coder=coder or None,
                         transcript_id=transcript_id or None) if (coder or transcript_id) \
            else _delete_all(store)
    return n


def code_matrix(store: Store, count: str = "participants", coder: str | None = None,
                rollup: bool = True) -> pd.DataFrame:
    """Code × participant group (YP, FW, JP) frequencies: distinct ``participants`` or
    ``segments``, with a ``Total`` column. With ``rollup`` (default) a parent code's row
    counts its own segments and all its sub-codes' (a participant once).

    Reference: NVivo / MAXQDA "code matrix" (aggregate option); Miles, Huberman & Saldaña
    (2014) *Qualitative Data Analysis*, ch. 6.

    >>> # code_matrix(store, coder="coder-a").loc["disclosure"].tolist()  # [YP, FW, JP, Total]
    """
    from dhkit.qualitative.codebook import descendants

    if count not in ("participants", "segments"):
        raise DhkitError("QUAL-057", f"count '{count}' is not participants or segments.")
    ensure_tables(store)
    rows = store.con.execute(
        "SELECT c.coding_id, c.code_id, p.participant_id, p.grp FROM study.qual_codings c "
        "JOIN study.qual_transcripts t USING (transcript_id) "
        "JOIN study.qual_participants p ON p.participant_id = t.participant_id "
        "WHERE ? IS NULL OR c.coder = ?", [coder, coder]).fetchall()
    codes = codebook(store)
    frame = pd.DataFrame(0, index=pd.Index([c.code_id for c in codes], name="code"),
                         columns=[*GROUPS, "Total"])
    for code in codes:
        members = set(descendants(codes, code.code_id)) if rollup else {code.code_id}
        hits = [r for r in rows if r[1] in members]
        key = 2 if count == "participants" else 0
        for group in GROUPS:
            frame.loc[code.code_id, group] = len({r[key] for r in hits if r[3] == group})
        frame.loc[code.code_id, "Total"] = len({r[key] for r in hits})
    return frame


def cooccurrence(store: Store, coder: str | None = None) -> pd.DataFrame:
    """Code × code counts of overlapping segments (same transcript and coder); the diagonal
    holds each code's number of segments.

    Reference: ATLAS.ti "code co-occurrence table" (overlap of quotations)."""
    items = codings(store, coder)
    order = [c.code_id for c in codebook(store)]
    frame = pd.DataFrame(0, index=pd.Index(order, name="code"), columns=order)
    by_doc: dict[tuple[str, str], list[Coding]] = {}
    for c in items:
        by_doc.setdefault((c.transcript_id, c.coder), []).append(c)
        frame.loc[c.code_id, c.code_id] += 1
    for segs in by_doc.values():
        for i, a in enumerate(segs):
            for b in segs[i + 1:]:
                if a.code_id != b.code_id and overlaps((a.start, a.end), (b.start, b.end)):
                    frame.loc[a.code_id, b.code_id] += 1
                    frame.loc[b.code_id, a.code_id] += 1
    return frame
