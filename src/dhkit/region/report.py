"""``dhkit region report DIR``: the regional report in every language.

One direction: region.toml + harmonisation (validated) → each country's national
analysis (:mod:`dhkit.region.estimates`) → harmonised public cells → ranges, combined
figures, differences (:mod:`dhkit.region.compare`) → outputs: ``report.html``/``.pdf``
(first language; ``report.<lang>.html`` for the others), ``tables.xlsx``, tidy
``estimates``/``regional``/``differences``/``within`` (each country's own tests
between two levels of a domain) as CSV and Parquet (``country`` column and
provenance), ``countries/<id>/estimates.csv`` (each country's public table as its
national report writes it), the legal matrix, ``manifest.json``. Same inputs, same bytes.

Charts reuse the national report's engine (Altair rendered offline by vl-convert), HTML
→ PDF the national :func:`dhkit.report.render.write_pdf` (WeasyPrint).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dhkit import __version__
from dhkit.safetext import csv_frame
from dhkit.region import compare
from dhkit.region.config import Region
from dhkit.region.estimates import (NO_DATA, NOT_COLLECTED, SUPPRESSED_CELL,
                                    CountryEstimates, country_estimates, harmonise,
                                    harmonise_contrasts, regional_needs)
from dhkit.region.strings import t

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class RegionAnalysis:
    """Everything the regional outputs show, computed once for every language."""

    region: Region
    countries: list[CountryEstimates]
    cells: pd.DataFrame
    regional: pd.DataFrame                  # ranges and combined figures per row
    differences: pd.DataFrame
    legal: object | None = None             # dhkit.legal.gap.Matrix
    legal_checklist: object | None = None
    within: pd.DataFrame | None = None      # each country's own tests between two levels


@dataclass
class RegionReport:
    out_dir: Path
    files: dict[str, Path]
    analysis: RegionAnalysis = field(repr=False)


def analyse_region(region: Region, progress=None) -> RegionAnalysis:
    """Country analyses (national pipeline) → harmonised cells → regional figures."""
    countries = []
    for ref in region.countries:
        countries.append(country_estimates(ref, regional_needs(region, ref.id)))
        if progress:
            progress(f"estimates {ref.id}")
    _check_mappings(region, countries)
    cells = harmonise(region, countries)
    scale = {c.ref.id: c.pop_scale for c in countries}
    rng = compare.ranges(cells)
    comb = compare.combined(cells, scale, region.combine, region.on_suppressed)
    regional = rng.merge(comb, on=compare.KEYS, how="left")
    diffs = compare.differences(cells)
    matrix, checklist = _legal(countries)
    within = harmonise_contrasts(region, cells, countries)
    return RegionAnalysis(region, countries, cells, regional, diffs, matrix, checklist, within)


def _check_mappings(region: Region, countries: list[CountryEstimates]) -> None:
    """Every mapped indicator, category, domain and level must exist in the country's
    catalogue; all problems listed with the harmonisation file's line."""
    from dhkit.errors import ValidationError
    from dhkit.validation import ValidationReport

    report = ValidationReport()
    file = str(region.harmonisation.path)
    for ce in countries:
        cat = ce.analysis.catalogue
        cid = ce.ref.id
        for ind in region.harmonisation.indicators.values():
            m = ind.countries.get(cid)
            if m is None or m.indicator is None:
                continue
            if m.indicator not in cat.indicators:
                report.add("REG-020", f"indicator {ind.id}, {cid}: '{m.indicator}' is not in "
                           "the country's catalogue", file=file, line=m.line or ind.line,
                           hint="Use the country's indicator id, or write `not collected`.")
                continue
            levels = set(cat.indicators[m.indicator].levels)
            for common, local in m.categories.items():
                if local is not None and levels and local not in levels:
                    report.add("REG-021", f"indicator {ind.id}, {cid}: category '{local}' is "
                               f"not a level of {m.indicator}", file=file,
                               line=m.line or ind.line, hint=f"Use one of {', '.join(levels)}.")
        for dom in region.harmonisation.domains.values():
            m = dom.countries.get(cid)
            if m is None or m.domain is None:
                continue
            if m.domain not in cat.domains:
                report.add("REG-022", f"domain {dom.id}, {cid}: '{m.domain}' is not a domain of "
                           "the country's catalogue", file=file, line=m.line or dom.line)
                continue
            for common, local in m.levels.items():
                if local not in cat.domains[m.domain].levels:
                    report.add("REG-022", f"domain {dom.id}, {cid}: level '{local}' is not a "
                               f"level of {m.domain}", file=file, line=m.line or dom.line)
    if not report.ok:
        raise ValidationError("REG-000", f"{len(report)} problem(s) mapping the harmonisation "
                              "to the countries' catalogues", report)


