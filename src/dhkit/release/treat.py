"""Seeded disclosure-control treatments (each a pure function returning a new frame).

- :func:`recode_bins` / :func:`merge_categories` / :func:`merge_small`: global recoding
  (Hundepool et al. 2012, §3.4.2; sdcMicro ``globalRecode``, ``groupAndRename``).
- :func:`top_bottom_code`: top and bottom coding (sdcMicro ``topBotCoding``).
- :func:`local_suppression`: set key values to missing until every record's key cell holds
  at least ``k`` records, least important variable first, one value at a time, each time
  the value whose removal helps the record most (greedy heuristic in the spirit of
  sdcMicro ``localSuppression(importance=...)``; the optimum is NP-hard, Meyerson &
  Williams 2004).
- :func:`pram`: Post-RAndomisation Method (Gouweleeuw et al. 1998, *J. Off. Stat.* 14(4);
  sdcMicro ``pram``) with an explicit transition matrix that is published to licensed users.
- :func:`add_noise`: uncorrelated additive noise, sd = ``scale`` · sd(x) (Brand 2002;
  sdcMicro ``addNoise(method="additive")``).

Every random step takes a ``numpy.random.Generator`` so a release is reproducible from its
seed. Written here rather than bound to sdcMicro because R is not available at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dhkit.release.risk import _codes, _matches


def recode_bins(s: pd.Series, breaks: list[float], labels: list[str]) -> pd.Series:
    """Global recoding of a numeric variable into groups ``[b_i, b_{i+1})``; values outside
    every group become missing.

    >>> s = recode_bins(pd.Series([12, 13, 15, 17]), [12, 14, 16, 18], ["12-13", "14-15", "16-17"])
    >>> s.tolist()
    ['12-13', '12-13', '14-15', '16-17']
    """
    out = pd.cut(pd.to_numeric(s, errors="coerce"), bins=breaks, labels=labels, right=False)
    return out.astype(object).where(out.notna(), None)


def merge_categories(s: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Global recoding of categories by an explicit map (value as text → new label); values
    not in the map keep their value.

    >>> merge_categories(pd.Series([1, 2, 3]), {"2": "2-3", "3": "2-3"}).tolist()
    [1, '2-3', '2-3']
    """
    return s.map(lambda v: mapping.get(_text(v), v) if not pd.isna(v) else v)


def merge_small(s: pd.Series, min_count: int, other: str = "other") -> pd.Series:
    """Merge every category with fewer than ``min_count`` records into ``other``.

    >>> merge_small(pd.Series(["a", "a", "b", "c"]), 2).tolist()
    ['a', 'a', 'other', 'other']
    """
    counts = s.value_counts()
    small = set(counts[counts < min_count].index)
    return s.map(lambda v: other if v in small else v)


def top_bottom_code(s: pd.Series, top: float | None = None,
                    bottom: float | None = None) -> pd.Series:
    """Values above ``top`` become ``top``; below ``bottom`` become ``bottom``.

    >>> top_bottom_code(pd.Series([1, 5, 9]), top=6, bottom=2).tolist()
    [2, 5, 6]
    """
    out = s.copy()
    if top is not None:
        out = out.where(~(out > top), top)
    if bottom is not None:
        out = out.where(~(out < bottom), bottom)
    return out


@dataclass(frozen=True)
class Suppression:
    """The frame after local suppression and how many values each variable lost."""

    data: pd.DataFrame
    suppressed: dict[str, int]


def local_suppression(df: pd.DataFrame, keys: list[str], k: int,
                      importance: list[str] | None = None) -> Suppression:
    """Suppress key values until every record's key cell holds ≥ ``k`` records (a
    suppressed value matches every value, as in sdcMicro). ``importance`` lists the keys
    from most to least important; the least important are suppressed first. For each
    violating record, one value is suppressed at a time: the first variable (least
    important first) whose removal makes the record k-anonymous, else the one that
    raises its frequency most. Needs ``len(df) >= k``.

    >>> d = pd.DataFrame({"sex": [1, 1, 2], "age": [12, 12, 12]})
    >>> r = local_suppression(d, ["age", "sex"], 2, importance=["age", "sex"])
    >>> r.data["sex"].tolist(), r.suppressed
    ([1, 1, <NA>], {'age': 0, 'sex': 1})
    """
    order = list(reversed(importance or keys))
    order += [v for v in reversed(keys) if v not in order]
    cols = [keys.index(v) for v in order]
    data = df.copy()
    codes = _codes(data, keys)
    counts = {v: 0 for v in keys}
    if len(data) < k:
        raise ValueError(f"{len(data)} records cannot be {k}-anonymous")

    def freq(i: int) -> int:
        return int(_matches(codes, i).sum())

    for i in range(len(data)):
        while freq(i) < k:
            best, best_f = None, -1
            for j in cols:
                if codes[i, j] < 0:
                    continue
                saved, codes[i, j] = codes[i, j], -1
                f = freq(i)
                codes[i, j] = saved
                if f >= k:
                    best = j
                    break
                if f > best_f:
                    best, best_f = j, f
            codes[i, best] = -1
            counts[keys[best]] += 1
    for j, v in enumerate(keys):
        mask = codes[:, j] < 0
        if mask.any():
            col = data[v]
            if pd.api.types.is_integer_dtype(col) and not isinstance(col.dtype, pd.Int64Dtype):
                data[v] = col.astype("Int64")
            data.loc[mask, v] = np.nan if data[v].dtype.kind == "f" else None
    return Suppression(data, counts)


