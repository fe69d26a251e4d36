"""The national report: from survey tables to HTML, PDF, Excel and tidy estimates.

One direction: catalogue + plan are validated against the data (every problem at once,
before any computation) → all planned estimates in one pass (:mod:`dhkit.indicators.compute`)
→ disclosure flags (:mod:`dhkit.disclosure`) → significance of the planned domain
contrasts → public tables → outputs. Every figure in the HTML carries the indicator id
and the row of ``estimates.csv`` it comes from; ``manifest.json`` lists the inputs'
hashes, the dhkit version, the seed and the settings.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from dhkit import __version__
from dhkit.disclosure import Thresholds, apply_flags, public_view
from dhkit.errors import ValidationError
from dhkit.indicators.catalogue import Catalogue, Plan, load_catalogue, load_plan
from dhkit.indicators.compute import KEY, DesignSpec, analysis_tables, check_plan_against_data
from dhkit.report.i18n import Translator
from dhkit.validation import ValidationReport


@dataclass(frozen=True)
class CalibrationSetup:
    """How the final child weights were calibrated (from ``weights build``), so that the
    child and caregiver SEs use the calibration residuals as R's calibrated designs do."""

    before: str                      # column with the weights entering calibration
    margins: object                  # dhkit.weighting.margins.Margins
    method: str = "raking"
    options: dict = field(default_factory=dict)   # bounds, maxit, epsilon
    trim: tuple[float, float] | None = None

    @property
    def variables(self) -> list[str]:
        return [v for m in self.margins.margins for v in m.parts]


@dataclass
class ReportInputs:
    """What a report is built from (a study folder or the demo gives these)."""

    main: pd.DataFrame
    instance: pd.DataFrame | None
    design: DesignSpec = field(default_factory=DesignSpec)
    thresholds: Thresholds = field(default_factory=Thresholds)
    study_name: str = "National study"
    country: str = ""
    synthetic: bool = False
    population: float | None = None          # internet-using 12–17s, for "equivalent to N"
    seed: int | None = None
    input_hashes: dict[str, str] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    catalogue_path: Path | None = None
    plan_path: Path | None = None
    study: object | None = None              # the workspace Study: legal review, recommendations
    quotes: list = field(default_factory=list)   # cleared quotes (dhkit.qualitative.Quote)
    #: (quote text, language) → the team's translation (dhkit.qualitative.quote_translations)
    quote_translations: dict = field(default_factory=dict)
    calibration: CalibrationSetup | None = None
    weight_lineage: bool = False             # main holds the w_* columns of weights build
    instrument: Path | None = None           # the XLSForm, for the data dictionary
    fieldwork: object | None = None          # dhkit.report.fieldwork.Fieldwork (methods chapter)
    #: which form version asked which variable (dhkit.indicators.versions.AskedTable), when
    #: the study holds several versions: estimates resting on some of them are flagged
    form_versions: object | None = None


@dataclass
class ReportResult:
    out_dir: Path
    files: dict[str, Path]
    estimates: pd.DataFrame                  # the public tidy estimates (as written)
    seconds: dict[str, float]


@dataclass
class Analysis:
    """Estimates and contrasts, computed once and rendered in every language."""

    catalogue: Catalogue
    plan: Plan
    estimates: pd.DataFrame                  # private: all values, with flags
    public: pd.DataFrame                     # suppressed values blanked
    contrasts: pd.DataFrame
    design_summary: dict
    #: the study's small-base rule, as the notes under the figures word it
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: variable → the variables it is made from (:mod:`dhkit.report.fixed`)
    sources: dict = field(default_factory=dict)


