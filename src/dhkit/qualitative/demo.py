"""Synthetic demo material for the qualitative stage (clearly fictional; no real case).

``data/demo`` holds six invented interview transcripts (four in Spanish, two in English)
with identifying details planted for the redaction tests (``planted.csv``), a participants
sheet with a refusal (YP-04) and a later update recording a withdrawal (YP-03), a codebook
and two coders' codings of the redacted transcripts; ``data/demo/wave2`` a later interview
(JP-02, Spanish, consents to be quoted) that the full demo study adds; and
``quote_translations.csv``, the translations a team writes so each report language shows
every cleared quote in its own language.

>>> sorted(p.name for p in (DEMO_DIR / "transcripts").glob("*.txt"))[:2]
['FW-01.txt', 'FW-02.txt']
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DEMO_DIR = Path(str(resources.files("dhkit.qualitative") / "data" / "demo"))


@dataclass(frozen=True)
class Planted:
    """An identifier planted in a demo transcript."""

    transcript_id: str
    kind: str
    text: str


def planted() -> list[Planted]:
    """The identifiers planted in the demo transcripts (for recall tests)."""
    with (DEMO_DIR / "planted.csv").open(encoding="utf-8", newline="") as fh:
        return [Planted(r["transcript_id"], r["kind"], r["text"]) for r in csv.DictReader(fh)]


def transcript_files() -> list[Path]:
    return sorted((DEMO_DIR / "transcripts").glob("*.txt"))


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`load_demo` put in the store (counts only)."""

    participants: int
    transcripts: int
    redactions: int
    codes: int
    codings: int
    withdrawn: tuple[str, ...]


def load_demo(store, *, withdraw: bool = True, second_wave: bool = False) -> DemoSummary:
    """Fill a store with the qualitative demo: participants (with a refusal), the six
    transcripts, automatic redaction accepted in full, the codebook, two coders' codings,
    and — unless ``withdraw=False`` — the later sheet update recording YP-03's withdrawal.

    >>> # from dhkit.workspace.store import Store, DEMO_KEY
    >>> # with Store.open("demo/store/study.duckdb", DEMO_KEY) as s: load_demo(s).codings
    >>> # 65
    """
    from dhkit.qualitative import redaction
    from dhkit.qualitative.codebook import load_codebook, store_codebook
    from dhkit.qualitative.codings import import_codings
    from dhkit.qualitative.participants import import_participants
    from dhkit.qualitative.transcripts import import_transcripts

    people = import_participants(store, DEMO_DIR / "participants.csv")
    infos = import_transcripts(store, transcript_files(), replace=True)
    redaction.propose(store, use_ner=False, force=True)
    n_red = redaction.accept_all(store, actor="demo")
    redaction.apply(store, actor="demo")
    n_codes = store_codebook(store, load_codebook(DEMO_DIR / "codebook.yaml"), replace=True)
    n_codings = sum(import_codings(store, DEMO_DIR / f, replace=True).n_codings
                    for f in ("codings_coder_a.csv", "codings_coder_b.csv"))
    n_parts, n_trans = people.n_participants, len(infos)
    if second_wave:  # interviews added later: one more justice professional (es)
        more = _second_wave(store)
        n_parts, n_trans = n_parts + more[0], n_trans + more[1]
        n_red += more[2]
        n_codings += more[3]
    from dhkit.qualitative.quotes import import_quote_translations

    import_quote_translations(store, DEMO_DIR / "quote_translations.csv")
    withdrawn: tuple[str, ...] = ()
    if withdraw:
        import_participants(store, DEMO_DIR / "participants_update.csv")
        withdrawn = ("YP-03",)
    return DemoSummary(n_parts, n_trans, n_red, n_codes, n_codings, withdrawn)


def _second_wave(store) -> tuple[int, int, int, int]:
    """``data/demo/wave2``: a justice professional interviewed in Spanish who consents to
    be quoted (JP-01 does not), added the way a team adds interviews to a running study:
    import, redact the new transcript only, code it (coder-b)."""
    from dhkit.qualitative import redaction
    from dhkit.qualitative.codings import import_codings
    from dhkit.qualitative.participants import import_participants
    from dhkit.qualitative.transcripts import import_transcripts

    wave = DEMO_DIR / "wave2"
    people = import_participants(store, wave / "participants.csv")
    infos = import_transcripts(store, sorted((wave / "transcripts").glob("*.txt")), replace=True)
    ids = [i.transcript_id for i in infos]
    redaction.propose(store, ids, use_ner=False)
    n_red = redaction.accept_all(store, ids, actor="demo")
    redaction.apply(store, ids, actor="demo")
    n_codings = import_codings(store, wave / "codings_coder_b.csv").n_codings
    return people.n_participants, len(infos), n_red, n_codings
