"""The linearization design: strata, stages of clusters, weights, FPCs, lonely-PSU rules.

This is R ``survey``'s ``svydesign`` + ``svyrecvar`` (T. Lumley) written for numpy: the
design keeps integer codes for every stage, and :meth:`Design.vcov_total` turns a matrix
of weighted influence values into the design covariance of their totals, exactly as
``svyrecvar`` → ``multistage`` → ``onestage`` → ``onestrat`` do (ultimate-cluster
with-replacement variance by default; with an FPC for every stage, the multistage
variance with each later stage scaled by the earlier sampling fractions).

Why not reuse a library: ``samplics``/``svy`` do not reproduce R's lonely-PSU, domain and
multistage conventions to 1e-8, and none exposes the vectorised many-domain path the batch
engine needs (:mod:`dhkit.survey.batch`).

>>> import pandas as pd
>>> df = pd.DataFrame({"w": [1.0, 2, 1, 2], "s": [1, 1, 2, 2], "c": [1, 2, 3, 4], "y": [1.0, 0, 1, 1]})
>>> d = Design(df, weights="w", strata="s", psu="c")
>>> d.n, d.degf
(4, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from dhkit.errors import DhkitError
from dhkit.survey.base import SurveyDesign

LONELY_RULES = ("fail", "remove", "certainty", "adjust", "average")


def _rows(mask: np.ndarray, k: int = 5) -> str:
    """'rows 3, 8, 11 (and 4 more)' with 1-based data rows."""
    idx = np.flatnonzero(mask)
    shown = ", ".join(str(i + 1) for i in idx[:k])
    more = f" (and {len(idx) - k} more)" if len(idx) > k else ""
    return f"row{'s' if len(idx) > 1 else ''} {shown}{more}"


def columns_hint(names, columns) -> str:
    """What to say after "'X' is not in the data": the close spellings of the missing
    name(s) when there are any ("did you mean 'api00'?"), else the first columns.

    >>> columns_hint("api0", ["cds", "api00", "api99"])
    "did you mean 'api00' or 'api99'?"
    >>> columns_hint("zz", ["a", "b"])
    'columns are a, b.'
    """
    import difflib

    cols = [str(c) for c in columns]
    for name in [names] if isinstance(names, str) else list(names):
        close = difflib.get_close_matches(str(name), cols, n=3, cutoff=0.6)
        if not close:   # a case slip: 'API00' for 'api00'
            close = [c for c in cols if c.lower() == str(name).lower()]
        if close:
            return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    more = f" (and {len(cols) - 12} more)" if len(cols) > 12 else ""
    return f"columns are {', '.join(cols[:12])}{more}."


def _codes(*arrays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..K-1 of the combinations of ``arrays`` (sorted), and the first row of each."""
    if len(arrays) == 1:
        codes, _ = pd.factorize(arrays[0], sort=True)
    else:
        frame = pd.DataFrame({f"k{i}": a for i, a in enumerate(arrays)})
        codes = frame.groupby(list(frame.columns), sort=True, dropna=False).ngroup().to_numpy()
    codes = np.asarray(codes, dtype=np.int64)
    first = np.full(codes.max() + 1 if len(codes) else 0, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return codes, first


def group_sum(codes: np.ndarray, x: np.ndarray, size: int) -> np.ndarray:
    """Sum the rows of ``x`` (n, k) by integer ``codes`` (n,) into a (size, k) array."""
    if x.ndim == 1:
        return np.bincount(codes, weights=x, minlength=size)
    m = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                      shape=(size, len(codes)))
    return np.asarray(m @ x)


@dataclass(frozen=True)
class Stage:
    """One stage of the variance recursion (R ``multistage``): clusters within strata.

    ``cluster`` row codes; ``stratum`` of each cluster; per stratum: ``n_h`` clusters in
    the sample, ``scale`` = f·n/(n-1) (f for a lonely cluster), ``zero`` when f < 1e-7
    (fully sampled), ``mult`` the product of earlier stages' sampling fractions, ``parent``
    the enclosing cluster of the previous stage (0 at stage 1), ``label`` for messages.
    """

    number: int
    cluster: np.ndarray
    n_clusters: int
    stratum: np.ndarray
    n_h: np.ndarray
    f: np.ndarray
    scale: np.ndarray
    zero: np.ndarray
    mult: np.ndarray
    parent: np.ndarray
    n_parents: int
    labels: list[str]
    popsize: np.ndarray | None
    cf: np.ndarray | None = None    # PPS (Brewer): 1 − π of each cluster, the per-cluster fpc
    prob: np.ndarray | None = None  # PPS: inclusion probability π of each cluster

    @property
    def lonely(self) -> np.ndarray:
        return (self.n_h == 1) & ~self.zero

    def rule_weights(self, rule: str) -> np.ndarray:
        """Per stratum, the factor of its sum of squares: f·n/(n−1) times the earlier stages'
        fractions, 0 when fully sampled, and 0 for a lonely PSU under ``remove``,
        ``certainty`` and ``average`` (the lonely-PSU rules' weights, written once)."""
        wh = np.where(self.zero, 0.0, self.mult * self.scale)
        if rule in ("remove", "certainty", "average"):
            wh = np.where(self.lonely, 0.0, wh)
        return wh


