"""The redaction flow inside the store: propose → review (accept / reject / add) → apply.

``propose`` runs the detectors (:mod:`dhkit.qualitative.detect`) and stores proposals;
a reviewer accepts or rejects each, or adds spans the rules missed — interactively
(``dhkit redact review``), with ``--accept-all``, or from a decisions file (CSV, so the
review is scriptable and repeatable); ``apply`` refuses while any proposal is undecided,
then writes the redacted text with typed placeholders (``[NAME]``, ``[PLACE]`` …) and the
pseudonymisation map (placeholder ↔ original), both only inside the encrypted store.
Every step appends to the redaction log: ids, kinds, detectors and decisions, never text.

Reference: UK Data Service, *Anonymisation of qualitative data* (log every change; keep
the key to the pseudonyms separate and secure); Disrupting Harm data protection protocol.

>>> # propose(store); accept_all(store); apply(store)
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from dhkit.errors import DhkitError, ValidationError
from dhkit.qualitative.detect import Gazetteers, detect
from dhkit.qualitative.model import KINDS, Proposal, Span
from dhkit.qualitative.participants import participant_names
from dhkit.qualitative.storage import ensure_tables, insert_rows, require
from dhkit.qualitative.transcripts import transcript_text, transcripts
from dhkit.validation import ValidationReport
from dhkit.workspace.store import Store

ACTIONS = ("accept", "reject", "add")


@dataclass(frozen=True)
class RedactionSummary:
    """Counts for one transcript (safe to print: no text)."""

    transcript_id: str
    status: str
    proposed: int
    accepted: int
    rejected: int
    added: int
    by_kind: tuple[tuple[str, int], ...]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _log(con, transcript_id: str, action: str, proposal: Proposal | None = None,
         actor: str | None = None) -> None:
    con.execute("INSERT INTO study.qual_redaction_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                [_now(), transcript_id, proposal.proposal_id if proposal else None,
                 proposal.kind if proposal else None, proposal.detector if proposal else None,
                 action, actor])


def _log_many(con, items: list[Proposal], action: str, actor: str | None) -> None:
    if items:
        now = _now()
        insert_rows(con, "qual_redaction_log",
                    [[now, p.transcript_id, p.proposal_id, p.kind, p.detector, action, actor]
                     for p in items])


def _ids(store: Store, transcript_ids: list[str] | None) -> list[str]:
    require(store, "qual_transcripts", "transcripts", "dhkit transcripts import")
    known = [t.transcript_id for t in transcripts(store)]
    if not transcript_ids:
        return known
    for tid in transcript_ids:
        if tid not in known:
            raise DhkitError("QUAL-027", f"transcript '{tid}' is not in the store; see "
                             "dhkit transcripts list.")
    return list(transcript_ids)


def propose(store: Store, transcript_ids: list[str] | None = None,
            gazetteers: Gazetteers | None = None, use_ner: bool = True,
            force: bool = False, show_progress: bool = False) -> list[RedactionSummary]:
    """Detect identifying details and store them as proposals (replacing earlier ones).

    A transcript already redacted is skipped unless ``force`` (then its codings must be
    none: offsets would move, QUAL-032)."""
    from contextlib import nullcontext

    from dhkit.console import progress

    g = gazetteers or Gazetteers.load()
    ids = _ids(store, transcript_ids)
    with store.transaction() as con, (progress(transient=True) if show_progress
                                      else nullcontext()) as bar:
        task = bar.add_task("detecting", total=len(ids)) if bar else None
        for tid in ids:
            if bar:
                bar.advance(task)
            status = _status(store, tid)
            if status == "redacted" and not force:
                continue
            if status == "redacted":
                _refuse_if_coded(store, tid)
            text = transcript_text(store, tid)
            pid = con.execute("SELECT participant_id FROM study.qual_transcripts WHERE "
                              "transcript_id = ?", [tid]).fetchone()[0]
            spans = detect(text, g.with_names(participant_names(store, pid)), use_ner=use_ner)
            con.execute("DELETE FROM study.qual_proposals WHERE transcript_id = ?", [tid])
            new = [Proposal(tid, i, s.start, s.end, s.kind, s.detector, "proposed")
                   for i, s in enumerate(spans, start=1)]
            insert_rows(con, "qual_proposals",
                        [[p.transcript_id, p.proposal_id, p.start, p.end, p.kind, p.detector,
                          p.status] for p in new])
            _log_many(con, new, "proposed", "dhkit")
            con.execute("UPDATE study.qual_transcripts SET status = 'proposed', "
                        "redacted_text = NULL WHERE transcript_id = ?", [tid])
        store.audit("redact propose", rows_accepted=len(ids))
    return summaries(store, ids)


def proposals(store: Store, transcript_id: str | None = None) -> list[Proposal]:
    """Stored proposals (positions, kinds, detectors, decisions; no text)."""
    ensure_tables(store)
    sql = ("SELECT transcript_id, proposal_id, start_pos, end_pos, kind, detector, status "
           "FROM study.qual_proposals")
    args: list = []
    if transcript_id:
        sql += " WHERE transcript_id = ?"
        args.append(transcript_id)
    rows = store.con.execute(sql + " ORDER BY transcript_id, start_pos, proposal_id",
                             args).fetchall()
    return [Proposal(*r) for r in rows]


def decide(store: Store, transcript_id: str, proposal_id: int, action: str,
           actor: str | None = None) -> None:
    """Accept or reject one proposal (QUAL-033 unknown proposal, QUAL-034 bad action)."""
    with store.transaction() as con:
        _decide(con, store, transcript_id, proposal_id, action, actor)


def _decide(con, store, transcript_id, proposal_id, action, actor) -> None:
    if action not in ("accept", "reject"):
        raise DhkitError("QUAL-034", f"decision '{action}' is not accept or reject.")
    found = [p for p in proposals(store, transcript_id) if p.proposal_id == proposal_id]
    if not found:
        raise DhkitError("QUAL-033", f"transcript '{transcript_id}' has no redaction "
                         f"proposal {proposal_id}; see dhkit redact list.")
    status = "accepted" if action == "accept" else "rejected"
    if found[0].status == "added" and action == "accept":
        status = "added"
    con.execute("UPDATE study.qual_proposals SET status = ? WHERE transcript_id = ? AND "
                "proposal_id = ?", [status, transcript_id, proposal_id])
    _log(con, transcript_id, action, found[0], actor)


def add(store: Store, transcript_id: str, kind: str, *, start: int | None = None,
        end: int | None = None, match: str | None = None, actor: str | None = None) -> int:
    """Add a span the rules missed, by position or by every occurrence of ``match``
    (case-insensitive). Returns how many spans were added."""
    with store.transaction() as con:
        return _add(con, store, transcript_id, kind, start, end, match, actor)


def _add(con, store, transcript_id, kind, start, end, match, actor) -> int:
    kind = (kind or "").upper()
    if kind not in KINDS:
        raise DhkitError("QUAL-035", f"kind '{kind}' is not one of {', '.join(KINDS)}.")
    text = transcript_text(store, transcript_id)
    if match:
        spans = _occurrences(text, match)
        if not spans:
            raise DhkitError("QUAL-036", f"transcript '{transcript_id}': the text to add "
                             "does not occur in it; check spelling (matching ignores case).")
    elif start is not None and end is not None and 0 <= start < end <= len(text):
        spans = [(start, end)]
    else:
        raise DhkitError("QUAL-036", f"transcript '{transcript_id}': give start < end within "
                         f"0..{len(text)}, or a text to match.")
    next_id = con.execute("SELECT coalesce(max(proposal_id), 0) FROM study.qual_proposals "
                          "WHERE transcript_id = ?", [transcript_id]).fetchone()[0]
    for s, e in spans:
        next_id += 1
        p = Proposal(transcript_id, next_id, s, e, kind, "reviewer", "added")
        con.execute("INSERT INTO study.qual_proposals VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [transcript_id, next_id, s, e, kind, "reviewer", "added"])
        _log(con, transcript_id, "add", p, actor)
    if _status(store, transcript_id) == "imported":
        con.execute("UPDATE study.qual_transcripts SET status = 'proposed' WHERE "
                    "transcript_id = ?", [transcript_id])
    return len(spans)


def _occurrences(text: str, match: str) -> list[tuple[int, int]]:
    low, needle = text.lower(), match.lower()
    out, i = [], low.find(needle)
    while i >= 0 and needle:
        out.append((i, i + len(needle)))
        i = low.find(needle, i + len(needle))
    return out


def accept_all(store: Store, transcript_ids: list[str] | None = None,
               actor: str | None = None) -> int:
    """Accept every undecided proposal; returns how many."""
    ids = _ids(store, transcript_ids)
    pending = [p for p in proposals(store) if p.transcript_id in ids and p.status == "proposed"]
    with store.transaction() as con:
        for tid in ids:
            con.execute("UPDATE study.qual_proposals SET status = 'accepted' WHERE "
                        "transcript_id = ? AND status = 'proposed'", [tid])
        _log_many(con, pending, "accept", actor)
    return len(pending)


def apply_decisions(store: Store, path: str | Path, actor: str | None = None) -> int:
    """Apply a decisions file, all or nothing. CSV columns: ``transcript_id``, ``action``
    (accept, reject, add), ``proposal_id`` (accept/reject), ``kind`` and either ``start``
    and ``end`` or ``match`` (add). Every problem is listed (QUAL-037) before anything
    changes. The file holds identifying text when it uses ``match``: keep it outside the
    study folder and delete it after use."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise DhkitError("QUAL-037", f"{path}: cannot be read ({exc.strerror}).") from None
    report = ValidationReport()
    known = {(p.transcript_id, p.proposal_id) for p in proposals(store)}
    tids = {t.transcript_id for t in transcripts(store)}
    for i, r in enumerate(rows, start=2):
        where = {"file": path.name, "row": i}
        tid, action = (r.get("transcript_id") or "").strip(), (r.get("action") or "").strip()
        if tid not in tids:
            report.add("QUAL-027", f"transcript '{tid}' is not in the store", **where)
        if action not in ACTIONS:
            report.add("QUAL-034", f"action '{action}' is not accept, reject or add",
                       field="action", **where)
        elif action in ("accept", "reject"):
            pid = (r.get("proposal_id") or "").strip()
            if not pid.isdigit() or (tid, int(pid)) not in known:
                report.add("QUAL-033", f"proposal '{pid}' does not exist for '{tid}'",
                           field="proposal_id", **where)
        elif (r.get("kind") or "").strip().upper() not in KINDS:
            report.add("QUAL-035", f"kind '{r.get('kind')}' is not one of {', '.join(KINDS)}",
                       field="kind", **where)
    if not report.ok:
        raise ValidationError("QUAL-037", f"{path.name}: {len(report)} problem(s) in the "
                              "decisions file; nothing was changed.", report)
    with store.transaction() as con:
        for r in rows:
            tid, action = r["transcript_id"].strip(), r["action"].strip()
            if action == "add":
                start, end = _int(r.get("start")), _int(r.get("end"))
                _add(con, store, tid, r["kind"], start, end, (r.get("match") or None), actor)
            else:
                _decide(con, store, tid, int(r["proposal_id"]), action, actor)
    return len(rows)


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.lstrip("-").isdigit() else None