def legal_assessment_notes(region) -> list[str]:
    """One line per country whose study holds no legal assessment under the country's id
    (``legal/assessment-<id>.yaml``): the regional legal comparison leaves it out, and with
    no country assessed the section is not written. Said by ``region check`` and ``report``.

    A study that holds an assessment under another id is named with it (a region that
    calls Colombia ``CO2`` finds nothing in ``assessment-CO.yaml``)."""
    out = []
    for c in region.countries:
        legal = Path(c.study_dir) / "legal"
        if (legal / f"assessment-{c.id}.yaml").exists():
            continue
        other = sorted(p.name for p in legal.glob("assessment-*.yaml")) if legal.is_dir() else []
        why = (f"the study holds {', '.join(other)}: give the country that id in region.toml, "
               f"or name the file assessment-{c.id}.yaml" if other else
               "the study has no legal assessment")
        out.append(f"{c.id}: no legal/assessment-{c.id}.yaml ({why}); the legal comparison "
                   f"leaves {c.id} out")
    if out and len(out) == len(region.countries):
        out.append("no country has a legal assessment: the report has no legal section")
    return out


def _legal(countries: list[CountryEstimates]):
    """The legal matrix over every assessment found in the country studies."""
    from dhkit.legal.assessment import load_assessment
    from dhkit.legal.checklist import load_checklist
    from dhkit.legal.gap import build_matrix

    paths = []
    for ce in countries:
        path = ce.study_dir / "legal" / f"assessment-{ce.ref.id}.yaml"
        if path.exists():
            paths.append(path)
    if not paths:
        return None, None
    checklist = load_checklist()
    return build_matrix(checklist, [load_assessment(p, checklist) for p in paths]), checklist


# ------------------------------------------------------------------------- outputs
def build_region_report(region: Region, out_dir: str | Path, *, languages=None,
                        pdf: bool = True, progress=None) -> RegionReport:
    """Validate, estimate each country once, then write every output in every language."""
    from dhkit.region import excel, render

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    languages = tuple(languages or region.languages)
    analysis = analyse_region(region, progress)
    files = _write_tidy(analysis, out)
    for i, lang in enumerate(languages):
        suffix = "" if i == 0 else f".{lang}"
        html = render.render_html(analysis, lang)
        files[f"report{suffix}.html"] = _write_text(out / f"report{suffix}.html", html)
        if pdf:
            from dhkit.report.render import write_pdf

            files[f"report{suffix}.pdf"] = write_pdf(render.render_html(analysis, lang, True),
                                                     out / f"report{suffix}.pdf")
        files[f"tables{suffix}.xlsx"] = excel.write_workbook(analysis, lang,
                                                             out / f"tables{suffix}.xlsx")
        if progress:
            progress(f"outputs {lang}")
    files.update(_write_legal(analysis, out, languages))
    files["manifest.json"] = _write_manifest(analysis, out, files, languages)
    return RegionReport(out, files, analysis)


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def tidy_cells(analysis: RegionAnalysis) -> pd.DataFrame:
    """The tidy regional estimates: one row per country cell, with names and bases."""
    names = {c.ref.id: c.ref.label("en") for c in analysis.countries}
    harm = analysis.region.harmonisation
    cells = analysis.cells.copy()
    cells.insert(1, "country_name", cells["country"].map(names))
    cells.insert(4, "base", [harm.indicators[i].base.get("en", "") for i in cells["indicator"]])
    return cells