def average_factor(parent: np.ndarray, n_parents: int, present: np.ndarray,
                   lonely: np.ndarray) -> np.ndarray:
    """R's ``lonely.psu = "average"``: within each parent (the whole sample at stage 1), the
    variance is scaled by strata present / strata present with more than one PSU.
    ``parent`` (keys,) groups the strata keys, ``present`` (keys, m), ``lonely`` (keys,);
    returns (n_parents, m)."""
    nstrat = group_sum(parent, present.astype(float), n_parents)
    nok = group_sum(parent, (present & ~lonely[:, None]).astype(float), n_parents)
    return np.divide(nstrat, nok, out=np.zeros_like(nstrat), where=nok > 0)


def adjust_lonely(ss: np.ndarray, s: np.ndarray, lonely: np.ndarray) -> None:
    """R's ``lonely.psu = "adjust"``: a lonely PSU's deviation is measured from zero (the
    grand mean of influence values), so its stratum's sum of squares is its total squared."""
    ss[lonely] = s[lonely] ** 2


class Design(SurveyDesign):
    """A linearization survey design (R ``svydesign``), one object for every estimator.

    Reference: Lumley T. (2024) survey: analysis of complex survey samples, R package
    4.1.1 (``svydesign``, ``svyrecvar``); Wolter (2007) *Introduction to Variance
    Estimation*, ch. 6 (Taylor series).

    Parameters mirror R: ``weights`` a column of sampling weights (``None``: derived from the
    FPC as R does, ``Design(apiclus2, psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])``; equal
    weights with a warning when there is no FPC either), ``psu`` one column per stage (``None``: every row its own PSU),
    ``fpc`` one column per stage as population size (>1) or sampling fraction (<=1),
    ``nest`` relabels PSUs within strata, ``lonely_psu`` as ``options(survey.lonely.psu=)``,
    ``pps`` ("brewer", "hr", "overton") for PSUs drawn with probability proportional to size
    without replacement, ``fpc`` then holding each cluster's inclusion probability, and
    ``variance`` "HT" or "YG" (R ``svydesign(pps=, variance=)``; :mod:`dhkit.survey.pps`).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"w": [2.0, 2, 3, 3], "c": [1, 1, 2, 2], "y": [1.0, 0, 1, 1]})
    >>> d = Design(df, weights="w", psu="c")
    >>> round(float(d.mean("y").table.estimate[0]), 4)
    0.8
    """

    def __init__(self, data: pd.DataFrame, *, weights: str | None = None, strata: str | None = None,
                 psu: str | Sequence[str] | None = None, fpc: str | Sequence[str] | None = None,
                 nest: bool = False, lonely_psu: str = "fail", pps: str | None = None,
                 variance: str = "HT") -> None:
        if lonely_psu not in LONELY_RULES:
            raise DhkitError("EST-010", f"lonely_psu='{lonely_psu}' is not a rule; use one of "
                             f"{', '.join(LONELY_RULES)} (as R options(survey.lonely.psu=)).")
        from dhkit.survey.pps import check_declaration

        self.pps, self.pps_variance = check_declaration(pps, variance, psu, fpc)
        self.data = data.reset_index(drop=True)
        self.weights_name = weights
        self.strata_name = strata
        self.psu_names = [psu] if isinstance(psu, str) else list(psu or [])
        self.fpc_names = [fpc] if isinstance(fpc, str) else list(fpc or [])
        self.nest = nest
        self.lonely_psu = lonely_psu
        self.n = len(self.data)
        self.w = self._weights() if weights is not None else np.ones(self.n)
        self._adjust: tuple[Callable[[np.ndarray], np.ndarray], ...] = ()
        self._build_stages()
        if weights is None:
            self._weights_from_fpc()
        self._pps_matrix = None
        if self.pps in ("hr", "overton"):
            from dhkit.survey.pps import JointOperator, check_weights

            if weights is not None:
                check_weights(self)
            self._pps_matrix = JointOperator(self.stages[0], self.pps, self.pps_variance)

    # ---- construction ---------------------------------------------------------------
    def _column(self, name: str, role: str) -> pd.Series:
        if name not in self.data.columns:
            raise DhkitError("EST-013", f"{role} column '{name}' is not in the data; "
                             f"{columns_hint(name, self.data.columns)}")
        return self.data[name]

    def _weights(self) -> np.ndarray:
        col = self._column(self.weights_name, "weights")
        w = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(w) & col.notna().to_numpy()
        if bad.any():
            raise DhkitError("EST-014", f"weights column '{self.weights_name}' is not numeric at "
                             f"{_rows(bad)}. Fix the values or choose the right column.")
        if np.isnan(w).any():
            raise DhkitError("EST-001", f"weights column '{self.weights_name}' is missing at "
                             f"{_rows(np.isnan(w))}. Give every row a weight (0 to leave it out).")
        if (w < 0).any():
            raise DhkitError("EST-002", f"weights column '{self.weights_name}' is negative at "
                             f"{_rows(w < 0)}. Weights must be >= 0.")
        if not np.isfinite(w).all():
            raise DhkitError("EST-002", f"weights column '{self.weights_name}' is infinite at "
                             f"{_rows(~np.isfinite(w))}. Weights must be finite.")
        if w.sum() <= 0:
            raise DhkitError("EST-003", f"weights column '{self.weights_name}' sums to zero. "
                             "Check that the right column was chosen.")
        return w

    def _weights_from_fpc(self) -> None:
        """No weight column (R ``svydesign`` without ``weights``/``probs``): each row's weight
        is the product over stages of population / sample clusters in its stratum (R computes
        ``prob`` from the FPC the same way); without an FPC, equal weights with a warning."""
        if not self.fpc_names:
            import warnings

            warnings.warn("no weights or FPC given: equal probability assumed (as R svydesign)",
                          stacklevel=3)
            return
        w = np.ones(self.n)
        for st in self.stages:
            if st.prob is not None:   # PPS: 1/π of the row's cluster at every stage
                w /= st.prob[st.cluster]
                continue
            h = st.stratum[st.cluster]
            w *= st.popsize[h] / st.n_h[h]
        self.w = w

    def _ids(self) -> list[np.ndarray]:
        """Stage cluster labels (before nesting), missing values rejected."""
        if not self.psu_names:
            return [np.arange(self.n)]
        out = []
        for name in self.psu_names:
            col = self._column(name, "PSU")
            miss = col.isna().to_numpy()
            if miss.any():
                raise DhkitError("EST-005", f"cluster (PSU) column '{name}' is missing at "
                                 f"{_rows(miss)}. Every row needs its cluster.")
            out.append(col.to_numpy())
        return out

    def _build_stages(self) -> None:
        ids = self._ids()
        if self.strata_name:
            col = self._column(self.strata_name, "strata")
            miss = col.isna().to_numpy()
            if miss.any():
                raise DhkitError("EST-004", f"strata column '{self.strata_name}' is missing at "
                                 f"{_rows(miss)}. Every row needs its stratum.")
            strata_raw = col.to_numpy()
        else:
            strata_raw = np.zeros(self.n, dtype=np.int64)
        s_codes, s_first = _codes(strata_raw)
        self.strata_codes = s_codes
        self._strata_labels = [str(strata_raw[i]) for i in s_first]
        has_strata = self.strata_name is not None
        # stage cluster codes: stage i = interaction(ids[0..i]); with nest, also the stratum
        cluster_codes = []
        for i in range(len(ids)):
            keys = ([s_codes] if (self.nest and has_strata) else []) + [ids[j] for j in range(i + 1)]
            cluster_codes.append(_codes(*keys))
        c1, c1_first = cluster_codes[0]
        if len(c1_first) == 1 and not (self.nest and has_strata):
            raise DhkitError("EST-011", "the design has only one primary sampling unit (PSU); "
                             "variances cannot be estimated. Check the --psu column.")
        if has_strata and not self.nest:
            n_str = pd.Series(s_codes).groupby(c1).nunique().to_numpy()
            if (n_str > 1).any():
                bad_psu = np.flatnonzero(n_str > 1)
                bad_rows = np.isin(c1, bad_psu)
                name = self.psu_names[0] if self.psu_names else "row"
                labels = ", ".join(str(ids[0][c1_first[p]]) for p in bad_psu[:5])
                raise DhkitError("EST-006", f"clusters not nested in strata: PSU '{name}' value(s) "
                                 f"{labels} appear in more than one stratum of '{self.strata_name}' "
                                 f"({_rows(bad_rows)}). Use nest=True (--nest) if PSU labels repeat "
                                 "across strata, as R's svydesign(nest=TRUE).")
        self.psu_codes = c1
        fpcs = self._fpcs(len(ids))
        stages: list[Stage] = []
        strat_codes, strat_labels = s_codes, self._strata_labels
        for i, (cc, cfirst) in enumerate(cluster_codes):
            if i > 0:
                prev_c = cluster_codes[i - 1][0]
                strat_codes, sfirst = _codes(s_codes, prev_c)
                strat_labels = [f"{self._strata_labels[s_codes[r]]}.{ids[i - 1][r]}" for r in sfirst]
            n_cl = len(cfirst)
            stratum_of_cluster = strat_codes[cfirst]
            n_str = int(strat_codes.max()) + 1
            n_h = np.bincount(stratum_of_cluster, minlength=n_str).astype(float)
            first_row_h = np.full(n_str, -1)
            first_row_h[strat_codes[::-1]] = np.arange(self.n)[::-1]
            popsize = cf = prob = None
            if fpcs is not None and self.pps is not None:
                from dhkit.survey.pps import stage_probabilities

                prob = stage_probabilities(fpcs[:, i], cc, n_cl, self.fpc_names[i], i)
                cf = 1.0 - prob
                f = np.ones(n_str)
            elif fpcs is not None:
                raw = fpcs[:, i]
                pop_rows = raw if self._fpc_is_popsize else n_h[strat_codes] / raw
                self._check_fpc_constant(pop_rows, strat_codes, i)
                popsize = pop_rows[first_row_h]
                if (popsize < n_h - 1e-9).any():
                    h = int(np.argmax(popsize < n_h - 1e-9))
                    raise DhkitError("EST-008", f"fpc at stage {i + 1} implies more than 100% sampling "
                                     f"in stratum {strat_labels[h]} (population {popsize[h]:g}, "
                                     f"sample {n_h[h]:g} clusters). Check the fpc column.")
                f = np.where(np.isinf(popsize), 1.0, (popsize - n_h) / popsize)
            else:
                f = np.ones(n_str)
            scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)
            zero = f < 1e-7
            if cf is not None:  # R onestrat: no variance when every cluster is taken with certainty
                zero = np.bincount(stratum_of_cluster, weights=(cf >= 1e-7).astype(float),
                                   minlength=n_str) == 0
            if i == 0:
                parent = np.zeros(n_str, dtype=np.int64)
                n_par = 1
                mult = np.ones(n_str)
            else:
                prev = stages[-1]
                prev_c = cluster_codes[i - 1][0]
                parent = prev_c[first_row_h]
                n_par = prev.n_clusters
                prev_h = prev.stratum[parent]
                if prev.prob is not None:  # R multistage: × n/N of the cluster, i.e. its π
                    mult = prev.mult[prev_h] * prev.prob[parent]
                else:
                    mult = prev.mult[prev_h] * prev.n_h[prev_h] / prev.popsize[prev_h]
            stages.append(Stage(i + 1, cc, n_cl, stratum_of_cluster, n_h, f, scale, zero,
                                mult, parent, n_par, strat_labels, popsize, cf, prob))
            if fpcs is None:  # R recurses to later stages only when FPCs are given
                break
        self.stages = stages
        w_pos = self.w != 0
        self.degf = int(len(np.unique(c1[w_pos])) - len(np.unique(s_codes[w_pos])))

    @property
    def _fpc_is_popsize(self) -> bool:
        return self._popsize_flag

    def _fpcs(self, n_stages: int) -> np.ndarray | None:
        if not self.fpc_names:
            return None
        if len(self.fpc_names) != n_stages:
            raise DhkitError("EST-007", f"{len(self.fpc_names)} fpc column(s) for {n_stages} stage(s) "
                             "of clusters; give one fpc per stage (as R svydesign requires).")
        if self.pps is not None:
            from dhkit.survey.pps import probabilities

            return probabilities(self, n_stages)
        cols = []
        for name in self.fpc_names:
            col = self._column(name, "fpc")
            v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
            if np.isnan(v).any():
                raise DhkitError("EST-007", f"fpc column '{name}' is missing or not numeric at "
                                 f"{_rows(np.isnan(v))}. Give the population size or sampling fraction.")
            cols.append(v)
        m = np.column_stack(cols)
        big = m > 1
        if big.any() and not (m >= 1).all():
            raise DhkitError("EST-007", "fpc mixes population sizes (>1) and sampling fractions (<1) "
                             f"at {_rows((m < 1).any(axis=1))}. Use one kind for every stage.")
        if (m <= 0).any():
            raise DhkitError("EST-007", f"fpc is zero or negative at {_rows((m <= 0).any(axis=1))}.")
        self._popsize_flag = bool(big.any())
        return m

    def _check_fpc_constant(self, pop: np.ndarray, strat: np.ndarray, stage: int) -> None:
        lo = pd.Series(pop).groupby(strat).agg(["min", "max"]).to_numpy()
        varies = lo[:, 1] - lo[:, 0] > 1e-9 * np.maximum(1, np.abs(lo[:, 1]))
        if varies.any():
            h = int(np.argmax(varies))
            raise DhkitError("EST-009", f"fpc varies within stratum {h + 1} at stage {stage + 1} "
                             f"({_rows(strat == h)}); it must be constant within strata.")

    # ---- the variance kernel -------------------------------------------------------------
    def _stage_maps(self) -> list[np.ndarray]:
        """For each stage, the stage cluster of every finest-stage cluster."""
        maps = self.__dict__.get("_maps")
        if maps is None:
            finest = self.stages[-1].cluster
            maps = []
            for st in self.stages:
                m = np.zeros(self.stages[-1].n_clusters, dtype=np.int64)
                m[finest] = st.cluster
                maps.append(m)
            self.__dict__["_maps"] = maps
        return maps

    def cluster_totals(self, x: np.ndarray) -> np.ndarray:
        """Totals (finest clusters, k) of the columns of ``x`` (n, k) after the design's
        score adjustments (calibration residuals) — everything the variance needs.

        >>> import numpy as np, pandas as pd
        >>> d = Design(pd.DataFrame({"w": [1.0] * 4, "c": [1, 1, 2, 2]}), weights="w", psu="c")
        >>> d.cluster_totals(np.array([[1.0], [2.0], [3.0], [4.0]])).ravel().tolist()
        [3.0, 7.0]
        """
        from dhkit.survey.calibration import ScoreAdjustment

        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        n_fin = self.stages[-1].n_clusters
        if not self._adjust:
            return group_sum(self.stages[-1].cluster, x, n_fin)
        if all(isinstance(a, ScoreAdjustment) for a in self._adjust):
            t = group_sum(self.stages[-1].cluster, x, n_fin)
            done: list[tuple[ScoreAdjustment, np.ndarray]] = []
            for a in self._adjust:
                s = a.cell_sums(x)
                for q, h in done:
                    s -= cross_sums(a, q) @ h
                h = a.correction(s)
                done.append((a, h))
                t -= self.post_sums(a) @ h
            return t
        for adj in self._adjust:  # any other linear map acts on the rows
            x = np.asarray(adj(x), dtype=float).reshape(x.shape)
        return group_sum(self.stages[-1].cluster, x, n_fin)

    def post_sums(self, a) -> sp.csr_matrix:
        """(finest clusters × cells) sums of an adjustment's ``post`` over the calibrated
        rows (cached): how much of a cell's correction falls on each cluster."""
        cache = self.__dict__.setdefault("_post_cache", {})
        key = id(a)
        if key not in cache:
            base = self._base_cluster
            cache[key] = (sp.csr_matrix((a.post, (base, a.cell)),
                                        shape=(self.stages[-1].n_clusters, a.ncell)), a)
        return cache[key][0]

    @property
    def _base_cluster(self) -> np.ndarray:
        """Finest cluster of each calibrated row (the design's own rows, or a linked
        design's parent rows)."""
        return self.__dict__.get("_parent_cluster", self.stages[-1].cluster)

    def variance_of_totals(self, t: np.ndarray, present: np.ndarray | None = None,
                           covariance: bool = False) -> np.ndarray:
        """The design variance from finest-cluster totals ``t`` (n_clusters, k): R
        ``svyrecvar`` → ``multistage`` → ``onestrat``, every lonely-PSU rule written here
        once. ``present`` (n_clusters, k) marks the clusters holding rows of each column's
        subset (strata without any do not take part in the lonely-PSU rules); default all.
        Returns the k variances, or the (k, k) covariance (one subset for all columns).

        >>> import numpy as np, pandas as pd
        >>> d = Design(pd.DataFrame({"w": [1.0] * 4, "c": [1, 2, 3, 4]}), weights="w", psu="c")
        >>> d.variance_of_totals(np.array([[1.0], [2.0], [3.0], [4.0]])).round(4).tolist()
        [6.6667]
        """
        t = np.asarray(t, dtype=float)
        if self.__dict__.get("_pps_matrix") is not None:  # Hartley–Rao / Overton: x̌ᵀ Ď x̌
            dt = np.asarray(self._pps_matrix @ t)
            return t.T @ dt if covariance else (t * dt).sum(axis=0)
        k = t.shape[1]
        out = np.zeros((k, k)) if covariance else np.zeros(k)
        rule = self.lonely_psu
        for st, fmap in zip(self.stages, self._stage_maps()):
            n_str = len(st.n_h)
            tot = t if st is self.stages[-1] else group_sum(fmap, t, st.n_clusters)
            s = group_sum(st.stratum, tot, n_str)
            dev = tot - (s / st.n_h[:, None])[st.stratum]
            lonely = st.lonely
            if present is None:
                h_pres = np.ones((n_str, 1 if covariance else k), dtype=bool)
            else:
                cl = group_sum(fmap, np.asarray(present, float), st.n_clusters) > 0
                h_pres = group_sum(st.stratum, cl.astype(float), n_str) > 0
                if covariance:
                    h_pres = h_pres.any(axis=1, keepdims=True)
            self._check_lonely(st, lonely & h_pres.any(axis=1))
            wh = st.rule_weights(rule)
            fac = (average_factor(st.parent, st.n_parents, h_pres, lonely)
                   if rule == "average" and lonely.any() else None)
            if covariance:
                if rule == "adjust" and lonely.any():  # adjust_lonely, in deviation form
                    dev[lonely[st.stratum]] = tot[lonely[st.stratum]]
                wc = wh if fac is None else wh * fac[st.parent, 0]
                wc = wc[st.stratum] if st.cf is None else wc[st.stratum] * st.cf
                out += (dev * wc[:, None]).T @ dev
            else:
                sq = dev * dev if st.cf is None else dev * dev * st.cf[:, None]
                ss = group_sum(st.stratum, sq, n_str)
                if rule == "adjust" and lonely.any():
                    adjust_lonely(ss, s, lonely)
                    if st.cf is not None:  # the lonely cluster's own 1 − π
                        ss[lonely] *= group_sum(st.stratum, st.cf, n_str)[lonely][:, None]
                contrib = wh[:, None] * ss
                if fac is None:
                    out += contrib.sum(axis=0)
                else:
                    out += (group_sum(st.parent, contrib, st.n_parents) * fac).sum(axis=0)
        return out

    def vcov_total(self, x: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
        """Design covariance (k, k) of the totals of the columns of ``x`` (R ``svyrecvar``).

        ``x`` (n, k) holds weighted influence values. ``present`` (n,) marks the rows of the
        subset an estimate is computed on (R's physically subset design): it decides which
        strata take part for the lonely-PSU rules; default all rows. A calibrated design
        ignores it: R's subset of a calibrated design keeps every row (weights set to zero).

        >>> import numpy as np, pandas as pd
        >>> d = Design(pd.DataFrame({"w": [1.0] * 4, "c": [1, 2, 3, 4]}), weights="w", psu="c")
        >>> float(d.vcov_total(np.array([[1.0], [2.0], [3.0], [4.0]]))[0, 0])
        6.666666666666667
        """
        t = self.cluster_totals(x)
        pres = None
        if present is not None and not self._keeps_rows:
            pres = group_sum(self.stages[-1].cluster, np.asarray(present, float),
                             self.stages[-1].n_clusters)[:, None] > 0
        return self.variance_of_totals(t, pres, covariance=True)

    def var_total(self, x: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
        """Variances (k,) of the totals of the columns of ``x`` — the diagonal of
        :meth:`vcov_total` — where column j is computed on its own subset ``present[:, j]``
        (R: one ``svymean`` per variable and domain on ``design[subset]``).

        >>> import numpy as np, pandas as pd
        >>> d = Design(pd.DataFrame({"w": [1.0] * 4, "c": [1, 2, 3, 4]}), weights="w", psu="c")
        >>> d.var_total(np.array([[1.0], [2.0], [3.0], [4.0]])).round(4).tolist()
        [6.6667]
        """
        t = self.cluster_totals(x)
        pres = None
        if present is not None and not self._keeps_rows:
            p = np.asarray(present, float)
            p = p.reshape(len(p), -1)
            pres = group_sum(self.stages[-1].cluster, p, self.stages[-1].n_clusters) > 0
        return self.variance_of_totals(t, pres)

    @property
    def _keeps_rows(self) -> bool:
        """R's subset of a calibrated or PPS design keeps every row (weights set to zero),
        so every stratum takes part in the lonely-PSU rules for a domain as well."""
        return bool(self._adjust) or self.__dict__.get("pps") is not None

    def _check_lonely(self, st: Stage, lonely_present: np.ndarray) -> None:
        if self.lonely_psu == "fail" and lonely_present.any():
            names = [st.labels[h] for h in np.flatnonzero(lonely_present)]
            shown = ", ".join(names[:5]) + (f" (and {len(names) - 5} more)" if len(names) > 5 else "")
            col = self.strata_name or "(no strata)"
            raise DhkitError("EST-012", f"stratum {shown} of '{col}' has only one PSU at stage "
                             f"{st.number}; choose lonely_psu= remove, certainty, adjust or average "
                             "(--lonely-psu), or merge the stratum with a neighbour.")

    # ---- calibration hook ---------------------------------------------------------------
    def var(self, vars: str | Sequence[str], by: str | Sequence[str] | None = None, **kw):
        """Population variance of numeric variables (R ``svyvar``; ``svyby(..., svyvar)``).

        As R on a linearization design: the estimate is the design mean of
        ``(x - x̄)² · n/(n-1)`` with ``x̄`` the design mean and ``n`` the rows with a non-zero
        weight (in the subset or the domain, missing values included), and its SE is that
        mean's SE (``x̄`` taken as fixed). Missing values are left out (``na.rm=TRUE``).
        Rows have ``statistic`` "variance"; other keywords as :meth:`mean`.

        >>> import pandas as pd
        >>> df = pd.DataFrame({"w": [1.0, 1, 2, 2], "c": [1, 2, 3, 4], "y": [1.0, 3, 2, 6]})
        >>> round(float(Design(df, weights="w", psu="c").var("y").table.estimate[0]), 4)  # R: 5.1852
        5.1852
        """
        names = [vars] if isinstance(vars, str) else list(vars)
        keep = self.in_domain() & (self.w != 0)
        blocks = [self._var_block(names, np.zeros(self.n, dtype=np.int64), keep, None, kw)]
        if by is not None:
            cols = [by] if isinstance(by, str) else list(by)
            for c in cols:
                self._column(c, "domain")
            group = self.data[cols].groupby(cols, sort=True, dropna=True).ngroup().to_numpy()
            blocks.append(self._var_block(names, group, keep & (group >= 0), by, kw))
        from dhkit.survey.tidy import Estimates

        table = pd.concat([b.table for b in blocks], ignore_index=True)
        table["statistic"] = "variance"
        table["deff"] = np.nan      # R's svyvar has no design effect
        return Estimates(table)

    def _var_block(self, names: list[str], group: np.ndarray, keep: np.ndarray, by, kw):
        """One block of :meth:`var`: the centred, rescaled values within each ``group``."""
        derived = {}
        k = int(group.max()) + 1 if len(group) else 1
        g = np.where(group >= 0, group, 0)
        n_g = np.bincount(g[keep], minlength=k).astype(float)
        for name in names:
            x = pd.to_numeric(self._column(name, "variable"), errors="coerce").to_numpy(float)
            bad = np.isnan(x) & self.data[name].notna().to_numpy()
            if bad.any():
                raise DhkitError("EST-014", f"variable '{name}' is not numeric at {_rows(bad)}; "
                                 "a variance needs numbers.")
            ok = keep & ~np.isnan(x)
            sw = np.bincount(g[ok], weights=self.w[ok], minlength=k)
            swx = np.bincount(g[ok], weights=(self.w * np.nan_to_num(x))[ok], minlength=k)
            xbar = np.divide(swx, sw, out=np.full(k, np.nan), where=sw > 0)
            scale = np.divide(n_g, n_g - 1, out=np.full(k, np.nan), where=n_g > 1)
            derived[name] = (x - xbar[g]) ** 2 * scale[g]
        est = self.update(**derived).mean(names, by=by, **kw)
        t = est.table
        return type(est)(t[t.domain == ""] if by is None else t[t.domain != ""])

    def with_weights(self, new_w: np.ndarray,
                     adjust: Callable[[np.ndarray], np.ndarray] | None = None) -> Design:
        """A design on the same data with new weights; ``adjust`` is appended to the score
        adjustments applied, in order, to influence values in :meth:`vcov_total`
        (R keeps ``postStrata``/``greg_calibration`` on the design the same way).

        >>> import numpy as np, pandas as pd
        >>> d = Design(pd.DataFrame({"w": [1.0, 1, 1, 1], "c": [1, 2, 3, 4]}), weights="w", psu="c")
        >>> d.with_weights(np.array([2.0, 2, 2, 2])).w.tolist()
        [2.0, 2.0, 2.0, 2.0]
        """
        new_w = np.asarray(new_w, dtype=float)
        if new_w.shape != (self.n,):
            raise DhkitError("EST-016", f"new weights have shape {new_w.shape}; expected ({self.n},).")
        if np.isnan(new_w).any() or (new_w < 0).any() or new_w.sum() <= 0:
            raise DhkitError("EST-002", "new weights must be finite, >= 0 and not all zero.")
        other = object.__new__(Design)
        other.__dict__.update(self.__dict__)
        other.w = new_w
        w_pos = new_w != 0
        other.degf = int(len(np.unique(self.psu_codes[w_pos])) - len(np.unique(self.strata_codes[w_pos])))
        other._adjust = self._adjust + ((adjust,) if adjust is not None else ())
        return other

    # ---- linked (instance-level) designs ---------------------------------------------------
    def link(self, data: pd.DataFrame, key: str, parent_key: str | None = None) -> Design:
        """A design on rows that belong to this design's rows: instances of abuse, each of
        one child (``data[key]`` matches ``self.data[parent_key or key]``). Each instance
        takes its child's weight, strata and clusters; the variance sums the instances'
        scores within the child, so a calibrated child design's residuals apply to
        instance-level estimates too (R: ``svyratio`` of the child sums on the child
        design).

        >>> import pandas as pd
        >>> kids = pd.DataFrame({"id": [1, 2, 3, 4], "w": [1.0, 2, 1, 2], "c": [1, 1, 2, 2]})
        >>> inst = pd.DataFrame({"id": [1, 1, 2, 4], "told": [1, 0, 1, 1]})
        >>> Design(kids, weights="w", psu="c").link(inst, "id").mean("told").table.estimate.tolist()
        [0.8333333333333334]
        """
        from dataclasses import replace as _replace

        pk = parent_key or key
        parent = self._column(pk, "link key")
        if parent.duplicated().any():
            raise DhkitError("EST-033", f"link key '{pk}' repeats in the design's data "
                             f"({_rows(parent.duplicated().to_numpy())}); each row must be one unit.")
        if key not in data.columns:
            raise DhkitError("EST-013", f"link key '{key}' is not in the linked data; columns are "
                             f"{', '.join(map(str, data.columns[:12]))}.")
        idx = pd.Index(parent).get_indexer(data[key])
        if (idx < 0).any():
            raise DhkitError("EST-033", f"{int((idx < 0).sum())} linked row(s) have a '{key}' with "
                             f"no row in the design ({_rows(idx < 0)}); every instance needs its child.")
        if any(not hasattr(a, "linked") for a in self._adjust):
            raise DhkitError("EST-033", "this design's score adjustments cannot follow linked "
                             "rows; calibrate with dhkit.weighting.calibrate_design.")
        other = object.__new__(Design)
        other.__dict__.update(self.__dict__)
        for cached in ("_maps", "_post_cache"):
            other.__dict__.pop(cached, None)
        other.data = data.reset_index(drop=True)
        other.n = len(other.data)
        other.w = self.w[idx]
        other.strata_codes = self.strata_codes[idx]
        other.psu_codes = self.psu_codes[idx]
        other.stages = [_replace(st, cluster=st.cluster[idx]) for st in self.stages]
        other._adjust = tuple(a.linked(idx if a.rows is None else a.rows[idx])
                              if hasattr(a, "linked") else a for a in self._adjust)
        other.__dict__["_parent_cluster"] = self._base_cluster
        other._domain = None
        return other

    # ---- the batch engine (the verbs are in SurveyDesign) --------------------------------
    def _batch(self, **kw) -> Estimates:
        from dhkit.survey.batch import estimate
        by = kw.pop("by", [])
        return estimate(self, domains=by, **kw)

    def __repr__(self) -> str:
        return (f"Design(n={self.n}, strata={self.strata_name!r}, psu={self.psu_names!r}, "
                f"fpc={self.fpc_names!r}, nest={self.nest}, lonely_psu={self.lonely_psu!r}, "
                + (f"pps={self.pps!r}, variance={self.pps_variance!r}, "
                   if self.__dict__.get("pps") else "")
                + f"degf={self.degf})")


def cross_sums(a, q) -> sp.csr_matrix:
    """(cells of a × cells of q) sums of a.pre·q.post over the calibrated rows: how an
    earlier adjustment q's correction enters a later adjustment a's cell sums."""
    return sp.csr_matrix((a.pre * q.post, (a.cell, q.cell)), shape=(a.ncell, q.ncell))


from dhkit.survey.tidy import Estimates  # noqa: E402
