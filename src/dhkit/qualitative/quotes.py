"""The quote bank: quotes selected by code, cleared for public outputs.

A coded segment becomes a usable quote only when (1) its transcript is redacted (the quote
is cut from the redacted text, so it carries placeholders, never identifiers), (2) the
participant consented to the interview and to being quoted (and, for a minor, a caregiver
consented), and (3) the participant has not withdrawn. The check runs every time quotes
are read, so a withdrawal recorded today removes the participant's quotes from every
output built after it. The attribution is the participant's group as the report writes it,
``(YP)``, ``(FW)`` or ``(JP)``, optionally with sex and age band; never the id.

The report stage calls :func:`quotes_for`:

>>> # from dhkit.qualitative import quotes_for
>>> # [str(q) for q in quotes_for(store, "disclosure.shame", lang="es")]
>>> # ['Al principio no, me daba mucha vergüenza. ... (YP)']
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dhkit.errors import DhkitError, SafetyError
from dhkit.qualitative.codebook import codebook, descendants
from dhkit.qualitative.codings import codings, overlaps, redacted_texts
from dhkit.qualitative.model import Code, Coding, Participant, Quote
from dhkit.qualitative.participants import participants
from dhkit.qualitative.storage import ensure_tables
from dhkit.workspace.store import Store


@dataclass(frozen=True)
class Withheld:
    """How many candidate quotes were left out, by reason (counts only)."""

    no_quote_consent: int = 0
    withdrawn: int = 0
    not_redacted: int = 0


def quote_id(transcript_id: str, start: int, end: int, code_id: str) -> str:
    """A stable quote id that does not show the participant or transcript id."""
    digest = hashlib.sha256(f"{transcript_id}:{start}:{end}:{code_id}".encode()).hexdigest()
    return f"Q-{digest[:10]}"


def attribution(p: Participant, sex: bool = False, age: bool = False) -> str:
    """``(YP)``, or ``(YP, female, 16-17)`` with the options; never the id.

    >>> attribution(Participant("YP-01", "YP", sex="female", age_band="16-17"), sex=True, age=True)
    '(YP, female, 16-17)'
    """
    parts = [p.group]
    if sex and p.sex:
        parts.append(p.sex)
    if age and p.age_band:
        parts.append(p.age_band)
    return f"({', '.join(parts)})"


def _candidates(store: Store, code_ids: list[str], coder: str | None) -> list[Coding]:
    """Segments with these codes; overlapping segments of one code in one transcript (from
    several coders) merge into one passage."""
    wanted = set(code_ids)
    segs = sorted((c for c in codings(store, coder) if c.code_id in wanted),
                  key=lambda c: (c.transcript_id, c.code_id, c.start, c.end))
    merged: list[Coding] = []
    for c in segs:
        last = merged[-1] if merged else None
        if (last and last.transcript_id == c.transcript_id and last.code_id == c.code_id
                and overlaps((last.start, last.end), (c.start, c.end))):
            merged[-1] = Coding(c.transcript_id, last.start, max(last.end, c.end), c.code_id,
                                last.coder)
        else:
            merged.append(c)
    return merged


def _transcript_owner(store: Store) -> dict[str, tuple[str, str | None]]:
    rows = store.con.execute("SELECT transcript_id, participant_id, language FROM "
                             "study.qual_transcripts").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def _select(store: Store, code_ids: list[str], lang: str | None, coder: str | None,
            sex: bool, age: bool) -> tuple[list[Quote], Withheld]:
    ensure_tables(store)
    codes = {c.code_id: c for c in codebook(store)}
    people = participants(store)
    owners = _transcript_owner(store)
    texts = redacted_texts(store)
    out: list[Quote] = []
    counts = {"no_quote_consent": 0, "withdrawn": 0, "not_redacted": 0}
    for c in _candidates(store, code_ids, coder):
        pid, language = owners[c.transcript_id]
        p = people[pid]
        if lang and (language or "") != lang:
            continue
        if c.transcript_id not in texts:
            counts["not_redacted"] += 1
        elif p.withdrawn:
            counts["withdrawn"] += 1
        elif not p.may_be_quoted:
            counts["no_quote_consent"] += 1
        else:
            out.append(_quote(c, codes[c.code_id], texts[c.transcript_id], p, language, sex,
                              age))
    order = {cid: i for i, cid in enumerate(codes)}
    out.sort(key=lambda q: (order.get(q.code_id, 0), q.group, q.quote_id))
    return out, Withheld(**counts)


def _quote(c: Coding, code: Code, text: str, p: Participant, language, sex, age) -> Quote:
    return Quote(quote_id(c.transcript_id, c.start, c.end, c.code_id), c.code_id, code.name,
                 text[c.start:c.end].strip(), attribution(p, sex, age), p.group, language)


def quotes_for(store: Store, code: str, lang: str | None = None, *, coder: str | None = None,
               include_children: bool = True, sex: bool = False, age: bool = False
               ) -> list[Quote]:
    """Quotes cleared for public use, coded with ``code`` (by id or name; its sub-codes too
    unless ``include_children=False``), optionally in one language (``"es"``, ``"en"``).

    Every call re-checks redaction and consent, so withdrawn participants never appear.
    Raises QUAL-060 for an unknown code.

    >>> # quotes_for(store, "disclosure", lang="es")[0].attribution
    >>> # '(YP)'
    """
    return _select(store, _code_ids(store, code, include_children), lang, coder, sex, age)[0]


def quote_bank(store: Store, codes: list[str] | None = None, lang: str | None = None, *,
               coder: str | None = None, sex: bool = False, age: bool = False
               ) -> tuple[list[Quote], Withheld]:
    """All cleared quotes (for every code, or these codes and their sub-codes) and the
    counts of those withheld."""
    ids: list[str] = []
    for c in codes or [c.code_id for c in codebook(store)]:
        ids += [i for i in _code_ids(store, c, codes is not None) if i not in ids]
    return _select(store, ids, lang, coder, sex, age)


def get_quote(store: Store, qid: str, *, sex: bool = False, age: bool = False) -> Quote:
    """One quote by id; refused with a clear error when it may not be used: participant
    withdrew (QUAL-061), no consent to quote (QUAL-062), unknown id (QUAL-063)."""
    codes = {c.code_id: c for c in codebook(store)}
    people = participants(store)
    owners = _transcript_owner(store)
    texts = redacted_texts(store)
    for c in _candidates(store, list(codes), None):
        if quote_id(c.transcript_id, c.start, c.end, c.code_id) != qid:
            continue
        pid, language = owners[c.transcript_id]
        p = people[pid]
        if p.withdrawn:
            raise SafetyError("QUAL-061", f"quote {qid}: participant '{pid}' withdrew consent "
                              f"on {p.withdrawn_on}; the quote may not be used in any output.")
        if not p.may_be_quoted or c.transcript_id not in texts:
            raise SafetyError("QUAL-062", f"quote {qid}: participant '{pid}' did not consent "
                              "to be quoted (or the transcript is not redacted).")
        return _quote(c, codes[c.code_id], texts[c.transcript_id], p, language, sex, age)
    raise DhkitError("QUAL-063", f"no quote with id '{qid}'; list them with dhkit quotes list.")


def _code_ids(store: Store, code: str, include_children: bool) -> list[str]:
    codes = codebook(store)
    match = [c for c in codes if code in (c.code_id, c.name)]
    if not match:
        raise DhkitError("QUAL-060", f"code '{code}' is not in the codebook; see dhkit codes "
                         "list.")
    cid = match[0].code_id
    return descendants(codes, cid) if include_children else [cid]


# --- translations: every report language shows quotes in its own language -----------------

TRANSLATIONS = "qual_quote_translations"
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


@dataclass(frozen=True)
class ShownQuote:
    """A cleared quote as one report language shows it: the original text when the quote
    is in that language, else the team's translation, marked with the source language."""

    quote_id: str
    code_id: str
    text: str
    attribution: str
    group: str
    language: str
    translated_from: str | None = None