def _write_tidy(analysis: RegionAnalysis, out: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    frames = {"estimates": tidy_cells(analysis), "regional": analysis.regional,
              "differences": analysis.differences, "within": analysis.within,
              "countries": countries_table(analysis)}

    for name, frame in frames.items():
        if frame is None:
            continue
        csv_frame(frame).to_csv(out / f"{name}.csv", index=False)     # text never a formula
        files[f"{name}.csv"] = out / f"{name}.csv"
        if name != "countries":
            frame.to_parquet(out / f"{name}.parquet", index=False)
            files[f"{name}.parquet"] = out / f"{name}.parquet"
    for ce in analysis.countries:
        folder = out / "countries" / ce.ref.id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "estimates.csv"
        csv_frame(ce.public).to_csv(path, index=False)       # as `dhkit report` writes it
        files[f"countries/{ce.ref.id}/estimates.csv"] = path
        if ce.extra is not None:            # the cells the region added (same engine)
            path = folder / "estimates-regional.csv"
            csv_frame(ce.extra).to_csv(path, index=False)
            files[f"countries/{ce.ref.id}/estimates-regional.csv"] = path
    return files


def countries_table(analysis: RegionAnalysis) -> pd.DataFrame:
    rows = []
    for ce in analysis.countries:
        d = ce.design
        rows.append({"country": ce.ref.id, "country_name": ce.ref.label("en"),
                     "study": ce.study_name,
                     "study_dir": str(_rel(ce.study_dir, analysis.region.dir)),
                     "children": d["n_children"], "instances": d["n_instances"],
                     "strata": d["n_strata"], "psus": d["n_psu"], "calibrated": ce.calibrated,
                     "kish_deff": d["kish_deff"], "population": ce.population,
                     "languages": " ".join(ce.languages), "synthetic": ce.synthetic,
                     "suppress_below": ce.thresholds.suppress_below,
                     "caution_below": ce.thresholds.caution_below,
                     "estimates_sha256": ce.tidy_sha256})
    return pd.DataFrame(rows)


def _rel(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def _write_legal(analysis: RegionAnalysis, out: Path, languages) -> dict[str, Path]:
    if analysis.legal is None:
        return {}
    from dhkit.legal.gap import write_matrix

    files = {}
    for lang in languages:
        # HTML only: the legal stage's xlsx is not byte-stable; tables.xlsx has the matrix
        for path in write_matrix(analysis.legal, analysis.legal_checklist, out / "legal", lang,
                                 ("html",)):
            files[f"legal/{path.name}"] = path
    return files


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_manifest(analysis: RegionAnalysis, out: Path, files: dict[str, Path],
                    languages) -> Path:
    r = analysis.region
    manifest = {
        "dhkit_version": __version__,
        "region": r.name,
        "languages": list(languages),
        "settings": {"combine": r.combine, "on_suppressed": r.on_suppressed,
                     "suppress_below": r.suppress_below, "caution_below": r.caution_below},
        "inputs": {"region.toml": _sha256(r.toml_path),
                   r.harmonisation.path.name: _sha256(r.harmonisation.path)},
        "countries": {ce.ref.id: {"study": ce.study_name,
                                  "study_dir": str(_rel(ce.study_dir, r.dir)),
                                  "study.toml": _sha256(ce.study_dir / "study.toml"),
                                  "estimates_sha256": ce.tidy_sha256,
                                  "synthetic": ce.synthetic,
                                  "design": {k: (round(v, 12) if isinstance(v, float) else v)
                                             for k, v in ce.design.items()}}
                      for ce in analysis.countries},
        "outputs": {name: _sha256(p) for name, p in sorted(files.items())},
    }
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    return path


# ------------------------------------------------------------- formatting helpers
def is_nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def ci_text(low: float, high: float, tr) -> str:
    """A compact CI in per cent without the signs: "17.1–22.5"."""
    return f"{tr.number(100 * low, 1)}–{tr.number(100 * high, 1)}"


def cell_text(rec: dict, lang: str, tr) -> tuple[str, str, str]:
    """(main text, CI text, css class) of one country cell."""
    status = rec["status"]
    if status == NOT_COLLECTED:
        return t("nc_short", lang), "", "nc"
    if status == NO_DATA:
        return "–", "", "nc"
    if status == SUPPRESSED_CELL:
        return "*", "", "suppressed"
    est = tr.percent(rec["estimate"])
    ci = ci_text(rec["ci_low"], rec["ci_high"], tr)
    if rec.get("flag") == "caution":
        return f"({est})", ci, "caution"
    return est, ci, ""

