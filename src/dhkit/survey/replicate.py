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

Replicate-weight construction (``as_replicate``) follows ``jk1weights``, ``jknweights`` and
``bootweights`` of R survey 4.1.1; bootstrap draws come from numpy's generator (seeded), so
they cannot equal R's draws, but the variance formula given the same weights does.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from dhkit.errors import DhkitError
from dhkit.survey.base import SurveyDesign

#: accepted ``type=`` names (case-insensitive) and the canonical name each maps to
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


# --------------------------------------------------------------------------------------------
# the variance formula


def svrvar(
    thetas: np.ndarray,
    full: np.ndarray,
    *,
    scale: float,
    rscales: np.ndarray,
    mse: bool = False,
    covariance: bool = False,
) -> np.ndarray:
    """Replicate variance of estimates (R ``survey:::svrVar``), vectorised over columns.

    ``thetas`` is (replicates, k) replicate estimates, ``full`` the k full-sample estimates.
    Returns the k variances, or the (k, k) covariance with ``covariance=True``. A replicate
    whose estimate is not finite (an empty domain in that replicate) is left out of that
    column, as R leaves out replicates with ``NA`` results.

    >>> th = np.array([[1.0], [3.0]])
    >>> svrvar(th, np.array([2.0]), scale=0.5, rscales=np.ones(2))
    array([1.])
    """
    thetas = np.asarray(thetas, dtype=float)
    if thetas.ndim == 1:
        thetas = thetas[:, None]
    full = np.atleast_1d(np.asarray(full, dtype=float))
    ok = np.isfinite(thetas)
    if mse:
        centre = full
    else:
        use = ok & (rscales > 0)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = np.where(use, thetas, 0.0).sum(axis=0) / use.sum(axis=0)
    dev = np.where(ok, thetas - centre, 0.0)
    none = ~ok.any(axis=0)
    if covariance:
        v = scale * (dev * rscales[:, None]).T @ dev
        v[none, :] = np.nan
        v[:, none] = np.nan
        return v
    v = scale * (rscales[:, None] * dev * dev).sum(axis=0)
    v[none] = np.nan
    return v


def _rank(a: np.ndarray) -> int:
    """Numerical column rank, as R's ``qr(x, tol = 1e-5)$rank`` for well-posed inputs."""
    if a.size == 0:
        return 0
    return gram_rank(a.T @ a)


def gram_rank(g: np.ndarray) -> int:
    """Rank of a matrix from its Gram matrix ``g = AᵀA``: eigenvalues of the Gram matrix of
    unit-norm columns above 1e-10 of the largest (singular values above 1e-5, R's tol)."""
    d = np.diag(g).copy()
    keep = d > 0
    if not keep.any():
        return 0
    s = 1.0 / np.sqrt(d[keep])
    ev = np.linalg.eigvalsh(g[np.ix_(keep, keep)] * s[:, None] * s[None, :])
    return int((ev > ev.max() * 1e-10).sum())


# --------------------------------------------------------------------------------------------
# variables and domains


def _require(data: pd.DataFrame, name: str) -> pd.Series:
    if name not in data.columns:
        raise DhkitError(
            "REP-011",
            f"column {name!r} is not in the data; choose one of "
            f"{', '.join(map(str, list(data.columns)[:12]))}"
            f"{' ...' if data.shape[1] > 12 else ''}.",
        )
    return data[name]


