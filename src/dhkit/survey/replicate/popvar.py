"""The population variance of a variable on a replicate design (R ``svyvar`` on a
``svrepdesign``, and ``svyby(..., svyvar)``).

Unlike the linearization form (:meth:`dhkit.survey.design.Design.var`, which takes the mean
as fixed), R recomputes the whole statistic with every replicate's weights — its own weighted
mean included — and applies ``svrVar`` to the replicate values:
v(w) = n/(n−1) · Σ w (x − x̄_w)² / Σ w, with n the rows of the (sub)design with a value (rows of
weight zero included, as R's ``NROW(x)``). A domain is R's physically subset design.
The sums are taken after shifting x by its full-sample mean (the variance does not change;
no digits are lost to a large mean).

Reference: Lumley T., survey 4.1.1, ``svyvar.svyrep.design``; Wolter (2007) ch. 4.

>>> import pandas as pd
>>> from dhkit.survey.replicate import ReplicateDesign
>>> df = pd.DataFrame({"y": [1.0, 3, 2, 6], "w": 1.0, "r1": [0.0, 2, 1, 1],
...                    "r2": [2.0, 0, 1, 1], "r3": [1.0, 1, 0, 2], "r4": [1.0, 1, 2, 0]})
>>> d = ReplicateDesign(df, weights="w", repweights="^r", type="JKn", rscales=0.5)
>>> round(float(d.var("y").table.estimate[0]), 4), round(float(d.var("y").table.se[0]), 4)
(4.6667, 3.0641)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError


def _values(design, name: str) -> np.ndarray:
    col = design._column(name, "variable")
    x = pd.to_numeric(col, errors="coerce").to_numpy(float)
    bad = np.isnan(x) & col.notna().to_numpy()
    if bad.any():
        from dhkit.survey.design import _rows

        raise DhkitError("EST-014", f"variable '{name}' is not numeric at {_rows(bad)}; "
                         "a variance needs numbers.")
    return x


def replicate_values(design, x: np.ndarray, rows: np.ndarray) -> tuple[float, np.ndarray]:
    """v(w) on ``rows`` for the full-sample weight and every replicate: (estimate, (R,))."""
    w = np.column_stack([design.w[rows], design.analysis_weights[rows]])
    n = float(rows.sum())
    if n < 2:
        return np.nan, np.full(design.replicates, np.nan)
    xr = x[rows]
    s0 = w.sum(axis=0)
    shift = (w[:, 0] @ xr) / s0[0] if s0[0] > 0 else 0.0
    xs = xr - shift
    with np.errstate(divide="ignore", invalid="ignore"):
        m = (xs @ w) / s0
        v = n / (n - 1) * ((xs * xs) @ w / s0 - m * m)
    return float(v[0]), v[1:]


def population_variance(design, vars: str | Sequence[str], by=None, level: float = 0.95):
    """The :class:`~dhkit.survey.tidy.Estimates` of :meth:`ReplicateDesign.var`."""
    from dhkit.survey.ci import t_interval
    from dhkit.survey.tidy import Estimates

    names = [vars] if isinstance(vars, str) else list(vars)
    skeleton = design.mean(names, by=by, level=level, deff=False).table.copy()
    keep = design.in_domain()
    cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    labels = _level_labels(design, cols) if cols else None
    est, se = np.full(len(skeleton), np.nan), np.full(len(skeleton), np.nan)
    for name in names:
        x = _values(design, name)
        ok = keep & ~np.isnan(x)
        at = np.flatnonzero((skeleton.indicator == name).to_numpy())
        for i in at:
            rows = ok
            if skeleton.domain.iat[i] != "":
                rows = ok & (labels == skeleton.level.iat[i])
            e, reps = replicate_values(design, x, rows)
            est[i] = e
            se[i] = float(np.sqrt(design.variance(reps[:, None], np.array([e]))[0]))
    skeleton["estimate"], skeleton["se"] = est, se
    lo, hi = t_interval(est, se, skeleton.df.to_numpy(float), level)
    skeleton["ci_low"], skeleton["ci_high"] = lo, hi
    with np.errstate(divide="ignore", invalid="ignore"):
        skeleton["cv"] = se / np.abs(est)
    skeleton["statistic"] = "variance"
    skeleton["deff"] = np.nan   # R's svyvar has no design effect
    return Estimates(skeleton)


def _level_labels(design, cols: list[str]) -> np.ndarray:
    """Each row's domain level as the table names it ("1", or "1:urban" when crossed);
    None where a domain variable is missing."""
    from dhkit.survey.batch import label as fmt

    frame = design.data[cols]
    codes = frame.groupby(cols, sort=True, dropna=True).ngroup().to_numpy(dtype=float)
    codes = np.where(np.isnan(codes), -1, codes).astype(np.int64)  # NaN: a missing domain
    present = codes >= 0
    first = pd.Series(np.flatnonzero(present)).groupby(codes[present]).first().to_numpy()
    names = np.array([":".join(fmt(frame[c].iat[r]) for c in cols) for r in first], dtype=object)
    return np.where(present, names[np.maximum(codes, 0)] if len(names) else None, None)
