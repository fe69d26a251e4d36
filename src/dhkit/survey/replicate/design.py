"""Replicate-weight survey designs: R survey's ``svrepdesign`` and ``as.svrepdesign``.

A :class:`ReplicateDesign` is the sibling of the linearization ``Design``: the same verbs
(``mean``, ``total``, ``ratio``, ``estimate``) and the same tidy ``Estimates`` output, but the
variance comes from re-computing every estimate with each column of replicate weights
(Wolter 2007, *Introduction to Variance Estimation*, ch. 3-5; Lumley 2010, *Complex Surveys*,
ch. 2.3). The formula is R's ``survey:::svrVar``::

    V = scale * sum_r rscales[r] * (theta_r - centre)^2

with ``centre`` the mean of the replicates (``mse=False``, R's default option
``survey.replicates.mse``) or the full-sample estimate (``mse=True``).

Why not ``samplics``/``svy``: neither reproduces R's per-type defaults (``scale``, ``rscales``,
combined weights, ``degf`` as the rank of the replicate weights) nor vectorises every indicator
and domain into one matrix product, which is the shape the batch engine needs. The whole
computation is one product per domain level of the (rows x values) matrix with the
(rows x [full weight, replicates..., 1]) matrix; there is no Python loop over replicates or
indicators. As R's ``compress=TRUE``, rows that share their replicate factors (the rows of
one PSU) are summed first, so the product is with the (PSUs x replicates) factor matrix.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from dhkit.errors import DhkitError
from dhkit.survey.base import SurveyDesign
from dhkit.survey.replicate.variance import gram_rank, _rank, svrvar


TYPES = {
    "jk1": "JK1",
    "jkn": "JKn",
    "brr": "BRR",
    "fay": "Fay",
    "bootstrap": "bootstrap",
    "sdr": "SDR",
    "successive-difference": "SDR",
    "acs": "SDR",
}


def canonical_type(type: str) -> str:
    """The canonical replicate type for a user-given name (``"jk1"`` → ``"JK1"``).

    >>> canonical_type("fay")
    'Fay'
    """
    key = str(type).strip().lower()
    if key not in TYPES:
        raise DhkitError(
            "REP-002",
            f"replicate type {type!r} is not known; use one of "
            "JK1, JKn, BRR, Fay, bootstrap, SDR (successive-difference).",
        )
    return TYPES[key]


def _require(data: pd.DataFrame, name: str) -> pd.Series:
    if name not in data.columns:
        raise DhkitError(
            "EST-013",
            f"column {name!r} is not in the data; choose one of "
            f"{', '.join(map(str, list(data.columns)[:12]))}"
            f"{' ...' if data.shape[1] > 12 else ''}.",
        )
    return data[name]


def is_numeric(s: pd.Series) -> bool:
    """True for numeric or boolean columns (estimated as they are), False for categories."""
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def numeric_values(data: pd.DataFrame, var: str) -> np.ndarray:
    """A numeric column as float64 with NaN for missing; EST-014 if it is not numeric."""
    s = _require(data, var)
    if not is_numeric(s):
        raise DhkitError(
            "EST-014",
            f"column {var!r} is not numeric (dtype {s.dtype}); give a numeric variable, "
            "or recode it to numbers first.",
        )
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


class ReplicateDesign(SurveyDesign):
    """A survey design described by replicate weights (R ``svrepdesign``).

    ``repweights`` is a regular expression matched against the column names (as R's
    ``repweights="wt[0-9]+"``) or a list of column names. ``type`` sets R's default
    ``scale``/``rscales``: JK1 ``(R-1)/R``; JKn needs ``rscales`` (one per replicate,
    ``(n_h-1)/n_h``); BRR ``1/R``; Fay ``1/(R (1-rho)^2)``; bootstrap ``1/(R-1)``;
    SDR (successive difference) ``4/R``. ``combined_weights=True`` (R's default) means the
    replicate columns already include the sampling weight; otherwise they are multiplied by it.
    ``mse=False`` centres the replicates at their mean, ``True`` at the full-sample estimate.
    ``degf`` is R's: the rank of the analysis replicate weights minus one.
    ``fpc`` with ``fpctype="fraction"`` (sampling fraction per replicate's stratum) or
    ``"correction"`` (1 - f) multiplies ``rscales`` (JK1, JKn), as R.
    ``compress`` (as R's ``compress=TRUE``) stores one factor row per PSU when the rows of
    a PSU share their replicate factors, which makes estimation much faster.

    Reference: R survey 4.1.1 ``svrepdesign``, ``svrVar``; Wolter (2007).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 1, 1, 1],
    ...                    "r1": [0.0, 2, 1, 1], "r2": [2.0, 0, 1, 1],
    ...                    "r3": [1.0, 1, 0, 2], "r4": [1.0, 1, 2, 0]})
    >>> d = ReplicateDesign(df, weights="w", repweights="r[0-9]", type="JKn",
    ...                     rscales=[0.5] * 4)
    >>> round(float(d.mean("y").table["se"].iloc[0]), 6)
    0.353553
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        repweights: str | Sequence[str],
        type: str,
        weights: str | None = None,
        combined_weights: bool = True,
        scale: float | None = None,
        rscales: float | Sequence[float] | None = None,
        rho: float | None = None,
        mse: bool = False,
        fpc: float | Sequence[float] | None = None,
        fpctype: str | None = None,
        compress: bool = True,
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise DhkitError("EST-027", "data must be a pandas DataFrame; read files with "
                             "dhkit.tabular.read_table(path).")
        type = canonical_type(type)
        cols = _repweight_columns(data, repweights)
        reps = np.empty((len(data), len(cols)))
        for j, c in enumerate(cols):
            reps[:, j] = _numeric_weight(data, c, "replicate weight")
        if weights is None:
            warnings.warn("no sampling weights given: equal weights assumed (as R)",
                          stacklevel=2)
            w = np.ones(len(data))
        else:
            w = _numeric_weight(data, weights, "sampling weight")
        _check_combined(reps, w, combined_weights)
        scale, rscales = _defaults(type, reps, combined_weights, scale, rscales, rho)
        if fpc is not None:
            rscales = rscales * _replicate_fpc(type, fpc, fpctype, rscales.size)
        self._setup(data, w, reps, type=type, scale=scale, rscales=rscales, rho=rho,
                    mse=mse, combined_weights=combined_weights, names=tuple(cols),
                    compress=compress)

    @classmethod
    def from_arrays(
        cls,
        data: pd.DataFrame,
        weights: np.ndarray,
        repweights: np.ndarray,
        *,
        type: str,
        scale: float,
        rscales: np.ndarray,
        combined_weights: bool = False,
        rho: float | None = None,
        mse: bool = False,
        compress: bool = True,
    ) -> ReplicateDesign:
        """A design from arrays (used by :func:`as_replicate`); no defaults are guessed."""
        self = cls.__new__(cls)
        reps = np.asarray(repweights, dtype=float)
        if reps.ndim != 2 or reps.shape[0] != len(data) or len(weights) != len(data):
            raise DhkitError("REP-003", f"replicate weights of shape {reps.shape} and "
                             f"{len(weights)} weights do not match the {len(data)} data rows.")
        self._setup(data, np.asarray(weights, dtype=float), reps, type=canonical_type(type),
                    scale=float(scale), rscales=np.asarray(rscales, dtype=float), rho=rho,
                    mse=mse, combined_weights=combined_weights,
                    names=tuple(f"rep{i + 1}" for i in range(reps.shape[1])), compress=compress)
        return self

    def _setup(self, data, w, reps, *, type, scale, rscales, rho, mse, combined_weights,
               names, compress=True) -> None:
        self.data = data.reset_index(drop=True)
        self.type = type
        self.scale = float(scale)
        self.rscales = np.broadcast_to(np.asarray(rscales, dtype=float), (reps.shape[1],)).copy()
        self.rho = rho
        self.mse = bool(mse)
        self.combined_weights = bool(combined_weights)
        self.repweight_names = names
        n, r = reps.shape
        # one matrix: full-sample weight, the R analysis replicate weights, and 1 (counts)
        wf = np.empty((n, r + 2))
        wf[:, 0] = w
        if combined_weights:
            wf[:, 1:r + 1] = reps
        else:
            np.multiply(reps, w[:, None], out=wf[:, 1:r + 1])
        wf[:, r + 1] = 1.0
        self._wfull = wf
        # R's compressed replicate weights: rows whose replicate weights are the same
        # factors times their own weight (the rows of one PSU) share one factor row
        self._factors, self._group = _compress(w, wf[:, 1:r + 1]) if compress else (None, None)
        self.degf = gram_rank(self._gram()) - 1
        self._domain_degf: dict[bytes, np.ndarray] = {}  # domain codes -> degf per level

    # arrays -------------------------------------------------------------------------------
    @property
    def w(self) -> np.ndarray:
        """Full-sample (sampling) weights, R ``weights(design, "sampling")``."""
        return self._wfull[:, 0]

    @property
    def analysis_weights(self) -> np.ndarray:
        """(n, R) replicate weights including the sampling weight, R ``"analysis"``."""
        return self._wfull[:, 1:-1]

    @property
    def n(self) -> int:
        return self._wfull.shape[0]

    @property
    def replicates(self) -> int:
        return self._wfull.shape[1] - 2

    def __repr__(self) -> str:
        return (f"ReplicateDesign(type={self.type!r}, n={self.n}, replicates={self.replicates}, "
                f"scale={self.scale:.6g}, mse={self.mse}, degf={self.degf})")

    # the primitive -----------------------------------------------------------------------
    def replicate_totals(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Full-sample and replicate weighted totals of the columns of ``x`` (n, k).

        Returns ``(full (k,), replicates (R, k))``; ``x`` must have no NaN.
        """
        x = np.asarray(x, dtype=float).reshape(self.n, -1)
        t = x.T @ self._wfull[:, :-1]
        return t[:, 0], t[:, 1:].T

    def variance(self, thetas: np.ndarray, full: np.ndarray, covariance: bool = False):
        """R ``svrVar`` with this design's ``scale``, ``rscales`` and ``mse``."""
        return svrvar(thetas, full, scale=self.scale, rscales=self.rscales, mse=self.mse,
                      covariance=covariance)

    def subset_degf(self, rows: np.ndarray) -> int:
        """R ``degf(design[rows, ])``: rank of the replicate weights of those rows, minus 1."""
        rows = np.asarray(rows)
        key = (rows.size, np.packbits(rows).tobytes()) if rows.dtype == bool else None
        cache = self.__dict__.setdefault("_degf_cache", {})
        if key is None or key not in cache:
            value = _rank(self.analysis_weights[rows]) - 1
            if key is None:
                return value
            cache[key] = value
        return cache[key]

    def _column(self, name: str, role: str = "variable") -> pd.Series:
        """A data column by name (EST-013 naming the columns when it is absent)."""
        return _require(self.data, name)

    def domain_sums(self, values: np.ndarray, codes: np.ndarray, levels: int,
                    gram: bool = False):
        """Sums of ``values`` (n, m; no NaN) per domain level with every weight column.

        ``codes`` (n,) are level codes 0..levels-1 (-1: in no level). Returns
        (levels, m, R + 2): column 0 weighted by the full-sample weight, columns 1..R by
        each replicate, the last unweighted (a count when the value is an indicator).
        One dense product per level. With ``gram=True`` also the Gram
        matrices of each level's replicate weights (for the domain ``degf``).
        """
        r = self.replicates
        if self._factors is not None:
            return self._compressed_sums(values, codes, levels, gram)
        if levels == 1 and (codes == 0).all():
            sums = (values.T @ self._wfull)[None]
            return (sums, [self._gram()]) if gram else sums
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(levels + 1))
        out = np.empty((levels, values.shape[1], self._wfull.shape[1]))
        grams = []
        for lv in range(levels):
            idx = order[bounds[lv]:bounds[lv + 1]]
            wl = self._wfull[idx]
            out[lv] = values[idx].T @ wl
            if gram:  # the smaller of AᵀA and AAᵀ: same rank
                a = wl[:, 1:r + 1]
                grams.append(a @ a.T if a.shape[0] < r else a.T @ a)
        return (out, grams) if gram else out

    def _compressed_sums(self, values, codes, levels, gram):
        """``domain_sums`` through the factor rows: values are first summed (weighted and
        unweighted) by (factor row, level) with one sparse product, then each level's
        few factor rows are multiplied in."""
        n, r = self.n, self.replicates
        inl = np.flatnonzero(codes >= 0)
        key = self._group[inl] * levels + codes[inl]
        uk, kinv = np.unique(key, return_inverse=True)
        kg, kl = uk // levels, uk % levels
        agg_w = sp.csr_matrix((self.w[inl], (kinv, inl)), shape=(uk.size, n))
        agg_1 = sp.csr_matrix((np.ones(inl.size), (kinv, inl)), shape=(uk.size, n))
        vw = np.asarray(agg_w @ values)
        v1 = np.asarray(agg_1 @ values)
        wsum = np.asarray(agg_w.sum(axis=1)).ravel()
        out = np.empty((levels, values.shape[1], r + 2))
        order = np.argsort(kl, kind="stable")
        bounds = np.searchsorted(kl[order], np.arange(levels + 1))
        grams = []
        for lv in range(levels):
            idx = order[bounds[lv]:bounds[lv + 1]]
            f = self._factors[kg[idx]]
            out[lv, :, 0] = vw[idx].sum(axis=0)
            out[lv, :, 1:r + 1] = vw[idx].T @ f
            out[lv, :, r + 1] = v1[idx].sum(axis=0)
            if gram:
                f = f[wsum[idx] > 0]
                grams.append(f @ f.T if f.shape[0] < r else f.T @ f)
        return (out, grams) if gram else out

    def _gram(self) -> np.ndarray:
        """AᵀA of the analysis replicate weights (through the factor rows when compressed:
        the same rank)."""
        if "_full_gram" not in self.__dict__:
            if self._factors is not None:
                used = np.unique(self._group[self.w > 0])
                a = self._factors[used]
            else:
                a = self.analysis_weights
            self._full_gram = a.T @ a
        return self._full_gram

    def var(self, vars: str | Sequence[str], by: str | Sequence[str] | None = None,
            level: float = 0.95):
        """Population variance of numeric variables (R ``svyvar`` on a replicate design;
        ``svyby(..., svyvar)`` with ``by``): the statistic recomputed with every replicate's
        weights, its own mean included (:mod:`dhkit.survey.replicate.popvar`). Missing values
        are left out (``na.rm=TRUE``); rows have ``statistic`` "variance".

        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 3, 2, 6], "g": [1, 1, 2, 2], "w": 1.0,
        ...                    "r1": [0.0, 2, 1, 1], "r2": [2.0, 0, 1, 1],
        ...                    "r3": [1.0, 1, 0, 2], "r4": [1.0, 1, 2, 0]})
        >>> d = ReplicateDesign(df, weights="w", repweights="^r", type="JKn", rscales=0.5)
        >>> d.var("y", by="g").table.estimate.round(4).tolist()
        [4.6667, 2.0, 8.0]
        """
        from dhkit.survey.replicate.popvar import population_variance

        return population_variance(self, vars, by=by, level=level)

    # the batch engine (the verbs are in SurveyDesign) ---------------------------------------
    def _batch(self, **kw):
        """All indicators x (overall + every domain) in one pass: :func:`run_batch`.

        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1], "s": [1, 1, 2, 2], "w": 1.0,
        ...                    "r1": [0.0, 2, 1, 1], "r2": [2.0, 0, 1, 1],
        ...                    "r3": [1.0, 1, 0, 2], "r4": [1.0, 1, 2, 0]})
        >>> d = ReplicateDesign(df, weights="w", repweights="^r", type="JKn", rscales=0.5)
        >>> d.estimate(means="y", domains=["s"]).table[["level", "estimate"]].values.tolist()
        [['', 0.75], ['1', 0.5], ['2', 1.0]]
        """
        from dhkit.survey.replicate.batch import run_batch

        return run_batch(self, **kw)


