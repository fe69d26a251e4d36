"""Disclosure-risk measures on key variables (pure functions on a DataFrame).

Key variables (quasi-identifiers) are those an intruder may know from outside the data:
region, area, sex, age, household size. A *key cell* is one combination of their values.

Missing values follow ``sdcMicro``'s convention (``freqCalc``): a missing key value —
for example one removed by local suppression — matches every value of that variable,
so a record's sample frequency counts every record it cannot be told apart from.

References
----------
- Templ, Kowarik, Meindl (2015), "Statistical Disclosure Control for Micro-Data Using the
  R Package sdcMicro", *J. Stat. Softw.* 67(4): ``freqCalc``, ``indivRisk``, ``measure_risk``.
- Benedetti & Franconi (1998), "Statistical and technological solutions for controlled data
  dissemination"; Franconi & Polettini (2004), "Individual risk estimation in mu-Argus".
- Sweeney (2002), "k-anonymity: a model for protecting privacy".
- Machanavajjhala et al. (2007), "l-diversity: privacy beyond k-anonymity".

Why written here: sdcMicro is R (not available at run time); the Python ports found are
unmaintained, and the measures are a few grouped sums.

>>> import pandas as pd
>>> df = pd.DataFrame({"sex": [1, 1, 2], "age": [12, 12, 13], "w": [10.0, 30.0, 5.0]})
>>> sample_frequencies(df, ["sex", "age"]).tolist()
[2, 2, 1]
>>> population_frequencies(df, ["sex", "age"], "w").tolist()
[40.0, 40.0, 5.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def _codes(df: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Integer codes per key column, -1 for missing (a wildcard)."""
    out = np.empty((len(df), len(keys)), dtype=np.int64)
    for j, k in enumerate(keys):
        codes, _ = pd.factorize(df[k], use_na_sentinel=True)
        out[:, j] = codes
    return out


def _matches(codes: np.ndarray, i: int) -> np.ndarray:
    """Rows that cannot be told apart from row ``i`` (missing matches anything)."""
    row = codes[i]
    ok = (codes == row) | (codes < 0) | (row < 0)
    return ok.all(axis=1)


def _weighted_counts(df: pd.DataFrame, keys: list[str], w: np.ndarray) -> np.ndarray:
    if not keys:
        return np.full(len(df), w.sum(), dtype=float)
    codes = _codes(df, keys)
    if (codes >= 0).all():            # fast path: plain key cells
        cell = pd.Series(w).groupby([codes[:, j] for j in range(codes.shape[1])]).transform("sum")
        return cell.to_numpy(dtype=float)
    out = np.empty(len(df), dtype=float)
    for i in range(len(df)):          # a suppressed value matches every value of its variable
        out[i] = w[_matches(codes, i)].sum()
    return out


