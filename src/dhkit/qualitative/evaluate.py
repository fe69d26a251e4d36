"""Measure the machine redaction pass: recall and precision per identifier kind.

An evaluation set is a text file, one sentence a line, identifiers marked ``⟦KIND|text⟧``;
after an optional tab, the participant's recorded names (``redact_names``) separated by
``;``; ``#`` starts a comment line. The shipped sets (``data/eval``) are made by
``scripts/make_redaction_eval.py`` from fixed seeds (tuning: template set A, seed 17;
held-out: template set B, seed 2026) plus hand-written sentences; ``fresh`` (template
set C, seed 31337) was written after the rules were final and run once; ``blind`` is 430
hand-written passages by another author who had not read the rules, committed before its
first run, with ``#@ ID`` lines splitting it (:func:`half`) into ``blind-dev`` (rules
adjusted on it) and ``blind-test`` (run once, on 2026-12-06, then retired: the whole blind
set is development data since); ``blind2`` is 487 hand-written passages by a third author
who had not read the rules, committed before its first run and held out whole (no split);
``blind3`` is 595 hand-written passages by a fourth author who had not read the rules,
committed before its first run and likewise held out whole (no split).
A team can write its own file in the same form from its pilot transcripts and run
``dhkit redact evaluate --file``.

Scoring is about leaks, so it is strict on recall and kind-blind on precision:

* **recall** of kind K: share of marked K identifiers whose every character is covered by
  detected spans (of any kind: a phone number redacted as ``[ID]`` has not leaked);
* **precision** of kind K: share of detected spans of kind K that overlap a marked
  identifier (a span over ordinary words is a false alarm the reviewer must reject).

Reference: Presidio's evaluator (presidio-research) scores per entity the same way; UK Data
Service, *Anonymising qualitative data* (review by a person stays necessary).

>>> s = parse_line("Vivo en ⟦PLACE|Soacha⟧.")
>>> s.text, s.truth
('Vivo en Soacha.', ((8, 14, 'PLACE'),))
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dhkit.errors import DhkitError

MARK = re.compile(r"⟦([A-Z_]+)\|([^⟧]*)⟧")
SETS = {"heldout": ("heldout.txt", "hand_heldout.txt"),
        "tuning": ("tuning.txt", "hand_tuning.txt"),
        "fresh": ("fresh.txt",),
        "blind": ("blind.txt",), "blind-dev": ("blind.txt",), "blind-test": ("blind.txt",),
        "blind2": ("blind2.txt",),
        "blind3": ("blind3.txt",)}
SPLIT_SALT = "dhkit-blind-split:"


@dataclass(frozen=True)
class Sentence:
    """One evaluation sentence: plain text, marked identifiers, recorded names."""

    text: str
    truth: tuple[tuple[int, int, str], ...]
    names: tuple[str, ...] = ()
    where: str = ""
    passage: str = ""     # the "#@ ID" line above it, when the set has one


def half(passage: str) -> str:
    """The blind set's fixed split: ``dev`` when the first byte of
    sha256("dhkit-blind-split:" + id) is below 128, else ``test``.

    >>> half("b001"), half("b004")
    ('dev', 'test')
    """
    return "dev" if hashlib.sha256((SPLIT_SALT + passage).encode()).digest()[0] < 128 else "test"


@dataclass(frozen=True)
class KindScore:
    """Counts and rates for one identifier kind."""

    kind: str
    marked: int
    covered: int
    detected: int
    correct: int

    @property
    def recall(self) -> float | None:
        return self.covered / self.marked if self.marked else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.detected if self.detected else None


@dataclass(frozen=True)
class Evaluation:
    """Per-kind scores, with the missed identifiers and the false alarms (text, for the
    developer's eyes only: evaluation sets are synthetic)."""

    name: str
    sentences: int
    scores: tuple[KindScore, ...]
    misses: tuple[tuple[str, str, str], ...]      # (kind, identifier, sentence)
    false_alarms: tuple[tuple[str, str, str], ...]  # (kind, detected text, sentence)

    def score(self, kind: str) -> KindScore:
        return next(s for s in self.scores if s.kind == kind)


def parse_line(line: str, where: str = "") -> Sentence:
    body, _, names = line.rstrip("\n").partition("\t")
    text, truth, pos = "", [], 0
    for mt in MARK.finditer(body):
        text += body[pos:mt.start()]
        truth.append((len(text), len(text) + len(mt.group(2)), mt.group(1)))
        text += mt.group(2)
        pos = mt.end()
    text += body[pos:]
    if "⟦" in text or "⟧" in text:
        raise DhkitError("QUAL-039", f"{where}: unbalanced ⟦…⟧ mark; write ⟦KIND|text⟧.")
    return Sentence(text, tuple(truth), tuple(n.strip() for n in names.split(";")
                                               if n.strip()), where)


def load_set(name_or_path: str | Path) -> list[Sentence]:
    """A shipped set (``heldout``, ``tuning``, ``fresh``, ``blind``, ``blind-dev``,
    ``blind-test``) or an annotated file (QUAL-039 when neither)."""
    if str(name_or_path) in SETS:
        base = Path(str(resources.files("dhkit.qualitative") / "data" / "eval"))
        paths = [base / f for f in SETS[str(name_or_path)]]
    else:
        paths = [Path(name_or_path)]
    out = []
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise DhkitError("QUAL-039", f"{path}: cannot be read as a UTF-8 evaluation set "
                             f"({exc}); give {', '.join(SETS)} or a marked-up file.") from None
        passage = ""
        for i, line in enumerate(lines, start=1):
            if line.startswith("#@"):
                passage = line[2:].strip()
            elif line.strip() and not line.lstrip().startswith("#"):
                s = parse_line(line, f"{path.name}:{i}")
                out.append(Sentence(s.text, s.truth, s.names, s.where, passage))
    wanted = str(name_or_path).partition("blind-")[2] if str(name_or_path) in SETS else ""
    return [s for s in out if half(s.passage) == wanted] if wanted else out


def evaluate(sentences: list[Sentence], name: str = "", detector=None,
             use_ner: bool = True) -> Evaluation:
    """Run the detector (default: :func:`dhkit.qualitative.detect.detect` with the shipped
    lists, and the NER model when installed and ``use_ner``) over every sentence and score
    it per kind."""
    from dhkit.qualitative.detect import Gazetteers, detect

    g = Gazetteers.load()
    run = detector or (lambda s: detect(s.text, g.with_names(list(s.names)), use_ner=use_ner))
    marked: dict[str, int] = {}
    caught: dict[str, int] = {}
    detected: dict[str, int] = {}
    correct: dict[str, int] = {}
    misses, alarms = [], []
    for s in sentences:
        spans = run(s)
        for a, b, kind in s.truth:
            marked[kind] = marked.get(kind, 0) + 1
            if covered(s.text, a, b, spans):
                caught[kind] = caught.get(kind, 0) + 1
            else:
                misses.append((kind, s.text[a:b], s.text))
        for sp in spans:
            detected[sp.kind] = detected.get(sp.kind, 0) + 1
            if any(sp.start < b and a < sp.end for a, b, _ in s.truth):
                correct[sp.kind] = correct.get(sp.kind, 0) + 1
            else:
                alarms.append((sp.kind, s.text[sp.start:sp.end], s.text))
    kinds = sorted(set(marked) | set(detected))
    scores = tuple(KindScore(k, marked.get(k, 0), caught.get(k, 0), detected.get(k, 0),
                             correct.get(k, 0)) for k in kinds)
    return Evaluation(name, len(sentences), scores, tuple(misses), tuple(alarms))


def covered(text: str, a: int, b: int, spans) -> bool:
    """Whether every non-blank character of ``text[a:b]`` lies in some detected span (the
    recall rule: an identifier half redacted has leaked)."""
    hit = [False] * (b - a)
    for sp in spans:
        for i in range(max(a, sp.start), min(b, sp.end)):
            hit[i - a] = True
    return all(h or not text[a + i].strip() for i, h in enumerate(hit))


def table(ev: Evaluation) -> list[list[str]]:
    """Rows for printing: kind, marked, recall, detected, precision."""
    def pct(x: float | None) -> str:
        return "—" if x is None else f"{100 * x:.1f} %"
    rows = [[s.kind, str(s.marked), pct(s.recall), str(s.detected), pct(s.precision)]
            for s in ev.scores]
    tot = KindScore("all", sum(s.marked for s in ev.scores), sum(s.covered for s in ev.scores),
                    sum(s.detected for s in ev.scores), sum(s.correct for s in ev.scores))
    rows.append([tot.kind, str(tot.marked), pct(tot.recall), str(tot.detected),
                 pct(tot.precision)])
    return rows


def missed(sentence: Sentence, spans) -> list[tuple[str, str]]:
    """The marked identifiers of ``sentence`` that ``spans`` leave (partly) visible, as
    (kind, text).

    >>> missed(parse_line("Vivo en ⟦PLACE|Soacha⟧."), [])
    [('PLACE', 'Soacha')]
    """
    return [(kind, sentence.text[a:b]) for a, b, kind in sentence.truth
            if not covered(sentence.text, a, b, spans)]
