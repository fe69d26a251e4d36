"""What the dashboard shows, gathered once from a study: the report's published tables.

Nothing here computes an estimate or a flag itself. The survey figures come from the
national report's own pipeline (:func:`dhkit.report.build.validate_inputs` and
:func:`dhkit.report.build.analyse`: the same tidy estimates, disclosure flags and
suppression as ``dhkit report``), the formatted cells from
:func:`dhkit.report.render.table_view` (so ``*``, ``(12.3)`` and ``†`` are exactly the
report's), the legal summary from :func:`dhkit.legal.gap.build_gap` and the
recommendations from :func:`dhkit.legal.recommendations.load_registry`.

The only addition is that the plan's contrasts are widened to every pair of levels of
every domain, so a reader can compare any two domains with the design-based test; the
report's own cells and † marks keep using the planned pairs only.

:class:`SiteData` holds aggregates only (the microdata are dropped once the estimates
exist); restricted law-enforcement answers are never read here (see
:mod:`dhkit.dashboard.server`, which reads them only for the ``restricted`` role).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dhkit.report.i18n import Translator

#: columns of the public per-row table (no SE or design effect: those are the analyst's)
PUBLIC_COLUMNS = ["row_id", "indicator", "category", "base", "unit", "domain", "level",
                  "estimate", "ci_low", "ci_high", "n_unweighted", "flag"]
PAIR_COLUMNS = ["indicator", "category", "domain", "level_a", "level_b", "difference",
                "p_value", "df", "significant", "suppressed"]


@dataclass
class Cell:
    """One figure as the report prints it, with its interval and base."""

    row_id: int
    domain: str
    level: str
    text: str            # the report's text: "12.3", "(12.3)" or "*"
    ci: str              # "10.1–14.6" or "" when suppressed
    n: int
    flag: str
    #: 100 % / 0 % by definition (the group is made from this very answer): printed "—"
    #: as the report prints it, with no interval, and left out of the charts
    fixed: bool = False


@dataclass
class IndicatorView:
    """An indicator in one language: its categories (answers) in the report's order
    (:func:`dhkit.report.render.answer_order`: largest overall share first, catch-alls last,
    an ordinal scale in its own order), each overall and by domain."""

    id: str
    label: str
    base: str
    base_n: int
    section: str
    categories: list[tuple[str, str]]          # (category code, label); ("", label) if single
    cells: dict[tuple[str, str, str], Cell]    # (category, domain, level) -> cell
    notes: list[str]
    marks: dict[tuple[str, str], str] = field(default_factory=dict)  # (category, domain) -> †


@dataclass
class SiteData:
    """Everything the public site and the team server render (aggregates only)."""

    study_name: str
    country: str
    synthetic: bool
    study_dir: Path
    languages: tuple[str, ...]
    analysis: object                      # dhkit.report.build.Analysis (planned contrasts)
    pairs: pd.DataFrame                   # every pairwise contrast, suppression applied
    indicators: list[str]                 # plan order
    domains: list[str]                    # plan order
    sections: dict[str, dict[str, str]]   # indicator -> {lang: section title}
    callouts: dict[str, list[dict]] = field(default_factory=dict)
    methods: dict[str, list[str]] = field(default_factory=dict)
    appendix: dict[str, list[dict]] = field(default_factory=dict)
    weighting: dict[str, str] = field(default_factory=dict)
    #: the instrument's data dictionary (variables, labels, answer codes; no data), per
    #: language: sections for the codebook page and the CSV bytes for its download
    codebook: dict[str, list] = field(default_factory=dict)
    codebook_csv: dict[str, bytes] = field(default_factory=dict)
    significance_level: float = 0.05
    thresholds: object = None             # dhkit.disclosure.Thresholds
    region: object = None                 # dhkit.region.report.RegionAnalysis, if asked for
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def public(self) -> pd.DataFrame:
        """The report's public table (suppressed values blanked)."""
        return self.analysis.public

    def public_rows(self) -> pd.DataFrame:
        table = self.analysis.public
        return table[[c for c in PUBLIC_COLUMNS if c in table.columns]]

    def public_pairs(self) -> pd.DataFrame:
        return self.pairs[[c for c in PAIR_COLUMNS if c in self.pairs.columns]]


