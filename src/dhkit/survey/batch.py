"""The batch engine: every indicator × overall and every domain level in one vectorised pass.

A tabulation plan is many ratio estimates r = A/B on one design (means: B = the weights of
the rows with a value; totals: no denominator; ratios: B = Σ w·x). Each needs only sums, so
the whole plan is one sparse one-hot (cluster × domain level) matrix times a dense (rows ×
quantities) matrix, followed by small array arithmetic:

1. groups = (finest-stage cluster, level) for overall and every domain variable; one CSR
   product gives, per group and indicator, Σw·a', Σw·b, Σw·a'² and the count of rows with
   a value (a' = a − c·b, shifted by the overall ratio c so no sum loses precision);
2. the influence totals of each group are T_g = (A'_g − (r_l − c)·B_g)/B_l (R ``svymean``
   on ``design[domain]``: the domain's rows kept, others zero), and the variance of each
   (level, indicator) is Σ_h scale_h·Σ_{clusters c in h} (T_c − T̄_h)², clusters of the
   stratum without rows in the level counting as zeros, exactly as R ``onestrat``;
3. lonely-PSU rules, FPCs and later stages follow :class:`~dhkit.survey.design.Design`.

No Python loop runs over indicators × domains: the loop is over blocks of indicator
columns (to bound memory) and, inside, over the design's stages.

Conventions (R ``survey`` 4.1.1, checked against fixtures): NA handled per variable as
``na.rm=TRUE``; a domain's ``df`` is ``degf(design[domain])`` (PSUs minus strata with rows
in the domain), which is what ``svyby(..., svyciprop)`` uses; deff as ``deff=TRUE`` (SRS
without replacement) or ``deff="replace"``.

>>> import pandas as pd
>>> from dhkit.survey import Design
>>> df = pd.DataFrame({"w": [1.0, 2, 1, 2, 1, 2], "c": [1, 1, 2, 2, 3, 3],
...                    "y": [1, 0, 1, 1, 0, 1], "sex": [1, 2, 1, 2, 1, 2]})
>>> e = estimate(Design(df, weights="w", psu="c"), means=["y"], domains=["sex"])
>>> e.table[["domain", "level", "estimate"]].round(3).values.tolist()
[['', '', 0.667], ['sex', '1', 0.667], ['sex', '2', 0.667]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from dhkit.errors import DhkitError
from dhkit.survey.ci import METHODS, likelihood_ci, prop_ci, t_interval
from dhkit.survey.design import Design, _rows, adjust_lonely, average_factor
from dhkit.survey.tidy import COLUMNS, EXTRA, Estimates, FlagRule


@dataclass(frozen=True)
class Column:
    """One estimated quantity: a (numerator), b (denominator, None for totals), as floats
    with NaN for missing; ``kind`` mean | total | ratio; ``prop`` when a is 0/1."""

    indicator: str
    category: str
    kind: str
    a: np.ndarray
    b: np.ndarray | None
    prop: bool
    base: str


@dataclass(frozen=True)
class Domains:
    """Row → global level codes for overall + every domain variable (−1: not in any level)."""

    codes: list[np.ndarray]
    names: list[str]
    labels: list[list[str]]
    offsets: list[int]
    n_levels: int


# ---- preparing indicators ---------------------------------------------------------------
def _numeric(d: Design, name: str, role: str) -> np.ndarray:
    col = d._column(name, role)
    if pd.api.types.is_bool_dtype(col):
        return col.astype(float).to_numpy()
    if pd.api.types.is_float_dtype(col.dtype) and isinstance(col.dtype, np.dtype):
        return col.to_numpy(dtype=float)
    v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(v) & col.notna().to_numpy()
    if bad.any():
        shown = ", ".join(repr(str(x)) for x in col[bad].unique()[:3])
        raise DhkitError("EST-014", f"variable '{name}' is not numeric at {_rows(bad)} "
                         f"(values {shown}). Recode it, or estimate it as a categorical variable.")
    return v


def _is_categorical(col: pd.Series) -> bool:
    if isinstance(col.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(col):
        return not pd.api.types.is_bool_dtype(col)
    if pd.api.types.is_numeric_dtype(col):
        return False
    vals = col.dropna()
    if len(vals) == 0:
        return True
    num = pd.to_numeric(vals, errors="coerce")
    if num.notna().mean() >= 0.5 and num.isna().any():
        bad = col.notna().to_numpy() & pd.to_numeric(col, errors="coerce").isna().to_numpy()
        shown = ", ".join(repr(str(x)) for x in col[bad].unique()[:3])
        raise DhkitError("EST-014", f"variable '{col.name}' looks numeric but is not at "
                         f"{_rows(bad)} (values {shown}). Fix the values or recode the column.")
    return num.notna().mean() < 0.5 if num.notna().any() else True


def _levels(col: pd.Series) -> list:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    return sorted(col.dropna().unique(), key=lambda v: (str(type(v)), v))


def label(v) -> str:
    """A level as text: 1.0 → '1', 'urban' → 'urban'."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def columns_for(d: Design, name: str, kind: str, multiple: Sequence[str] = (),
                categorical: Sequence[str] = (), base: str | None = None) -> list[Column]:
    """The columns one requested variable expands to (categorical: one per level;
    multiple-response string: one per option)."""
    col = d._column(name, "variable")
    if col.isna().all():
        raise DhkitError("EST-015", f"variable '{name}' has no values (all {len(col)} rows missing); "
                         "remove it from the request or check the column.")
    miss = col.isna().to_numpy()
    base = base or ("all rows" if not miss.any() else f"rows with {name} answered")
    if name in multiple:
        text = col.astype("string")
        present = text.notna() & (text.str.strip() != "")
        opts = sorted({o for s in text[present] for o in str(s).split()})
        out = []
        for o in opts:
            a = np.where(present, text.fillna("").str.split().apply(lambda xs, o=o: o in xs), np.nan)
            out.append(Column(name, o, kind, a.astype(float), None, True, base))
        return out
    if name in categorical or _is_categorical(col):
        out = []
        for lev in _levels(col):
            a = np.where(miss, np.nan, (col == lev).to_numpy(dtype=float))
            out.append(Column(name, label(lev), kind, a, None, True, base))
        return out
    a = _numeric(d, name, "variable")
    with np.errstate(invalid="ignore"):
        binary = bool(((a == 0) | (a == 1) | np.isnan(a)).all())
    return [Column(name, "", kind, a, None, binary, base)]