def apply(store: Store, transcript_ids: list[str] | None = None,
          actor: str | None = None) -> list[RedactionSummary]:
    """Write the redacted text and the pseudonymisation map for reviewed transcripts.

    Refused while a proposal is undecided (QUAL-031) or when the transcript already has
    codings (QUAL-032: their offsets refer to the current redacted text). Without ids, the
    transcripts that need it: those with proposals not applied yet (already redacted ones are
    left as they are, so their codings stay valid)."""
    ids = _ids(store, transcript_ids)
    if not transcript_ids:
        ids = [tid for tid in ids if _status(store, tid) == "proposed"]
        if not ids:
            return []
    for tid in ids:
        status = _status(store, tid)
        if status == "imported":
            raise DhkitError("QUAL-030", f"transcript '{tid}' has no redaction proposals; "
                             "run dhkit redact propose first.")
        undecided = sum(p.status == "proposed" for p in proposals(store, tid))
        if undecided:
            raise DhkitError("QUAL-031", f"transcript '{tid}': {undecided} redaction "
                             "proposal(s) not reviewed yet; run dhkit redact review (or "
                             "--accept-all, or --decisions FILE).")
        if status == "redacted":
            _refuse_if_coded(store, tid)
    with store.transaction() as con:
        for tid in ids:
            text = transcript_text(store, tid)
            kept = [p for p in proposals(store, tid) if p.status in ("accepted", "added")]
            redacted, rows = redact_text(text, kept)
            con.execute("DELETE FROM study.qual_pseudonym_map WHERE transcript_id = ?", [tid])
            insert_rows(con, "qual_pseudonym_map", [[tid, *row] for row in rows])
            con.execute("UPDATE study.qual_transcripts SET status = 'redacted', "
                        "redacted_text = ? WHERE transcript_id = ?", [redacted, tid])
            _log(con, tid, "applied", None, actor)
        store.audit("redact apply", rows_accepted=len(ids))
    return summaries(store, ids)


