"""Prepare an anonymised microdata file from a study's respondent frame (pure, no I/O).

Steps, in this order (Hundepool et al. 2012, ch. 3; the IHSN/World Bank "Statistical
Disclosure Control for Microdata: a practice guide", Benschop & Welch):

1. drop direct identifiers, free text, GPS, fieldwork metadata and the selection
   probabilities / weight lineage (they reveal the PSU); shuffle the rows and give each a
   random respondent number;
2. measure risk on the original key variables;
3. global recoding and top/bottom coding (``[recode.*]``);
4. local suppression until every key cell holds ``k`` records;
5. PRAM and noise on chosen variables;
6. design variables: PSU and stratum replaced by random codes (licensed) or removed (public);
7. measure risk again on the released key variables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError
from dhkit.release.config import ReleaseSpec
from dhkit.release.risk import RiskSummary, measure_risk
from dhkit.release.treat import (Pram, add_noise, local_suppression, merge_categories,
                                 merge_small, pram, recode_bins, top_bottom_code)

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


def classify_columns(df: pd.DataFrame, spec: ReleaseSpec, design, codebook=None) -> dict[str, str]:
    """Every column that must not be released, with the reason.

    >>> from dhkit.release.config import ReleaseSpec
    >>> from dhkit.indicators.compute import DesignSpec
    >>> d = pd.DataFrame({"child_name": ["x"], "gps_lat": [1.0], "_uuid": ["u"], "age": [12]})
    >>> sorted(classify_columns(d, ReleaseSpec(keys=("age",)), DesignSpec()).items())
    [('_uuid', 'fieldwork metadata'), ('child_name', 'direct identifier'), ('gps_lat', 'GPS')]
    """
    out: dict[str, str] = {}
    keep = set(spec.keys) | set(spec.sensitive) | {design.weights}
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
        elif c == "hh_id" or c.endswith("_key") or c == "_key":
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
            codebook=None) -> Prepared:
    """The release frame of ``main`` (respondents with final weights) under ``spec``."""
    if tier not in TIERS:
        raise DhkitError("REL-010", f"unknown tier '{tier}'; use --tier public or --tier licensed.")
    k = k or spec.k
    missing = [v for v in (*spec.keys, *spec.sensitive, *spec.pram, *spec.noise)
               if v not in main.columns]
    if missing:
        raise DhkitError("REL-011", f"{spec.path or 'release.toml'}: variables not in the data: "
                         f"{', '.join(missing)}; fix [release] keys/sensitive, [pram] or [noise].")
    if len(main) < k:
        raise DhkitError("REL-012", f"{len(main)} respondents cannot be {k}-anonymous; "
                         "lower --k or import the data first.")
    rng = np.random.default_rng(spec.seed)
    keys, w = list(spec.keys), design.weights
    dropped = classify_columns(main, spec, design, codebook)
    df = main.sample(frac=1.0, random_state=rng.integers(2**31)).reset_index(drop=True)
    before = measure_risk(df, keys, w, k, list(spec.sensitive), spec.risk_threshold)
    notes: list[str] = []
    psu = _random_codes(df[design.psu], rng) if design.psu else None
    strata = _random_codes(df[design.strata], rng) if design.strata else None
    df = df.drop(columns=[c for c in dropped if c in df.columns and c not in keys])
    df = _recode(df, spec)
    sup = local_suppression(df, keys, k, list(spec.importance) or None)
    df = sup.data
    prams = {}
    for var, keep in spec.pram.items():
        prams[var] = pram(df[var], keep, rng)
        df[var] = prams[var].values
    for var, scale in spec.noise.items():
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
                     "in the disclosure-risk report); use the licensed file for design-based "
                     "variance.")
    df.insert(0, RESPONDENT, np.arange(1, len(df) + 1))
    after = measure_risk(df, keys, w, k, list(spec.sensitive), spec.risk_threshold)
    return Prepared(tier, df, dropped, before, after, sup.suppressed, prams, w,
                    released_strata, released_psu, notes)