def build_domains(d, by: Sequence[str | Sequence[str]]) -> Domains:
    """Level codes for overall (level 0) and each domain variable or crossed pair; rows
    outside the design's ``subset`` are in no level (code −1)."""
    keep = getattr(d, "_domain", None)
    codes = [np.zeros(d.n, dtype=np.int64) if keep is None else np.where(keep, 0, -1).astype(np.int64)]
    names, labels, offsets = [""], [[""]], [0]
    off = 1
    for spec in by:
        parts = [spec] if isinstance(spec, str) else list(spec)
        cols = [d._column(p, "domain") for p in parts]
        if len(parts) == 1:
            levs = _levels(cols[0])
            code = pd.Categorical(cols[0], categories=levs).codes.astype(np.int64)
            labs = [label(v) for v in levs]
        else:
            frame = pd.DataFrame({p: c for p, c in zip(parts, cols)})
            anyna = frame.isna().any(axis=1).to_numpy()
            all_cat = all(isinstance(c.dtype, pd.CategoricalDtype) for c in cols)
            if all_cat:
                combos = pd.MultiIndex.from_product([_levels(c) for c in cols])
            else:
                combos = pd.MultiIndex.from_frame(frame[~anyna]).unique().sort_values()
            code = combos.get_indexer(pd.MultiIndex.from_frame(frame.astype(object)))
            code = np.where(anyna, -1, code).astype(np.int64)
            labs = [":".join(label(v) for v in c) for c in combos]
        if keep is not None:
            code = np.where(keep, code, -1)
        codes.append(np.where(code >= 0, code + off, -1))
        names.append(":".join(parts))
        labels.append(labs)
        offsets.append(off)
        off += len(labs)
    return Domains(codes, names, labels, offsets, off)


# ---- the engine -------------------------------------------------------------------------
def _summer(codes: np.ndarray, size: int) -> sp.csc_matrix:
    """A (size × len(codes)) 0/1 matrix: ``_summer(c, k) @ x`` sums the rows of x by code
    (CSC: one sequential pass over x, scattered adds into the small result)."""
    m = len(codes)
    return sp.csc_matrix((np.ones(m), codes, np.arange(m + 1)), shape=(size, m))


def _mul(m: sp.spmatrix, x: np.ndarray) -> np.ndarray:
    return np.asarray(m @ np.ascontiguousarray(x))


@dataclass
class _StagePlan:
    """Fixed structure of one stage's variance: (stratum, level) keys of its groups."""

    stage: object
    to_stage: sp.csc_matrix | None  # finest groups → (stage cluster, level) groups
    key_sum: sp.csc_matrix          # groups → keys
    key_of_group: np.ndarray
    kh: np.ndarray
    kl: np.ndarray
    level_sum: sp.csc_matrix        # keys → levels
    npres: np.ndarray
    nh: np.ndarray
    weight: np.ndarray              # mult·scale per key, 0 where the rule gives nothing
    lonely: np.ndarray
    cf: np.ndarray | None = None    # PPS (Brewer): 1 − π of each group's cluster
    cf_absent: np.ndarray | None = None  # per key: Σ 1 − π of the stratum's clusters not in it
    keeps_rows: bool = False        # R keeps every row of a subset: all strata take part


@dataclass
class _Plan:
    """(finest cluster, level) groups and everything about them that no indicator changes."""

    matrix: sp.csr_matrix     # rows → groups
    level: np.ndarray
    level_sum: sp.csc_matrix  # groups → levels
    cluster1: np.ndarray
    stages: list[_StagePlan]
    n_levels: int
    finest: np.ndarray        # finest cluster of each group
    n_finest: int