def redact_text(text: str, spans: list[Proposal] | list[Span]) -> tuple[str, list[list]]:
    """Replace spans with ``[KIND]``; overlapping spans merge (the longer one's kind).
    Returns the redacted text and map rows ``[proposal_id, kind, original, placeholder,
    start, end, redacted_start, redacted_end]``.

    >>> redact_text("Ana vive en Cali.", [Span(0, 3, "NAME", "x"), Span(12, 16, "PLACE", "x")])[0]
    '[NAME] vive en [PLACE].'
    """
    merged: list[list] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        pid = getattr(s, "proposal_id", 0)
        if merged and s.start < merged[-1][1]:
            last = merged[-1]
            if s.end - s.start > last[1] - last[0]:
                last[2] = s.kind
            last[1] = max(last[1], s.end)
            continue
        merged.append([s.start, s.end, s.kind, pid])
    out, rows, pos, shift = [], [], 0, 0
    for start, end, kind, pid in merged:
        placeholder = f"[{kind}]"
        out.append(text[pos:start])
        r_start = start + shift
        out.append(placeholder)
        shift += len(placeholder) - (end - start)
        rows.append([pid, kind, text[start:end], placeholder, start, end, r_start,
                     r_start + len(placeholder)])
        pos = end
    out.append(text[pos:])
    return "".join(out), rows