def validate_inputs(inputs: ReportInputs, languages: tuple[str, ...]) -> tuple[Catalogue, Plan]:
    """Catalogue, plan, translations and data checked together; raise with every problem."""
    report = ValidationReport()
    catalogue = plan = None
    try:
        catalogue = load_catalogue(inputs.catalogue_path, languages=languages)
        plan = load_plan(inputs.plan_path, catalogue=catalogue, languages=languages)
    except ValidationError as exc:
        report.extend(exc.report or ValidationReport())
    if catalogue is not None and plan is not None:
        report.extend(check_plan_against_data(catalogue, plan, inputs.main, inputs.instance))
        _check_checklist_topics(plan, report)
    from dhkit.report.render import UI_STRINGS

    for lang in languages:
        for text in Translator(lang).missing(UI_STRINGS):
            report.add("RPT-002", f"no '{lang}' translation for \"{text}\"",
                       file=f"report/locale/{lang}/LC_MESSAGES/dhkit.po",
                       hint="Add the msgid/msgstr pair.")
    if not report.ok:
        raise ValidationError("RPT-000", f"{len(report)} problem(s) found before computing "
                              "the report", report)
    return catalogue, plan


def _check_checklist_topics(plan: Plan, report: ValidationReport) -> None:
    """A section's ``checklist:`` names topics or item ids of the legal checklist
    (PLAN-006)."""
    wanted = {(s.id, x) for s in plan.sections for x in s.checklist}
    if not wanted:
        return
    from dhkit.legal.checklist import load_checklist

    items = load_checklist().items
    topics = {i.topic for i in items}
    for sid, topic in sorted(wanted):
        if topic not in topics and topic not in {i.id for i in items}:
            report.add("PLAN-006", f"section {sid}: checklist topic '{topic}' is not a topic "
                       "nor an item id of the legal checklist", file=plan.source,
                       hint=f"Use an item id or one of: {', '.join(sorted(topics))}.")


def analyse(inputs: ReportInputs, catalogue: Catalogue, plan: Plan,
            ci: str = "korn-graubard", validated: bool = False) -> Analysis:
    """All planned estimates with flags, and every planned contrast with its p-value
    (``validated=True`` after :func:`validate_inputs` skips checking the data again)."""
    from dhkit.survey import Design

    cal = inputs.calibration
    extra = (cal.variables + [cal.before]) if cal else []
    tables = analysis_tables(catalogue, plan, inputs.main, inputs.instance, inputs.design,
                             child_columns=extra, check=not validated)
    spec = inputs.design
    parts, contrasts = [], []
    designs: dict = {}
    for unit in sorted(tables.frames, key=lambda u: u == "instance"):  # children first
        frame = tables.frames[unit]
        design = Design(frame, weights=spec.weights, **spec.options())
        if cal is not None and unit in ("child", "caregiver"):
            design = _calibrated(design, frame, cal, spec)
        child = designs.get("child")
        if unit == "instance" and child is not None and child._adjust:
            # instance scores summed within the child before the calibration residuals
            design = child.link(frame, KEY)
        designs[unit] = design
    for unit, frame in tables.frames.items():
        cols = tables.columns[unit]
        doms = [c for c in frame.columns if c.startswith("dom_")]
        design = designs[unit]
        est = design.estimate(means=cols, domains=doms, ci=ci).table.copy()
        est["unit"] = unit
        parts.append(est)
        contrasts.append(_contrasts(design, frame, cols, plan))
    table = pd.concat(parts, ignore_index=True)
    table = _name_rows(table, catalogue)
    table = apply_flags(table, inputs.thresholds)
    from dhkit.indicators.versions import flag_estimates

    table = flag_estimates(table, catalogue, plan, inputs.form_versions, inputs.main,
                           inputs.instance)
    from dhkit.report.fixed import direct_sources, flag_fixed, made_from

    sources = made_from(direct_sources(catalogue, _codebook(inputs)))
    table = flag_fixed(table, catalogue, sources)
    if inputs.population:
        table["population"] = table["estimate"] * inputs.population
    else:
        table["population"] = table["estimate"] * table["n_weighted"]
    table.insert(0, "row_id", np.arange(1, len(table) + 1))
    ctr = pd.concat(contrasts, ignore_index=True) if contrasts else pd.DataFrame()
    if len(ctr):
        ctr = _name_rows(ctr, catalogue)
        ctr = _suppress_contrasts(ctr, table, inputs.thresholds.suppress_below)
        ctr = _untestable_contrasts(ctr)
        ctr["significant"] = ctr["p_value"] < plan.significance_level
    return Analysis(catalogue, plan, table, public_view(table), ctr,
                    _design_summary(inputs, tables), inputs.thresholds, sources)


