"""Prepare an anonymised microdata file from a study's respondent frame (pure, no I/O).

Steps, in this order (Hundepool et al. 2012, ch. 3; the IHSN/World Bank "Statistical
Disclosure Control for Microdata: a practice guide", Benschop & Welch):

1. drop direct identifiers, free text, GPS, fieldwork metadata and the selection
   probabilities / weight lineage (they reveal the PSU); shuffle the rows and give each a
   random respondent number;
2. measure risk on the original key variables;
3. global recoding and top/bottom coding (``[recode.*]``);
4. local suppression until every key cell holds ``k`` records, then until every
   household's joint key (child keys ∪ caregiver keys, one row per household) does;
5. l-diversity: key values suppressed in cells that break ``[ldiversity]`` (or refusal);
6. PRAM and noise on chosen variables;
7. design variables: PSU and stratum replaced by random codes (licensed) or removed
   (public); replicate weights ``repw_1..R`` (licensed; public when asked);
8. measure risk again on the released key variables;
9. the instance table (abuse follow-ups): the same drops, PRAM and noise, linked to the
   respondent by the random ``resp_id`` only, rows shuffled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError
from dhkit.release.config import ReleaseSpec
from dhkit.release.replicates import ReleasedReplicates, release_replicates
from dhkit.release.risk import RiskSummary, measure_risk
from dhkit.release.treat import (Pram, add_noise, ldiversity_suppression, local_suppression,
                                 merge_categories, merge_small, pram, recode_bins,
                                 top_bottom_code)

TIERS = ("public", "licensed")
IDENTIFIER = re.compile(r"(^|_)(name|names|surname|phone|tel|mobile|email|address|dob|"
                        r"birth_?date|national_id|id_number|passport|school_name)($|_)", re.I)
GPS = re.compile(r"(^|_)(gps|geo|geopoint|lat|latitude|lon|lng|longitude|altitude|"
                 r"accuracy|coords?)($|_)", re.I)
METADATA = {"interview_result", "consent_caregiver", "assent_child", "selected_line",
            "n_eligible", "p_psu", "p_hh", "p_child", "start", "end", "today", "deviceid",
            "interviewer", "interviewer_id", "enumerator", "supervisor"}
FREE_TEXT_SUFFIX = re.compile(r"_(other|specify|text|comment|comments|note|notes)$", re.I)
PSU_CODE, STRATUM_CODE, RESPONDENT = "psu_code", "stratum_code", "resp_id"


@dataclass(frozen=True)
class Prepared:
    """The released frame and everything the report and the files need about it."""

    tier: str
    data: pd.DataFrame
    dropped: dict[str, str]                  # variable → reason
    before: RiskSummary
    after: RiskSummary
    suppressed: dict[str, int]               # key variable → values suppressed
    pram: dict[str, Pram] = field(default_factory=dict)
    weights: str = "weight"
    strata: str | None = None                # released design variables (licensed)
    psu: str | None = None
    notes: list[str] = field(default_factory=list)
    replicates: ReleasedReplicates | None = None
    instance: pd.DataFrame | None = None
    instance_dropped: dict[str, str] = field(default_factory=dict)
    ldiversity_suppressed: dict[str, int] = field(default_factory=dict)
    household_suppressed: dict[str, int] = field(default_factory=dict)
    ldiversity_unfixable: dict[str, int] = field(default_factory=dict)


def classify_columns(df: pd.DataFrame, spec: ReleaseSpec, design, codebook=None) -> dict[str, str]:
    """Every column that must not be released, with the reason.

    >>> from dhkit.release.config import ReleaseSpec
    >>> from dhkit.indicators.compute import DesignSpec
    >>> d = pd.DataFrame({"child_name": ["x"], "gps_lat": [1.0], "_uuid": ["u"], "age": [12]})
    >>> sorted(classify_columns(d, ReleaseSpec(keys=("age",)), DesignSpec()).items())
    [('_uuid', 'fieldwork metadata'), ('child_name', 'direct identifier'), ('gps_lat', 'GPS')]
    """
    out: dict[str, str] = {}
    keep = set(spec.keys) | set(spec.household_keys) | set(spec.sensitive) | {design.weights}
    types = {}
    if codebook is not None:
        types = {q.name: q.type.split()[0] for q in codebook.questions.values()}
    for c in df.columns:
        if c in spec.drop:
            out[c] = "listed in [release] drop"
        elif c in keep:
            continue
        elif c in (design.psu, design.strata, design.fpc):
            out[c] = "design variable (replaced by a random code or removed)"
        elif c in ("hh_id", "inst_no") or c.endswith("_key") or c == "_key":
            out[c] = "direct identifier"
        elif c.startswith("_") or c in METADATA:
            out[c] = "fieldwork metadata"
        elif c.startswith("w_"):
            out[c] = "weight lineage (reveals the selection stage)"
        elif IDENTIFIER.search(c):
            out[c] = "direct identifier"
        elif GPS.search(c) or types.get(c) in ("geopoint", "geotrace", "geoshape"):
            out[c] = "GPS"
        elif types.get(c) == "text" or FREE_TEXT_SUFFIX.search(c) or _looks_free_text(df[c]):
            out[c] = "free text"
    return out


def _looks_free_text(s: pd.Series) -> bool:
    """A string column whose answers are mostly distinct or long: free text."""
    if s.dtype.kind not in "OSU" and str(s.dtype) not in ("string", "str"):
        return False
    v = s.dropna().astype(str)
    v = v[v.str.strip() != ""]
    if len(v) < 5:
        return bool(len(v)) and v.str.len().mean() > 40
    return v.nunique() > 0.5 * len(v) or v.str.len().mean() > 40


def _random_codes(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Each distinct value → a random integer code 1..m (no order kept)."""
    uniq = pd.unique(values.dropna())
    codes = rng.permutation(len(uniq)) + 1
    return values.map(dict(zip(uniq, codes))).astype("Int64")


