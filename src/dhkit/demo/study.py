"""``generate_study``: draw the synthetic demo study and write it in every format.

>>> import tempfile
>>> s = generate_study(tempfile.mkdtemp(), children=60, formats=("kobo_csv",))
>>> s.counts.children, len(s.paths["kobo_csv"])
(60, 3)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dhkit.demo.generate import DemoData, draw
from dhkit.demo.schema import AB_ITEMS
from dhkit.demo.truth import TRUTH, Truth
from dhkit.demo.writers import FORMATS, WRITERS, XLSX_MAX_CHILDREN
from dhkit.errors import DhkitError

DEFAULT_FORMATS = ("kobo_csv", "sav", "dta", "odk_csv", "kobo_xlsx", "parquet")


@dataclass(frozen=True)
class Counts:
    """Sizes of the drawn study."""

    psus: int
    issued_households: int
    submissions: int            # main-sheet rows (households screened)
    children: int               # completed child + caregiver interviews
    victims: int                # children with any TF-CSEA in the past year
    instances: int              # instance repeat rows
    roster_members: int
    response_rate: float        # children / issued households
    #: households with a roster of their members (interviewed or found without an eligible
    #: child): the seed's base of the household internet-use rate (1,309 in Colombia)
    households_with_roster: int = 0


@dataclass(frozen=True)
class Estimates:
    """Weighted figures of the drawn data (fractions), to compare with the targets."""

    any_tfcsea: float
    any_girls: float
    any_boys: float
    any_urban: float
    any_rural: float
    items: dict
    victims_weighted: float     # weighted number of children with any TF-CSEA
    multi_form_share: float     # victims with more than one form (unweighted)
    instances_per_victim: float


@dataclass
class DemoStudy:
    """What :func:`generate_study` wrote and the truth it used."""

    out_dir: Path
    seed: int
    paths: dict[str, list[Path]]
    counts: Counts
    estimates: Estimates
    truth: Truth = field(repr=False)
    data: DemoData | None = field(default=None, repr=False)

    def all_paths(self) -> list[Path]:
        return [p for ps in self.paths.values() for p in ps]


@dataclass(frozen=True)
class ReportHeadline:
    """The report's own headline figures (calibrated weights of the weights stage), so the
    demo's summary prints what the report prints: one source of truth.

    ``population`` is rounded to 10,000, as the report rounds it (``{{pop}}``).
    """

    any_tfcsea: float
    any_girls: float
    any_boys: float
    any_urban: float
    any_rural: float
    population: float


def report_headline(estimates: pd.DataFrame) -> ReportHeadline | None:
    """The headline of the report's public tidy estimates (None when it is not there or
    suppressed).

    >>> import pandas as pd
    >>> e = pd.DataFrame({"indicator": ["any_tfcsea"] * 5, "category": [""] * 5,
    ...     "domain": ["", "sex", "sex", "area", "area"], "level": ["", "1", "2", "1", "2"],
    ...     "estimate": [.197, .23, .16, .15, .29], "population": [806_207.7] + [None] * 4})
    >>> report_headline(e).population
    810000.0
    """
    if estimates is None or not len(estimates):
        return None
    e = estimates[(estimates["indicator"] == "any_tfcsea")
                  & (estimates["category"].fillna("").astype(str) == "")]

    def get(domain: str = "", level: str = "", col: str = "estimate") -> float:
        r = e[(e["domain"].fillna("").astype(str) == domain)
              & (e["level"].fillna("").astype(str) == level)]
        return float(r[col].iloc[0]) if len(r) and pd.notna(r[col].iloc[0]) else float("nan")

    overall, pop = get(), get(col="population")
    if np.isnan(overall):
        return None
    return ReportHeadline(
        any_tfcsea=overall, any_girls=get("sex", "1"), any_boys=get("sex", "2"),
        any_urban=get("area", "1"), any_rural=get("area", "2"),
        population=float(round(pop, -4)) if not np.isnan(pop) else float("nan"))


def summarize(data: DemoData) -> tuple[Counts, Estimates]:
    """Counts and weighted estimates of drawn data (domain estimates on completes)."""
    m = data.main
    c = m[m["interview_result"] == 1]
    w = c["weight"].to_numpy(float)

    def wmean(col, sel=None):
        x = (c[col].to_numpy(dtype=float, na_value=np.nan) == 1)
        s = np.ones(len(c), bool) if sel is None else sel
        return float((w[s] * x[s]).sum() / w[s].sum()) if s.any() else float("nan")

    sex = c["child_sex"].to_numpy(dtype=float, na_value=np.nan)
    area = c["area"].to_numpy(dtype=float, na_value=np.nan)
    anyv = c["any_tfcsea"].to_numpy(dtype=float, na_value=np.nan) == 1
    n_forms = (c[AB_ITEMS].to_numpy(dtype=float, na_value=np.nan) == 1).sum(axis=1)
    victims = int(anyv.sum())
    counts = Counts(
        psus=data.n_psu, issued_households=data.issued_households, submissions=len(m),
        children=len(c), victims=victims, instances=len(data.instance),
        roster_members=len(data.roster),
        response_rate=len(c) / max(1, data.issued_households),
        households_with_roster=int(data.roster["_parent_index"].nunique()))
    est = Estimates(
        any_tfcsea=wmean("any_tfcsea"), any_girls=wmean("any_tfcsea", sex == 1),
        any_boys=wmean("any_tfcsea", sex == 2), any_urban=wmean("any_tfcsea", area == 1),
        any_rural=wmean("any_tfcsea", area == 2),
        items={i: wmean(i) for i in AB_ITEMS},
        victims_weighted=float(w[anyv].sum()),
        multi_form_share=float((n_forms[anyv] > 1).mean()) if victims else 0.0,
        instances_per_victim=len(data.instance) / victims if victims else 0.0)
    return counts, est


def generate_study(out_dir: str | Path, *, children: int = 999, seed: int = 20240601,
                   formats: Iterable[str] = DEFAULT_FORMATS, truth: Truth = TRUTH,
                   on_step: Callable[[str], None] | None = None) -> DemoStudy:
    """Draw a seeded synthetic study following the Colombia design and write it.

    Files go to ``out_dir/<format>/``; ``out_dir/truth.json`` records the seed, the targets,
    the population frame and the counts. ``kobo_xlsx`` is skipped above 50,000 children.
    ``on_step(name)`` is called after each step (for progress bars).
    The design follows the Disrupting Harm household survey (three-stage clustered
    sample, ECPAT/INTERPOL/UNICEF 2025, Colombia report, methods section).

    >>> import tempfile
    >>> s = generate_study(tempfile.mkdtemp(), children=40, formats=("parquet",))
    >>> s.counts.children
    40
    """
    formats = tuple(formats)
    bad = [f for f in formats if f not in WRITERS]
    if bad:
        raise DhkitError("DEM-003", f"--formats: unknown format(s) {', '.join(bad)}; "
                         f"choose from {', '.join(FORMATS)}.")
    if children > XLSX_MAX_CHILDREN and "kobo_xlsx" in formats:
        formats = tuple(f for f in formats if f != "kobo_xlsx")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = draw(children, seed, truth)
    if on_step:
        on_step("draw")
    paths = {}
    for fmt in formats:
        paths[fmt] = WRITERS[fmt](data, out / fmt)
        if on_step:
            on_step(fmt)
    counts, est = summarize(data)
    study = DemoStudy(out, seed, paths, counts, est, truth, data)
    _write_truth(study)
    return study


def _write_truth(study: DemoStudy) -> Path:
    t = study.truth
    doc = {
        "note": "Synthetic data from a fixed seed; no real child. Targets from the Colombia "
                "Disrupting Harm report (see docs/demo.md).",
        "seed": study.seed,
        "counts": asdict(study.counts),
        "estimates": asdict(study.estimates),
        "population_children": t.population_children,
        "population_cells": {f"{r}/{'urban' if a == 1 else 'rural'}": v
                             for (r, a), v in t.population_cells().items()},
        "targets": {k: v for k, v in asdict(t).items()},
        "files": {k: [str(p.relative_to(study.out_dir)) for p in v]
                  for k, v in study.paths.items()},
    }
    path = study.out_dir / "truth.json"
    path.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    return path