def _codebook(inputs: ReportInputs):
    """The study's instrument (its calculations say what a variable is made from); the
    shipped form when the study names none or its form cannot be read."""
    from dhkit.instrument import read_xlsform, shipped_codebook

    if inputs.instrument is not None:
        try:
            return read_xlsform(inputs.instrument)
        except Exception:          # the import already reported the form's problems
            pass
    return shipped_codebook()


def _calibrated(design, frame: pd.DataFrame, cal: CalibrationSetup, spec: DesignSpec):
    """The child design re-calibrated from the pre-calibration weights, carrying R's
    calibration residuals for the variance; its weights must reproduce the stored final
    weights (else the stored weights were made otherwise, and the plain design is kept)."""
    from dhkit.survey import Design
    from dhkit.weighting.calibrate import calibrate_design

    before = Design(frame, weights=cal.before, **spec.options())
    calibrated = calibrate_design(before, cal.margins, cal.method, trim=cal.trim, **cal.options)
    if np.allclose(calibrated.w, design.w, rtol=1e-8, atol=0):
        return calibrated
    return design


def _suppress_contrasts(ctr: pd.DataFrame, table: pd.DataFrame, below: int) -> pd.DataFrame:
    """A difference is not shown (nor marked) when either domain's unweighted base is below
    the suppression threshold: it would reveal what the suppressed cell hides."""
    n = table.set_index(["indicator", "category", "domain", "level"])["n_unweighted"]
    n = n[~n.index.duplicated()]

    def base(level_col: str) -> np.ndarray:
        keys = pd.MultiIndex.from_arrays([ctr["indicator"], ctr["category"], ctr["domain"],
                                          ctr[level_col].astype(str)])
        return n.reindex(keys).fillna(0).to_numpy()

    hidden = (base("level_a") < below) | (base("level_b") < below)
    ctr = ctr.copy()
    ctr["suppressed"] = hidden
    for col in ("difference", "se", "t", "p_value"):
        ctr[col] = ctr[col].astype(float).where(~hidden)
    return ctr


def _untestable_contrasts(ctr: pd.DataFrame) -> pd.DataFrame:
    """A difference with no sampling variance (both sides 0 % or 100 % by definition, e.g.
    in-person violence among children subjected or not subjected to it) has no test: its
    t and p are left empty, so it is never marked † nor called significant. (The engine's
    t = ∞, p = 0 is arithmetic, not evidence.)"""
    ctr = ctr.copy()
    diff = ctr["difference"].astype(float)
    se = ctr["se"].astype(float)
    fixed = diff.notna() & se.notna() & (se <= 1e-12 * np.maximum(1.0, diff.abs()))
    ctr.loc[fixed, ["t", "p_value"]] = np.nan
    return ctr