def _recode(df: pd.DataFrame, spec: ReleaseSpec) -> pd.DataFrame:
    for r in spec.recodes:
        if r.variable not in df.columns:
            continue
        s = df[r.variable]
        if r.top is not None or r.bottom is not None:
            s = top_bottom_code(s, r.top, r.bottom)
        if r.breaks:
            s = recode_bins(s, list(r.breaks), list(r.labels))
        if r.map:
            s = merge_categories(s, r.map)
        if r.min_count:
            s = merge_small(s, r.min_count, r.other)
        df[r.variable] = s
    return df


def prepare(main: pd.DataFrame, spec: ReleaseSpec, design, tier: str, k: int | None = None,
            codebook=None, calibration=None, instance: pd.DataFrame | None = None) -> Prepared:
    """The release frame of ``main`` (respondents with final weights) under ``spec``;
    ``calibration`` (:class:`dhkit.report.build.CalibrationSetup`) lets replicate weights
    redo the calibration; ``instance`` (linked by ``hh_id``) is released beside it."""
    if tier not in TIERS:
        raise DhkitError("REL-010", f"unknown tier '{tier}'; use --tier public or --tier licensed.")
    k = k or spec.k
    missing = [v for v in (*spec.keys, *spec.household_keys, *spec.sensitive)
               if v not in main.columns]
    missing += [v for v in (*spec.pram, *spec.noise) if v not in main.columns
                and (instance is None or v not in instance.columns)]
    if missing:
        raise DhkitError("REL-011", f"{spec.path or 'release.toml'}: variables not in the data: "
                         f"{', '.join(missing)}; fix [release] keys/household_keys/sensitive, "
                         "[pram] or [noise].")
    if len(main) < k:
        raise DhkitError("REL-012", f"{len(main)} respondents cannot be {k}-anonymous; "
                         "lower --k or import the data first.")
    rng = np.random.default_rng(spec.seed)
    keys, w, rule = list(spec.keys), design.weights, spec.ldiversity
    hkeys = list(spec.household_keys)
    dropped = classify_columns(main, spec, design, codebook)
    df = main.sample(frac=1.0, random_state=rng.integers(2**31)).reset_index(drop=True)
    before = measure_risk(df, keys, w, k, list(spec.sensitive), spec.risk_threshold, rule, hkeys)
    notes: list[str] = []
    psu = _random_codes(df[design.psu], rng) if design.psu else None
    strata = _random_codes(df[design.strata], rng) if design.strata else None
    rep_seed = int(rng.integers(2**31))
    reps = None
    if spec.replicates is not None and (tier == "licensed" or spec.replicates.public):
        reps = release_replicates(df, design, calibration, spec.replicates, rep_seed)
    rounding = None
    if tier == "public" and spec.weight_digits:
        df, reps, rounding = _round_weights(df, w, spec.weight_digits, reps)
    hh_ids = df["hh_id"].to_numpy() if "hh_id" in df.columns else None
    df = df.drop(columns=[c for c in dropped if c in df.columns
                          and c not in keys and c not in hkeys])
    df = _recode(df, spec)
    sup = local_suppression(df, keys, k, list(spec.importance) or None)
    df, suppressed = sup.data, dict(sup.suppressed)
    hh_sup: dict[str, int] = {}
    if hkeys:
        joint = list(dict.fromkeys([*keys, *hkeys]))
        order = [*(spec.importance or keys), *[v for v in joint if v not in keys]]
        hs = local_suppression(df, joint, k, list(dict.fromkeys(order)))
        df = hs.data
        hh_sup = {v: n for v, n in hs.suppressed.items() if n}
    l_sup: dict[str, int] = {}
    unfixable: dict[str, int] = {}
    if rule is not None and rule.treat == "suppress" and spec.sensitive:
        ls = ldiversity_suppression(df, keys, list(spec.sensitive), rule,
                                    list(spec.importance) or None)
        df, unfixable = ls.data, ls.unfixable
        l_sup = {v: n for v, n in ls.suppressed.items() if n}
    for var, n in [*hh_sup.items(), *l_sup.items()]:
        suppressed[var] = suppressed.get(var, 0) + n
    prams = {}
    for var, keep in spec.pram.items():
        if var in df.columns:
            prams[var] = pram(df[var], keep, rng)
            df[var] = prams[var].values
    for var, scale in spec.noise.items():
        if var in df.columns:
            df[var] = add_noise(df[var], scale, rng)
    released_strata = released_psu = None
    if tier == "licensed":
        if strata is not None:
            df[STRATUM_CODE], released_strata = strata, STRATUM_CODE
        if psu is not None:
            df[PSU_CODE], released_psu = psu, PSU_CODE
        notes.append("PSU and stratum identifiers are replaced by random codes: declare the "
                     f"design with strata = {released_strata}, clusters = {released_psu}, "
                     f"weights = {w} (design files in this folder).")
    else:
        notes.append("Public tier: PSU and stratum identifiers are removed. Standard errors "
                     "computed from this file as if it were a simple random sample understate "
                     "the true sampling error (compare the SE columns of the headline estimates "
                     "in the disclosure-risk report)"
                     + ("; use the replicate weights repw_* (see the design files)."
                        if reps is not None else
                        "; use the licensed file for design-based variance."))
    if rounding is not None:
        notes.append(rounding)
    if reps is not None:
        df = pd.concat([df, reps.frame()], axis=1)
        notes.append(f"Replicate weights {reps.columns[0]}..{reps.columns[-1]}: {reps.method}; "
                     f"variance = {reps.scale:.6g} × Σ rscales_r (θ_r − θ)² with "
                     f"{'θ the full-sample estimate (mse)' if reps.mse else 'θ their mean'}. "
                     "They give design-based SEs that include the calibration without any "
                     "PSU or stratum id.")
        if tier == "public":
            notes.append("Replicate weights reveal which records share a PSU (records of one "
                         "PSU have the same replicate factors) though not which PSU it is: "
                         "the same information as a random PSU code. The committee should "
                         "accept that before a public release ships them.")
    df.insert(0, RESPONDENT, np.arange(1, len(df) + 1))
    after = measure_risk(df, keys, w, k, list(spec.sensitive), spec.risk_threshold, rule, hkeys)
    inst, inst_dropped = None, {}
    if instance is not None and spec.instance and hh_ids is not None and len(instance):
        inst, inst_dropped = _instance(instance, hh_ids, spec, design, codebook, rng)
    return Prepared(tier, df, dropped, before, after, suppressed, prams, w,
                    released_strata, released_psu, notes, reps, inst, inst_dropped, l_sup,
                    hh_sup, unfixable)