def all_pairs(plan, catalogue, domains: list[str]):
    """The plan with its contrasts widened to every pair of levels of every domain."""
    from dhkit.indicators.catalogue import Contrast

    pairs = list(plan.contrasts)                       # the planned ones in their own order
    seen = {(c.domain, frozenset(c.levels)) for c in pairs}
    pairs += [Contrast(d, (a, b)) for d in domains
              for a, b in itertools.combinations(catalogue.domains[d].levels, 2)
              if (d, frozenset((a, b))) not in seen]
    return dataclasses.replace(plan, contrasts=pairs)


def collect(study, languages: tuple[str, ...] = ("en", "es"), region_dir=None) -> SiteData:
    """Estimate the study's plan once (as the report does) and keep the published parts;
    with ``region_dir`` (a folder with ``region.toml``) also the country comparison.

    >>> # doctest: +SKIP
    >>> from dhkit.workspace.config import load_study
    >>> data = collect(load_study("dhkit-demo/study"))
    >>> data.public_rows().columns[:4].tolist()
    ['row_id', 'indicator', 'category', 'base']
    """
    from dhkit.report import render
    from dhkit.report.build import analyse, validate_inputs
    from dhkit.report.study import inputs_from_study

    inputs = inputs_from_study(study)
    catalogue, plan = validate_inputs(inputs, languages)
    domains = plan.domain_ids()
    wide = analyse(inputs, catalogue, all_pairs(plan, catalogue, domains), validated=True)
    wide = dataclasses.replace(wide, estimates=_plain(wide.estimates), public=_plain(wide.public),
                               contrasts=_plain(wide.contrasts))
    planned = _planned(wide.contrasts, plan)
    analysis = dataclasses.replace(wide, plan=plan, contrasts=planned)
    sections: dict[str, dict[str, str]] = {}
    for s in plan.sections:
        for ind in [i for t in s.tables for i in t.indicators] + \
                   [i for c in s.charts for i in c.indicators]:
            sections.setdefault(ind, {lang: Translator(lang).label(s.title) for lang in
                                      ("en", "es")})
    data = SiteData(study_name=inputs.study_name, country=inputs.country,
                    synthetic=inputs.synthetic, study_dir=Path(study.dir),
                    languages=languages, analysis=analysis, pairs=wide.contrasts,
                    indicators=plan.indicator_ids(), domains=domains, sections=sections,
                    significance_level=plan.significance_level,
                    thresholds=inputs.thresholds)
    from dhkit.report.evidence import weighting_section

    for lang in ("en", "es"):
        t = Translator(lang)
        data.callouts[lang] = render.callouts(analysis, inputs, t)
        data.methods[lang] = render.methods(analysis, inputs, t)
        data.appendix[lang] = render.appendix(analysis, t)
        section = weighting_section(inputs, t)
        data.weighting[lang] = section[1] if section else ""
    _codebook(data, inputs)
    for lang in ("en", "es"):
        data.methods[lang] = site_methods(data.methods[lang], Translator(lang),
                                          bool(data.codebook.get(lang)), analysis)
    del inputs                                  # the microdata go no further
    if region_dir is not None:
        data.region = collect_region(region_dir)
    return data


def site_methods(methods: list[str], t: Translator, codebook: bool,
                 analysis=None) -> list[str]:
    """The report's methods paragraphs as the About page shows them, without what points
    to the report's own pages: the disclosure rule (the page prints the site's rule, from
    the study's thresholds), the sampling-error appendix (on the team pages only; the
    public pages show each figure's interval and base instead, see ``precision_public``) and,
    when the site has its codebook page, the pointer to the report's codebook files."""
    from dhkit.report import render

    report_only = {
        " ".join(render.disclosure_notes(t, analysis)),
        t("The sampling-error appendix lists, for every headline indicator, the estimate "
          "with its standard error, 95% confidence interval, design effect and bases."),
    }
    if codebook:
        report_only.add(t("The variables of the instrument are described in codebook.html "
                          "and codebook.csv."))
    return [m for m in methods if m not in report_only]