def is_numeric(s: pd.Series) -> bool:
    """True for numeric or boolean columns (estimated as they are), False for categories."""
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def numeric_values(data: pd.DataFrame, var: str) -> np.ndarray:
    """A numeric column as float64 with NaN for missing; REP-011 if it is not numeric."""
    s = _require(data, var)
    if not is_numeric(s):
        raise DhkitError(
            "REP-011",
            f"column {var!r} is not numeric (dtype {s.dtype}); give a numeric variable, "
            "or recode it to numbers first.",
        )
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _by(by: str | Sequence[str] | None) -> list[Any]:
    """``by`` of the single-table verbs: one domain variable, or a list crossed together."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return [list(by)] if len(by) > 1 else [by[0]]


def _as_list(x: str | Sequence[Any] | None) -> list[Any]:
    if x is None:
        return []
    if isinstance(x, str):
        return [v.strip() for v in x.split(",") if v.strip()]
    return list(x)


# --------------------------------------------------------------------------------------------
# the design


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
            raise DhkitError("REP-011", "data must be a pandas DataFrame; read files with "
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
        """A data column by name (REP-011 naming the columns when it is absent)."""
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


# --------------------------------------------------------------------------------------------
# conversion from a linearization design (R as.svrepdesign)


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
        raise DhkitError("REP-007", "JK1 needs at least 2 PSUs; the design has 1.")
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
                raise DhkitError("REP-007", f"stratum {name} has only one PSU; choose "
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
                raise DhkitError("REP-007", f"population size {pop} is smaller than the "
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
        raise DhkitError("REP-007", f"population size {pop:g} is smaller than the {n} sampled "
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


# --------------------------------------------------------------------------------------------
# the batch engine for replicate designs


def run_batch(
    design: ReplicateDesign,
    *,
    means: Sequence[str] = (),
    totals: Sequence[str] = (),
    ratios: Sequence[tuple[str, str]] = (),
    by: Sequence[Any] = (),
    ci: str = "mean",
    level: float = 0.95,
    deff: bool | str = True,
    covmat: bool = False,
    multiple: Sequence[str] = (),
    categorical: Sequence[str] = (),
    bases: dict[str, str] | None = None,
    flags=None,
):
    """Every mean, total and ratio x (overall + every domain level) on a replicate design.

    Variables expand and domains are coded exactly as in the linearization batch engine
    (:func:`dhkit.survey.batch.columns_for`, :func:`~dhkit.survey.batch.build_domains`), so
    the two tables have the same rows. The values of all indicators form one (n, 2k)
    matrix (value, has-a-value); for each domain level it is multiplied once by the
    (n, R + 2) weight matrix. The squares (for design effects) need only the full-sample
    weight: one sparse one-hot product. Estimates, replicate estimates, SEs, design
    effects and intervals then follow by array arithmetic.
    """
    from dhkit.survey.batch import build_domains, columns_for
    from dhkit.survey.ci import METHODS
    from dhkit.survey.tidy import FlagRule

    if ci not in METHODS:
        raise DhkitError("REP-013", f"ci={ci!r} is not an interval method; use one of "
                         f"{', '.join(METHODS)}.")
    if not 0 < level < 1:
        raise DhkitError("REP-013", f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if deff not in (True, False, "replace"):
        raise DhkitError("REP-013", f"deff={deff!r}: use True, False or 'replace'.")
    flags = flags or FlagRule()
    bases = bases or {}
    cols = []
    for kind, names in (("mean", means), ("total", totals)):
        for name in names:
            cols += columns_for(design, name, kind, multiple, categorical, bases.get(name))
    ratio_cols = []
    for num, den in ratios:
        a, b = numeric_values(design.data, num), numeric_values(design.data, den)
        ratio_cols.append(_RatioColumn(f"{num}/{den}", "", "ratio", a, b, False,
                                       bases.get(num, den)))
    cols += ratio_cols
    if not cols:
        raise DhkitError("REP-011", "nothing to estimate: give means=, totals= or ratios=.")
    # (n, 2k) values taken with every replicate: value and has-a-value (ratio: a and b on
    # complete rows); (n, k) taken with the full weight only: value squared (ratio: 1)
    values = np.empty((design.n, 2 * len(cols)))
    extra = np.empty((design.n, len(cols)))
    for j, c in enumerate(cols):
        if c.kind == "ratio":
            ok = np.isfinite(c.a) & np.isfinite(c.b)
            values[:, 2 * j] = np.where(ok, c.a, 0.0)
            values[:, 2 * j + 1] = np.where(ok, c.b, 0.0)
            extra[:, j] = ok
        else:
            ok = np.isfinite(c.a)
            y = np.where(ok, c.a, 0.0)
            values[:, 2 * j], values[:, 2 * j + 1], extra[:, j] = y, ok, y * y
    dom = build_domains(design, by)
    k, r, nl = len(cols), design.replicates, dom.n_levels
    sums = np.empty((nl, k, 2, r + 2))
    side = np.empty((nl, k, 2))  # extra summed with the full weight, and unweighted
    dom_df = np.empty(nl)
    dom_rows = np.empty(nl)
    w = design.w
    for codes, labels, off in zip(dom.codes, dom.labels, dom.offsets):
        local = np.where(codes >= 0, codes - off, -1)
        nlv = len(labels)
        key = local.tobytes()
        known = design._domain_degf.get(key)
        if known is None:  # degf(design[level, ]) from the same pass, then remembered
            s, grams = design.domain_sums(values, local, nlv, gram=True)
            known = design._domain_degf[key] = np.array(
                [gram_rank(g) - 1 if g.size else np.nan for g in grams])
        else:
            s = design.domain_sums(values, local, nlv)
        sums[off:off + nlv] = s.reshape(nlv, k, 2, r + 2)
        inl = local >= 0
        onehot = sp.csr_matrix((np.ones(int(inl.sum())), (local[inl], np.flatnonzero(inl))),
                               shape=(nlv, design.n))
        side[off:off + nlv, :, 0] = onehot @ (extra * w[:, None])
        side[off:off + nlv, :, 1] = onehot @ extra
        counts = np.bincount(local[inl], minlength=nlv)
        dom_rows[off:off + nlv] = counts
        dom_df[off:off + nlv] = known
    kinds = np.array([c.kind for c in cols])
    is_total, is_ratio = kinds == "total", kinds == "ratio"
    a, b = sums[:, :, 0, : r + 1], sums[:, :, 1, : r + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = np.where(is_total[None, :, None], a, a / b)  # (levels, k, R + 1)
        est = theta[..., 0]
        var = design.variance(theta[..., 1:].reshape(-1, r).T, est.ravel()).reshape(est.shape)
        n_un = np.where(is_ratio, side[:, :, 1], sums[:, :, 1, -1])
        n_w = np.where(is_ratio, side[:, :, 0], sums[:, :, 1, 0])
        dvals = (_deff(var, a[..., 0] / b[..., 0], side[:, :, 0], b[..., 0], n_un, is_total,
                       deff) if deff else np.full(est.shape, np.nan))
        dvals = np.where(is_ratio, np.nan, dvals)  # R 4.1.1 fails on deff of replicate ratios
    # tidy, indicator-major as the linearization engine: each column, overall then domains
    e, se = _tmajor(est), np.sqrt(np.maximum(_tmajor(var), 0.0))
    df = np.tile(dom_df, k)
    rows = np.tile(dom_rows, k)
    prop = np.repeat([c.prop and c.kind == "mean" for c in cols], nl)
    lo, hi = _intervals(design, theta, var, e, se, df, rows, prop, ci, level)
    count = _tmajor(n_un)
    empty = count == 0
    e, se, lo, hi = (np.where(empty, np.nan, x) for x in (e, se, lo, hi))
    dom_name = np.empty(nl, dtype=object)
    lev_name = np.empty(nl, dtype=object)
    for name, labels, off in zip(dom.names, dom.labels, dom.offsets):
        dom_name[off:off + len(labels)] = name
        lev_name[off:off + len(labels)] = labels
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = se / np.abs(e)
    from dhkit.survey.tidy import COLUMNS, EXTRA, Estimates

    table = pd.DataFrame({
        "indicator": np.repeat([c.indicator for c in cols], nl),
        "base": np.repeat([c.base for c in cols], nl),
        "domain": np.tile(dom_name, k), "level": np.tile(lev_name, k),
        "estimate": e, "se": se, "ci_low": lo, "ci_high": hi, "deff": _tmajor(dvals),
        "n_unweighted": count.round().astype(np.int64), "n_weighted": _tmajor(n_w),
        "flag": flags.flag(count), "df": df, "cv": cv,
        "category": np.repeat([c.category for c in cols], nl),
        "statistic": np.repeat([("proportion" if c.prop and c.kind == "mean" else c.kind)
                                for c in cols], nl),
        "ci_method": np.where(prop, ci, "t"),
    })[COLUMNS + EXTRA]
    if ci == "likelihood":
        _likelihood_rows(design, cols, dom, table, theta, level)
    vcov = None
    if covmat:
        reps = theta[..., 1:].transpose(1, 0, 2).reshape(-1, r)  # rows in table order
        vcov = design.variance(reps.T, e, covariance=True)
    return Estimates(table, vcov)


def _tmajor(x: np.ndarray) -> np.ndarray:
    """(levels, k) → indicator-major vector: each column's overall row, then its domains."""
    return np.asarray(x).T.ravel()