def round_significant(x: np.ndarray, digits: int) -> np.ndarray:
    """``x`` rounded to ``digits`` significant digits.

    >>> round_significant(np.array([10909.2, 11382.8, 22765.7]), 2).tolist()
    [11000.0, 11000.0, 23000.0]
    """
    x = np.asarray(x, dtype=float)
    mag = np.floor(np.log10(np.abs(np.where(x == 0, 1.0, x))))
    step = 10.0 ** (mag - digits + 1)
    return np.round(x / step) * step


def _round_weights(df: pd.DataFrame, w: str, digits: int, reps):
    """Public tier: final weights rounded (replicates scaled by the same factor, so their
    ratios to the full weight stay); returns the note for the report."""
    from dataclasses import replace

    old = df[w].to_numpy(dtype=float)
    new = round_significant(old, digits)
    df = df.copy()
    df[w] = new
    if reps is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(old > 0, new / old, 1.0)
        reps = replace(reps, weights=reps.weights * f[:, None])
    change = float(np.max(np.abs(new / old - 1))) if len(old) else 0.0
    note = (f"Weights are rounded to {digits} significant digits so that they do not point at "
            f"the PSU: {len(np.unique(old))} distinct weights become {len(np.unique(new))}; "
            f"largest change {100 * change:.1f}% (effect on the estimates: the release columns "
            "of the headline table).")
    return df, reps, note


def _instance(instance: pd.DataFrame, hh_ids, spec: ReleaseSpec, design, codebook, rng
              ) -> tuple[pd.DataFrame, dict[str, str]]:
    """The instance table linked by the release's random ``resp_id`` (row order shuffled),
    with the main table's drops and the PRAM/noise of its own variables; instances of
    respondents not released are left out."""
    resp = dict(zip(hh_ids, np.arange(1, len(hh_ids) + 1)))
    inst = instance[instance["hh_id"].isin(resp)].copy()
    dropped = classify_columns(inst, replace_keys(spec), design, codebook)
    inst.insert(0, RESPONDENT, inst["hh_id"].map(resp).astype("int64"))
    inst = inst.drop(columns=[c for c in dropped if c in inst.columns])
    for var, keep in spec.pram.items():
        if var in inst.columns:
            inst[var] = pram(inst[var], keep, rng).values
    for var, scale in spec.noise.items():
        if var in inst.columns:
            inst[var] = add_noise(inst[var], scale, rng)
    inst = inst.sample(frac=1.0, random_state=rng.integers(2**31))
    return inst.sort_values(RESPONDENT, kind="stable").reset_index(drop=True), dropped


def replace_keys(spec: ReleaseSpec) -> ReleaseSpec:
    """The spec for classifying instance columns (no key variable is kept there)."""
    from dataclasses import replace

    return replace(spec, keys=(), household_keys=(), sensitive=())
