"""The verbs every survey design shares, whatever its variance method (R dispatches on the
design's class the same way: ``svymean`` on a ``survey.design2`` or a ``svyrep.design``).

:class:`SurveyDesign` is the parent of :class:`~dhkit.survey.design.Design` (linearization)
and :class:`~dhkit.survey.replicate.ReplicateDesign` (replicate weights). Each child supplies
its variance primitive and its batch engine; the verbs, their argument rules and the
domain machinery live here once:

- ``by`` means the same in every verb: **one domain variable, or a list of variables crossed
  together** (R ``svyby(~sex+area)``: domain ``"sex:area"``, levels ``"1:urban"`` …).
  ``estimate(domains=[...])`` is the batch form: a list of such specs, each its own table
  block (``domains=["sex", "area", ["sex", "area"]]``).
- a single variable name may be given as a string wherever a list is accepted.
- ``subset(expr)`` is R ``subset.survey.design``: a domain on the full design (the strata
  and PSUs of the whole sample still count for the variance). Filtering the data frame
  first and building a new design gives a *different* (wrong) variance.
- ``update(name=...)`` adds derived variables (R ``update.survey.design``) without copying
  the data (pandas copy-on-write shares the existing columns).

>>> import pandas as pd
>>> from dhkit.survey import Design
>>> df = pd.DataFrame({"w": [1.0, 2, 1, 2], "c": [1, 2, 3, 4], "y": [1.0, 0, 1, 1],
...                    "s": ["a", "a", "b", "b"]})
>>> d = Design(df, weights="w", psu="c").update(y2="y * 2")
>>> d.subset("s == 'b'").mean("y2").table.estimate.tolist()
[2.0]
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError


def names(v: str | Sequence[str] | None) -> list[str]:
    """A variable list: ``None`` → [], ``"x"`` → ["x"], a sequence → a list.

    >>> names("api00"), names(["a", "b"]), names(None)
    (['api00'], ['a', 'b'], [])
    """
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    return list(v)


def by_spec(by: str | Sequence[str] | None) -> list:
    """``by`` of every verb as the batch engine's ``domains`` list: one variable, or a list
    crossed (``["sex", "area"]`` → one crossed domain ``sex:area``).

    >>> by_spec("sex"), by_spec(["sex", "area"]), by_spec(None), by_spec(["sex"])
    (['sex'], [['sex', 'area']], [], ['sex'])
    """
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    by = list(by)
    if not by:
        return []
    if not all(isinstance(b, str) for b in by):
        raise DhkitError("EST-028", f"by={by!r}: by is one domain, a variable or a list of "
                         "variables crossed together; for several domains in one table use "
                         "estimate(domains=[...]).")
    return [by] if len(by) > 1 else [by[0]]


def domain_specs(domains: str | Sequence[str | Sequence[str]] | None) -> list:
    """The batch ``domains=`` list: a string is one domain; each item a variable or a list
    crossed.

    >>> domain_specs("sex"), domain_specs(["sex", ["sex", "area"]])
    (['sex'], ['sex', ['sex', 'area']])
    """
    if domains is None:
        return []
    if isinstance(domains, str):
        return [domains]
    return [d if isinstance(d, str) else list(d) for d in domains]


class SurveyDesign:
    """Common verbs of linearization and replicate designs (see the module docstring).

    Children provide ``data``, ``w``, ``n``, ``degf``, ``_batch(**kw)`` (the batch engine)
    and the variance primitive their estimators use.
    """

    data: pd.DataFrame
    _domain: np.ndarray | None = None

    # ---- domains and derived variables -------------------------------------------------
    @property
    def domain(self) -> np.ndarray | None:
        """The rows of the ``subset`` this design estimates on (None: every row)."""
        return self._domain

    def in_domain(self) -> np.ndarray:
        """Boolean mask (n,) of the rows in ``subset`` (every row without one)."""
        return np.ones(self.n, dtype=bool) if self._domain is None else self._domain

    def subset(self, expr: str | np.ndarray | pd.Series | Callable[[pd.DataFrame], Any]):
        """A domain of the design (R ``subset.survey.design``): estimates use only the rows
        where ``expr`` holds, the variance keeps the whole design's strata and PSUs.

        ``expr`` is a pandas expression on the data (``"sex == 2 and age >= 15"``), a
        boolean mask, or a function of the data frame returning one. Rows where it is
        missing are left out. Subsets compose (a subset of a subset is their intersection).

        Do not filter the data frame and build a new design instead: the variance then
        forgets the PSUs with no row in the domain and the SE is wrong (R's ``subset``
        warns the same way).

        >>> import pandas as pd
        >>> from dhkit.survey import Design
        >>> df = pd.DataFrame({"w": 1.0, "c": range(6), "y": [1.0, 2, 3, 4, 5, 6], "g": [1, 1, 1, 2, 2, 2]})
        >>> d = Design(df, weights="w", psu="c")
        >>> round(float(d.subset("g == 2").mean("y").table.se[0]), 6)
        0.516398
        """
        mask = self._mask(expr)
        other = copy.copy(self)
        other._domain = mask if self._domain is None else (mask & self._domain)
        other._after_subset()
        return other

    def _after_subset(self) -> None:
        """Hook for children whose cached per-domain facts depend on the subset."""

    def _mask(self, expr) -> np.ndarray:
        if callable(expr):
            expr = expr(self.data)
        if isinstance(expr, str):
            try:
                expr = self.data.eval(expr)
            except Exception as e:  # pandas raises many kinds; one message for the user
                raise DhkitError("EST-027", f"subset expression {expr!r} could not be evaluated "
                                 f"on the data ({type(e).__name__}: {e}); write it as a pandas "
                                 "expression on column names, e.g. \"sex == 2 and age >= 15\".") from None
        m = pd.Series(expr) if not isinstance(expr, pd.Series) else expr
        if len(m) != self.n:
            raise DhkitError("EST-027", f"subset has {len(m)} values for {self.n} rows; give one "
                             "condition per row.")
        if not (pd.api.types.is_bool_dtype(m) or m.dropna().isin([0, 1, True, False]).all()):
            raise DhkitError("EST-027", "subset must be a condition (true/false per row), e.g. "
                             "\"sex == 2\".")
        return m.fillna(False).to_numpy(dtype=bool)

    def update(self, **columns: str | Callable[[pd.DataFrame], Any] | Sequence | np.ndarray):
        """Add or replace variables (R ``update(design, name = expr)``): each value is a
        pandas expression on the data (``"q1 + q2"``), a function of the data frame, or an
        array of one value per row. The design itself (strata, PSUs, weights, subset) is
        shared, and the existing columns are not copied.

        >>> import pandas as pd
        >>> from dhkit.survey import Design
        >>> d = Design(pd.DataFrame({"w": 1.0, "c": range(4), "a": [1, 2, 3, 4]}), weights="w", psu="c")
        >>> d.update(big="a > 2").mean("big").table.estimate.tolist()
        [0.5]
        """
        new = {}
        for name, value in columns.items():
            if callable(value):
                value = value(self.data)
            elif isinstance(value, str):
                try:
                    value = self.data.eval(value)
                except Exception as e:
                    raise DhkitError("EST-027", f"update {name}={value!r} could not be evaluated "
                                     f"({type(e).__name__}: {e}); write a pandas expression on "
                                     "column names, e.g. \"q1 + q2\".") from None
            arr = value.to_numpy() if isinstance(value, pd.Series) else np.asarray(value)
            if arr.ndim == 0:
                arr = np.full(self.n, arr.item())
            if len(arr) != self.n:
                raise DhkitError("EST-027", f"update {name}: {len(arr)} values for {self.n} rows.")
            new[name] = arr
        other = copy.copy(self)
        other.data = self.data.assign(**new)
        return other

    # ---- estimation verbs ----------------------------------------------------------------
    def estimate(self, means: str | Sequence[str] = (), totals: str | Sequence[str] = (),
                 ratios: Sequence[tuple[str, str]] = (), by: str | Sequence[str] | None = None,
                 domains: str | Sequence[str | Sequence[str]] | None = None, **kw):
        """The batch engine: every indicator × overall and every domain, in one pass.

        ``by`` is one domain (a variable, or a list crossed); ``domains`` a list of them,
        each its own block of rows (``domains=["sex", "age", ["sex", "area"]]``). Other
        keywords (``ci``, ``level``, ``deff``, ``covmat``, ``multiple``, ``categorical``,
        ``bases``, ``flags``) as :func:`dhkit.survey.batch.estimate`.

        >>> import pandas as pd
        >>> from dhkit.survey import Design
        >>> df = pd.DataFrame({"w": [1.0, 1, 2, 2], "c": [1, 2, 3, 4], "y": [1, 0, 1, 1], "s": [1, 2, 1, 2]})
        >>> len(Design(df, weights="w", psu="c").estimate(means="y", domains=["s"]).table)
        3
        """
        specs = domain_specs(domains) + by_spec(by)
        return self._batch(means=names(means), totals=names(totals), ratios=list(ratios),
                           by=specs, **kw)

    def mean(self, vars: str | Sequence[str], by: str | Sequence[str] | None = None, **kw):
        """Means and proportions (R ``svymean``/``svyby``/``svyciprop``): one row per
        indicator (and category) × overall and each level of ``by``.

        >>> import pandas as pd
        >>> from dhkit.survey import Design
        >>> df = pd.DataFrame({"w": [1.0, 1, 2, 2], "c": [1, 2, 3, 4], "y": [1, 0, 1, 1]})
        >>> Design(df, weights="w", psu="c").mean("y").table.estimate.round(3).tolist()
        [0.833]
        """
        return self.estimate(means=vars, by=by, **kw)

    def total(self, vars: str | Sequence[str], by: str | Sequence[str] | None = None, **kw):
        """Totals (R ``svytotal``), per domain on the full design.

        >>> import pandas as pd
        >>> from dhkit.survey import Design
        >>> df = pd.DataFrame({"w": [1.0, 1, 2, 2], "c": [1, 2, 3, 4], "y": [1, 0, 1, 1]})
        >>> Design(df, weights="w", psu="c").total("y").table.estimate.tolist()
        [5.0]
        """
        return self.estimate(totals=vars, by=by, **kw)

    def ratio(self, numerators: str | Sequence[str], denominators: str | Sequence[str],
              by: str | Sequence[str] | None = None, **kw):
        """Ratios of totals (R ``svyratio``), each numerator over the denominator at its
        position (one denominator serves all).

        >>> import pandas as pd
        >>> from dhkit.survey import Design
        >>> df = pd.DataFrame({"w": [1.0, 1, 2, 2], "c": [1, 2, 3, 4], "y": [1, 0, 1, 1], "x": [2, 2, 2, 2]})
        >>> Design(df, weights="w", psu="c").ratio("y", "x").table.estimate.tolist()
        [0.4166666666666667]
        """
        nums, dens = names(numerators), names(denominators)
        if len(dens) == 1 and len(nums) > 1:
            dens = dens * len(nums)
        if len(nums) != len(dens):
            raise DhkitError("EST-017", f"{len(nums)} numerators but {len(dens)} denominators; "
                             "give one denominator, or one per numerator.")
        return self.estimate(ratios=list(zip(nums, dens)), by=by, **kw)

    def contrast(self, estimates, weights: Mapping[str, float] | Sequence[float], **kw):
        """A linear contrast of estimates with SE and p from their joint covariance (R
        ``svycontrast``); the estimates need ``covmat=True``. t on the design's ``degf``.

        >>> import pandas as pd
        >>> from dhkit.survey import Design
        >>> df = pd.DataFrame({"w": [1.0] * 6, "c": range(6), "y": [1, 0, 1, 1, 0, 0], "s": [1, 2] * 3})
        >>> d = Design(df, weights="w", psu="c")
        >>> e = d.mean("y", by="s", covmat=True)
        >>> round(float(d.contrast(e, {"s=2": 1, "s=1": -1}).table.estimate[0]), 4)
        -0.3333
        """
        from dhkit.survey.contrast import contrast

        return contrast(estimates, weights, df=kw.pop("df", self.degf), **kw)

    def quantile(self, vars: str | Sequence[str], quantiles: Sequence[float] = (0.5,), **kw):
        """Quantiles with Woodruff intervals (R ``svyquantile``); see
        :func:`dhkit.survey.quantiles.quantile`."""
        from dhkit.survey.quantiles import quantile

        return quantile(self, vars, quantiles, **kw)

    def chisq(self, row_var: str, col_var: str, **kw):
        """Rao–Scott test of association (R ``svychisq``); see :func:`dhkit.survey.association.chisq`."""
        from dhkit.survey.association import chisq

        return chisq(self, row_var, col_var, **kw)

    def ttest(self, y: str, group: str, **kw):
        """Design-based t-test (R ``svyttest``); see :func:`dhkit.survey.association.ttest`."""
        from dhkit.survey.association import ttest

        return ttest(self, y, group, **kw)

    def glm(self, formula: str, family: str = "gaussian", **kw):
        """Design-based generalised linear model (R ``svyglm``); see :func:`dhkit.survey.regression.glm`."""
        from dhkit.survey.regression import glm

        return glm(self, formula, family, **kw)

    def prevalence_ratio(self, y: str, group: str, levels: tuple[Any, Any] | None = None, **kw):
        """Ratio of the proportion ``y`` between two levels of ``group`` with its CI on
        the log scale; see :func:`dhkit.survey.relative.prevalence_ratio`."""
        from dhkit.survey.relative import prevalence_ratio

        return prevalence_ratio(self, y, group, levels, **kw)
