"""Drawing a three-stage sample: PSUs by stratified PPS systematic selection, households
within PSUs from a listing (systematic or simple random), one eligible child per household
by a Kish-style random choice. Seeded; every stage's inclusion probability is written out.

PPS systematic (Madow 1949; Cochran 1977 §9A.7): in each stratum, units whose measure of size
is at least the sampling interval ``I = M / n`` are certainty selections (probability 1);
they are removed, ``n`` and the interval are recomputed, and this repeats until no unit is
that large. The rest are laid end to end and ``n'`` points ``u + k·I`` (``u`` uniform in
[0, I)) pick the units: inclusion probability ``n'·M_i / M'``.

Why not `samplics`: we need the certainty rule, the error messages and the probability
lineage of each stage in one small typed API; the algorithm is a few lines of numpy.

>>> import pandas as pd
>>> frame = pd.DataFrame({"region": ["a"] * 5, "psu": range(5), "mos": [10, 20, 30, 40, 200]})
>>> s = select_psus(frame, stratum="region", psu="psu", size="mos", n=3, seed=1)
>>> s.selected.loc[s.selected["certainty"], "psu"].tolist(), float(s.selected["p_psu"].max())
([4], 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError


# --------------------------------------------------------------------------------------
# stage 1: PSUs
# --------------------------------------------------------------------------------------
def pps_probabilities(sizes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Inclusion probabilities of PPS systematic selection of n units, with certainty units.

    Returns (probabilities, certainty mask, final interval).

    >>> p, c, i = pps_probabilities(np.array([1., 1., 1., 7.]), 2)
    >>> p.tolist(), c.tolist(), i
    ([0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 1.0], [False, False, False, True], 3.0)
    """
    sizes = np.asarray(sizes, dtype=float)
    cert = np.zeros(len(sizes), dtype=bool)
    interval = np.inf
    while True:
        n_rem = n - int(cert.sum())
        if n_rem <= 0:
            interval = np.inf
            break
        interval = sizes[~cert].sum() / n_rem
        new = ~cert & (sizes >= interval)
        if not new.any():
            break
        cert |= new
    prob = np.where(cert, 1.0, sizes / interval if np.isfinite(interval) else 0.0)
    return prob, cert, float(interval)