@dataclass(frozen=True)
class Pram:
    """A PRAM'd variable and its transition matrix (rows: original, columns: released)."""

    values: pd.Series
    categories: list
    matrix: np.ndarray


def pram_matrix(n: int, keep: float) -> np.ndarray:
    """Transition matrix keeping a value with probability ``keep`` and moving it to each
    other category with ``(1 - keep)/(n - 1)``.

    >>> pram_matrix(3, 0.8).round(2).tolist()
    [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]
    """
    if n == 1:
        return np.ones((1, 1))
    m = np.full((n, n), (1 - keep) / (n - 1))
    np.fill_diagonal(m, keep)
    return m


def pram(s: pd.Series, keep: float, rng: np.random.Generator) -> Pram:
    """Post-randomise ``s``: each non-missing value moves to category j with probability
    ``P[i, j]`` of :func:`pram_matrix`; missing values stay missing."""
    cats = sorted(pd.unique(s.dropna()), key=_text)
    m = pram_matrix(len(cats), keep)
    index = {c: i for i, c in enumerate(cats)}
    out = s.copy().astype(object)
    for pos, v in enumerate(s):
        if pd.isna(v):
            continue
        out.iloc[pos] = cats[rng.choice(len(cats), p=m[index[v]])]
    try:
        out = out.astype(s.dtype)
    except (TypeError, ValueError):
        pass
    return Pram(out, cats, m)


def add_noise(s: pd.Series, scale: float, rng: np.random.Generator) -> pd.Series:
    """Additive noise with sd ``scale · sd(s)``; missing values stay missing.

    >>> x = add_noise(pd.Series([1.0, 2.0, 3.0]), 0.0, np.random.default_rng(1))
    >>> x.tolist()
    [1.0, 2.0, 3.0]
    """
    x = pd.to_numeric(s, errors="coerce").astype(float)
    sd = float(x.std()) if x.notna().sum() > 1 else 0.0
    noise = rng.normal(0.0, scale * sd, len(x))
    return x + np.where(x.notna(), noise, 0.0)


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@dataclass(frozen=True)
class LSuppression:
    """The frame after l-diversity suppression, the values suppressed per key variable, and
    the records whose cell still breaks the rule with every key value suppressed."""

    data: pd.DataFrame
    suppressed: dict[str, int]
    unfixable: dict[str, int]


def ldiversity_suppression(df: pd.DataFrame, keys: list[str], sensitive: list[str], rule,
                           importance: list[str] | None = None,
                           max_rounds: int | None = None) -> LSuppression:
    """Suppress key values of records whose key cell breaks the l-diversity ``rule`` until
    every cell holds it: least important key first, one value at a time, so the record
    joins larger (more diverse) cells; rounds repeat because a record that becomes a
    wildcard joins its neighbours' cells too (k-anonymity can only improve). A record still
    breaking the rule with every key suppressed cannot be fixed by suppression (its
    sensitive variable is too homogeneous in the whole file).

    >>> from dhkit.release.config import LDiversityRule
    >>> d = pd.DataFrame({"a": [1, 1, 2, 2, 2], "s": [1, 1, 0, 1, 0]})
    >>> r = ldiversity_suppression(d, ["a"], ["s"], LDiversityRule("distinct", 2))
    >>> r.data["a"].tolist(), r.suppressed
    ([<NA>, <NA>, 2, 2, 2], {'a': 2})
    """
    from dhkit.release.risk import ldiversity_violations

    order = list(reversed(importance or keys))
    order += [v for v in reversed(keys) if v not in order]
    data = df.copy()
    counts = {v: 0 for v in keys}
    for v in keys:
        if pd.api.types.is_integer_dtype(data[v]) and not isinstance(data[v].dtype,
                                                                      pd.Int64Dtype):
            data[v] = data[v].astype("Int64")
    for _ in range(max_rounds or len(data) * len(keys) + 1):   # each round suppresses ≥ 1
        changed = False
        for s in sensitive:
            bad = np.flatnonzero(ldiversity_violations(data, keys, s, rule))
            for i in bad:
                for v in order:
                    if not pd.isna(data.at[i, v]):
                        data.at[i, v] = np.nan if data[v].dtype.kind == "f" else None
                        counts[v] += 1
                        changed = True
                        break
        if not changed:
            break
    left = {s: int(ldiversity_violations(data, keys, s, rule).sum()) for s in sensitive}
    return LSuppression(data, counts, {s: n for s, n in left.items() if n})
