"""Country estimates through the national pipeline, then harmonised to common ids.

Each country's figures come from :func:`dhkit.report.build.validate_inputs` and
:func:`dhkit.report.build.analyse` on :func:`dhkit.report.study.inputs_from_study` — the
very calls behind ``dhkit report`` — so every regional cell equals the country's own
report (its strata, PSUs and calibrated weights; nothing pooled across designs). Only the
*public* view leaves this module: a cell the country suppresses is blank here too, and
the region may apply a stricter floor of its own. Every cell keeps its provenance: the
study, the country's own indicator, category, domain and level, and the ``row_id`` of
the country's ``estimates.csv``.

A harmonised indicator (or indicator × domain) that the country's catalogue defines but its
national plan does not tabulate is not "not collected": the country's data hold it. Such
cells are computed by the same engine on the same design, weights and disclosure rules
(a second :func:`~dhkit.report.build.analyse` with one plan section of exactly those
cells), kept apart from the national table so that ``countries/<id>/estimates.csv``
stays the national report's, byte for byte, and written as
``countries/<id>/estimates-regional.csv`` (the cells' ``source_file``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dhkit.disclosure import CAUTION, SUPPRESSED, VALUE_COLUMNS
from dhkit.region.config import CountryRef, Region

PUBLISHED, SUPPRESSED_CELL, NOT_COLLECTED, NO_DATA = ("published", "suppressed",
                                                     "not collected", "no data")
VALUES = ["estimate", "se", "ci_low", "ci_high", "deff", "n_unweighted", "n_weighted", "df"]
CELL_COLUMNS = ["country", "indicator", "category", "domain", "level", "status", "flag",
                *VALUES, "source_study", "source_file", "source_row_id", "source_indicator",
                "source_category", "source_domain", "source_level"]


@dataclass
class CountryEstimates:
    """One country's published estimates and what the regional report says about it."""

    ref: CountryRef
    study_name: str
    study_dir: Path
    languages: tuple[str, ...]
    synthetic: bool
    thresholds: object                       # dhkit.disclosure.Thresholds
    population: float | None                 # internet-using 12–17s (region.toml or study)
    design: dict                             # design summary of the national analysis
    calibrated: bool
    public: pd.DataFrame                     # the national public tidy table, as written
    analysis: object = field(repr=False, default=None)   # dhkit.report.build.Analysis
    tidy_sha256: str = ""
    #: cells the region needs that the national plan does not tabulate (same engine and
    #: design; public view), and their analysis (for the country's own contrasts)
    extra: pd.DataFrame | None = None
    extra_analysis: object = field(repr=False, default=None)

    @property
    def pop_scale(self) -> float:
        """Scale from the study's weighted totals to its stated population (1 if none)."""
        total = self.design.get("sum_weights") or 0
        return float(self.population) / total if self.population and total else 1.0


def country_estimates(ref: CountryRef, needs: dict[str, set[str]] | None = None
                      ) -> CountryEstimates:
    """The national analysis of one country study, exactly as ``dhkit report`` makes it;
    with ``needs`` (the country's indicator id → its domain ids the region shows), also
    the cells among them the national plan does not tabulate (:func:`extra_estimates`).

    >>> # doctest: +SKIP
    >>> ce = country_estimates(load_region("dhkit-demo-region").countries[0])
    """
    from dhkit.report.build import TIDY_ORDER, analyse, validate_inputs
    from dhkit.report.study import inputs_from_study
    from dhkit.workspace.config import load_study

    study = load_study(ref.study_dir)
    inputs = inputs_from_study(study)
    catalogue, plan = validate_inputs(inputs, ("en",))
    analysis = analyse(inputs, catalogue, plan, validated=True)
    public = analysis.public[[c for c in TIDY_ORDER if c in analysis.public.columns]]
    from dhkit.safetext import csv_frame

    digest = hashlib.sha256(csv_frame(public).to_csv(index=False).encode("utf-8")).hexdigest()
    extra = extra_estimates(inputs, catalogue, plan, public, needs or {})
    return CountryEstimates(
        ref=ref, study_name=study.name, study_dir=study.dir, languages=tuple(study.languages),
        synthetic=bool(study.demo), thresholds=inputs.thresholds,
        population=ref.population or inputs.population, design=analysis.design_summary,
        calibrated=inputs.calibration is not None, public=public, analysis=analysis,
        tidy_sha256=digest,
        extra=None if extra is None else extra.public[[c for c in TIDY_ORDER
                                                       if c in extra.public.columns]],
        extra_analysis=extra)


