"""PSUs drawn with probability proportional to size (PPS) without replacement.

A design declares it as R ``svydesign(..., fpc=~p, pps=...)`` does, with ``fpc`` holding each
cluster's inclusion probability π (one column per stage) instead of a population size:

- ``pps="brewer"`` — Brewer's approximation (R ``pps="brewer"``): the with-replacement
  variance of each stratum with every cluster's squared deviation multiplied by its own
  finite-population factor 1 − π_i, i.e. Σ_h n_h/(n_h−1) Σ_i (1 − π_i)(t_i − t̄_h)². It is the
  ordinary kernel of :class:`~dhkit.survey.design.Design` with a per-cluster FPC, so strata,
  several stages (each later stage scaled by the clusters' π, as R ``multistage``), weights
  and the lonely-PSU rules work as on any design.
- ``pps="hr"`` (R ``pps=HR()``: Hartley–Rao) and ``pps="overton"`` (Overton's approximation):
  the Horvitz–Thompson quadratic form x̌ᵀ Ď x̌ of the cluster totals of the weighted
  influence values, with Ď the approximate (π_ij − π_iπ_j)/π_ij within each stratum
  (diagonal 1 − π_i). One stage only, as R. ``variance="YG"`` gives the Yates–Grundy form,
  x̌ᵀ (Ď − diag(1ᵀĎ)) x̌ (R ``svydesign(variance="YG")``).

Domains and missing values keep every row (R's subset of a PPS design sets weights to zero
rather than dropping rows), so every stratum takes part in the lonely-PSU rules.

Why not a library: no Python package reproduces R's approximations to 1e-8; the few lines
here build the per-cluster factors and the operator Ď that the engine's one variance kernel
(:meth:`Design.variance_of_totals`) uses.

References: Brewer K.R.W. (2002) *Combined Survey Sampling Inference*, ch. 9; Hartley H.O.,
Rao J.N.K. (1962) Ann. Math. Statist. 33, 350–374; Overton W.S. (1985) *A sampling plan for
streams in the National Stream Survey*; Berger Y.G. (2004) J. Off. Stat. 20, 49–61; Lumley T.
survey 4.1.1 (``svydesign(pps=)``, ``HR``, ``ppsvar``).

>>> import pandas as pd
>>> from dhkit.survey import Design
>>> df = pd.DataFrame({"y": [10.0, 4, 7, 1], "p": [0.5, 0.2, 0.4, 0.1]})
>>> d = Design(df, fpc="p", pps="brewer")          # weights 1/p, as R
>>> round(float(d.total("y").table.estimate[0]), 4), round(float(d.total("y").table.se[0]), 4)
(67.5, 8.5999)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError

PPS_METHODS = ("brewer", "hr", "overton")
VARIANCES = ("HT", "YG")


def _rows(mask: np.ndarray) -> str:
    from dhkit.survey.design import _rows as rows

    return rows(mask)


def check_declaration(pps, variance: str, psu, fpc) -> tuple[str | None, str]:
    """The validated (method, variance) of a design's PPS declaration.

    >>> check_declaration("Brewer", "HT", "psu", "p")
    ('brewer', 'HT')
    """
    var = str(variance).upper()
    if var not in VARIANCES:
        raise DhkitError("EST-034", f"variance='{variance}' is not a variance form; use HT "
                         "(Horvitz–Thompson) or YG (Yates–Grundy, with pps='hr' or 'overton').")
    if pps is None or pps is False:
        if var != "HT":
            raise DhkitError("EST-034", "variance='YG' needs a PPS design: declare pps='hr' or "
                             "pps='overton' with the inclusion probabilities as fpc.")
        return None, "HT"
    method = str(pps).lower()
    if method not in PPS_METHODS:
        raise DhkitError("EST-034", f"pps='{pps}' is not a method; use one of "
                         f"{', '.join(PPS_METHODS)} (R pps=\"brewer\", HR(), \"overton\").")
    if method == "brewer" and var != "HT":
        raise DhkitError("EST-034", "pps='brewer' has the Horvitz–Thompson form only (as R); "
                         "use variance='HT', or pps='hr'/'overton' for Yates–Grundy.")
    fpcs = [fpc] if isinstance(fpc, str) else list(fpc or [])
    if not fpcs:
        raise DhkitError("EST-035", f"pps='{method}' needs each cluster's inclusion "
                         "probability: give fpc= (--fpc) a column of probabilities per stage "
                         "(as R svydesign(fpc=~p, pps=...)).")
    psus = [psu] if isinstance(psu, str) else list(psu or [])
    if method != "brewer" and len(psus) > 1:
        raise DhkitError("EST-034", f"pps='{method}' has one stage of clusters (as R); give one "
                         "psu column, or use pps='brewer' for a multistage design.")
    return method, var


def probabilities(d, n_stages: int) -> np.ndarray:
    """The (rows × stages) inclusion probabilities from a PPS design's fpc columns, each in
    (0, 1] and present on every row (EST-035 names the rows otherwise)."""
    if len(d.fpc_names) != n_stages:
        raise DhkitError("EST-007", f"{len(d.fpc_names)} fpc column(s) for {n_stages} stage(s) "
                         "of clusters; give one column of inclusion probabilities per stage.")
    cols = []
    for name in d.fpc_names:
        col = d._column(name, "fpc")
        v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        where = f"in fpc column '{name}' (pps='{d.pps}')"
        if np.isnan(v).any():
            raise DhkitError("EST-035", f"inclusion probability missing or not numeric {where} at "
                             f"{_rows(np.isnan(v))}. Give every row its cluster's probability.")
        if (v > 1).any():
            raise DhkitError("EST-035", f"inclusion probability above 1 {where} at {_rows(v > 1)}"
                             f" (e.g. {v[v > 1][0]:g}). A PPS design needs probabilities in (0, 1],"
                             " not population sizes; cap certainty units at 1.")
        if (v <= 0).any():
            raise DhkitError("EST-035", f"inclusion probability zero or negative {where} at "
                             f"{_rows(v <= 0)}. Every sampled cluster has a probability > 0.")
        cols.append(v)
    return np.column_stack(cols)


def stage_probabilities(p_rows: np.ndarray, cluster: np.ndarray, n_clusters: int, name: str,
                        stage: int) -> np.ndarray:
    """Each cluster's π at one stage; it must be the same on all the cluster's rows."""
    lo = np.full(n_clusters, np.inf)
    hi = np.full(n_clusters, -np.inf)
    np.minimum.at(lo, cluster, p_rows)
    np.maximum.at(hi, cluster, p_rows)
    varies = hi - lo > 1e-12 * np.maximum(1.0, hi)
    if varies.any():
        bad = np.isin(cluster, np.flatnonzero(varies))
        raise DhkitError("EST-035", f"inclusion probability in fpc column '{name}' varies within a "
                         f"stage-{stage + 1} cluster ({_rows(bad)}); it is the cluster's "
                         "probability, one value per cluster.")
    return hi


def check_weights(d) -> None:
    """Hartley–Rao and Overton designs take their weights from the probabilities (R ignores
    ``weights=`` for them): given weights must be 1/π."""
    prob = d.stages[0].prob[d.stages[0].cluster]
    off = np.abs(d.w * prob - 1) > 1e-8
    if off.any():
        raise DhkitError("EST-034", f"weights column '{d.weights_name}' is not 1/π of fpc "
                         f"'{d.fpc_names[0]}' at {_rows(off)}; pps='{d.pps}' is a one-stage design "
                         "weighted by 1/π (as R). Leave out weights=, or use pps='brewer' for "
                         "weights from later stages or adjustments.")


class JointOperator:
    """Ď (clusters × clusters) of Hartley–Rao or Overton as an operator: ``D @ t`` without
    the dense within-stratum blocks (a stratum of 3,000 PSUs would need 9M entries).

    Off the diagonal Ď_ij = (a_i + a_j + c_h)/(n_h − 1) — Hartley–Rao (R ``HRDcheck``):
    a = π, c_h = −1 − mean(π) (the sample estimate of Σπ²/n, as R's ``HR()``); Overton (R
    ``overton2Dcheck``): a = π/2, c_h = −1 — and 0 where R's "fbar == 1" holds (π_i + π_j = 1
    for Hartley–Rao, both π = 1 for Overton); on the diagonal 1 − π_i. So Ď·t is two sums per
    stratum plus a correction from the sums over the clusters whose π pairs with another's.
    ``variance="YG"`` subtracts each column's sum from the diagonal (R ``ygvar.matrix``).

    >>> from types import SimpleNamespace
    >>> st = SimpleNamespace(prob=np.array([0.5, 0.2, 0.4]), stratum=np.zeros(3, int))
    >>> (JointOperator(st, "overton", "HT") @ np.eye(3)).round(3).tolist()
    [[0.5, -0.325, -0.275], [-0.325, 0.8, -0.35], [-0.275, -0.35, 0.6]]
    """

    def __init__(self, stage, method: str, variance: str) -> None:
        p = np.asarray(stage.prob, dtype=float)
        h = np.asarray(stage.stratum, dtype=np.int64)
        self.method, self.p, self.h = method, p, h
        k = int(h.max()) + 1 if len(h) else 0
        n = np.bincount(h, minlength=k).astype(float)
        self.n_h = n
        self.a = p if method == "hr" else p / 2
        mean_p = np.bincount(h, weights=p, minlength=k) / np.maximum(n, 1)
        self.c = (-1 - mean_p) if method == "hr" else -np.ones(k)
        self.inv = np.divide(1.0, n - 1, out=np.zeros(k), where=n > 1)[h]  # 0: one PSU
        self.diag_l = (2 * self.a + self.c[h]) * self.inv
        self.group, self.partner = self._pairs()
        self.yg = None
        if variance == "YG":
            self.yg = self @ np.ones((len(p), 1))

    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Groups of clusters with the same (stratum, π), and each group's partner group
        (π_i + π_j == 1 exactly for Hartley–Rao, (π_i + π_j)/2 == 1 for Overton; −1: none)."""
        keys, group = np.unique(np.column_stack([self.h, self.p]), axis=0, return_inverse=True)
        group = np.asarray(group).ravel()
        partner = np.full(len(keys), -1, dtype=np.int64)
        for hh in np.unique(keys[:, 0]):
            rows = np.flatnonzero(keys[:, 0] == hh)
            vals = keys[rows, 1]   # sorted
            target = 1 - vals if self.method == "hr" else 2 - vals
            pos = np.searchsorted(vals, target)
            for off in (-2, -1, 0, 1, 2):
                j = np.clip(pos + off, 0, len(vals) - 1)
                s = vals + vals[j]
                hit = (s == 1) if self.method == "hr" else (s / 2 == 1)
                partner[rows[hit]] = rows[j[hit]]
        return group, partner

    def __matmul__(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        k = len(self.n_h)
        s = group_rows(self.h, t, k)
        at = self.a[:, None] * t
        sa = group_rows(self.h, at, k)
        inv = self.inv[:, None]
        out = ((self.a + self.c[self.h])[:, None] * s[self.h] + sa[self.h]) * inv
        out -= self.diag_l[:, None] * t
        out += (1 - self.p)[:, None] * t
        has = self.partner[self.group] >= 0
        if has.any():   # R zeroes the "fbar == 1" pairs
            ng = len(self.partner)
            tg, ag = group_rows(self.group, t, ng), group_rows(self.group, at, ng)
            q = self.partner[self.group[has]]
            e = ((self.a[has] + self.c[self.h[has]])[:, None] * tg[q] + ag[q]) * inv[has]
            own = (q == self.group[has])[:, None]   # the pair (i, i) is the diagonal: kept
            e -= np.where(own, self.diag_l[has, None] * t[has], 0.0)
            out[has] -= e
        if self.yg is not None:
            out -= self.yg * t
        return out


def group_rows(codes: np.ndarray, x: np.ndarray, size: int) -> np.ndarray:
    """Column sums of ``x`` (m, k) by integer ``codes`` into (size, k)."""
    from dhkit.survey.design import group_sum

    return group_sum(codes, x, size).reshape(size, x.shape[1])