@dataclass
class _CalPlan:
    """Calibration residuals on sums: per adjustment, the (cell, level) groups of the rows
    (a sparse matrix carrying each row's ``pre``), so S = Σ_cell pre·z needs one product."""

    adjustments: list
    matrices: list[sp.csr_matrix]
    cells: list[np.ndarray]
    levels: list[np.ndarray]


def _cal_plan(d: Design, dom: Domains) -> _CalPlan | None:
    from dhkit.survey.calibration import ScoreAdjustment

    adjs = list(getattr(d, "_adjust", ()))
    if not adjs or not all(isinstance(a, ScoreAdjustment) for a in adjs):
        return None
    nl = dom.n_levels
    mats, cells, levels = [], [], []
    for a in adjs:
        cell = a.cell if a.rows is None else a.cell[a.rows]
        pre = a.pre if a.rows is None else a.pre[a.rows]
        rows_a, keys_a = _stacked_keys(cell, dom)
        uniq, g = _dense_unique(keys_a, a.ncell * nl)
        mats.append(sp.csr_matrix((pre[rows_a], (g, rows_a)), shape=(len(uniq), d.n)))
        cells.append(uniq // nl)
        levels.append(uniq % nl)
    return _CalPlan(adjs, mats, cells, levels)


def _stacked_keys(group: np.ndarray, dom: Domains) -> tuple[np.ndarray, np.ndarray]:
    """Rows and (group, domain level) keys of every domain variable, stacked: a row appears
    once per domain variable in which it has a level (code >= 0)."""
    rows, keys = [], []
    for code in dom.codes:
        ok = np.flatnonzero(code >= 0)
        rows.append(ok)
        keys.append(group[ok].astype(np.int64) * dom.n_levels + code[ok])
    return np.concatenate(rows), np.concatenate(keys)


def _dense_unique(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for keys in [0, size) without sorting."""
    if size > 8 * len(keys) + 10_000_000:
        return np.unique(keys, return_inverse=True)
    seen = np.zeros(size, dtype=bool)
    seen[keys] = True
    uniq = np.flatnonzero(seen)
    index = np.cumsum(seen) - 1
    return uniq, index[keys]


def _plan(d: Design, dom: Domains) -> _Plan:
    finest = d.stages[-1].cluster
    n_cl = d.stages[-1].n_clusters
    nl = dom.n_levels
    rows_a, keys_a = _stacked_keys(finest, dom)
    uniq, g = _dense_unique(keys_a, n_cl * nl)
    matrix = sp.csr_matrix((np.ones(len(rows_a)), (g, rows_a)), shape=(len(uniq), d.n))
    level = uniq % nl
    fin_of_group = uniq // nl
    stages, cluster1 = [], None
    for si, st in enumerate(d.stages):
        to_stage_codes = np.empty(n_cl, dtype=np.int64)
        to_stage_codes[finest] = st.cluster
        gc = to_stage_codes[fin_of_group]
        gl = level
        to_stage = None
        if si == 0:
            cluster1 = gc
        if si < len(d.stages) - 1:
            k_s, inv = _dense_unique(gc * nl + gl, st.n_clusters * nl)
            to_stage = _summer(inv, len(k_s))
            gc, gl = k_s // nl, k_s % nl
        key = st.stratum[gc].astype(np.int64) * nl + gl
        uk, ki = _dense_unique(key, len(st.n_h) * nl)
        kh, kl = uk // nl, uk % nl
        lonely = st.lonely[kh]
        wk = st.rule_weights(d.lonely_psu)[kh]
        cf = cf_absent = None
        if st.cf is not None:  # Brewer: each cluster's squared deviation × its own 1 − π
            cf = st.cf[gc]
            cf_all = np.bincount(st.stratum, weights=st.cf, minlength=len(st.n_h))[kh]
            cf_absent = cf_all - np.bincount(ki, weights=cf, minlength=len(uk))
        stages.append(_StagePlan(st, to_stage, _summer(ki, len(uk)), ki, kh, kl, _summer(kl, nl),
                                 np.bincount(ki, minlength=len(uk)).astype(float), st.n_h[kh], wk,
                                 lonely, cf, cf_absent, d._keeps_rows))
    return _Plan(matrix, level, _summer(level, nl), cluster1, stages, nl, fin_of_group, n_cl)


def _stage_variance(d: Design, sp_: _StagePlan, t: np.ndarray, cnt: np.ndarray) -> np.ndarray:
    """Σ over strata of scale·Σ_clusters (T − T̄_h)² for each (level, column), R ``onestrat``;
    clusters of the stratum with no rows in the level count as zeros."""
    if sp_.to_stage is not None:
        t, cnt = _mul(sp_.to_stage, t), _mul(sp_.to_stage, cnt)
    s = _mul(sp_.key_sum, t)
    m = s / sp_.nh[:, None]
    dev = np.take(m, sp_.key_of_group, axis=0)
    np.subtract(t, dev, out=dev)
    dev *= dev
    if sp_.cf is not None:
        dev *= sp_.cf[:, None]
    ss = _mul(sp_.key_sum, dev)
    del dev
    absent = (sp_.nh - sp_.npres) if sp_.cf is None else sp_.cf_absent
    ss += absent[:, None] * m * m
    st = sp_.stage
    lonely = sp_.lonely
    if lonely.any():
        if sp_.keeps_rows:  # every stratum of the design takes part (R keeps the rows)
            d._check_lonely(st, st.lonely)
        else:
            pres = _mul(sp_.key_sum, (cnt > 0).astype(float)) > 0
            lone_pres = np.bincount(sp_.kh[lonely], weights=pres[lonely].any(axis=1).astype(float),
                                    minlength=len(st.n_h)) > 0
            d._check_lonely(st, lone_pres)
        if d.lonely_psu == "adjust":
            adjust_lonely(ss, s, lonely)
            if sp_.cf is not None:  # the lonely cluster's own 1 − π
                ss[lonely] *= (sp_.cf_absent + _mul(sp_.key_sum, sp_.cf))[lonely, None]
    contrib = sp_.weight[:, None] * ss
    if d.lonely_psu == "average" and lonely.any() and sp_.keeps_rows:
        all_h = np.ones((len(st.n_h), 1), dtype=bool)  # the full design's strata per parent
        fac = average_factor(st.parent, st.n_parents, all_h, st.lonely)[:, 0]
        return _mul(sp_.level_sum, contrib * fac[st.parent[sp_.kh]][:, None])
    if d.lonely_psu == "average" and lonely.any():
        nl = sp_.level_sum.shape[0]
        k2 = st.parent[sp_.kh].astype(np.int64) * nl + sp_.kl
        u2, i2 = np.unique(k2, return_inverse=True)
        fac = average_factor(i2, len(u2), pres, lonely)
        return _mul(_summer(u2 % nl, nl), _mul(_summer(i2, len(u2)), contrib) * fac)
    return _mul(sp_.level_sum, contrib)


@dataclass
class _Block:
    est: np.ndarray
    var: np.ndarray
    deff: np.ndarray
    n: np.ndarray
    wsum: np.ndarray


def _run_block(d: Design, cols: list[Column], plan: _Plan, deff: bool | str,
               cal: _CalPlan | None = None) -> _Block:
    """One block of indicator columns: one sparse product, then per-level arithmetic.

    Row quantities (each n × k): w·a' (a' = a − c·b), and only where some value is
    missing or b ≠ 1, w·b and the count of rows with a value (else the shared columns w
    and 1(w>0)); w·a'² for design effects; w·a'·b, w·b², w·1 for ratio design effects.
    """
    w = d.w
    n, k = d.n, len(cols)
    is_total = np.array([c.kind == "total" for c in cols])
    is_ratio = np.array([c.kind == "ratio" for c in cols])
    nn = [~np.isnan(c.a) if c.b is None else ~(np.isnan(c.a) | np.isnan(c.b)) for c in cols]
    special = np.array([not m.all() for m in nn]) | is_ratio  # own denominators needed
    sj = np.flatnonzero(special)
    ns = len(sj)
    rj = np.flatnonzero(is_ratio)
    n_rat = len(rj)
    n_extra = 2 * ns + (k + 3 * n_rat if deff else 0)
    x = np.empty((n, k + 2 + n_extra), order="F")  # filled column by column, contiguous
    x[:, k] = w
    wpos = (w > 0).astype(float)
    x[:, k + 1] = wpos
    shift = np.zeros(k)
    sj_pos = {j: i for i, j in enumerate(sj)}
    rj_pos = {j: i for i, j in enumerate(rj)}
    q0, r0 = k + 2 + 2 * ns, k + 2 + 2 * ns + k
    wsum = w.sum()
    for j, c in enumerate(cols):  # a few passes over rows per indicator, in place, contiguous
        col = x[:, j]
        if c.b is None and j not in sj_pos:  # complete mean/total column: b = 1 on every row
            if c.kind != "total":
                shift[j] = (w @ c.a) / wsum
            np.subtract(c.a, shift[j], out=col)
            a0 = col.copy() if deff else None
            col *= w
            if deff:
                np.multiply(col, a0, out=x[:, q0 + j])
            continue
        m = nn[j]
        np.copyto(col, c.a)
        np.copyto(col, 0.0, where=~m)
        b0 = m.astype(float) if c.b is None else np.where(m, c.b, 0.0)
        wb = w @ b0
        if c.kind != "total" and wb != 0:
            shift[j] = (w @ col) / wb  # a' = a − c·b keeps every later difference small
            col -= shift[j] * b0
        a0 = col.copy() if deff else None
        col *= w
        i = sj_pos[j]
        np.multiply(w, b0, out=x[:, k + 2 + i])
        np.multiply(m, wpos, out=x[:, k + 2 + ns + i])
        if deff:
            np.multiply(col, a0, out=x[:, q0 + j])
            if j in rj_pos:
                i = rj_pos[j]
                np.multiply(col, b0, out=x[:, r0 + i])
                np.multiply(w * b0, b0, out=x[:, r0 + n_rat + i])
                np.multiply(w, m, out=x[:, r0 + 2 * n_rat + i])
    del nn
    sums = _mul(plan.matrix, x)  # one transposing copy to row order, then one sparse product
    csums = [_mul(m, x[:, :k + 2 + ns]) for m in cal.matrices] if cal is not None else []
    del x
    ls = plan.level_sum
    lev = plan.level
    lsum = _mul(ls, sums)  # every quantity summed by level, one product
    A_l = lsum[:, :k]
    B_l = np.repeat(lsum[:, k:k + 1], k, axis=1)
    N_l = np.repeat(lsum[:, k + 1:k + 2], k, axis=1)
    if ns:
        B_l[:, sj] = lsum[:, k + 2:k + 2 + ns]
        N_l[:, sj] = lsum[:, k + 2 + ns:k + 2 + 2 * ns]
    delta = np.divide(A_l, B_l, out=np.zeros_like(A_l), where=B_l != 0)  # r − c
    est = np.where(is_total, A_l, shift + delta)
    inv_b = np.divide(1.0, B_l, out=np.zeros_like(B_l), where=B_l != 0)
    # influence totals of the groups: T = (A' − (r − c)·B)/B_l; totals: T = A
    d_t = np.where(is_total, 0.0, delta)
    i_t = np.where(is_total, 1.0, inv_b)
    t = sums[:, :k].copy()
    buf = np.take(d_t, lev, axis=0)
    buf *= sums[:, k:k + 1]  # shared denominators (every row has a value) ...
    if ns:  # ... and each column with missing values (or a ratio) its own
        buf[:, sj] = np.take(d_t[:, sj], lev, axis=0) * sums[:, k + 2:k + 2 + ns]
    t -= buf
    np.take(i_t, lev, axis=0, out=buf)
    t *= buf
    del buf
    N = np.broadcast_to(sums[:, k + 1:k + 2], (sums.shape[0], k))
    if ns and any(p.lonely.any() for p in plan.stages):  # counts only matter for lonely PSUs
        N = N.copy()
        N[:, sj] = sums[:, k + 2 + ns:k + 2 + 2 * ns]
    if cal is not None:
        var = _calibrated_variance(d, cal, plan, t, csums, d_t, i_t, sj, k)
    elif d.__dict__.get("_pps_matrix") is not None:  # Hartley–Rao / Overton: x̌ᵀ Ď x̌
        var = d.variance_of_totals(_finest_by_level(plan, t, k)).reshape(plan.n_levels, k)
    else:
        var = np.zeros((plan.n_levels, k))
        for sp_ in plan.stages:
            var += _stage_variance(d, sp_, t, N)
    del t
    dff = np.full_like(var, np.nan)
    wsum = B_l.copy()
    if deff:
        Q_l = lsum[:, q0:q0 + k]
        Qab, Qbb, Wn = A_l.copy(), B_l.copy(), B_l.copy()
        if n_rat:
            Qab[:, rj] = lsum[:, r0:r0 + n_rat]
            Qbb[:, rj] = lsum[:, r0 + n_rat:r0 + 2 * n_rat]
            Wn[:, rj] = lsum[:, r0 + 2 * n_rat:r0 + 3 * n_rat]
            wsum[:, rj] = Wn[:, rj]
        dff = _deff(var, delta, A_l, B_l, N_l, Q_l, Qab, Qbb, Wn, is_total, is_ratio, deff)
    return _Block(est, var, dff, N_l, wsum)


def _finest_by_level(plan: _Plan, t: np.ndarray, k: int) -> np.ndarray:
    """The influence totals of the (finest cluster, level) groups as a dense (finest
    clusters × levels·k) array, zeros where a cluster has no row in a level."""
    T = np.zeros((plan.n_finest, plan.n_levels, k))
    T[plan.finest, plan.level] = t
    return T.reshape(plan.n_finest, plan.n_levels * k)


def _calibrated_variance(d: Design, cal: _CalPlan, plan: _Plan, t: np.ndarray,
                         csums: list[np.ndarray], d_t: np.ndarray, i_t: np.ndarray,
                         sj: np.ndarray, k: int) -> np.ndarray:
    """Variances (levels, k) on a calibrated design from sums only (R ``svyrecvar`` with
    ``postStrata``): the influence totals T of every (finest cluster, level) minus, for
    each adjustment, post-sums × M·S with S the (cell, level) sums of pre·z — the same
    numbers as residualising the (rows × levels) influence matrix, without building it.
    Every stratum takes part in the lonely-PSU rules: R's subset of a calibrated design
    keeps all rows."""
    from dhkit.survey.design import cross_sums

    nl = plan.n_levels
    T = _finest_by_level(plan, t, k)
    ns = len(sj)
    done = []
    for a, cs, gc, gl in zip(cal.adjustments, csums, cal.cells, cal.levels):
        bw = np.repeat(cs[:, k:k + 1], k, axis=1)
        if ns:
            bw[:, sj] = cs[:, k + 2:k + 2 + ns]
        S = np.zeros((a.ncell, nl, k))
        S[gc, gl] = (cs[:, :k] - np.take(d_t, gl, axis=0) * bw) * np.take(i_t, gl, axis=0)
        S = S.reshape(a.ncell, nl * k)
        for q, h in done:
            S -= cross_sums(a, q) @ h
        h = a.correction(S)
        done.append((a, h))
        T -= np.asarray(d.post_sums(a) @ h)
    return d.variance_of_totals(T).reshape(nl, k)


def _deff(var, delta, A_l, B_l, N_l, Q_l, Qab, Qbb, Wn, is_total, is_ratio, deff):
    """Design effects as R svymean/svytotal/svyratio(deff=TRUE or "replace")."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ssr = Q_l - 2 * delta * Qab + delta**2 * Qbb  # Σ w (a − r b)²
        ssr = np.where(ssr <= 1e-12 * (Q_l + delta**2 * Qbb), 0.0, ssr)  # constant in the domain
        wtot = np.where(is_ratio, Wn, B_l)
        s2 = N_l / (N_l - 1) * ssr / wtot
        s2 = np.where(is_ratio, s2 / B_l**2, s2)
        if deff == "replace":
            vsrs = s2 / N_l
        else:
            vsrs = s2 * (wtot - N_l) / (wtot * N_l)
        vsrs = np.where(is_total | is_ratio, vsrs * wtot**2, vsrs)
        if deff != "replace":  # R: "Sample size greater than population size" → NA for means
            vsrs = np.where(~(is_total | is_ratio) & (wtot < N_l), np.nan, vsrs)
        return var / vsrs


def _domain_df(d: Design, plan: _Plan) -> tuple[np.ndarray, np.ndarray]:
    """degf(design[domain]) and nrow(design[domain]) for each level."""
    nl = plan.n_levels
    shared = _mul(plan.matrix, np.column_stack([(d.w != 0).astype(float), np.ones(d.n)]))
    pos = shared[:, 0] > 0
    c1 = plan.cluster1
    st1 = d.stages[0].stratum[c1]
    key_c = _dense_unique(c1[pos].astype(np.int64) * nl + plan.level[pos], d.stages[0].n_clusters * nl)[0]
    key_s = _dense_unique(st1[pos].astype(np.int64) * nl + plan.level[pos], len(d.stages[0].n_h) * nl)[0]
    n_psu = np.bincount(key_c % nl, minlength=nl)
    n_str = np.bincount(key_s % nl, minlength=nl)
    n_rows = _mul(plan.level_sum, shared[:, 1])
    return (n_psu - n_str).astype(float), n_rows


def estimate(d: Design, means: str | Sequence[str] = (), totals: str | Sequence[str] = (),
             ratios: Sequence[tuple[str, str]] = (), domains: Sequence[str | Sequence[str]] = (), *,
             ci: str = "mean", level: float = 0.95, deff: bool | str = True, covmat: bool = False,
             multiple: Sequence[str] = (), categorical: Sequence[str] = (),
             bases: dict[str, str] | None = None, flags: FlagRule | None = None,
             block_cells: int = 4_000_000) -> Estimates:
    """All indicators × (overall + every domain) in one vectorised pass (R ``svymean`` /
    ``svytotal`` / ``svyratio`` with ``svyby``, ``na.rm=TRUE``, ``deff=TRUE``).

    ``domains`` items are a domain variable or a list of variables crossed together, each
    its own block of rows (a string is one domain);
    ``ci`` is the interval for proportions (``mean``, ``logit``, ``xlogit``, ``beta``,
    ``likelihood``; numeric means, totals and ratios always get a t interval);
    ``multiple`` names space-separated select_multiple columns; ``categorical`` forces
    numerically coded variables to be treated as categories; ``covmat=True`` also returns
    the joint covariance of all rows (for contrasts).

    >>> import pandas as pd
    >>> from dhkit.survey import Design
    >>> df = pd.DataFrame({"w": [1.0, 2, 1, 2], "c": [1, 2, 3, 4], "y": [1, 0, None, 1]})
    >>> estimate(Design(df, weights="w", psu="c"), means="y").table.n_unweighted.tolist()
    [3]
    """
    from dhkit.survey.base import domain_specs, names

    means, totals, by = names(means), names(totals), domain_specs(domains)
    if ci not in METHODS:
        raise DhkitError("EST-018", f"ci='{ci}' is not an interval method; use one of {', '.join(METHODS)}.")
    if deff not in (True, False, "replace"):
        raise DhkitError("EST-018", f"deff={deff!r}: use True, False or 'replace'.")
    if not 0 < level < 1:
        raise DhkitError("EST-025", f"level={level!r} must be between 0 and 1, e.g. 0.95 (not 95).")
    bases = bases or {}
    flags = flags or FlagRule()
    cols: list[Column] = []
    for name in means:
        cols += columns_for(d, name, "mean", multiple, categorical, bases.get(name))
    for name in totals:
        cols += columns_for(d, name, "total", multiple, categorical, bases.get(name))
    for num, den in ratios:
        a, b = _numeric(d, num, "numerator"), _numeric(d, den, "denominator")
        if np.isnan(a).all() or np.isnan(b).all():
            raise DhkitError("EST-015", f"ratio {num}/{den} has no rows with both values.")
        cols.append(Column(f"{num}/{den}", "", "ratio", a, b, False, bases.get(num, f"{den}")))
    if not cols:
        raise DhkitError("EST-019", "nothing to estimate: give at least one variable (--mean/--total).")
    dom = build_domains(d, by)
    plan = _plan(d, dom)
    cal = _cal_plan(d, dom)
    # blocks of 4-16 indicators: (groups × block) arrays stay near 32 MB, and the sparse
    # product keeps its rows in cache (its cost grows faster than the block width)
    size = max(min(4, block_cells), min(16, block_cells // max(plan.matrix.shape[0], 1)))
    if cal is not None or d.__dict__.get("_pps_matrix") is not None:
        # a dense (clusters × levels × block) array: keep it near 64 MB
        size = max(1, min(size, 2 * block_cells // max(plan.n_finest * plan.n_levels, 1)))
    blocks = [_run_block(d, cols[i:i + size], plan, deff, cal)
              for i in range(0, len(cols), size)]
    if d._adjust and cal is None:  # other score adjustments act on row-level influence values
        for i, blk in zip(range(0, len(cols), size), blocks):
            var = _adjusted_variance(d, cols[i:i + size], dom, blk.est)
            with np.errstate(divide="ignore", invalid="ignore"):
                blk.deff = blk.deff * var / blk.var
            blk.var = var
    est = np.hstack([b.est for b in blocks])
    var = np.hstack([b.var for b in blocks])
    dff = np.hstack([b.deff for b in blocks])
    nun = np.hstack([b.n for b in blocks])
    nw = np.hstack([b.wsum for b in blocks])
    dom_df, dom_rows = _domain_df(d, plan)
    table = _tidy(cols, dom, est, var, dff, nun, nw, dom_df, dom_rows, ci, level, flags)
    if ci == "likelihood":
        _likelihood_rows(d, cols, dom, table, level)
    vcov = _joint_vcov(d, cols, dom, table) if covmat else None
    return Estimates(table, vcov)


def _tidy(cols, dom, est, var, dff, nun, nw, dom_df, dom_rows, ci, level, flags) -> pd.DataFrame:
    """Long table, indicator-major: for each column, overall then each domain's levels."""
    k, nl = len(cols), dom.n_levels
    dom_name = np.empty(nl, dtype=object)
    lev_name = np.empty(nl, dtype=object)
    for name, labs, off in zip(dom.names, dom.labels, dom.offsets):
        dom_name[off:off + len(labs)] = name
        lev_name[off:off + len(labs)] = labs
    e = est.T.ravel()  # column-major over (k, nl)
    se = np.sqrt(np.maximum(var.T.ravel(), 0.0))
    df = np.tile(dom_df, k)
    rows = np.tile(dom_rows, k)
    prop = np.repeat([c.prop and c.kind == "mean" for c in cols], nl)
    dff = dff.T.ravel()
    e, se, dff = _exact_bounds(e, se, dff, prop)
    n_un = nun.T.ravel()
    lo, hi = t_interval(e, se, df, level)
    if ci not in ("mean", "likelihood") and prop.any():
        plo, phi = prop_ci(ci, e[prop], se[prop], df[prop], level, n_rows=rows[prop],
                           n_obs=n_un[prop].astype(float))
        lo[prop], hi[prop] = plo, phi
    # a share with no sampling variance strictly inside (0, 1) — a stratum variable's share
    # in a stratified design — has the point as its interval (beta and likelihood would
    # divide by the zero variance; R gives 0.5–0.5 and an error)
    fixed = prop & (se == 0) & (e > 0) & (e < 1) & (ci in ("beta", "likelihood"))
    lo[fixed], hi[fixed] = e[fixed], e[fixed]
    empty = n_un == 0
    e = np.where(empty, np.nan, e)
    se = np.where(empty, np.nan, se)
    lo, hi = np.where(empty, np.nan, lo), np.where(empty, np.nan, hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = se / np.abs(e)
    t = pd.DataFrame({
        "indicator": np.repeat([c.indicator for c in cols], nl),
        "base": np.repeat([c.base for c in cols], nl),
        "domain": np.tile(dom_name, k), "level": np.tile(lev_name, k),
        "estimate": e, "se": se, "ci_low": lo, "ci_high": hi, "deff": dff,
        "n_unweighted": n_un.astype(np.int64), "n_weighted": nw.T.ravel(),
        "flag": flags.flag(n_un), "df": df, "cv": cv,
        "category": np.repeat([c.category for c in cols], nl),
        "statistic": np.repeat([c.kind if not (c.prop and c.kind == "mean") else "proportion"
                                for c in cols], nl),
        "ci_method": np.where(prop, ci, "t"),
    })
    return t[COLUMNS + EXTRA]


def _exact_bounds(e: np.ndarray, se: np.ndarray, dff: np.ndarray, prop: np.ndarray):
    """A share of 0 or 1 is exactly 0 or 1 with SE 0 and no design effect (0/0).

    Centring the weighted sums leaves residues such as 6.9e-18 where no row has the
    attribute, and the design effect of that residue over a zero SRS variance is inf.
    A real share is at least min(w)/Σw, many orders above the 1e-12 snap used here.

    >>> e, se, d = _exact_bounds(np.array([6.9e-18, 0.3, 0.71]), np.array([1e-18, 0.1, 3.5e-17]),
    ...                          np.array([np.inf, 1.2, 1.3e-30]), np.array([True, True, True]))
    >>> e.tolist(), se.tolist(), d.tolist()[1:]
    ([0.0, 0.3, 0.71], [0.0, 0.1, 0.0], [1.2, 0.0])
    """
    e, se, dff = e.copy(), se.copy(), np.asarray(dff, dtype=float).copy()
    e[prop] = np.clip(e[prop], 0.0, 1.0)
    edge = prop & ((e < 1e-12) | (e > 1 - 1e-12))
    e[edge] = np.round(e[edge])
    se[edge] = 0.0
    dff[edge] = np.nan
    # a variance that is only rounding residue (the share of a stratum variable in a
    # stratified design: 3.5e-17 with a design effect of 1e-30) is 0, as R computes it
    noise = ~edge & (se > 0) & (se <= 1e-12 * np.abs(e))
    se[noise] = 0.0
    dff[noise & np.isfinite(dff)] = 0.0
    return e, se, dff


def _joint_vcov(d: Design, cols, dom, table) -> np.ndarray:
    """Joint covariance of every row from the influence values on the full design
    (R ``svyby(..., covmat=TRUE)`` → ``svyrecvar`` of the stacked influence matrix)."""
    nl = dom.n_levels
    w = d.w
    if d.n * len(cols) * nl > 250_000_000:  # the influence matrix would pass 2 GB
        raise DhkitError("EST-023", f"covmat=True for {len(cols)} indicator columns × {nl} levels on "
                         f"{d.n} rows needs a {d.n}×{len(cols) * nl} influence matrix; ask the joint "
                         "covariance for the few indicators you compare (e.g. one at a time).")
    z = np.zeros((d.n, len(cols) * nl))
    est = table.estimate.to_numpy()
    j = 0
    for c in cols:
        b = np.ones(d.n) if c.b is None else c.b
        nn = ~(np.isnan(c.a) | np.isnan(b))
        a0, b0 = np.where(nn, c.a, 0.0), np.where(nn, b, 0.0)
        for code in dom.codes:
            for lv in np.unique(code[code >= 0]):
                inl = (code == lv) & nn
                col = j + lv
                if c.kind == "total":
                    z[:, col] = np.where(inl, w * a0, 0.0)
                else:
                    btot = (w * b0 * inl).sum()
                    r = est[col]
                    z[:, col] = np.where(inl, w * (a0 - r * b0) / btot, 0.0) if btot > 0 else 0.0
        j += nl
    return d.vcov_total(z)


def _likelihood_rows(d: Design, cols, dom, table: pd.DataFrame, level: float) -> None:
    """Profile-likelihood intervals need the rows of each domain (not in the vectorised path)."""
    lo, hi = table.ci_low.to_numpy().copy(), table.ci_high.to_numpy().copy()
    nl = dom.n_levels
    for j, c in enumerate(cols):
        if not (c.prop and c.kind == "mean"):
            continue
        nn = ~np.isnan(c.a)
        for code in dom.codes:
            for lv in np.unique(code[code >= 0]):
                row = j * nl + lv
                inl = code == lv
                rows = inl & nn
                if not rows.any():
                    continue
                r = table.iloc[row]
                if r.se == 0 and 0 < r.estimate < 1:   # no sampling variance: the point
                    continue
                lo[row], hi[row] = likelihood_ci(c.a[rows], d.w[rows], d.w[inl].mean(),
                                                 r.estimate, r.se ** 2, r.df, level)
    table["ci_low"], table["ci_high"] = lo, hi


def _adjusted_variance(d: Design, cols: list[Column], dom: Domains, est: np.ndarray) -> np.ndarray:
    """Variances when the design carries score adjustments (calibration): the row-level
    influence values of every level of one indicator are built as one (rows × levels)
    matrix, adjusted and summed by :meth:`Design.var_total` (one call per indicator)."""
    var = np.zeros_like(est)
    w = d.w
    nl = dom.n_levels
    for j, c in enumerate(cols):
        b = np.ones(d.n) if c.b is None else c.b
        nn = ~(np.isnan(c.a) | np.isnan(b))
        a0, b0 = np.where(nn, c.a, 0.0), np.where(nn, b, 0.0)
        z = np.zeros((d.n, nl))
        pres = np.zeros((d.n, nl), dtype=bool)
        for code in dom.codes:
            rows = np.flatnonzero((code >= 0) & nn)
            lv = code[rows]
            pres[rows, lv] = True
            if c.kind == "total":
                z[rows, lv] = w[rows] * a0[rows]
            else:
                btot = np.bincount(lv, weights=w[rows] * b0[rows], minlength=nl)
                with np.errstate(divide="ignore", invalid="ignore"):
                    vals = w[rows] * (a0[rows] - est[lv, j] * b0[rows]) / btot[lv]
                z[rows, lv] = np.nan_to_num(vals)
        var[:, j] = d.var_total(z, pres)
    return var
