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
from dhkit.qualitative.codings import codings, overlaps, redacted_texts
from dhkit.workspace.store import Store


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two coders' nominal labels (same length, no missing values).

    ``(p_o - p_e) / (1 - p_e)``; ``nan`` when both coders used one and the same single
    category (``p_e = 1``: agreement by chance is certain)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise DhkitError("QUAL-070", "Cohen's kappa needs two equally long, non-empty lists.")
    cats = np.unique(np.concatenate([a, b]))
    p_o = float(np.mean(a == b))
    p_e = float(sum(np.mean(a == c) * np.mean(b == c) for c in cats))
    return float("nan") if p_e == 1.0 else (p_o - p_e) / (1.0 - p_e)


def krippendorff_alpha(data) -> float:
    """Krippendorff's alpha for nominal data: ``data`` is coders × units, with ``nan``
    (or ``None``) for a missing value. Units with fewer than two values are not pairable
    and drop out; ``nan`` when fewer than two values are pairable or only one category
    occurs (no expected disagreement)."""
    frame = pd.DataFrame(np.asarray(data, dtype=object).T)  # units × coders
    values = pd.unique(pd.Series(frame.to_numpy().ravel()).dropna())
    if len(values) == 0:
        return float("nan")
    index = {v: i for i, v in enumerate(values)}
    counts = np.zeros((len(frame), len(values)))  # n_uc
    for j in frame.columns:
        col = frame[j]
        ok = col.notna().to_numpy()
        counts[np.nonzero(ok)[0], [index[v] for v in col[ok]]] += 1
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m = counts[pairable], m[pairable]
    if counts.size == 0:
        return float("nan")
    coincidence = np.einsum("uc,uk->ck", counts / (m - 1)[:, None], counts)
    coincidence -= np.diag((counts / (m - 1)[:, None]).sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    observed = coincidence.sum() - np.trace(coincidence)
    expected = n_c.sum() ** 2 - (n_c ** 2).sum()
    if expected == 0:
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
    transcript uncoded."""
    texts = redacted_texts(store)
    segs = codings(store)
    coded = {(c.transcript_id, c.coder) for c in segs}
    rows: list[list[float]] = [[] for _ in coders]
    for tid in sorted(texts):
        if sum((tid, k) in coded for k in coders) < 2:
            continue
        units = _units(texts[tid], level)
        for i, coder in enumerate(coders):
            mine = [(c.start, c.end) for c in segs
                    if c.transcript_id == tid and c.coder == coder and c.code_id == code_id]
            if (tid, coder) not in coded:
                rows[i] += [np.nan] * len(units)
            elif level == "character":
                flags = np.zeros(len(texts[tid]))
                for s, e in mine:
                    flags[s:e] = 1
                rows[i] += flags.tolist()
            else:
                rows[i] += [float(any(overlaps(u, s) for s in mine)) for u in units]
    return np.array(rows, dtype=float)


def _units(text: str, level: str) -> list[tuple[int, int]]:
    if level == "character":
        return [(i, i + 1) for i in range(len(text))]
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


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
    per_code, blocks = [], []
    for cid in code_ids:
        data = reliability_data(store, cid, coders, level)
        blocks.append(data)
        per_code.append(_summarise(cid, data))
    pooled = np.concatenate(blocks, axis=1) if blocks else np.zeros((len(coders), 0))
    return AgreementReport(level, tuple(coders), tuple(per_code),
                           _summarise("(overall)", pooled))


def _summarise(code_id: str, data: np.ndarray) -> CodeAgreement:
    complete = ~np.isnan(data).any(axis=0)
    full = data[:, complete]
    pct = float(np.mean(np.all(full == full[:1], axis=0))) if full.size else float("nan")
    kappa = None
    if data.shape[0] == 2 and full.shape[1]:
        kappa = cohen_kappa(full[0], full[1])
    return CodeAgreement(code_id, int(complete.sum()), pct, kappa, krippendorff_alpha(data))
