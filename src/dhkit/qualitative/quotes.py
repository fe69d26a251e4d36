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

import hashlib
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