def sample_frequencies(df: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """f_k of every record: how many sample records share its key values (sdcMicro ``fk``).

    >>> sample_frequencies(pd.DataFrame({"a": [1, 1, None]}), ["a"]).tolist()
    [3, 3, 3]
    """
    return _weighted_counts(df, keys, np.ones(len(df))).astype(np.int64)


def population_frequencies(df: pd.DataFrame, keys: list[str], weights: str) -> np.ndarray:
    """F_k of every record, estimated as the sum of the sampling weights in its key cell
    (sdcMicro ``Fk``)."""
    return _weighted_counts(df, keys, df[weights].to_numpy(dtype=float))


def k_violations(df: pd.DataFrame, keys: list[str], k: int) -> int:
    """Number of records whose key cell holds fewer than ``k`` sample records.

    >>> k_violations(pd.DataFrame({"a": [1, 1, 2]}), ["a"], 2)
    1
    """
    return int((sample_frequencies(df, keys) < k).sum())


def _one_risk(f: int, p: float) -> float:
    if p >= 1.0 - 1e-12:       # weights of 1: the sample is the population
        return 1.0 / f
    if f == 1:
        return p / (1 - p) * math.log(1 / p)
    if f == 2:
        q = p / (1 - p)
        return q - q * q * math.log(1 / p)
    return p / (f - (1 - p))


def individual_risk(f: np.ndarray, F: np.ndarray) -> np.ndarray:
    """Individual re-identification risk per record, Benedetti–Franconi approximation as in
    sdcMicro ``indivRisk(method="approx")`` / ``measure_risk``, with ``p = f / F``:

    - f = 1: ``p/(1-p) · log(1/p)``
    - f = 2: ``p/(1-p) − (p/(1-p))² · log(1/p)``
    - f > 2: ``p / (f − (1 − p))``

    and ``1/f`` where ``F = f`` (every weight 1: the sample is the population).

    >>> r = individual_risk(np.array([1, 2, 4]), np.array([10.0, 10.0, 40.0]))
    >>> [round(float(x), 6) for x in r]
    [0.255843, 0.14941, 0.032258]
    """
    F = np.maximum(np.asarray(F, dtype=float), np.asarray(f, dtype=float))
    return np.array([_one_risk(int(fi), fi / Fi) for fi, Fi in zip(f, F)], dtype=float)


def _cell_values(df: pd.DataFrame, keys: list[str], sensitive: str):
    """For every record, the non-missing sensitive values of the records in its key cell."""
    codes = _codes(df, keys)
    values = df[sensitive].to_numpy()
    present = ~pd.isna(df[sensitive]).to_numpy()
    if (codes >= 0).all():              # plain key cells: one group per cell
        groups = pd.Series(np.arange(len(df))).groupby(
            [codes[:, j] for j in range(codes.shape[1])] if keys else np.zeros(len(df))
        ).indices
        cell = {}
        for rows in groups.values():
            v = values[rows[present[rows]]]
            for i in rows:
                cell[i] = v
        return [cell[i] for i in range(len(df))]
    return [values[_matches(codes, i) & present] for i in range(len(df))]


def _counts(v: np.ndarray) -> tuple[list, np.ndarray]:
    """Distinct values of a cell and their counts, most frequent first."""
    if len(v) == 0:
        return [], np.zeros(0)
    u, n = np.unique(np.asarray([_norm(x) for x in v], dtype=object).astype(str),
                     return_counts=True)
    order = np.argsort(-n, kind="stable")
    return list(u[order]), n[order].astype(float)


def _norm(x) -> str:
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return str(int(x))
    return str(x)


def l_diversity(df: pd.DataFrame, keys: list[str], sensitive: str) -> np.ndarray:
    """Distinct l-diversity of every record: how many distinct non-missing values of
    ``sensitive`` occur among the records sharing its key cell (Machanavajjhala et al.
    2007, §4.1; sdcMicro ``ldiversity``, distinct version).

    >>> df = pd.DataFrame({"a": [1, 1, 2, 2], "s": [0, 1, 1, 1]})
    >>> l_diversity(df, ["a"], "s").tolist()
    [2, 2, 1, 1]
    """
    return np.array([len(_counts(v)[0]) for v in _cell_values(df, keys, sensitive)],
                    dtype=np.int64)


def entropy_l(df: pd.DataFrame, keys: list[str], sensitive: str) -> np.ndarray:
    """Entropy l-diversity of every record: exp of the entropy of the sensitive values in
    its key cell, −Σ p log p (Machanavajjhala et al. 2007, Def. 4.1: a cell is entropy
    l-diverse when its entropy is at least log l, i.e. this value is at least l). A cell
    split 50/50 on a binary variable gives 2, the most a binary variable can give.

    >>> df = pd.DataFrame({"a": [1, 1, 2, 2, 2, 2], "s": [0, 1, 0, 0, 0, 1]})
    >>> [round(float(x), 4) for x in entropy_l(df, ["a"], "s")]
    [2.0, 2.0, 1.7548, 1.7548, 1.7548, 1.7548]
    """
    out = []
    for v in _cell_values(df, keys, sensitive):
        _, n = _counts(v)
        p = n / n.sum() if n.size else n
        out.append(float(np.exp(-(p * np.log(p)).sum())) if n.size else 0.0)
    return np.array(out)


def recursive_ok(counts: np.ndarray, values: list, l: int, c: float,
                 dont_care: tuple = ()) -> bool:
    """Recursive (c, l)-diversity of one cell (Machanavajjhala et al. 2007, Def. 4.2): with
    r_1 ≥ r_2 ≥ … ≥ r_m the counts of its sensitive values, r_1 < c (r_l + … + r_m).

    With ``dont_care`` values (whose disclosure does no harm: "no" of a yes/no item) this is
    their *positive-disclosure* recursive (c, l)-diversity (Def. 4.4): let y be the rank of
    the most frequent value not in ``dont_care``; the cell passes when there is none, or
    y ≤ l − 1 and r_y < c Σ_{j≥l} r_j, or y > l − 1 and
    r_y < c (Σ_{j=l−1}^{y−1} r_j + Σ_{j>y} r_j).

    >>> recursive_ok(np.array([5., 3, 2]), ["a", "b", "c"], l=2, c=2)   # 5 < 2·(3+2)
    True
    >>> recursive_ok(np.array([9., 1]), ["0", "1"], l=2, c=3, dont_care=("0",))  # 1 < 3·9
    True
    >>> recursive_ok(np.array([4.]), ["1"], l=2, c=3, dont_care=("0",))  # only "yes"
    False
    """
    l = int(l)
    r = np.asarray(counts, dtype=float)
    care = [i for i, v in enumerate(values) if str(v) not in {_norm(x) for x in dont_care}]
    if not dont_care:
        return bool(r.size and r[0] < c * r[l - 1:].sum())
    if not care:
        return True
    y = care[0] + 1                                  # 1-based rank
    if y <= l - 1:
        return bool(r[y - 1] < c * r[l - 1:].sum())
    return bool(r[y - 1] < c * (r[l - 2:y - 1].sum() + r[y:].sum()))


def ldiversity_violations(df: pd.DataFrame, keys: list[str], sensitive: str, rule
                          ) -> np.ndarray:
    """Records whose key cell breaks ``rule`` (:class:`dhkit.release.config.LDiversityRule`)
    on ``sensitive``. A cell with no answer, or only ``dont_care`` values, never breaks it.

    >>> from dhkit.release.config import LDiversityRule
    >>> df = pd.DataFrame({"a": [1, 1, 2, 2, 3, 3], "s": [0, 1, 1, 1, 0, 0]})
    >>> rule = LDiversityRule("distinct", 2, dont_care={"s": (0,)})
    >>> ldiversity_violations(df, ["a"], "s", rule).tolist()   # (2): all "yes"
    [False, False, True, True, False, False]
    """
    dont = tuple(rule.dont_care.get(sensitive, ()))
    dset = {_norm(x) for x in dont}
    out = np.zeros(len(df), dtype=bool)
    for i, v in enumerate(_cell_values(df, keys, sensitive)):
        values, n = _counts(v)
        if not values or all(x in dset for x in values):
            continue
        if rule.measure == "distinct":
            out[i] = len(values) < rule.l
        elif rule.measure == "entropy":
            p = n / n.sum()
            out[i] = float(np.exp(-(p * np.log(p)).sum())) < rule.l - 1e-12
        else:
            out[i] = not recursive_ok(n, values, int(rule.l), rule.c, dont)
    return out


def household_risk(child: np.ndarray, caregiver: np.ndarray) -> np.ndarray:
    """Household risk from its members' individual risks: a household is re-identified
    when any member is, 1 − Π(1 − r_i) (sdcMicro ``measure_hierachical``; Templ et al.
    2015 §3.3).

    >>> household_risk(np.array([0.1, 0.0]), np.array([0.2, 0.5])).round(2).tolist()
    [0.28, 0.5]
    """
    return 1.0 - (1.0 - np.asarray(child)) * (1.0 - np.asarray(caregiver))


@dataclass(frozen=True)
class RiskSummary:
    """Risk of a data set on its key variables, before or after treatment."""

    records: int
    k: int
    uniques: int                       # records with f_k = 1
    k_violations: int                  # records with f_k < k
    max_individual_risk: float
    mean_individual_risk: float
    expected_reidentifications: float  # sum of individual risks (sdcMicro global risk · n)
    high_risk: int                     # records above the risk threshold
    risk_threshold: float
    l_diversity: dict[str, int]        # sensitive variable → minimum l over records
    entropy_l: dict[str, float] = field(default_factory=dict)   # minimum exp(entropy)
    l_violations: dict[str, int] = field(default_factory=dict)  # records breaking the rule
    l_rule: str = ""                   # the rule, as text
    household: "HouseholdRisk | None" = None


@dataclass(frozen=True)
class HouseholdRisk:
    """Household-level risk: the child's and the caregiver's rows are one household row, so
    the intruder's key is the union of the child and caregiver keys; sdcMicro's
    any-member-at-risk risk 1 − (1 − r_child)(1 − r_caregiver) is reported beside it."""

    keys: tuple[str, ...]              # the household's joint key: child keys ∪ caregiver keys
    k_violations: int                  # households with f_k < k on that key
    uniques: int
    max_risk: float                    # max of 1 − Π(1 − r_member)
    expected_reidentifications: float  # households: Σ (1 − Π(1 − r_member))
    high_risk: int
    max_joint_risk: float              # individual risk on the joint key
    expected_joint: float


def measure_risk(df: pd.DataFrame, keys: list[str], weights: str, k: int = 3,
                 sensitive: list[str] = (), risk_threshold: float = 0.1, rule=None,
                 household_keys: list[str] = ()) -> RiskSummary:
    """All risk measures at once (sdcMicro ``measure_risk`` plus k-anonymity, l-diversity
    and, with ``household_keys`` (the caregiver's), household-level risk).

    >>> df = pd.DataFrame({"a": [1, 1, 2], "w": [1.0, 1.0, 1.0], "s": [0, 1, 1]})
    >>> r = measure_risk(df, ["a"], "w", k=2, sensitive=["s"])
    >>> (r.uniques, r.k_violations, r.expected_reidentifications, r.l_diversity)
    (1, 1, 2.0, {'s': 1})
    """
    f = sample_frequencies(df, keys)
    F = population_frequencies(df, keys, weights)
    r = individual_risk(f, F)
    ldiv = {s: int(l_diversity(df, keys, s).min()) if len(df) else 0 for s in sensitive}
    ent = {s: float(entropy_l(df, keys, s).min()) if len(df) else 0.0 for s in sensitive}
    viol = ({s: int(ldiversity_violations(df, keys, s, rule).sum()) for s in sensitive}
            if rule is not None else {})
    hh = None
    if household_keys:
        hkeys = list(dict.fromkeys([*keys, *household_keys]))
        cg = list(household_keys)
        rc = individual_risk(sample_frequencies(df, cg), population_frequencies(df, cg, weights))
        hr = household_risk(r, rc)
        fj = sample_frequencies(df, hkeys)
        rj = individual_risk(fj, population_frequencies(df, hkeys, weights))
        hh = HouseholdRisk(tuple(hkeys), int((fj < k).sum()), int((fj == 1).sum()),
                           float(hr.max()) if len(hr) else 0.0, float(hr.sum()),
                           int((hr > risk_threshold).sum()),
                           float(rj.max()) if len(rj) else 0.0, float(rj.sum()))
    return RiskSummary(
        records=len(df), k=k, uniques=int((f == 1).sum()), k_violations=int((f < k).sum()),
        max_individual_risk=float(r.max()) if len(r) else 0.0,
        mean_individual_risk=float(r.mean()) if len(r) else 0.0,
        expected_reidentifications=float(r.sum()),
        high_risk=int((r > risk_threshold).sum()), risk_threshold=risk_threshold,
        l_diversity=ldiv, entropy_l=ent, l_violations=viol,
        l_rule=describe_rule(rule), household=hh)


def describe_rule(rule) -> str:
    """The l-diversity rule in words (for the report)."""
    if rule is None:
        return ""
    what = {"distinct": f"distinct {rule.l:g}-diversity",
            "entropy": f"entropy {rule.l:g}-diversity (exp entropy ≥ {rule.l:g})",
            "recursive": f"recursive ({rule.c:g}, {rule.l:g})-diversity"}[rule.measure]
    if rule.dont_care:
        what += ("; values never sensitive: " + ", ".join(
            f"{v} = {'/'.join(_norm(x) for x in xs)}" for v, xs in rule.dont_care.items()))
    return what
