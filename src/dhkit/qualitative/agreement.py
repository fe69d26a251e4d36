"""Inter-coder agreement: Cohen's kappa (two coders) and Krippendorff's alpha, nominal
(two or more coders, missing values allowed), per code and overall.

Written here rather than imported because the coefficients are a few lines of array
arithmetic and dhkit must not depend on test-only packages at run time; the tests check
both against the ``krippendorff`` package and ``statsmodels`` to 1e-9 and against the
published worked examples.

Units. ``level="unit"`` (default): each non-empty line of a redacted transcript (one turn
of speech) is a unit, and a coder applied code *c* to it when one of their segments with
*c* overlaps the line. ``level="character"``: each character is a unit (the segment-level
view QualCoder and MAXQDA take). Per code, each unit is a binary value (applied / not);
a transcript a coder left uncoded is missing for that coder. "Overall" pools the
binary decisions of all codes (every unit × code is one item).

References: Cohen, J. (1960) A coefficient of agreement for nominal scales, Educ. Psychol.
Meas. 20:37-46. Krippendorff, K. (2011) Computing Krippendorff's alpha-reliability,
Annenberg School for Communication, University of Pennsylvania (coincidence matrices).

>>> round(cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]), 4)
0.5
>>> round(krippendorff_alpha([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
...                           [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]), 3)
0.095
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError
from dhkit.qualitative.codebook import codebook
from dhkit.qualitative.codings import codings, redacted_texts
from dhkit.workspace.store import Store


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two coders' nominal labels (same length, no missing values).

    ``(p_o - p_e) / (1 - p_e)``; ``nan`` when both coders used one and the same single
    category (``p_e = 1``: agreement by chance is certain)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise DhkitError("QUAL-070", "Cohen's kappa needs two equally long, non-empty lists.")
    cats, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    table = np.zeros((len(cats), len(cats)))
    np.add.at(table, (codes[:a.size], codes[a.size:]), 1)
    return kappa_from_table(table)


def kappa_from_table(table: np.ndarray) -> float:
    """Cohen's kappa from a square contingency table (coder 1 rows × coder 2 columns)."""
    n = table.sum()
    if n == 0:
        return float("nan")
    p_o = np.trace(table) / n
    p_e = float((table.sum(axis=1) / n) @ (table.sum(axis=0) / n))
    return float("nan") if p_e == 1.0 else float((p_o - p_e) / (1.0 - p_e))


def krippendorff_alpha(data) -> float:
    """Krippendorff's alpha for nominal data: ``data`` is coders × units, with ``nan``
    (or ``None``) for a missing value. Units with fewer than two values are not pairable
    and drop out; ``nan`` when fewer than two values are pairable or only one category
    occurs (no expected disagreement)."""
    return alpha_from_coincidence(coincidence(_as_codes(data)))


def _as_codes(data) -> np.ndarray:
    """Coders × units as float category codes 0..C-1 with ``nan`` for missing."""
    try:
        arr = np.asarray(data, dtype=float)
        return arr
    except (TypeError, ValueError):
        pass
    frame = pd.DataFrame(np.asarray(data, dtype=object))
    values = pd.unique(pd.Series(frame.to_numpy().ravel()).dropna())
    index = {v: float(i) for i, v in enumerate(values)}
    return frame.apply(lambda col: col.map(lambda v: index.get(v, np.nan))).to_numpy(float)


