"""The tidy estimates table (DESIGN.md contract) and the population-scaling helper.

One row per (indicator, category, domain, level). Columns, in this order:
``indicator, base, domain, level, estimate, se, ci_low, ci_high, deff, n_unweighted,
n_weighted, flag, df, cv`` then extras (``category``, ``statistic``, ``ci_method``).
``domain``/``level`` are "" on the overall row; crossed domains read ``"sex:area"`` /
``"1:2"``. ``category`` is the level of a categorical or multiple-response indicator
("" otherwise). Proportions are fractions 0–1.

>>> import pandas as pd
>>> e = Estimates(pd.DataFrame({c: [] for c in COLUMNS}))
>>> list(e.table.columns[:4])
['indicator', 'base', 'domain', 'level']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

COLUMNS = ["indicator", "base", "domain", "level", "estimate", "se", "ci_low", "ci_high", "deff",
           "n_unweighted", "n_weighted", "flag", "df", "cv"]
EXTRA = ["category", "statistic", "ci_method"]


@dataclass(frozen=True)
class FlagRule:
    """Small-base flags (household-survey convention): base < ``suppress`` → "suppressed",
    base < ``caution`` → "caution".

    >>> FlagRule().flag(np.array([10, 30, 60])).tolist()
    ['suppressed', 'caution', '']
    """

    suppress: int = 25
    caution: int = 50

    def flag(self, n: np.ndarray) -> np.ndarray:
        n = np.asarray(n)
        return np.where(n < self.suppress, "suppressed", np.where(n < self.caution, "caution", ""))


@dataclass(frozen=True)
class Estimates:
    """A tidy table of design-based estimates; ``vcov`` is their joint covariance (rows in
    table order) when asked for (``covmat=True``), for :func:`dhkit.survey.contrast.contrast`.

    >>> import pandas as pd
    >>> e = Estimates(pd.DataFrame({c: [] for c in COLUMNS}))
    >>> e.vcov is None
    True
    """

    table: pd.DataFrame
    vcov: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.table)

    def row(self, indicator: str, domain: str = "", level: str = "", category: str = "") -> pd.Series:
        """The one row for an indicator (category) in a domain level.

        >>> import pandas as pd
        >>> t = pd.DataFrame({c: [""] for c in COLUMNS + EXTRA}); t["indicator"] = "y"
        >>> Estimates(t).row("y").indicator
        'y'
        """
        t = self.table
        m = (t.indicator == indicator) & (t.domain == domain) & (t.level == str(level))
        if "category" in t.columns:
            m &= t.category == category
        hit = t[m]
        if len(hit) != 1:
            raise KeyError(f"{len(hit)} rows for indicator={indicator!r} category={category!r} "
                           f"domain={domain!r} level={level!r}")
        return hit.iloc[0]

    def to_file(self, path: str) -> None:
        """Write the table as CSV or Parquet (by suffix)."""
        if str(path).lower().endswith((".parquet", ".pq")):
            self.table.to_parquet(path, index=False)
        else:
            from dhkit.safetext import csv_frame

            csv_frame(self.table).to_csv(path, index=False)


@dataclass(frozen=True)
class PopulationScale:
    """'Equivalent to an estimated N children': a proportion scaled to a population.

    ``population`` is the count the proportion applies to: from the weights (the design's
    estimated total, :meth:`from_weights`) or an external figure (e.g. 4.1 million
    internet-using children). ``low``/``high`` scale the CI bounds the same way (the
    population treated as known).

    >>> s = PopulationScale.of(0.21, 4_100_000, ci=(0.18, 0.24))
    >>> s.equivalent, s.rounded()
    (861000.0, 860000)
    """

    proportion: float
    population: float
    equivalent: float
    low: float | None = None
    high: float | None = None

    @classmethod
    def of(cls, proportion: float, population: float,
           ci: tuple[float, float] | None = None) -> PopulationScale:
        """Scale a proportion (0–1) to ``population``."""
        if not 0 <= proportion <= 1:
            raise ValueError(f"proportion {proportion} is not a fraction 0-1")
        lo, hi = (ci[0] * population, ci[1] * population) if ci else (None, None)
        return cls(proportion, float(population), round(proportion * population, 6), lo, hi)

    @classmethod
    def from_weights(cls, estimates: Estimates, indicator: str, domain: str = "",
                     level: str = "", category: str = "") -> PopulationScale:
        """Use the row's weighted base (sum of weights) as the population.

        >>> import pandas as pd
        >>> t = pd.DataFrame({c: [""] for c in COLUMNS + EXTRA})
        >>> t[["indicator", "estimate", "n_weighted", "ci_low", "ci_high"]] = ["y", 0.5, 1000.0, 0.4, 0.6]
        >>> PopulationScale.from_weights(Estimates(t), "y").equivalent
        500.0
        """
        r = estimates.row(indicator, domain, level, category)
        return cls.of(float(r.estimate), float(r.n_weighted), (float(r.ci_low), float(r.ci_high)))

    def rounded(self, significant: int = 2) -> int:
        """The equivalent rounded to ``significant`` figures, as a report states it."""
        if self.equivalent == 0:
            return 0
        digits = significant - int(np.floor(np.log10(abs(self.equivalent)))) - 1
        return int(round(self.equivalent, digits))
