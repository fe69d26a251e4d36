"""Read interview transcripts (``.txt`` in any encoding, ``.docx``, ``.odt``) and store them
encrypted, each matched to a participant row with interview consent.

Encodings: UTF-8 (with or without BOM) is tried first; otherwise charset-normalizer guesses
(legacy Windows-1252 / Latin-1 files from Word are common), preferring the Western
encodings Spanish and English transcripts use. Text is normalised (NFC, ``\\n`` line ends)
before it is stored, so character offsets of redaction and coding are stable.

The file's stem names the transcript; its participant is the stem itself when it is a
participant id, else the part before the first ``_`` (``YP-03_session1.docx`` → ``YP-03``).
All files are checked before any is stored (nothing imported half-way); errors name the
file and the participant id, never the text.

>>> normalise_text("a\\r\\nb\\rc")
'a\\nb\\nc'
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dhkit.errors import DhkitError, SafetyError
from dhkit.qualitative.model import TranscriptInfo
from dhkit.qualitative.participants import participants
from dhkit.qualitative.storage import ensure_tables
from dhkit.workspace.store import Store, file_sha256

SUFFIXES = (".txt", ".docx", ".odt")
WESTERN = ("utf_8", "cp1252", "latin_1", "iso8859_15", "mac_roman", "ascii")


@dataclass(frozen=True)
class RawTranscript:
    """A transcript read from a file (text held in memory only)."""

    path: Path
    text: str
    encoding: str

    @property
    def transcript_id(self) -> str:
        return self.path.stem


def normalise_text(text: str) -> str:
    """NFC, ``\\n`` line ends, no trailing spaces at line ends, one final newline at most."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def read_transcript(path: str | Path) -> RawTranscript:
    """Read one transcript file by suffix (QUAL-020 unknown type, QUAL-021 unreadable)."""
    path = Path(path)
    if not path.exists():
        raise DhkitError("QUAL-021", f"{path}: file not found; check the path.")
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            text, encoding = _decode(path.read_bytes())
        elif suffix in (".docx", ".odt"):
            from dhkit.zipguard import check_zip

            check_zip(path)   # a zip bomb is refused before anything inflates
            text, encoding = (_read_docx(path), "docx") if suffix == ".docx" else \
                (_read_odt(path), "odt")
        else:
            raise DhkitError("QUAL-020", f"{path.name}: unknown transcript type '{suffix}'; "
                             f"use one of {', '.join(SUFFIXES)}.")
    except DhkitError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes one clear line
        raise DhkitError("QUAL-021", f"{path.name}: cannot be read as {suffix} "
                         f"({type(exc).__name__}); check the file is complete.") from None
    text = normalise_text(text)
    if not text.strip():
        raise DhkitError("QUAL-022", f"{path.name}: the transcript is empty.")
    return RawTranscript(path=path, text=text, encoding=encoding)


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    western = [m for m in matches if m.encoding in WESTERN]
    best = (western or matches or [None])[0]
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace"), encoding


def _read_docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    return "\n".join(p.text for p in document.paragraphs)


def _read_odt(path: Path) -> str:
    from odf import teletype, text
    from odf.opendocument import load

    document = load(str(path))
    paragraphs = document.getElementsByType(text.P) + document.getElementsByType(text.H)
    # document order: getElementsByType returns per type; sort by position in the tree
    order = {id(e): i for i, e in enumerate(_walk(document.text))}
    paragraphs.sort(key=lambda e: order.get(id(e), 0))
    return "\n".join(teletype.extractText(p) for p in paragraphs)


def _walk(node):
    yield node
    for child in getattr(node, "childNodes", []):
        yield from _walk(child)


def participant_for(stem: str, known: set[str]) -> str | None:
    """The participant id a transcript file belongs to, or None."""
    if stem in known:
        return stem
    head = stem.split("_")[0]
    return head if head in known else None