def extra_estimates(inputs, catalogue, plan, public: pd.DataFrame,
                    needs: dict[str, set[str]]):
    """The analysis of the (indicator, domain) cells the region needs and the national
    table lacks — one plan section holding exactly those, the country's own contrasts and
    significance level — or None when the national table has them all. An indicator
    or domain the country's catalogue lacks is left to the mapping check; one whose
    variables the country's data lack stays out (its cells read "not collected")."""
    from dhkit.indicators.catalogue import Plan, Section, Table
    from dhkit.indicators.compute import check_plan_against_data
    from dhkit.report.build import analyse

    have = set(zip(public["indicator"], public["domain"].fillna("").astype(str)))
    tables = []
    for ind, doms in needs.items():
        if ind not in catalogue.indicators:
            continue
        missing = tuple(d for d in sorted(doms) if d in catalogue.domains
                        and (ind, d) not in have)
        if (ind, "") not in have or missing:
            tables.append(Table(f"region_{ind}", {"en": ind}, (ind,), missing))

    def plan_of(tabs) -> Plan:
        return Plan([Section("region", {"en": "Regional comparison"}, tuple(tabs), ())],
                    list(plan.contrasts), [], plan.significance_level, plan.appendix,
                    plan.source)

    if check_plan_against_data(catalogue, plan_of(tables), inputs.main, inputs.instance).ok:
        ok = tables
    else:                                     # keep the tables the country's data can fill
        ok = [tb for tb in tables if check_plan_against_data(
            catalogue, plan_of([tb]), inputs.main, inputs.instance).ok]
    if not ok:
        return None
    return analyse(inputs, catalogue, plan_of(ok), validated=True)


def regional_needs(region: Region, cid: str) -> dict[str, set[str]]:
    """The country's own indicator ids the harmonisation maps, each with the country's
    domain ids of the tables that show it."""
    harm = region.harmonisation
    needs: dict[str, set[str]] = {}
    for ind in harm.indicators.values():
        m = ind.mapping(cid)
        if m.indicator is not None:
            needs.setdefault(m.indicator, set())
    for spec in harm.tables:
        doms = {harm.domains[d].mapping(cid).domain for d in spec.domains}
        for i in spec.indicators:
            m = harm.indicators[i].mapping(cid)
            if m.indicator is not None:
                needs[m.indicator] |= {d for d in doms if d}
    return needs


def harmonise(region: Region, countries: list[CountryEstimates]) -> pd.DataFrame:
    """One row per (country, common indicator, category, domain, level): the country's
    published value, or why there is none (suppressed, not collected, no data)."""
    harm = region.harmonisation
    rows = []
    for ce in countries:
        lookup = _lookup(ce.public)
        extra = _lookup(ce.extra) if ce.extra is not None else {}
        planned = set(ce.public["indicator"]) | (set(ce.extra["indicator"])
                                                 if ce.extra is not None else set())
        cid = ce.ref.id
        sup = max(region.suppress_below, ce.thresholds.suppress_below)
        cau = max(region.caution_below, ce.thresholds.caution_below)
        for ind in harm.indicators.values():
            m = ind.mapping(cid)
            collected = m.indicator is not None and m.indicator in planned
            for cat in (list(ind.categories) or [""]):
                local_cat = m.categories.get(cat, cat) if cat else ""
                cat_ok = local_cat is not None
                for dom, lvl, local_dom, local_lvl in _domain_cells(region, cid):
                    row = {"country": cid, "indicator": ind.id, "category": cat,
                           "domain": dom, "level": lvl,
                           "source_study": _rel(ce.study_dir, region.dir),
                           "source_file": f"countries/{cid}/estimates.csv",
                           "source_indicator": m.indicator or "",
                           "source_category": local_cat or "",
                           "source_domain": local_dom or "", "source_level": local_lvl or ""}
                    here = collected and cat_ok and local_dom is not None
                    key = (m.indicator, local_cat, local_dom, local_lvl)
                    src = lookup.get(key) if here else None
                    if here and src is None and key in extra:
                        src = extra[key]
                        row["source_file"] = f"countries/{cid}/estimates-regional.csv"
                    if not here:
                        row.update(status=NOT_COLLECTED, flag="")
                    elif src is None:
                        row.update(status=NO_DATA, flag="")
                    else:
                        row.update(_published(src, sup, cau))
                    rows.append(row)
    cells = pd.DataFrame(rows)
    for col in CELL_COLUMNS:
        if col not in cells.columns:
            cells[col] = np.nan
    cells["source_row_id"] = cells["source_row_id"].astype("Int64")
    return cells[CELL_COLUMNS]


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _lookup(public: pd.DataFrame) -> dict:
    keys = zip(public["indicator"], public["category"].fillna("").astype(str),
               public["domain"].fillna("").astype(str), public["level"].fillna("").astype(str))
    out = {}
    for key, rec in zip(keys, public.to_dict("records")):
        out.setdefault(key, rec)
    return out


