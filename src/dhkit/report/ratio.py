"""The report's prevalence ratio: the engine's :func:`dhkit.survey.relative.prevalence_ratio`
(log scale, joint design covariance; equal to R ``svycontrast`` on ``svyby(..., covmat =
TRUE)``) with the unweighted bases the report prints beside it.

The overlap finding ("children subjected to in-person sexual violence are N times as likely
to be subjected to TF-CSEA") is p₁/p₀ of one indicator in two levels of a domain. This
module only adds what the report needs on top of the engine's result — the two unweighted
bases and a ``significant`` flag — so the ratio itself is computed in one place.
(``tests/reference/r/ratio.R`` makes the fixture the tests compare with.)

>>> import pandas as pd
>>> df = pd.DataFrame({"w": [1.0] * 8, "c": range(8), "y": [1, 1, 0, 1, 0, 0, 1, 0],
...                    "g": ["1", "1", "1", "1", "0", "0", "0", "0"]})
>>> from dhkit.survey import Design
>>> pr = prevalence_ratio(Design(df, weights="w", psu="c"), "y", "g", exposed="1", reference="0")
>>> round(pr.ratio, 3)
3.0
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrevalenceRatio:
    """p_exposed / p_reference with its log-scale SE and t confidence interval."""

    indicator: str
    domain: str
    exposed: str
    reference: str
    p_exposed: float
    p_reference: float
    ratio: float
    se_log: float
    ci_low: float
    ci_high: float
    df: int
    p_value: float            # test of PR = 1 (log PR = 0), two-sided t
    n_exposed: int            # unweighted bases of the two proportions
    n_reference: int

    @property
    def significant(self) -> bool:
        return bool(self.p_value < 0.05)


def prevalence_ratio(design, variable: str, domain: str, *, exposed: str, reference: str,
                     level: float = 0.95) -> PrevalenceRatio:
    """The prevalence ratio of ``variable`` (0/1, NaN = missing) between two levels of the
    ``domain`` column, from the engine (the domain is estimated on the full design)."""
    r = design.prevalence_ratio(variable, domain, (exposed, reference), level=level)
    data = design.data
    answered = data[variable].notna()
    groups = data[domain].astype("string")
    n1 = int((answered & groups.eq(str(exposed)).fillna(False)).sum())
    n0 = int((answered & groups.eq(str(reference)).fillna(False)).sum())
    return PrevalenceRatio(variable, domain, str(exposed), str(reference), r.p_numerator,
                           r.p_denominator, r.estimate, r.se_log, r.ci_low, r.ci_high,
                           int(r.df), r.p_value, n1, n0)