def import_transcripts(store: Store, paths: list[str | Path],
                       replace: bool = False) -> list[TranscriptInfo]:
    """Read, check and store transcripts, all or nothing.

    Refused: a file without a participant row (QUAL-023), a participant without interview
    (or caregiver) consent or who withdrew (QUAL-024, exit 3), a transcript id already
    stored unless ``replace`` (QUAL-025), two files with one id (QUAL-026).

    >>> # import_transcripts(store, ["YP-01.txt"])[0].status
    """
    ensure_tables(store)
    people = participants(store)
    if not people:
        raise DhkitError("QUAL-023", "no participants sheet imported yet; run "
                         "`dhkit participants import DIR SHEET` before the transcripts.")
    raws = [read_transcript(p) for p in paths]
    seen: dict[str, Path] = {}
    for raw in raws:
        tid = raw.transcript_id
        if tid in seen:
            raise DhkitError("QUAL-026", f"{raw.path.name} and {seen[tid].name} both give "
                             f"transcript id '{tid}'; rename one.")
        seen[tid] = raw.path
        pid = participant_for(tid, set(people))
        if pid is None:
            raise DhkitError("QUAL-023", f"{raw.path.name}: no participant row for "
                             f"transcript '{tid}'; add the participant to the sheet or name "
                             "the file <participant_id>.txt / <participant_id>_<label>.txt.")
        p = people[pid]
        if not p.consented:
            why = ("withdrew consent" if p.withdrawn else "has no interview consent"
                   if not p.consent_interview else "has no caregiver consent")
            raise SafetyError("QUAL-024", f"{raw.path.name}: participant '{pid}' {why}; the "
                              "transcript is not stored.")
        exists = store.con.execute("SELECT count(*) FROM study.qual_transcripts "
                                   "WHERE transcript_id = ?", [tid]).fetchone()[0]
        if exists and not replace:
            raise DhkitError("QUAL-025", f"{raw.path.name}: transcript '{tid}' is already "
                             "stored; use --replace to import it again (its redaction and "
                             "codings are removed).")
    infos = []
    with store.transaction() as con:
        for raw in raws:
            tid = raw.transcript_id
            pid = participant_for(tid, set(people))
            for table in ("qual_transcripts", "qual_proposals", "qual_pseudonym_map",
                          "qual_codings"):
                store.delete(table, transcript_id=tid)
            info = TranscriptInfo(tid, pid, raw.path.name, file_sha256(raw.path), raw.encoding,
                                  people[pid].language, len(raw.text), "imported")
            con.execute("INSERT INTO study.qual_transcripts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "NULL)", [tid, pid, info.source_file, info.sha256, info.encoding,
                                  info.language, raw.text, info.n_chars, info.status])
            store.audit("transcripts import", file=raw.path.name, sha256=info.sha256,
                        rows_accepted=1, note=f"transcript {tid}")
            infos.append(info)
    return infos


def transcripts(store: Store) -> list[TranscriptInfo]:
    """Stored transcripts (ids, hashes, status; no text)."""
    ensure_tables(store)
    rows = store.con.execute(
        "SELECT transcript_id, participant_id, source_file, sha256, encoding, language, "
        "n_chars, status FROM study.qual_transcripts ORDER BY transcript_id").fetchall()
    return [TranscriptInfo(*r) for r in rows]


def transcript_text(store: Store, transcript_id: str, redacted: bool = False) -> str:
    """The stored text (original or redacted) of one transcript; QUAL-027 if unknown,
    QUAL-028 if ``redacted`` and it has not been redacted yet."""
    ensure_tables(store)
    row = store.con.execute("SELECT text, redacted_text FROM study.qual_transcripts "
                            "WHERE transcript_id = ?", [transcript_id]).fetchone()
    if row is None:
        raise DhkitError("QUAL-027", f"transcript '{transcript_id}' is not in the store; "
                         "see dhkit transcripts list.")
    if redacted:
        if row[1] is None:
            raise DhkitError("QUAL-028", f"transcript '{transcript_id}' is not redacted yet; "
                             "run dhkit redact propose / review / apply first.")
        return row[1]
    return row[0]
