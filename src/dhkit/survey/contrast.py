"""Linear contrasts of estimates — differences between domains with SE and p-value from
their joint covariance (R ``svycontrast`` on ``svyby(..., covmat=TRUE)``).

The p-value is two-sided from Student's t on the design degrees of freedom (R's
``svycontrast`` returns the estimate and SE; we add ``2·pt(−|est/SE|, degf)``).

>>> import numpy as np, pandas as pd
>>> from dhkit.survey.tidy import COLUMNS, EXTRA, Estimates
>>> t = pd.DataFrame({c: [""] * 2 for c in COLUMNS + EXTRA})
>>> t["indicator"] = "y"; t["domain"] = "sex"; t["level"] = ["1", "2"]; t["estimate"] = [0.2, 0.3]
>>> e = Estimates(t, vcov=np.array([[0.01, 0.002], [0.002, 0.02]]))
>>> r = contrast(e, {"sex=2": 1, "sex=1": -1}, df=30)
>>> round(float(r.table.estimate[0]), 3), round(float(r.table.se[0]), 4)
(0.1, 0.1612)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from dhkit.errors import DhkitError
from dhkit.survey.ci import t_interval
from dhkit.survey.tidy import Estimates


def _key(row: pd.Series) -> str:
    ind = row.indicator + (f"[{row.category}]" if row.get("category", "") else "")
    where = f"{row.domain}={row.level}" if row.domain else ""
    return where if where else ind


def contrast(estimates: Estimates, weights: Mapping[str, float] | Sequence[float], *,
             df: float = np.inf, level: float = 0.95, name: str = "contrast") -> Estimates:
    """Σ c_j·θ_j with SE √(cᵀVc), t CI and two-sided p on ``df``.

    ``weights`` is a sequence with one coefficient per row of ``estimates.table`` or a
    mapping from row keys to coefficients; a key is ``"domain=level"`` (e.g. ``"sex=2"``)
    or, for a table of one domain variable and several indicators, ``"indicator[category]
    @domain=level"`` (``indicator@domain=level``). Needs ``estimates.vcov`` (``covmat=True``).
    """
    if estimates.vcov is None:
        raise DhkitError("EST-020", "these estimates carry no joint covariance; estimate them "
                         "with covmat=True to compare domains.")
    t = estimates.table
    if isinstance(weights, Mapping):
        c = np.zeros(len(t))
        keys = [_key(r) for _, r in t.iterrows()]
        full = [f"{r.indicator}{f'[{r.category}]' if r.get('category', '') else ''}@{_key(r)}"
                for _, r in t.iterrows()]
        for k, v in weights.items():
            hits = [i for i, (a, b) in enumerate(zip(keys, full)) if k in (a, b)]
            if len(hits) != 1:
                raise DhkitError("EST-021", f"contrast key '{k}' matches {len(hits)} rows; use "
                                 "'domain=level' or 'indicator@domain=level' (e.g. 'sex=2').")
            c[hits[0]] = v
    else:
        c = np.asarray(weights, dtype=float)
        if c.shape != (len(t),):
            raise DhkitError("EST-021", f"{len(c)} contrast coefficients for {len(t)} estimates.")
    used = c != 0
    est = float(np.dot(c[used], t.estimate.to_numpy()[used]))
    v = estimates.vcov[np.ix_(used, used)]
    se = float(np.sqrt(max(c[used] @ v @ c[used], 0.0)))
    lo, hi = t_interval(np.array([est]), np.array([se]), np.array([df]), level)
    p = float(2 * stats.t.sf(abs(est / se), df)) if se > 0 else np.nan
    first = t[used].iloc[0]
    table = pd.DataFrame([{
        "indicator": first.indicator, "base": first.base, "domain": first.domain,
        "level": name, "estimate": est, "se": se, "ci_low": float(lo[0]), "ci_high": float(hi[0]),
        "deff": np.nan, "n_unweighted": int(pd.to_numeric(t.n_unweighted[used], errors="coerce").fillna(0).sum()),
        "n_weighted": float(pd.to_numeric(t.n_weighted[used], errors="coerce").fillna(0).sum()), "flag": "", "df": df,
        "cv": se / abs(est) if est else np.nan, "category": first.get("category", ""),
        "statistic": "contrast", "ci_method": "t", "p": p,
    }])
    return Estimates(table, np.array([[se * se]]))
