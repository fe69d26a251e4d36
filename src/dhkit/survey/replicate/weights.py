"""Replicate weights made from a linearization design: the one place dhkit makes them.

``as_replicate`` is R ``as.svrepdesign`` (JK1, JKn, bootstrap); the factor functions follow
``jk1weights``, ``jknweights``, ``bootweights`` and ``subbootweights`` of R survey 4.1.1.
Bootstrap draws come from numpy's generator (seeded), so they cannot equal R's draws, but
the variance formula given the same weights does. The first-stage FPC is kept (JK1, JKn,
bootstrap) and a stratum with one PSU follows the design's lonely-PSU rule, as R.
:mod:`dhkit.weighting.replicate` re-calibrates these weights per replicate; it makes none.
"""

from __future__ import annotations

import numpy as np

from dataclasses import dataclass

import pandas as pd

from dhkit.errors import DhkitError
from dhkit.survey.replicate.design import ReplicateDesign


def jk1_weights(psu: np.ndarray, fpc: float | None = None) -> tuple[np.ndarray, float]:
    """Delete-one-PSU jackknife replicate factors (R ``jk1weights``), unstratified.

    ``fpc`` is the population number of PSUs (or None). Returns ((n, PSUs) factors, scale),
    replicates in order of each PSU's first appearance.

    >>> f, s = jk1_weights(np.array([1, 1, 2, 3]))
    >>> f[:, 0], s
    (array([0. , 0. , 1.5, 1.5]), 0.6666666666666666)
    """
    index, k = _first_appearance(psu)
    if k < 2:
        raise DhkitError("EST-011", "JK1 needs at least 2 PSUs; the design has 1.")
    f = np.where(index[:, None] == np.arange(k)[None, :], 0.0, k / (k - 1))
    corr = 1.0 if fpc is None else _fpc_correction(fpc, k)
    return f, corr * (k - 1) / k