def _compress(w: np.ndarray, a: np.ndarray,
              chunk: int = 65536) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Factor rows shared by many rows: ``a[i] == w[i] * factors[group[i]]`` (to 1e-12).

    As R's ``compressWeights``: replicate weights are usually a PSU's factors times each
    row's weight, so the (rows x R) matrix collapses to (PSUs x R). Returns (None, None)
    when the rows do not collapse to fewer than half, or a row of zero weight has nonzero
    replicate weights (nothing to factor). Works in blocks of rows to bound memory.
    """
    n, r = a.shape
    pos = w > 0
    if n < 2 or r == 0 or ((~pos).any() and (a[~pos] != 0).any()):
        return None, None
    inv = np.where(pos, 1.0 / np.where(pos, w, 1.0), 0.0)
    top = max(float(np.abs(a[i:i + chunk] * inv[i:i + chunk, None]).max())
              for i in range(0, n, chunk)) or 1.0
    v = np.random.default_rng(0).standard_normal((2, r))
    h = np.empty(n, dtype=complex)
    for i in range(0, n, chunk):
        # row hashes by elementwise products and a row sum: the same bits for equal rows
        # (a BLAS product may round equal rows differently)
        rounded = np.round(a[i:i + chunk] * (inv[i:i + chunk, None] / top), 9)
        h[i:i + chunk] = (rounded * v[0]).sum(axis=1) + 1j * (rounded * v[1]).sum(axis=1)
    _, first, group = np.unique(h, return_index=True, return_inverse=True)
    group = group.ravel().astype(np.int64)
    if first.size > n / 2:
        return None, None
    factors = a[first] * inv[first, None]
    tol = 1e-12 * max(float(np.abs(a).max()), 1e-300)
    for i in range(0, n, chunk):
        rebuilt = w[i:i + chunk, None] * factors[group[i:i + chunk]]
        if np.abs(a[i:i + chunk] - rebuilt).max() > tol:
            return None, None
    return factors, group


def _repweight_columns(data: pd.DataFrame, spec: str | Sequence[str]) -> list[str]:
    if isinstance(spec, str):
        try:
            pat = re.compile(spec)
        except re.error as e:
            raise DhkitError("REP-001", f"replicate weight pattern {spec!r} is not a valid "
                             f"regular expression ({e}); give e.g. 'repwt[0-9]+'.") from None
        cols = [c for c in data.columns if pat.search(str(c))]
        if not cols:
            raise DhkitError("REP-001", f"no column matches the replicate weight pattern "
                             f"{spec!r}; check the column names (e.g. 'repwt[0-9]+') or list "
                             "them.")
        return cols
    cols = list(spec)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise DhkitError("REP-001", f"replicate weight column(s) {', '.join(map(repr, missing))} "
                         "not in the data; check the names or give a pattern.")
    if not cols:
        raise DhkitError("REP-001", "no replicate weight columns given; list them or give a "
                         "pattern such as 'repwt[0-9]+'.")
    return cols


def _rows(mask: np.ndarray) -> str:
    idx = np.flatnonzero(mask)[:5] + 1
    more = " ..." if mask.sum() > 5 else ""
    return ", ".join(map(str, idx)) + more


def _numeric_weight(data: pd.DataFrame, col: str, what: str) -> np.ndarray:
    code = "REP-003" if what.startswith("replicate") else "REP-004"
    if col not in data.columns:
        raise DhkitError(code, f"{what} column {col!r} is not in the data; check the name.")
    s = data[col]
    if not is_numeric(s):
        raise DhkitError(code, f"{what} column {col!r} is not numeric (dtype {s.dtype}); "
                         "convert it to numbers.")
    x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(x)
    if bad.any():
        raise DhkitError(code, f"{what} column {col!r} has missing or infinite values in "
                         f"row(s) {_rows(bad)}; fill them (R refuses missing weights too).")
    if code == "REP-004" and (x < 0).any():  # replicate factors may be negative (as R)
        raise DhkitError(code, f"{what} column {col!r} has negative values in row(s) "
                         f"{_rows(x < 0)}; weights must be >= 0.")
    if code == "REP-004" and x.sum() <= 0:
        raise DhkitError(code, f"{what} column {col!r} sums to zero; check that the right "
                         "column was chosen.")
    return x


def _check_combined(reps: np.ndarray, w: np.ndarray, combined: bool) -> None:
    repmean = float(reps.mean())
    wmean = float(w.mean())
    if combined and repmean < 5 and repmean > 0 and wmean / repmean > 5:
        warnings.warn(f"replicate weights do not look combined with the sampling weight (mean "
                      f"replicate weight {repmean:.4g}, mean weight {wmean:.4g}); "
                      "set combined_weights=False?", stacklevel=3)
    if not combined and repmean > 5 and wmean / repmean < 5:
        warnings.warn(f"replicate weights look combined with the sampling weight (mean "
                      f"replicate weight {repmean:.4g}, mean weight {wmean:.4g}); "
                      "set combined_weights=True?", stacklevel=3)


def _replicate_fpc(type: str, fpc, fpctype: str | None, r: int) -> np.ndarray:
    """R ``svrepdesign(fpc=, fpctype=)``: the factor (1 - f) or the correction given, per
    replicate, that multiplies ``rscales``."""
    if type not in ("JK1", "JKn"):
        raise DhkitError("REP-006", f"fpc= is not available for type {type} (R allows it for "
                         "jackknife types only; a bootstrap carries it in its weights).")
    if fpctype not in ("fraction", "correction"):
        raise DhkitError("REP-006", f"fpctype={fpctype!r}: say whether fpc holds sampling "
                         "fractions ('fraction') or 1 - f ('correction').")
    f = np.atleast_1d(np.asarray(fpc, dtype=float))
    if f.size not in (1, r):
        raise DhkitError("REP-006", f"fpc has {f.size} values for {r} replicates; give one per "
                         "replicate (or one value).")
    if (f < 0).any() or (f > 1).any():
        raise DhkitError("REP-006", "fpc values must be between 0 and 1 (fractions or "
                         "corrections, not population sizes).")
    return np.broadcast_to(1.0 - f if fpctype == "fraction" else f, (r,)).copy()


def _defaults(type, reps, combined, scale, rscales, rho):
    """R ``svrepdesign.default``'s choice of ``scale`` and ``rscales`` for each type."""
    r = reps.shape[1]
    if rscales is not None:
        rs = np.atleast_1d(np.asarray(rscales, dtype=float))
        if rs.size not in (1, r):
            raise DhkitError("REP-006", f"rscales has {rs.size} values but there are {r} "
                             "replicate weight columns; give one per column (or one value).")
        rscales = np.broadcast_to(rs, (r,)).copy()
    if type == "Fay":
        if rho is None or not 0 <= rho < 1:
            raise DhkitError("REP-005", f"type Fay needs rho in [0, 1) (the Fay factor used to "
                             f"build the weights), got {rho!r}; give rho=, e.g. rho=0.5.")
        scale = 1.0 / (r * (1 - rho) ** 2)
    elif rho is not None:
        raise DhkitError("REP-005", f"rho is only used by type Fay, not {type}; drop rho= or "
                         "use type='Fay'.")
    if type == "BRR":
        if scale is not None:
            warnings.warn("type BRR does not use scale=; ignored (as R)", stacklevel=3)
        scale = 1.0 / r
    elif type == "bootstrap":
        scale = 1.0 / (r - 1) if scale is None else scale
    elif type == "JK1" and scale is None:
        if combined:
            warnings.warn(f"JK1 scale (n-1)/n not given: guessing n = {r} replicates (as R)",
                          stacklevel=3)
            scale = (r - 1) / r
        else:
            warnings.warn("JK1 scale (n-1)/n not given: guessing from the weights (as R)",
                          stacklevel=3)
            scale = 1.0 / reps[:, 0].max()
    elif type == "JKn" and rscales is None:
        if combined:
            raise DhkitError("REP-006", "type JKn with combined weights needs rscales= "
                             "((n_h-1)/n_h for each replicate's stratum); give them.")
        warnings.warn("JKn rscales (n_h-1)/n_h not given: guessing from the weights (as R)",
                      stacklevel=3)
        rscales = 1.0 / reps.max(axis=0)
    elif type == "SDR":
        if scale is not None or rscales is not None:
            warnings.warn("type SDR ignores scale= and rscales= (as R)", stacklevel=3)
        scale, rscales = 4.0 / r, np.ones(r)
    if rscales is None:
        rscales = np.ones(r)
    if scale is None:
        scale = 1.0
    return float(scale), rscales