def _domain_cells(region: Region, cid: str):
    """(common domain, common level, country domain, country level); the country domain
    is None where the country did not collect it."""
    yield "", "", "", ""
    for dom in region.harmonisation.domains.values():
        m = dom.mapping(cid)
        for lvl in dom.levels:
            local = m.levels.get(lvl) if m.domain else None
            yield dom.id, lvl, (m.domain if local is not None else None), local


def _published(src: dict, suppress_below: int, caution_below: int) -> dict:
    """The country's public cell, with the region's floor applied on top of its own."""
    out = {k: src.get(k, np.nan) for k in VALUES}
    out["source_row_id"] = int(src["row_id"])
    n = src.get("n_unweighted", 0)
    if src.get("flag") == SUPPRESSED or not n >= suppress_below:
        out.update({k: np.nan for k in VALUES if k in VALUE_COLUMNS or k == "df"})
        out.update(status=SUPPRESSED_CELL, flag=SUPPRESSED)
    else:
        out.update(status=PUBLISHED, flag=CAUTION if n < caution_below else "")
    return out


WITHIN_COLUMNS = ["country", "indicator", "category", "domain", "level_a", "level_b",
                  "status", "difference", "se", "df", "p_value", "significant",
                  "source_indicator", "source_category", "source_domain", "source_level_a",
                  "source_level_b"]


def harmonise_contrasts(region: Region, cells: pd.DataFrame,
                        countries: list[CountryEstimates]) -> pd.DataFrame:
    """Each country's own tests between two levels of a domain (girls and boys, urban and
    rural …) — the national report's planned contrasts, as its ``contrasts.csv`` has them
    (design-based, on the linearised covariance of the two domain estimates) — mapped to
    the common ids. A test whose either side the region does not publish (suppressed,
    also by a regional floor stricter than the country's) is kept blank, as the national
    report blanks it: no figure here says more than the cells do.
    """
    harm = region.harmonisation
    status = {tuple(k): s for k, s in zip(
        cells[["country", "indicator", "category", "domain", "level"]].itertuples(
            index=False, name=None), cells["status"])}
    rows = []
    for ce in countries:
        ctr = _contrasts_of(ce)
        if ctr is None or ctr.empty:
            continue
        cid = ce.ref.id
        ctr = ctr.assign(category=ctr["category"].fillna("").astype(str),
                         level_a=ctr["level_a"].astype(str), level_b=ctr["level_b"].astype(str))
        for ind in harm.indicators.values():
            m = ind.mapping(cid)
            if m.indicator is None:
                continue
            cats = {(m.categories.get(c, c) if c else ""): c
                    for c in (list(ind.categories) or [""])}
            for dom in harm.domains.values():
                dm = dom.mapping(cid)
                if dm.domain is None:
                    continue
                levels = {local: common for common, local in dm.levels.items()
                          if local is not None}
                sel = ctr[(ctr["indicator"] == m.indicator) & (ctr["domain"] == dm.domain)
                          & ctr["category"].isin([k for k in cats if k is not None])
                          & ctr["level_a"].isin(levels) & ctr["level_b"].isin(levels)]
                for rec in sel.to_dict("records"):
                    common = cats[rec["category"]]
                    a, b = levels[rec["level_a"]], levels[rec["level_b"]]
                    shown = all(status.get((cid, ind.id, common, dom.id, lv)) == PUBLISHED
                                for lv in (a, b)) and not bool(rec.get("suppressed"))
                    row = {"country": cid, "indicator": ind.id, "category": common,
                           "domain": dom.id, "level_a": a, "level_b": b,
                           "status": PUBLISHED if shown else SUPPRESSED_CELL,
                           "source_indicator": m.indicator, "source_category": rec["category"],
                           "source_domain": dm.domain, "source_level_a": rec["level_a"],
                           "source_level_b": rec["level_b"]}
                    if shown:
                        row.update({k: rec.get(k, np.nan) for k in ("difference", "se", "df",
                                                                     "p_value")},
                                   significant=bool(rec.get("significant", False)))
                    else:
                        row.update(difference=np.nan, se=np.nan, df=np.nan, p_value=np.nan,
                                   significant=False)
                    rows.append(row)
    return pd.DataFrame(rows, columns=WITHIN_COLUMNS)


def _contrasts_of(ce: CountryEstimates) -> pd.DataFrame | None:
    """The country's own contrasts: the national report's, then those of the cells the
    region added (a pair the national table already tests keeps the national test)."""
    frames = [f for f in (getattr(ce.analysis, "contrasts", None),
                          getattr(ce.extra_analysis, "contrasts", None))
              if f is not None and not f.empty]
    if not frames:
        return None
    both = pd.concat(frames, ignore_index=True)
    keys = ["indicator", "category", "domain", "level_a", "level_b"]
    return both[~both[keys].astype(str).duplicated()]
