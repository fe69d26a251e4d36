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