def pps_systematic(sizes: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices selected by PPS systematic sampling (certainty units first, then the rest in
    frame order).

    >>> pps_systematic(np.array([5., 5., 5., 5.]), 2, np.random.default_rng(0)).tolist()
    [1, 3]
    """
    _, cert, interval = pps_probabilities(sizes, n)
    chosen = list(np.flatnonzero(cert))
    n_rem = n - len(chosen)
    if n_rem > 0:
        rest = np.flatnonzero(~cert)
        cum = np.cumsum(np.asarray(sizes, dtype=float)[rest])
        points = rng.uniform(0, interval) + interval * np.arange(n_rem)
        hit = np.searchsorted(cum, points, side="right")
        chosen += list(rest[np.minimum(hit, len(rest) - 1)])
    return np.sort(np.asarray(chosen, dtype=int))


@dataclass(frozen=True)
class PsuSelection:
    """Selected PSUs (frame columns + ``p_psu``, ``certainty``) and one row per stratum."""

    selected: pd.DataFrame
    strata: pd.DataFrame
    seed: int


def allocate_psus(frame: pd.DataFrame, *, stratum: str, size: str, total: int,
                  minimum: int = 2) -> dict:
    """PSUs per stratum proportional to the stratum's total size (largest remainders), at
    least ``minimum`` (two, so every stratum has a variance) and at most the stratum's units.

    Reference: Cochran (1977) §5.5 (proportional allocation).

    >>> f = pd.DataFrame({"s": ["a"] * 10 + ["b"] * 10, "mos": [3.0] * 10 + [1.0] * 10})
    >>> allocate_psus(f, stratum="s", size="mos", total=8)
    {'a': 6, 'b': 2}
    """
    sizes = pd.to_numeric(frame[size], errors="coerce").groupby(frame[stratum]).sum()
    units = frame.groupby(stratum).size()
    if total < minimum * len(sizes) or total > int(units.sum()):
        raise DhkitError("SAM-005", f"{total} PSUs cannot be allocated to {len(sizes)} strata "
                         f"with at least {minimum} each and at most the frame's "
                         f"{int(units.sum())} units; change the total.")
    alloc = units.clip(upper=minimum).astype(int)
    while alloc.sum() < total:
        room = alloc < units
        share = sizes[room] / sizes[room].sum() * total
        gap = (share - alloc[room]).sort_values(ascending=False)
        alloc[gap.index[0]] += 1
    return {k: int(v) for k, v in alloc.items()}


def _allocation(frame: pd.DataFrame, stratum: str | None, n) -> dict:
    labels = frame[stratum].unique().tolist() if stratum else ["all"]
    if isinstance(n, (int, np.integer)):
        return {s: int(n) for s in labels}
    alloc = {k: int(v) for k, v in dict(n).items()}
    missing = [s for s in labels if s not in alloc and str(s) not in alloc]
    if missing:
        raise DhkitError("SAM-005", f"no number of PSUs for stratum {missing[0]!r} (and "
                         f"{len(missing) - 1} more); add it to the allocation.")
    return {s: alloc.get(s, alloc.get(str(s))) for s in labels}


def select_psus(frame: pd.DataFrame, *, size: str, n, stratum: str | None = None,
                psu: str | None = None, seed: int = 1, order: str | None = None) -> PsuSelection:
    """Stratified PPS systematic selection of ``n`` PSUs per stratum (an int, or a mapping
    stratum → n) on the measure of size ``size``; ``order`` sorts the frame within strata
    first (implicit stratification).

    Reference: Cochran (1977) §9A.7; UN DESA (2005) §4.5.

    >>> f = pd.DataFrame({"s": [1, 1, 2, 2], "mos": [5, 5, 3, 9]})
    >>> select_psus(f, stratum="s", size="mos", n=1, seed=3).selected["p_psu"].tolist()
    [0.5, 0.25]
    """
    for col in (size, stratum, psu, order):
        if col is not None and col not in frame.columns:
            raise DhkitError("SAM-002", f"frame has no column '{col}'; columns are "
                             f"{', '.join(map(str, frame.columns[:12]))}.")
    ids = frame[psu].astype(str) if psu else pd.Series(frame.index.astype(str), index=frame.index)
    sizes = pd.to_numeric(frame[size], errors="coerce")
    bad = sizes.isna() | ~(sizes > 0)
    if bad.any():
        first = ids[bad].tolist()[:5]
        raise DhkitError("SAM-003", f"frame column '{size}': {int(bad.sum())} unit(s) with a zero, "
                         f"missing or non-numeric measure of size (first: {', '.join(first)}); "
                         "give every unit a positive size or drop it from the frame.")
    alloc = _allocation(frame, stratum, n)
    rng = np.random.default_rng(seed)
    picked, rows = [], []
    groups = frame.groupby(stratum, sort=True) if stratum else [("all", frame)]
    for label, part in groups:
        k = alloc[label]
        if k > len(part):
            raise DhkitError("SAM-004", f"stratum {label!r}: {k} PSUs requested but the frame has "
                             f"only {len(part)}; lower the allocation or merge the stratum.")
        if k < 1:
            raise DhkitError("SAM-004", f"stratum {label!r}: {k} PSUs requested; give 1 or more.")
        if order:
            part = part.sort_values(order, kind="stable")
        s = sizes.loc[part.index].to_numpy(float)
        prob, cert, interval = pps_probabilities(s, k)
        idx = pps_systematic(s, k, rng)
        sel = part.iloc[idx].copy()
        sel["p_psu"] = prob[idx]
        sel["certainty"] = cert[idx]
        picked.append(sel)
        rows.append((label, len(part), k, int(cert.sum()), float(s.sum()), interval))
    selected = pd.concat(picked)
    strata = pd.DataFrame(rows, columns=["stratum", "frame_psus", "psus", "certainty",
                                         "total_size", "interval"])
    return PsuSelection(selected, strata, seed)


# --------------------------------------------------------------------------------------
# stage 2: households, stage 3: one child
# --------------------------------------------------------------------------------------
def select_households(listing: pd.DataFrame, psus, *, psu: str, take: int,
                      method: str = "systematic", seed: int = 1) -> pd.DataFrame:
    """``take`` households in each selected PSU from its listing (systematic with a random
    start on a fractional interval, or simple random); adds ``p_hh = take / listed`` (1 when
    fewer are listed than the take: all are taken).

    >>> lst = pd.DataFrame({"psu": [1] * 10, "hh": range(10)})
    >>> h = select_households(lst, [1], psu="psu", take=4, seed=2)
    >>> len(h), float(h["p_hh"].iloc[0])
    (4, 0.4)
    """
    if psu not in listing.columns:
        raise DhkitError("SAM-002", f"listing has no PSU column '{psu}'.")
    if method not in ("systematic", "srs"):
        raise DhkitError("SAM-001", f"household selection method '{method}': use systematic or srs.")
    rng = np.random.default_rng(seed)
    key = listing[psu].astype(str)
    wanted = [str(p) for p in psus]
    missing = sorted(set(wanted) - set(key))
    if missing:
        raise DhkitError("SAM-006", f"no listed households for selected PSU(s) "
                         f"{', '.join(missing[:5])}; list those PSUs before drawing households.")
    out = []
    for p in wanted:
        part = listing[key == p]
        m = len(part)
        if take >= m:
            sel, prob = part.copy(), 1.0
        elif method == "systematic":
            step = m / take
            pos = np.floor(rng.uniform(0, step) + step * np.arange(take)).astype(int)
            sel, prob = part.iloc[pos].copy(), take / m
        else:
            sel, prob = part.iloc[np.sort(rng.choice(m, take, replace=False))].copy(), take / m
        sel["p_hh"] = prob
        sel["listed"] = m
        out.append(sel)
    return pd.concat(out)


def select_child(households: pd.DataFrame, *, eligible: str, seed: int = 1) -> pd.DataFrame:
    """Kish-style choice of one eligible child per household: ``child_line`` uniform in
    1..k (k eligible children), ``p_child = 1/k``; households with none get no child.

    >>> h = select_child(pd.DataFrame({"k": [1, 3, 0]}), eligible="k", seed=1)
    >>> h["p_child"].round(3).tolist()
    [1.0, 0.333, nan]
    """
    if eligible not in households.columns:
        raise DhkitError("SAM-002", f"household table has no column '{eligible}' (number of "
                         "eligible children).")
    k = pd.to_numeric(households[eligible], errors="coerce").fillna(0).astype(int).to_numpy()
    rng = np.random.default_rng(seed)
    line = np.floor(rng.uniform(size=len(k)) * np.maximum(k, 1)).astype(int) + 1
    out = households.copy()
    out["child_line"] = np.where(k > 0, line, 0)
    out["p_child"] = np.where(k > 0, 1.0 / np.maximum(k, 1), np.nan)
    return out


@dataclass(frozen=True)
class SampleDraw:
    """The drawn sample: PSUs (stage 1) and, with a listing, households and children."""

    psus: PsuSelection
    households: pd.DataFrame | None

    @property
    def table(self) -> pd.DataFrame:
        return self.households if self.households is not None else self.psus.selected


def draw_sample(frame: pd.DataFrame, *, size: str, n, stratum: str | None = None,
                psu: str = "psu_id", seed: int = 1, order: str | None = None,
                listing: pd.DataFrame | None = None, take: int | None = None,
                method: str = "systematic", eligible: str | None = None) -> SampleDraw:
    """All three stages; each stage's generator is derived from ``seed`` so stages are
    reproducible on their own. Adds ``base_weight = 1 / (p_psu · p_hh · p_child)``.

    >>> f = pd.DataFrame({"psu_id": [1, 2], "mos": [4, 4]})
    >>> lst = pd.DataFrame({"psu_id": [1] * 4 + [2] * 4, "k": [1, 2, 0, 1] * 2})
    >>> d = draw_sample(f, size="mos", n=1, listing=lst, take=2, eligible="k", seed=5)
    >>> d.table.columns[-3:].tolist()
    ['child_line', 'p_child', 'base_weight']
    """
    stage1 = select_psus(frame, size=size, n=n, stratum=stratum, psu=psu, seed=seed, order=order)
    if listing is None:
        stage1.selected["base_weight"] = 1.0 / stage1.selected["p_psu"]
        return SampleDraw(stage1, None)
    if take is None:
        raise DhkitError("SAM-001", "a listing needs --take (households per PSU).")
    hh = select_households(listing, stage1.selected[psu].astype(str).tolist(), psu=psu,
                           take=take, method=method, seed=seed + 1)
    p1 = dict(zip(stage1.selected[psu].astype(str), stage1.selected["p_psu"]))
    hh.insert(0, "p_psu", hh[psu].astype(str).map(p1).to_numpy())
    if stratum and stratum not in hh.columns:
        st = dict(zip(stage1.selected[psu].astype(str), stage1.selected[stratum]))
        hh.insert(0, stratum, hh[psu].astype(str).map(st).to_numpy())
    if eligible:
        hh = select_child(hh, eligible=eligible, seed=seed + 2)
        hh["base_weight"] = 1.0 / (hh["p_psu"] * hh["p_hh"] * hh["p_child"])
    else:
        hh["base_weight"] = 1.0 / (hh["p_psu"] * hh["p_hh"])
    return SampleDraw(stage1, hh)