def import_quote_translations(store: Store, path: str | Path) -> int:
    """Store translations of quotes (CSV ``quote``, ``language``, ``translation``: the
    redacted quote exactly as the quote bank gives it, the target language, the translated
    text). They live in the encrypted store; a translation must carry the same redaction
    placeholders as its quote (QUAL-091), so translating never brings back an identifier.
    Re-importing a pair replaces it. Returns the number of translations stored.

    A translation only shows for a quote the bank still clears (redacted, consented, not
    withdrawn): it is looked up from the cleared quote, never listed on its own.
    """
    from dhkit.validation import ValidationReport

    path = Path(path)
    rows, report = [], ValidationReport()
    with path.open(encoding="utf-8", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            src, lang, text = (r.get(k, "") or "" for k in ("quote", "language", "translation"))
            if Counter(_PLACEHOLDER.findall(src)) != Counter(_PLACEHOLDER.findall(text)):
                report.add("QUAL-091", "the translation's redaction placeholders differ from "
                           "the quote's", file=str(path), line=i,
                           hint="Keep every [NAME], [PLACE] ... of the quote, and add none.")
            rows.append((src.strip(), lang.strip(), text.strip()))
    if not report.ok:
        from dhkit.errors import ValidationError

        raise ValidationError("QUAL-091", f"{path.name}: {len(report)} translation(s) refused; "
                              "nothing imported", report)
    con = store.con
    con.execute(f"CREATE TABLE IF NOT EXISTS study.{TRANSLATIONS} (quote TEXT, language TEXT, "
                "translation TEXT)")
    for src, lang, text in rows:
        con.execute(f"DELETE FROM study.{TRANSLATIONS} WHERE quote = ? AND language = ?",
                    [src, lang])
        con.execute(f"INSERT INTO study.{TRANSLATIONS} VALUES (?, ?, ?)", [src, lang, text])
    return len(rows)


def quote_translations(store: Store) -> dict[tuple[str, str], str]:
    """(quote text, language) → translation, as stored (empty when there are none)."""
    exists = store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
        [TRANSLATIONS]).fetchone()[0]
    if not exists:
        return {}
    rows = store.con.execute(f"SELECT quote, language, translation FROM study.{TRANSLATIONS}")
    return {(q, lang): t for q, lang, t in rows.fetchall()}