def coincidence(data: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """Krippendorff's coincidence matrix of coders × units numeric data (``nan`` missing),
    over ``values`` (default: those that occur). Additive over blocks of units."""
    if values is None:
        values = np.unique(data[~np.isnan(data)])
    counts = np.stack([(data == v).sum(axis=0) for v in values], axis=1).astype(float) \
        if len(values) else np.zeros((data.shape[1], 0))
    m = counts.sum(axis=1)
    keep = m >= 2
    counts, m = counts[keep], m[keep]
    if counts.size == 0:
        return np.zeros((len(values), len(values)))
    weighted = counts / (m - 1.0)[:, None]
    return weighted.T @ counts - np.diag(weighted.sum(axis=0))


def alpha_from_coincidence(o: np.ndarray) -> float:
    """Nominal alpha ``1 - (n - 1) * D_o / D_e`` from a coincidence matrix."""
    n_c = o.sum(axis=1)
    n = n_c.sum()
    observed = o.sum() - np.trace(o)
    expected = n ** 2 - (n_c ** 2).sum()
    if n == 0 or expected == 0:
        return float("nan")
    return float(1.0 - (n - 1.0) * observed / expected)


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code (or ``"(overall)"``)."""

    code_id: str
    n_units: int
    percent_agreement: float
    kappa: float | None
    alpha: float


@dataclass(frozen=True)
class AgreementReport:
    """Per-code and overall agreement of a set of coders at one level."""

    level: str
    coders: tuple[str, ...]
    per_code: tuple[CodeAgreement, ...]
    overall: CodeAgreement

    def to_frame(self) -> pd.DataFrame:
        rows = [*self.per_code, self.overall]
        return pd.DataFrame([r.__dict__ for r in rows]).set_index("code_id")


def reliability_data(store: Store, code_id: str, coders: list[str],
                     level: str = "unit") -> np.ndarray:
    """Coders × units matrix of 0/1 (code applied or not), ``nan`` where a coder left the
    transcript uncoded; transcripts coded by fewer than two of ``coders`` are left out."""
    cache = _prepare(store)
    blocks = [data[0] for _, data in _blocks(cache, [code_id], coders, level)]
    return np.concatenate(blocks, axis=1) if blocks else np.zeros((len(coders), 0))


def _blocks(cache, code_ids: list[str], coders: list[str], level: str):
    """Per transcript: (id, codes × coders × units array)."""
    texts, index, coded = cache
    for tid in sorted(texts):
        if sum((tid, k) in coded for k in coders) < 2:
            continue
        units = _units(texts[tid], level)
        out = np.full((len(code_ids), len(coders), len(units)), np.nan)
        for i, coder in enumerate(coders):
            if (tid, coder) not in coded:
                continue
            # a segment [s, e) touches units [first unit ending after s, last starting before e]
            flags = np.zeros((len(code_ids), len(units) + 1), dtype=np.int32)
            for j, cid in enumerate(code_ids):
                spans = index.get((tid, coder, cid))
                if not spans:
                    continue
                starts, ends = np.array(spans).T
                first = np.searchsorted(units[:, 1], starts, side="right")
                last = np.searchsorted(units[:, 0], ends, side="left")
                ok = first < last
                np.add.at(flags[j], first[ok], 1)
                np.add.at(flags[j], last[ok], -1)
            out[:, i, :] = np.cumsum(flags, axis=1)[:, :-1] > 0
        yield tid, out


def _prepare(store: Store):
    texts = redacted_texts(store)
    index: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    coded: set[tuple[str, str]] = set()
    for c in codings(store):
        index.setdefault((c.transcript_id, c.coder, c.code_id), []).append((c.start, c.end))
        coded.add((c.transcript_id, c.coder))
    return texts, index, coded


def _units(text: str, level: str) -> np.ndarray:
    """Units as (start, end) rows: characters, or non-empty lines."""
    if level == "character":
        starts = np.arange(len(text))
        return np.stack([starts, starts + 1], axis=1)
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return np.array(out, dtype=int).reshape(-1, 2)


def agreement(store: Store, coders: list[str] | None = None, level: str = "unit",
              codes: list[str] | None = None) -> AgreementReport:
    """Per-code and overall agreement of ``coders`` (default: all who coded).

    Kappa is given for exactly two coders (units both coded); alpha for two or more.
    QUAL-071: fewer than two coders; QUAL-072: unknown level.

    >>> # agreement(store, ["coder-a", "coder-b"]).overall.alpha
    """
    if level not in ("unit", "character"):
        raise DhkitError("QUAL-072", f"level '{level}' is not unit or character.")
    all_coders = sorted({c.coder for c in codings(store)})
    coders = list(coders or all_coders)
    missing = [c for c in coders if c not in all_coders]
    if len(coders) < 2 or missing:
        raise DhkitError("QUAL-071", "agreement needs at least two coders with codings "
                         f"(found: {', '.join(all_coders) or 'none'}"
                         f"{'; unknown: ' + ', '.join(missing) if missing else ''}).")
    code_ids = codes or [c.code_id for c in codebook(store)]
    used = {c.code_id for c in codings(store) if c.coder in coders}
    code_ids = [c for c in code_ids if c in used]
    tallies = [_Tally.of(np.zeros((len(coders), 0))) for _ in code_ids]
    for _, block in _blocks(_prepare(store), code_ids, coders, level):
        for j in range(len(code_ids)):
            tallies[j] = tallies[j] + _Tally.of(block[j])
    per_code = tuple(t.summary(cid) for cid, t in zip(code_ids, tallies))
    overall = sum(tallies[1:], tallies[0]) if tallies else _Tally.of(np.zeros((len(coders),
                                                                                0)))
    return AgreementReport(level, tuple(coders), per_code, overall.summary("(overall)"))


@dataclass(frozen=True)
class _Tally:
    """Additive sufficient statistics of binary reliability data: the coincidence matrix
    (alpha), the 2 × 2 table of complete pairs (kappa) and agreement counts."""

    coincidence: np.ndarray
    table: np.ndarray | None
    complete: int
    agreeing: int

    @classmethod
    def of(cls, data: np.ndarray) -> _Tally:
        """From coders × units 0/1 data with ``nan``: per unit only (values present, ones)
        matter, so the coincidence matrix is a weighted count of those pairs."""
        k = data.shape[0]
        valid = ~np.isnan(data)
        m = valid.sum(axis=0)
        ones = np.where(valid, data, 0.0).sum(axis=0).astype(int)
        pairable = m >= 2
        combos = np.bincount(m[pairable] * (k + 1) + ones[pairable], minlength=(k + 1) ** 2)
        o = np.zeros((2, 2))
        for key in np.nonzero(combos)[0]:
            mu, one = divmod(int(key), k + 1)
            zero, w = mu - one, combos[key] / (mu - 1.0)
            o += w * np.array([[zero * (zero - 1), zero * one], [one * zero, one * (one - 1)]])
        complete = m == k
        agreeing = int(np.sum(complete & ((ones == 0) | (ones == k))))
        table = None
        if k == 2:
            a, b = data[0][complete], data[1][complete]
            table = np.array([[np.sum((a == 0) & (b == 0)), np.sum((a == 0) & (b == 1))],
                              [np.sum((a == 1) & (b == 0)), np.sum((a == 1) & (b == 1))]],
                             dtype=float)
        return cls(o, table, int(complete.sum()), agreeing)

    def __add__(self, other: _Tally) -> _Tally:
        table = None if self.table is None else self.table + other.table
        return _Tally(self.coincidence + other.coincidence, table,
                      self.complete + other.complete, self.agreeing + other.agreeing)

    def summary(self, code_id: str) -> CodeAgreement:
        pct = self.agreeing / self.complete if self.complete else float("nan")
        kappa = kappa_from_table(self.table) if self.table is not None and self.complete \
            else None
        return CodeAgreement(code_id, self.complete, pct, kappa,
                             alpha_from_coincidence(self.coincidence))