@dataclass(frozen=True)
class _RatioColumn:
    """A ratio request with the attributes of :class:`dhkit.survey.batch.Column`."""

    indicator: str
    category: str
    kind: str
    a: np.ndarray
    b: np.ndarray
    prop: bool
    base: str


def _logit_se(design, theta):
    """SE of logit(p) from logit(p) re-estimated in every replicate, in table order."""
    r = theta.shape[-1] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        eta = np.log(theta / (1 - theta))
        v = design.variance(eta[..., 1:].reshape(-1, r).T, eta[..., 0].ravel())
    return np.sqrt(v.reshape(eta.shape[:2])).T.ravel()


def _likelihood_rows(design, cols, dom, table, theta, level) -> None:
    """Profile-likelihood intervals (R ``svyciprop(method="likelihood")``) per proportion
    row, with the design effect from the replicate variance of logit(p). R 4.1.1 returns
    NaN intervals on replicate designs; this is the linearization method of
    :func:`dhkit.survey.ci.likelihood_ci` with the replicate design effect (documented)."""
    from dhkit.survey.ci import likelihood_ci

    s_eta = _logit_se(design, theta)
    lo, hi = table.ci_low.to_numpy().copy(), table.ci_high.to_numpy().copy()
    nl = dom.n_levels
    w = design.w
    for j, c in enumerate(cols):
        if not (c.prop and c.kind == "mean"):
            continue
        has = np.isfinite(c.a)
        for code in dom.codes:
            for lv in np.unique(code[code >= 0]):
                row = j * nl + lv
                inl = code == lv
                rows = inl & has
                p = table.estimate.iat[row]
                if not rows.any() or not 0 < p < 1:
                    continue
                var = (s_eta[row] * p * (1 - p)) ** 2
                lo[row], hi[row] = likelihood_ci(c.a[rows], w[rows], w[inl].mean(), p, var,
                                                 table.df.iat[row], level)
    table["ci_low"], table["ci_high"] = lo, hi