def _codebook(data: SiteData, inputs) -> None:
    """The instrument's dictionary, as the report writes it beside itself (codebook.html,
    codebook.csv): the form's variables and answer codes, never a row of data."""
    import tempfile

    from dhkit.instrument import read_xlsform, shipped_form_path
    from dhkit.instrument.dictionary import sections, write_dictionary_csv

    try:
        cb = read_xlsform(getattr(inputs, "instrument", None) or shipped_form_path())
    except Exception:        # noqa: BLE001 - the study's checks report form problems
        return
    for lang in ("en", "es"):
        form_lang = lang if lang in cb.languages else None
        data.codebook[lang] = sections(cb, form_lang)
        with tempfile.TemporaryDirectory() as tmp:
            path = write_dictionary_csv(cb, Path(tmp) / "codebook.csv", form_lang)
            data.codebook_csv[lang] = path.read_bytes()


def collect_region(region_dir):
    """The regional comparison (``region.toml``): each country's published cells from its
    own national pipeline, through :func:`dhkit.region.report.analyse_region`."""
    from dhkit.region.config import load_region
    from dhkit.region.report import analyse_region

    return analyse_region(load_region(region_dir))


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain Python objects (Arrow-backed strings iterate slowly, and the
    site reads every row many times); the values are unchanged."""
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c])
            and frame[c].dtype != object]
    return frame.astype({c: object for c in text}) if text else frame


def _planned(contrasts: pd.DataFrame, plan) -> pd.DataFrame:
    if not len(contrasts):
        return contrasts
    keep = np.zeros(len(contrasts), dtype=bool)
    for c in plan.contrasts:
        keep |= ((contrasts["domain"] == c.domain) & (contrasts["level_a"] == c.levels[0])
                 & (contrasts["level_b"] == c.levels[1])).to_numpy()
    return contrasts[keep].reset_index(drop=True)


def indicator_view(data: SiteData, ind_id: str, t: Translator) -> IndicatorView:
    """The indicator overall and by every domain, cells formatted by the report's own
    :func:`dhkit.report.render.table_view` (flags, suppression and notes as printed)."""
    key = ("indicator", ind_id, t.lang)
    if key not in data.cache:
        data.cache[key] = _indicator_view(data, ind_id, t)
    return data.cache[key]


def _indicator_view(data: SiteData, ind_id: str, t: Translator) -> IndicatorView:
    from dhkit.indicators.catalogue import Table
    from dhkit.report import render

    analysis = data.analysis
    cat = analysis.catalogue
    ind = cat.indicators[ind_id]
    spec = Table(id=ind_id, title=ind.label, indicators=(ind_id,), domains=tuple(data.domains))
    view = render.table_view(analysis, t, spec, "")
    col_keys = [("", "")] + [(d, lvl) for d in data.domains for lvl in cat.domains[d].levels]
    pub = analysis.public.set_index("row_id")
    cells: dict[tuple[str, str, str], Cell] = {}
    categories = []
    value_rows = [r for r in view.rows if not r.heading]
    planned = list(dict.fromkeys(c.domain for c in analysis.plan.contrasts))
    marked = [d for d in data.domains if d in planned]
    marks: dict[tuple[str, str], str] = {}
    # the table's rows come in the report's answer order, not the catalogue's
    for category, row in zip(render.answer_order(analysis, ind_id), value_rows):
        categories.append((category, row.label))
        marks.update({(category, d): m for d, m in zip(marked, row.marks) if m})
        for (dom, lvl), cell in zip(col_keys, row.cells):
            if cell.row_id is None:
                continue
            r = pub.loc[cell.row_id]
            fixed = bool(cell.fixed)
            ci = "" if fixed or pd.isna(r["ci_low"]) else \
                f"{t.number(r['ci_low'] * 100, 1)}–{t.number(r['ci_high'] * 100, 1)}"
            cells[(category, dom, lvl)] = Cell(cell.row_id, dom, lvl, cell.text, ci,
                                               int(r["n_unweighted"]), r["flag"], fixed)
    base = cat.bases[ind.base]
    overall = [c.n for (cat_, d, _), c in cells.items() if d == ""]
    return IndicatorView(ind_id, t.label(ind.label), t.label(base.label),
                         max(overall) if overall else 0,
                         data.sections.get(ind_id, {}).get(t.lang, ""), categories, cells,
                         view.notes, marks)