def in_language(quotes: list[Quote], lang: str,
                translations: dict[tuple[str, str], str]) -> list[ShownQuote]:
    """The quotes a report in ``lang`` can show: those recorded in ``lang`` as they are,
    the others through their translation (marked ``translated_from``); a quote with
    neither is left out rather than shown in another language.

    >>> q = Quote("Q-1", "c", "C", "Me daba vergüenza.", "(YP)", "YP", "es")
    >>> [x.text for x in in_language([q], "en", {("Me daba vergüenza.", "en"): "I was ashamed."})]
    ['I was ashamed.']
    >>> in_language([q], "en", {})
    []
    """
    out = []
    for q in quotes:
        if (q.language or lang) == lang:
            out.append(ShownQuote(q.quote_id, q.code_id, q.text, q.attribution, q.group, lang))
        elif (q.text, lang) in translations:
            out.append(ShownQuote(q.quote_id, q.code_id, translations[(q.text, lang)],
                                  q.attribution, q.group, lang, q.language))
    return out


def export_quotes(quotes: list[Quote], path: str | Path, title: str = "Quote bank") -> Path:
    """Write quotes as HTML (``.html``) or Excel (``.xlsx``), with the dhkit version and a
    SHA-256 of the quote set for provenance (QUAL-064 for another suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    digest = hashlib.sha256("\n".join(f"{q.quote_id}\t{q.text}\t{q.attribution}"
                                      for q in quotes).encode()).hexdigest()
    from dhkit import __version__

    if suffix == ".html":
        from jinja2 import Environment, PackageLoader, select_autoescape

        env = Environment(loader=PackageLoader("dhkit.qualitative", "templates"),
                          autoescape=select_autoescape(["html", "j2"]))
        groups: dict[str, list[Quote]] = {}
        for q in quotes:
            groups.setdefault(f"{q.code_name} ({q.code_id})", []).append(q)
        html = env.get_template("quotes.html.j2").render(
            title=title, groups=groups, n=len(quotes), version=__version__, digest=digest)
        path.write_text(html, encoding="utf-8")
    elif suffix == ".xlsx":
        from dhkit.safetext import workbook, write_row

        book = workbook(path)
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        bold = book.add_format({"bold": True})
        sheet = book.add_worksheet("quotes")
        header = ["quote_id", "code", "code_name", "quote", "attribution", "language"]
        write_row(sheet, 0, 0, header, bold)
        for i, q in enumerate(quotes, start=1):
            write_row(sheet, i, 0, [q.quote_id, q.code_id, q.code_name, q.text, q.attribution,
                                   q.language or ""], wrap)
        sheet.set_column(3, 3, 90)
        sheet.set_column(0, 2, 18)
        about = book.add_worksheet("about")
        for i, (k, v) in enumerate([("title", title), ("quotes", len(quotes)),
                                    ("dhkit", __version__), ("sha256", digest),
                                    ("rule", "redacted + consent to quote + not withdrawn")]):
            write_row(about, i, 0, [k, v])
        book.close()
    else:
        raise DhkitError("QUAL-064", f"{path.name}: export quotes as .html or .xlsx.")
    return path