def _deff(var, mean, sumsq, npop, nobs, is_total, kind):
    """R's ``deff=TRUE`` (or ``"replace"``) on a replicate design: the variance over the
    variance of simple random sampling of the same size (``svyvar``/n, times (N-n)/N)."""
    s2 = nobs / (nobs - 1) * (sumsq / npop - mean * mean)
    vsrs = s2 / nobs
    if kind != "replace":
        vsrs = vsrs * (npop - nobs) / npop
    vsrs = np.where(is_total, vsrs * npop * npop, vsrs)
    return var / vsrs


def _intervals(design, theta, var, e, se, df, rows, prop, method, level):
    """t intervals; for proportions R ``svyciprop``'s method on a replicate design.

    ``logit`` re-estimates logit(p) in every replicate, as R's replicate ``svyglm`` does
    (not the delta method). ``likelihood`` rows get the logit interval here and are
    replaced by :func:`_likelihood_rows`.
    """
    from dhkit.survey.ci import prop_ci, t_interval

    lo, hi = t_interval(e, se, df, level)
    if method == "mean" or not prop.any():
        return lo, hi
    p = e[prop]
    if method in ("logit", "likelihood"):
        s_eta = _logit_se(design, theta)[prop]
        with np.errstate(invalid="ignore", divide="ignore"):
            q = stats.t.ppf(1 - (1 - level) / 2, df[prop])
            eta0 = np.log(p / (1 - p))
            plo, phi = _expit(eta0 - q * s_eta), _expit(eta0 + q * s_eta)
    else:
        plo, phi = prop_ci(method, p, se[prop], df[prop], level, n_rows=rows[prop])
    lo, hi = lo.copy(), hi.copy()
    lo[prop], hi[prop] = plo, phi
    return lo, hi


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def design_arrays(design) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, bool, str]:
    """(strata codes, PSU codes, first-stage population size per row or None, has strata,
    lonely-PSU rule) of a linearization ``Design``."""
    strata = np.asarray(design.strata_codes)
    psu = np.asarray(design.psu_codes)
    has_strata = getattr(design, "strata_name", None) is not None
    fpc = None
    stages = getattr(design, "stages", None)
    if stages and stages[0].popsize is not None:
        fpc = np.asarray(stages[0].popsize, dtype=float)[strata]
    return strata, psu, fpc, has_strata, getattr(design, "lonely_psu", "fail")


__all__ = [
    "TYPES",
    "ReplicateDesign",
    "as_replicate",
    "bootstrap_weights",
    "canonical_type",
    "jk1_weights",
    "jkn_weights",
    "svrvar",
]