def jkn_weights(
    strata: np.ndarray,
    psu: np.ndarray,
    fpc: np.ndarray | None = None,
    lonely_psu: str = "fail",
    labels: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Stratified delete-one-PSU jackknife (R ``jknweights``).

    Returns ((n, replicates) factors, rscales (n_h-1)/n_h times the FPC, scale). Strata and
    PSUs are taken in order of first appearance. A stratum with one PSU follows
    ``lonely_psu`` as R: ``fail``; ``remove``/``certainty`` (no replicate); ``average``
    (no replicate, scale multiplied by PSUs/replicates); ``adjust`` (one replicate).
    """
    s_index, ns = _first_appearance(strata)
    p_index, k = _first_appearance(psu)
    psu_stratum = np.empty(k, dtype=np.int64)
    psu_stratum[p_index] = s_index
    cols, rsc = [], []
    for h in range(ns):
        members = np.flatnonzero(psu_stratum == h)
        nh = members.size
        corr = 1.0 if fpc is None else _fpc_correction(fpc[s_index == h][0], nh)
        if corr == 0:
            continue  # fully sampled stratum: no variance, no replicates (R drop.replicates)
        if nh == 1:
            if lonely_psu == "fail":
                name = (repr(str(labels[np.flatnonzero(s_index == h)[0]])) if labels is not None
                        else f"{h + 1} (in order of appearance)")
                raise DhkitError("EST-012", f"stratum {name} has only one PSU; choose "
                                 "lonely_psu remove, certainty, adjust or average on the "
                                 "design (as R options(survey.lonely.psu=)).")
            if lonely_psu == "adjust":
                cols.append(np.where(s_index == h, 0.0, ns / (ns - 1)))
                rsc.append((ns - 1) / ns)
            continue
        in_h = s_index == h
        for j in members:
            cols.append(np.where(in_h, np.where(p_index == j, 0.0, nh / (nh - 1)), 1.0))
            rsc.append(corr * (nh - 1) / nh)
    if not cols:
        raise DhkitError("REP-007", "every stratum was fully sampled or removed: there is no "
                         "sampling variance to replicate.")
    scale = k / len(cols) if (lonely_psu == "average" and len(cols) < k) else 1.0
    return np.column_stack(cols), np.array(rsc), scale


def bootstrap_weights(
    strata: np.ndarray,
    psu: np.ndarray,
    replicates: int = 50,
    seed: int | np.random.Generator | None = None,
    fpc: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Survey bootstrap factors as R ``bootweights`` (Canty & Davison 1999).

    In each stratum, n_h PSUs are drawn with replacement from the n_h sampled (or, with
    ``fpc`` population sizes, without replacement from the PSUs repeated to the population
    size); a PSU's factor is the number of times it is drawn. Scale ``nbar/((nbar-1)(R-1))``
    with nbar the harmonic mean of PSUs per stratum. Returns ((n, replicates), scale).
    """
    if int(replicates) < 2:
        raise DhkitError("REP-012", f"bootstrap needs at least 2 replicates, got {replicates}.")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    s_index, ns = _first_appearance(strata)
    p_index, k = _first_appearance(psu)
    psu_stratum = np.empty(k, dtype=np.int64)
    psu_stratum[p_index] = s_index
    counts = np.empty((k, replicates))
    nh_all = np.bincount(psu_stratum, minlength=ns)
    for h in range(ns):
        members = np.flatnonzero(psu_stratum == h)
        nh = members.size
        if fpc is None:
            draws = rng.multinomial(nh, np.full(nh, 1.0 / nh), size=replicates)
        else:
            pop = int(float(fpc[s_index == h][0]))  # R rep(length=) truncates
            if pop < nh:
                raise DhkitError("EST-008", f"population size {pop} is smaller than the "
                                 f"{nh} sampled PSUs in stratum {h + 1}; check the fpc.")
            colors = np.full(nh, pop // nh)
            colors[rng.permutation(nh)[: pop % nh]] += 1
            draws = rng.multivariate_hypergeometric(colors, nh, size=replicates)
        counts[members] = draws.T
    nbar = 1.0 / np.mean(1.0 / nh_all)
    if nbar <= 1:
        raise DhkitError("REP-007", "bootstrap needs at least 2 PSUs per stratum on average.")
    return counts[p_index], nbar / ((nbar - 1) * (replicates - 1))


def _first_appearance(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes renumbered 0..k-1 in order of first appearance (R ``match(x, unique(x))``)."""
    _, first, inverse = np.unique(np.asarray(codes), return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse.ravel()], first.size


def _fpc_correction(pop: float, n: int) -> float:
    """(N - n)/N from a population size, or 1 - f from a sampling fraction (<= 1), as R."""
    pop = float(pop)
    if np.isinf(pop):
        return 1.0
    if pop <= 1:
        return 1.0 - pop
    if pop < n:
        raise DhkitError("EST-008", f"population size {pop:g} is smaller than the {n} sampled "
                         "PSUs; check the fpc.")
    return (pop - n) / pop


def as_replicate(
    design,
    type: str = "auto",
    replicates: int = 50,
    seed: int | np.random.Generator | None = None,
    mse: bool = False,
) -> ReplicateDesign:
    """Replicate weights for a linearization ``Design`` (R ``as.svrepdesign``).

    ``type="auto"`` gives JK1 for an unstratified design and JKn for a stratified one; also
    ``"bootstrap"`` (``replicates`` draws from ``seed``). The first-stage FPC is kept (JK1,
    JKn, bootstrap), later stages are dropped, as R. Sampling weights are the design's.

    >>> import pandas as pd
    >>> from dhkit.survey import Design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": 1.0, "psu": [1, 1, 2, 3]})
    >>> r = as_replicate(Design(df, weights="w", psu="psu"))  # doctest: +SKIP
    >>> r.type, r.replicates  # doctest: +SKIP
    ('JK1', 3)
    """
    strata, psu, fpc, has_strata, lonely = design_arrays(design)
    kind = str(type).strip().lower()
    if kind == "auto":
        kind = "jkn" if has_strata else "jk1"
    if kind not in ("jk1", "jkn", "bootstrap"):
        raise DhkitError("REP-002", f"as_replicate type {type!r} is not supported; use auto, "
                         "JK1, JKn or bootstrap.")
    w = np.asarray(design.w, dtype=float)
    data = design.data
    if kind == "jk1":
        if has_strata:
            raise DhkitError("REP-007", "JK1 is for unstratified designs and this design has "
                             "strata; use type='JKn' (or 'auto').")
        pop = None
        if fpc is not None:
            vals = np.unique(fpc)
            if vals.size > 1:
                raise DhkitError("REP-007", "JK1 needs one population size for all PSUs, "
                                 f"found {vals.size}; use type='JKn' with strata.")
            pop = float(vals[0])
        f, scale = jk1_weights(psu, pop)
        return ReplicateDesign.from_arrays(data, w, f, type="JK1", scale=scale,
                                           rscales=np.ones(f.shape[1]), mse=mse)
    if kind == "jkn":
        if not has_strata:
            raise DhkitError("REP-007", "JKn is for stratified designs and this design has no "
                             "strata; use type='JK1' (or 'auto') or 'bootstrap'.")
        name = getattr(design, "strata_name", None)
        labels = design.data[name].to_numpy() if name in design.data else None
        f, rscales, scale = jkn_weights(strata, psu, fpc, lonely, labels)
        return ReplicateDesign.from_arrays(data, w, f, type="JKn", scale=scale,
                                           rscales=rscales, mse=mse)
    f, scale = bootstrap_weights(strata, psu, int(replicates), seed, fpc)
    return ReplicateDesign.from_arrays(data, w, f, type="bootstrap", scale=scale,
                                       rscales=np.ones(f.shape[1]), mse=mse)


def design_arrays(design) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, bool, str]:
    """(strata codes, PSU codes, first-stage population size per row or None, has strata,
    lonely-PSU rule) of a linearization ``Design``."""
    if getattr(design, "pps", None) is not None:
        raise DhkitError("REP-007", f"replicate weights cannot be made from a PPS design "
                         f"(pps='{design.pps}'): its finite-population correction is one per "
                         "cluster, not per stratum (R's as.svrepdesign refuses too). Use the "
                         "design's own variance, or give replicate weights made for it.")
    strata = np.asarray(design.strata_codes)
    psu = np.asarray(design.psu_codes)
    has_strata = getattr(design, "strata_name", None) is not None
    fpc = None
    stages = getattr(design, "stages", None)
    if stages and stages[0].popsize is not None:
        fpc = np.asarray(stages[0].popsize, dtype=float)[strata]
    return strata, psu, fpc, has_strata, getattr(design, "lonely_psu", "fail")



# --------------------------------------------------------------------------------------------
# replicate weights as arrays (for weighting, which re-calibrates each replicate)


@dataclass(frozen=True)
class ReplicateWeights:
    """An (n, R) matrix of replicate weights (sampling weight included) with R's variance
    constants ``scale`` and ``rscales``; ``full`` the full-sample weights."""

    weights: np.ndarray
    full: np.ndarray
    type: str
    scale: float
    rscales: np.ndarray

    @property
    def replicates(self) -> int:
        return self.weights.shape[1]

    def to_frame(self, prefix: str = "repw") -> pd.DataFrame:
        """Columns ``repw1..repwR`` (for storing with the data)."""
        return pd.DataFrame(self.weights, columns=[f"{prefix}{i + 1}" for i in
                                                   range(self.replicates)])

    def variance(self, thetas: np.ndarray, full: float, mse: bool = False) -> float:
        """R ``svrVar``: scale · Σ rscales (θ_r − centre)²."""
        from dhkit.survey.replicate.variance import svrvar

        return float(svrvar(np.asarray(thetas, dtype=float)[:, None], np.array([full]),
                            scale=self.scale, rscales=self.rscales, mse=mse)[0])

    def to_design(self, data: pd.DataFrame, mse: bool = False) -> ReplicateDesign:
        """A :class:`ReplicateDesign` on ``data``."""
        return ReplicateDesign.from_arrays(data, self.full, self.weights, type=self.type,
                                           scale=self.scale, rscales=self.rscales,
                                           combined_weights=True, mse=mse)


def _nested_psus(strata, psu, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(stratum codes, PSU codes nested in strata, stratum labels), first-appearance order."""
    s_codes, s_labels = pd.factorize(pd.Series(np.zeros(n) if strata is None else np.asarray(strata)),
                                     sort=False)
    key = pd.Series(s_codes).astype(str) + "\x00" + pd.Series(np.asarray(psu)).astype(str)
    p_codes, _ = pd.factorize(key, sort=False)
    return s_codes, p_codes, np.asarray(s_labels, dtype=object)[s_codes]


def jkn_replicate_weights(weights, strata, psu, fpc=None, lonely_psu: str = "fail"
                          ) -> ReplicateWeights:
    """Stratified delete-one-PSU jackknife weights (R ``as.svrepdesign(type = "JKn")``) from
    arrays: :func:`jkn_weights` factors times the weights, PSUs nested in strata. ``fpc``
    (one value per row: the stratum's population of PSUs, or its sampling fraction) enters
    ``rscales`` as R.

    >>> r = jkn_replicate_weights([1., 1., 1., 1.], strata=[1, 1, 2, 2], psu=[1, 2, 3, 4])
    >>> r.weights[:, 0].tolist(), r.rscales.tolist()
    ([0.0, 2.0, 1.0, 1.0], [0.5, 0.5, 0.5, 0.5])
    """
    w = np.asarray(weights, dtype=float)
    s_codes, p_codes, labels = _nested_psus(strata, psu, len(w))
    f = None if fpc is None else np.asarray(fpc, dtype=float)
    factors, rscales, scale = jkn_weights(s_codes, p_codes, f, lonely_psu, labels)
    return ReplicateWeights(w[:, None] * factors, w, "JKn", scale, rscales)


def raowu_bootstrap(weights, strata, psu, replicates: int = 200, seed: int = 1
                    ) -> ReplicateWeights:
    """Rao–Wu rescaling bootstrap with n_h − 1 draws per stratum (R ``subbootweights``;
    Rao & Wu 1988): multiplier = count · n_h / (n_h − 1); ``scale = 1 / (R − 1)``.

    >>> r = raowu_bootstrap([1.] * 6, strata=[1] * 6, psu=range(6), replicates=50, seed=1)
    >>> r.weights.shape, round(float(r.weights.sum(axis=0).mean()), 6)
    ((6, 50), 6.0)
    """
    w = np.asarray(weights, dtype=float)
    s_codes, p_codes, labels = _nested_psus(strata, psu, len(w))
    psu_stratum = np.zeros(p_codes.max() + 1, dtype=int)
    psu_stratum[p_codes] = s_codes
    rng = np.random.default_rng(seed)
    mult = np.zeros((p_codes.max() + 1, replicates))
    for h in range(int(s_codes.max()) + 1):
        psus = np.flatnonzero(psu_stratum == h)
        nh = len(psus)
        if nh < 2:
            raise DhkitError("EST-012", f"stratum {labels[s_codes == h][0]!r} has only one PSU; "
                             "bootstrap replicate weights need two or more per stratum: merge "
                             "it with a neighbour.")
        draws = rng.integers(0, nh, size=(nh - 1, replicates))
        counts = np.stack([np.bincount(draws[:, r], minlength=nh) for r in range(replicates)], 1)
        mult[psus] = counts * nh / (nh - 1)
    return ReplicateWeights(w[:, None] * mult[p_codes], w, "bootstrap",
                            1.0 / (replicates - 1), np.ones(replicates))


def replicate_weights(design, type: str = "JKn", replicates: int = 200, seed: int = 1
                      ) -> ReplicateWeights:
    """Replicate weights of a linearization ``Design`` as arrays: ``JKn`` (with the design's
    first-stage FPC and lonely-PSU rule, exactly the weights of :func:`as_replicate`) or
    ``bootstrap`` (Rao–Wu).

    >>> import pandas as pd
    >>> from dhkit.survey import Design
    >>> d = Design(pd.DataFrame({"w": [1.0] * 4, "s": [1, 1, 2, 2], "c": [1, 2, 3, 4]}),
    ...            weights="w", strata="s", psu="c")
    >>> replicate_weights(d).weights.shape
    (4, 4)
    """
    strata, psu, fpc, _, lonely = design_arrays(design)
    kind = str(type).strip().lower()
    if kind == "jkn":
        labels = (design.data[design.strata_name].to_numpy()
                  if getattr(design, "strata_name", None) else None)
        factors, rscales, scale = jkn_weights(strata, psu, fpc, lonely, labels)
        w = np.asarray(design.w, dtype=float)
        return ReplicateWeights(w[:, None] * factors, w, "JKn", scale, rscales)
    if kind in ("bootstrap", "raowu", "rao-wu"):
        return raowu_bootstrap(design.w, strata, psu, replicates, seed)
    raise DhkitError("REP-002", f"replicate type '{type}': use JKn or bootstrap.")