def summaries(store: Store, transcript_ids: list[str] | None = None) -> list[RedactionSummary]:
    """Per-transcript counts of proposals by decision and kind."""
    out = []
    for t in transcripts(store):
        if transcript_ids and t.transcript_id not in transcript_ids:
            continue
        ps = proposals(store, t.transcript_id)
        kinds: dict[str, int] = {}
        for p in ps:
            if p.status in ("accepted", "added", "proposed"):
                kinds[p.kind] = kinds.get(p.kind, 0) + 1
        out.append(RedactionSummary(
            t.transcript_id, t.status, sum(p.status == "proposed" for p in ps),
            sum(p.status == "accepted" for p in ps), sum(p.status == "rejected" for p in ps),
            sum(p.status == "added" for p in ps), tuple(sorted(kinds.items()))))
    return out


def redaction_log(store: Store):
    """The redaction log as a DataFrame (ids, kinds, detectors, actions; no text)."""
    ensure_tables(store)
    return store.con.execute("SELECT * FROM study.qual_redaction_log ORDER BY logged_at, "
                             "transcript_id, proposal_id").df()


def _status(store: Store, transcript_id: str) -> str:
    row = store.con.execute("SELECT status FROM study.qual_transcripts WHERE transcript_id = ?",
                            [transcript_id]).fetchone()
    return row[0] if row else "missing"


def _refuse_if_coded(store: Store, transcript_id: str) -> None:
    n = store.con.execute("SELECT count(*) FROM study.qual_codings WHERE transcript_id = ?",
                          [transcript_id]).fetchone()[0]
    if n:
        raise DhkitError("QUAL-032", f"transcript '{transcript_id}' already has {n} coded "
                         "segment(s) on its redacted text; redacting again would move them. "
                         "Export the codings, delete them (dhkit codes delete), then redact.")
