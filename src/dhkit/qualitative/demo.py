"""Synthetic demo material for the qualitative stage (clearly fictional; no real case).

``data/demo`` holds six invented interview transcripts (four in Spanish, two in English)
with identifying details planted for the redaction tests (``planted.csv``), a participants
sheet with a refusal (YP-04) and a later update recording a withdrawal (YP-03), a codebook
and two coders' codings of the redacted transcripts.

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


def load_demo(store, *, withdraw: bool = True) -> DemoSummary:
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
    withdrawn: tuple[str, ...] = ()
    if withdraw:
        import_participants(store, DEMO_DIR / "participants_update.csv")
        withdrawn = ("YP-03",)
    return DemoSummary(people.n_participants, len(infos), n_red, n_codes, n_codings, withdrawn)