def _name_rows(table: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    # planned columns are named "indicator.level" for multiple-response / distribution levels
    col = table["indicator"].astype(str)
    engine = table["category"].fillna("").astype(str) if "category" in table else ""
    table["category"] = [c.split(".", 1)[1] if "." in c else "" for c in col]
    if isinstance(engine, pd.Series):
        table["category"] = table["category"].where(table["category"] != "", engine)
    table["indicator"] = [c.split(".", 1)[0] for c in col]
    table["base"] = [catalogue.indicators[i].base for i in table["indicator"]]
    if "domain" in table.columns:
        table["domain"] = table["domain"].fillna("").astype(str).str.replace("dom_", "", regex=False)
    if "level" in table.columns:
        table["level"] = table["level"].fillna("").astype(str)
    return table


def _contrasts(design, frame: pd.DataFrame, cols: list[str], plan: Plan) -> pd.DataFrame:
    """Difference of domain means (level b − level a) for every column and planned
    contrast, SE from the joint linearised covariance (as R ``svycontrast`` on
    ``svyby(..., covmat=TRUE)``), t-test with the design's degrees of freedom."""
    y = frame[cols].to_numpy(dtype=float)
    w = design.w
    rows = []
    for ctr in plan.contrasts:
        dom = f"dom_{ctr.domain}"
        if dom not in frame.columns:
            continue
        levels = frame[dom].astype("string").to_numpy()
        x = np.zeros_like(y)
        diff = np.zeros(len(cols))
        ok = np.ones(len(cols), dtype=bool)
        for sign, lvl in ((-1.0, ctr.levels[0]), (1.0, ctr.levels[1])):
            inside = (levels == lvl)[:, None] & ~np.isnan(y)
            wd = np.where(inside, w[:, None], 0.0)
            total_w = wd.sum(axis=0)
            ok &= total_w > 0
            mean = np.divide((wd * np.nan_to_num(y)).sum(axis=0), total_w,
                             out=np.zeros(len(cols)), where=total_w > 0)
            z = np.divide(wd * (np.nan_to_num(y) - mean), total_w, out=np.zeros_like(y),
                          where=total_w > 0)
            x += sign * z
            diff += sign * mean
        se = np.sqrt(np.clip(design.var_total(x), 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            tstat = diff / se
        p = 2 * stats.t.sf(np.abs(tstat), design.degf)
        for j, col in enumerate(cols):
            rows.append({"indicator": col, "domain": ctr.domain, "level_a": ctr.levels[0],
                         "level_b": ctr.levels[1], "difference": diff[j] if ok[j] else np.nan,
                         "se": se[j] if ok[j] else np.nan,
                         "t": tstat[j] if ok[j] else np.nan,
                         "df": design.degf, "p_value": p[j] if ok[j] else np.nan})
    return pd.DataFrame(rows)


def _design_summary(inputs: ReportInputs, tables) -> dict:
    spec = inputs.design
    main = inputs.main
    w = main[spec.weights].to_numpy(dtype=float)
    n = len(w)
    kish = n * np.sum(w ** 2) / np.sum(w) ** 2 if n else float("nan")
    return {
        "n_children": n,
        "n_instances": 0 if inputs.instance is None else len(inputs.instance),
        "n_victims": int(inputs.instance[KEY].nunique())
        if inputs.instance is not None and len(inputs.instance) else 0,
        "n_strata": int(main[spec.strata].nunique()) if spec.strata else 1,
        "n_psu": int(main[spec.psu].nunique()) if spec.psu else n,
        "sum_weights": float(np.sum(w)),
        "kish_deff": float(kish),
        "weight_cv": float(np.std(w) / np.mean(w)) if n else float("nan"),
        "weight_min": float(np.min(w)) if n else float("nan"),
        "weight_max": float(np.max(w)) if n else float("nan"),
        "pps": spec.pps,               # PSUs drawn PPS without replacement ([design] pps)
    }


# --- outputs ---------------------------------------------------------------------------


def report_steps(languages: tuple[str, ...], pdf: bool = True) -> int:
    """How many steps :func:`build_report` reports to its ``progress`` callback: validate,
    estimate, findings, tidy, then HTML (PDF) and Excel per language, then the manifest.

    >>> report_steps(("en", "es"))
    11
    """
    return 5 + (3 if pdf else 2) * len(languages)


def build_report(inputs: ReportInputs, out_dir: str | Path, *, languages: tuple[str, ...] = ("en",),
                 pdf: bool = True, progress=None) -> ReportResult:
    """Validate, estimate once, then write every output in every language.

    Files: ``estimates.csv``/``.parquet`` (public tidy table), ``contrasts.csv``,
    ``report.html``, ``report.pdf``, ``tables.xlsx`` (first language; others get
    ``report.<lang>.html`` etc.), ``manifest.json``.
    """
    from dhkit.report import excel, render

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    tick = time.perf_counter()

    def step(name: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        seconds[name] = round(now - tick, 3)
        tick = now
        if progress is not None:
            progress(name)

    catalogue, plan = validate_inputs(inputs, languages)
    step("validate")
    analysis = analyse(inputs, catalogue, plan, validated=True)
    step("estimate")
    findings = _findings(analysis, inputs, languages)     # checked before anything is written
    step("findings")
    files = _write_tidy(analysis, out)
    step("tidy")
    for i, lang in enumerate(languages):
        suffix = "" if i == 0 else f".{lang}"
        t = Translator(lang)
        html = render.render_html(analysis, inputs, t, findings=findings[lang])
        files[f"report{suffix}.html"] = _write_text(out / f"report{suffix}.html", html)
        files[f"findings.{lang}.md"] = _write_text(out / f"findings.{lang}.md",
                                                   findings[lang].source)
        step(f"html-{lang}")
        if pdf:
            files[f"report{suffix}.pdf"] = render.write_pdf(
                render.render_html(analysis, inputs, t, for_print=True, findings=findings[lang]),
                out / f"report{suffix}.pdf")
            step(f"pdf-{lang}")
        files[f"tables{suffix}.xlsx"] = excel.write_workbook(analysis, inputs, t,
                                                             out / f"tables{suffix}.xlsx")
        step(f"excel-{lang}")
    files.update(_write_dictionary(inputs, out, languages[0]))
    files["manifest.json"] = _write_manifest(inputs, out, files, languages)
    step("manifest")
    return ReportResult(out, files, analysis.public, seconds)


def _findings(analysis: Analysis, inputs: ReportInputs, languages: tuple[str, ...]) -> dict:
    """The written findings of every language (dhkit.report.findings), checked against the
    estimates; FND-000 lists every unsupported statement."""
    from dhkit.report.chapters import overlap_ratio
    from dhkit.report.findings import findings_for

    ratio = overlap_ratio(analysis, inputs)
    return {lang: findings_for(analysis, inputs, Translator(lang), ratio) for lang in languages}


def _write_dictionary(inputs: ReportInputs, out: Path, lang: str) -> dict[str, Path]:
    """The instrument's data dictionary beside the report (codebook.html, codebook.csv)."""
    from dhkit.instrument import read_xlsform, shipped_form_path
    from dhkit.instrument.dictionary import write_dictionary_csv, write_dictionary_html

    cb = read_xlsform(inputs.instrument or shipped_form_path())
    lang = lang if lang in cb.languages else None
    return {"codebook.html": write_dictionary_html(cb, out / "codebook.html", lang),
            "codebook.csv": write_dictionary_csv(cb, out / "codebook.csv", lang)}


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


TIDY_ORDER = ["row_id", "indicator", "category", "base", "unit", "domain", "level", "estimate",
              "se", "ci_low", "ci_high", "deff", "n_unweighted", "n_weighted", "flag", "df",
              "cv", "population",
              # only when the study holds several form versions (dhkit.indicators.versions)
              "flag_versions", "versions_asked", "versions_not_asked", "n_not_asked"]


def _write_tidy(analysis: Analysis, out: Path) -> dict[str, Path]:
    table = analysis.public
    cols = [c for c in TIDY_ORDER if c in table.columns]
    table = table[cols]
    from dhkit.safetext import csv_frame

    csv_frame(table).to_csv(out / "estimates.csv", index=False)   # labels: no formulas
    table.to_parquet(out / "estimates.parquet", index=False)
    csv_frame(analysis.contrasts).to_csv(out / "contrasts.csv", index=False)
    return {"estimates.csv": out / "estimates.csv", "estimates.parquet": out / "estimates.parquet",
            "contrasts.csv": out / "contrasts.csv"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_manifest(inputs: ReportInputs, out: Path, files: dict[str, Path],
                    languages: tuple[str, ...]) -> Path:
    cat = inputs.catalogue_path or Path(__file__).parents[1] / "indicators/data/catalogue.yaml"
    plan = inputs.plan_path or Path(__file__).parents[1] / "indicators/data/plan.yaml"
    manifest = {
        "dhkit_version": __version__,
        "study": inputs.study_name,
        "country": inputs.country,
        "synthetic": inputs.synthetic,
        "seed": inputs.seed,
        "languages": list(languages),
        "design": vars(inputs.design),
        "disclosure": vars(inputs.thresholds),
        "settings": inputs.settings,
        "inputs": {**inputs.input_hashes, "catalogue.yaml": _sha256(Path(cat)),
                   "plan.yaml": _sha256(Path(plan))},
        "outputs": {name: _sha256(p) for name, p in sorted(files.items())},
    }
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    return path
