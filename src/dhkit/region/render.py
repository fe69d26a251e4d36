"""The regional report as one self-contained HTML page (CSS and SVG inline), and the
view models its template and the Excel workbook share.

Every country cell carries a ``title`` naming the row of the country's
``estimates.csv`` it came from (provenance you can hover over).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import altair as alt
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dhkit import __version__
from dhkit.region.estimates import PUBLISHED
from dhkit.region.report import TEMPLATES, RegionAnalysis, cell_text, ci_text, is_nan
from dhkit.region.strings import t
from dhkit.report.i18n import Translator

NATIONAL_CSS = TEMPLATES.parents[1] / "report" / "templates" / "report.css"
COLOURS = ["#1f5f8b", "#e07b39", "#5b8c5a", "#8e5ea2", "#c44e52", "#937860"]


@dataclass
class CellView:
    text: str
    ci: str = ""
    cls: str = ""
    title: str = ""
    value: float | None = None
    flag: str = ""
    ci_low: float | None = None          # numbers for the workbook (published cells)
    ci_high: float | None = None
    n: int | None = None                 # unweighted base, where the country publishes it
    bounds: tuple = ()                   # a range cell: (low, high, lowest, highest countries)
    mark: bool = False                   # † the country's own test: this domain's groups differ


@dataclass
class RowView:
    label: str
    cells: list[CellView]
    kind: str = ""                       # "" | "subhead" | "level"
    range_text: str = ""
    range_ends: str = ""
    combined: CellView | None = None
    range_values: tuple = ()             # (low, high) as numbers, when there is a range


@dataclass
class TableView:
    id: str
    number: str
    title: str
    kind: str
    columns: list[str]
    rows: list[RowView]
    base: str
    notes: list[str] = field(default_factory=list)   # this table's own notes
    #: the rules every table follows (said once in the report's "How to read the
    #: tables"; the workbook repeats them on each sheet, which is read alone)
    rules: list[str] = field(default_factory=list)
    chart: str = ""                      # inline SVG (small multiples / overlap)
    chart_title: str = ""
    differences: list[dict] = field(default_factory=list)
    columns_extra: list[str] = field(default_factory=list)   # range, combined
    differences_of: str = ""             # the row the differences table compares


def _names(a: RegionAnalysis, lang: str) -> dict[str, str]:
    return {c.ref.id: c.ref.label(lang) for c in a.countries}


def _index(a: RegionAnalysis) -> tuple[dict, dict]:
    cells = {(r["country"], r["indicator"], r["category"], r["domain"], r["level"]): r
             for r in a.cells.to_dict("records")}
    regional = {(r["indicator"], r["category"], r["domain"], r["level"]): r
                for r in a.regional.to_dict("records")}
    return cells, regional


def _cell(rec: dict, lang: str, tr: Translator, names: dict) -> CellView:
    text, ci, cls = cell_text(rec, lang, tr)
    title = ""
    if not is_nan(rec.get("source_row_id")) and rec["status"] == PUBLISHED:
        title = t("source_row", lang, country=names[rec["country"]],
                  file=str(rec.get("source_file") or "estimates.csv").rsplit("/", 1)[-1],
                  row=int(rec["source_row_id"]))
    num = lambda k: None if is_nan(rec.get(k)) else float(rec[k])     # noqa: E731
    published = rec["status"] == PUBLISHED
    return CellView(text, ci, cls, title, num("estimate"), rec.get("flag") or "",
                    num("ci_low") if published else None, num("ci_high") if published else None,
                    None if is_nan(rec.get("n_unweighted")) else int(rec["n_unweighted"]))


def _range(reg: dict, tr: Translator, names: dict, lang: str) -> tuple[str, str]:
    if reg is None or is_nan(reg.get("low")):
        return "", ""
    if tr.percent(reg["low"]) == tr.percent(reg["high"]):     # "0.0%–0.0%" says nothing
        return tr.percent(reg["low"]), t("same_in_all", lang)
    text = f"{tr.percent(reg['low'])}–{tr.percent(reg['high'])}"
    ends = (f"{', '.join(reg['low_countries'].split())} – "
            f"{', '.join(reg['high_countries'].split())}")        # ISO codes, lowest – highest
    return text, ends


def _combined(reg: dict, tr: Translator, names: dict, lang: str) -> CellView | None:
    if reg is None or reg.get("weighting") == "none":
        return None
    if reg.get("combined_status") == "suppressed":
        return CellView("*", "", "suppressed")
    if is_nan(reg.get("combined")):
        return CellView("", "", "")
    note = ""
    if reg.get("excluded_suppressed"):
        note = f"{t('without', lang)} {', '.join(reg['excluded_suppressed'].split())}"
    if is_nan(reg.get("combined_ci_low")):
        # every country at 0 % (or 100 %): no variance to combine, and "0.0–0.0" would
        # claim a certainty no sample gives; the countries' own intervals are in the row
        ci = ""
        note = "; ".join(x for x in (note, t("no_ci", lang)) if x)
    else:
        ci = ci_text(reg["combined_ci_low"], reg["combined_ci_high"], tr)
    return CellView(tr.percent(reg["combined"]), ci, "combined", note, reg["combined"], note,
                    None if is_nan(reg.get("combined_ci_low")) else reg["combined_ci_low"],
                    None if is_nan(reg.get("combined_ci_high")) else reg["combined_ci_high"])


def _labels(a: RegionAnalysis, lang: str):
    harm = a.region.harmonisation
    ind = lambda i: harm.indicators[i].label.get(lang, i)                    # noqa: E731
    cat = lambda i, c: harm.indicators[i].categories[c].get(lang, c)        # noqa: E731
    return ind, cat


def table_views(a: RegionAnalysis, lang: str, for_site: bool = False) -> list[TableView]:
    """The regional tables in ``lang``. ``for_site``: as the dashboard shows them — no
    charts (and no note about one), no pointer to the report's data files."""
    tr = Translator(lang)
    names = _names(a, lang)
    cells, regional = _index(a)
    harm = a.region.harmonisation
    ind_label, cat_label = _labels(a, lang)
    countries = [c.ref.id for c in a.countries]
    comb_head = {"population": t("combined_population", lang),
                 "equal": t("combined_equal", lang)}.get(a.region.combine)
    rule = [f"{n.term}: {n.text}" for n in reading_notes(a, lang, files=not for_site)]
    sig = _within_marks(a)
    views = []
    for n, spec in enumerate(harm.tables, 1):
        base = base_text(a, spec.indicators, lang)
        if spec.kind in ("platforms", "overlap"):
            ind = spec.indicators[0]
            cats = list(harm.indicators[ind].categories)
            rows = []
            for cid in countries:
                rows.append(RowView(f"{names[cid]} ({cid})", [
                    _cell(cells[(cid, ind, c, "", "")], lang, tr, names) for c in cats]))
            regs = [regional.get((ind, c, "", "")) for c in cats]
            rng = [_range(r, tr, names, lang) for r in regs]
            rows.append(RowView(t("range", lang), [
                CellView(text, ends, "range", bounds=(float(r["low"]), float(r["high"]),
                                                      r["low_countries"], r["high_countries"])
                         if text else ()) for (text, ends), r in zip(rng, regs)],
                kind="summary"))
            if comb_head:
                rows.append(RowView(comb_head, [
                    _combined(regional.get((ind, c, "", "")), tr, names, lang) or CellView("")
                    for c in cats], kind="summary"))
            first = t("platform_note" if spec.kind == "platforms" else "overlap_note", lang)
            view = TableView(spec.id, str(n), spec.title.get(lang, spec.id), spec.kind,
                             [cat_label(ind, c) for c in cats], rows, base,
                             [] if for_site and spec.kind == "overlap" else [first], rule)
            if spec.kind == "overlap" and not for_site:
                view.chart = overlap_chart(a, spec.indicators[0], lang)
        else:
            rows = []
            for ind in spec.indicators:
                cats = list(harm.indicators[ind].categories) or [""]
                if cats != [""]:
                    rows.append(RowView(ind_label(ind), [], kind="subhead"))
                for c in cats:
                    label = cat_label(ind, c) if c else ind_label(ind)
                    rows.append(_row(label, "level" if c else "", ind, c, "", "", countries,
                                     cells, regional, tr, names, lang))
                    for d in spec.domains:
                        dom = harm.domains[d]
                        for lvl, lab in dom.levels.items():
                            rows.append(_row(f"{dom.label.get(lang, d)}: {lab.get(lang, lvl)}",
                                             "level", ind, c, d, lvl, countries, cells,
                                             regional, tr, names, lang, sig))
            view = TableView(spec.id, str(n), spec.title.get(lang, spec.id), spec.kind,
                             [f"{names[c]} ({c})" for c in countries], rows, base,
                             within_note(a, spec, lang), rule)
            view.chart = "" if for_site else small_multiples(a, spec, lang)
            # the differences of the table's first figure (its first category, if any:
            # "Places where the child goes online — At home")
            first = spec.indicators[0]
            cat0 = next(iter(harm.indicators[first].categories), "")
            view.differences = difference_rows(a, first, lang, cat0)
            view.differences_of = ind_label(first) + (
                f" — {cat_label(first, cat0)}" if cat0 else "")
        view.columns_extra = [t("range", lang)] + ([comb_head] if comb_head else [])
        views.append(view)
    return views


def base_text(a: RegionAnalysis, indicators, lang: str) -> str:
    """The table's base in words and, per country, its unweighted n — taken from the
    published overall rows of the indicators shown (the national report's base line,
    one n per country): "internet-using children aged 12–17 (unweighted n: CO 999,
    KE 700)". Where item non-response makes the rows differ, the country's smallest and
    largest n; a country with no published overall row has none."""
    tr = Translator(lang)
    harm = a.region.harmonisation
    c = a.cells
    parts = []
    by_base: dict[str, list[str]] = {}
    for ind in indicators:
        by_base.setdefault(harm.indicators[ind].base.get(lang, ""), []).append(ind)
    for words, inds in by_base.items():
        rows = c[c["indicator"].isin(inds) & (c["domain"] == "") & (c["status"] == PUBLISHED)]
        sizes = []
        for ce in a.countries:
            n = rows.loc[rows["country"] == ce.ref.id, "n_unweighted"].dropna()
            if n.empty:
                continue
            lo, hi = tr.number(int(n.min())), tr.number(int(n.max()))
            sizes.append(f"{ce.ref.id} {lo}" if lo == hi else f"{ce.ref.id} {lo}–{hi}")
        parts.append(f"{words} ({t('unweighted_n', lang)}: {', '.join(sizes)})" if sizes
                     else words)
    return "; ".join(parts)


def _row(label, kind, ind, cat, dom, lvl, countries, cells, regional, tr, names, lang,
         sig=frozenset()):
    reg = regional.get((ind, cat, dom, lvl))
    text, ends = _range(reg, tr, names, lang)
    values = () if not text else (float(reg["low"]), float(reg["high"]))
    row = RowView(label, [_cell(cells[(c, ind, cat, dom, lvl)], lang, tr, names)
                          for c in countries], kind, text, ends,
                  _combined(reg, tr, names, lang), values)
    for c, cell in zip(countries, row.cells):
        cell.mark = (c, ind, cat, dom, lvl) in sig
    return row


def _within_marks(a: RegionAnalysis) -> frozenset:
    """(country, indicator, category, domain, level) of every cell whose domain's two
    groups the country's own test finds different (both groups of the pair are marked)."""
    w = a.within
    if w is None or w.empty:
        return frozenset()
    w = w[w["significant"].astype(bool)]
    return frozenset((r["country"], r["indicator"], r["category"], r["domain"], lv)
                     for r in w.to_dict("records") for lv in (r["level_a"], r["level_b"]))


@dataclass
class ReadingNote:
    """One rule of "How to read the tables": what it is about, and the rule."""

    term: str
    text: str


def reading_notes(a: RegionAnalysis, lang: str, files: bool = True) -> list[ReadingNote]:
    """The rules every regional table follows, each said once: what a country cell shows
    (and its flags, at the region's own thresholds), how a range, a combined figure and
    a difference between countries are made, and what † means. ``files``: name the
    report's data files (the dashboard has none of them).

    >>> [n.term for n in reading_notes(analyse_region(load_region("demo")), "en")]  # doctest: +SKIP
    ['Country figures', 'Range', 'Combined figure', 'Differences between countries', '† ...']
    """
    r = a.region
    notes = [ReadingNote(t("term_cells", lang), t("legend", lang, low=r.suppress_below,
                                                  high=r.caution_below - 1)),
             ReadingNote(t("range", lang), t("rule_range", lang))]
    if r.combine != "none":
        notes.append(ReadingNote(t("term_combined", lang), " ".join((
            t("rule_population" if r.combine != "equal" else "rule_equal", lang),
            t("rule_suppressed_" + r.on_suppressed, lang)))))
    if any(spec.kind == "indicators" for spec in r.harmonisation.tables):
        notes.append(ReadingNote(t("differences", lang), " ".join(
            [t("differences_note", lang)] + ([t("differences_file", lang)] if files else []))))
    if _within_marks(a):
        notes.append(ReadingNote(t("term_within", lang), " ".join(
            [t("within_note", lang)] + ([t("within_file", lang)] if files else []))))
    return notes


def within_note(a: RegionAnalysis, spec, lang: str) -> list[str]:
    """The note under a table with † marks: which pairs differ within a country here
    ("Sex: Girls – Boys; Area: Urban – Rural"); what † means is said once, in
    :func:`reading_notes`."""
    w = a.within
    if w is None or w.empty:
        return []
    harm = a.region.harmonisation
    w = w[w["indicator"].isin(spec.indicators) & w["domain"].isin(spec.domains)
          & w["significant"].astype(bool)]
    if w.empty:
        return []
    pairs = []
    order = {d: k for k, d in enumerate(spec.domains)}       # the table's order of domains
    for (dom, la, lb) in sorted(dict.fromkeys(zip(w["domain"], w["level_a"], w["level_b"])),
                                key=lambda p: order[p[0]]):
        d = harm.domains[dom]
        pairs.append(f"{d.label.get(lang, dom)}: {d.levels[lb].get(lang, lb)} – "
                     f"{d.levels[la].get(lang, la)}")
    return [t("within_pairs", lang, pairs="; ".join(pairs))]


def glance(a: RegionAnalysis, lang: str) -> list[dict]:
    """Headline ranges: the total row of every indicator (and category) with a range."""
    tr = Translator(lang)
    names = _names(a, lang)
    ind_label, cat_label = _labels(a, lang)
    harm = a.region.harmonisation
    out = []
    first = [spec.indicators[0] for spec in harm.tables if spec.kind == "indicators"]
    reg = a.regional[(a.regional["domain"] == "") & a.regional["indicator"].isin(first)
                     & a.regional["low"].notna()]
    for rec in reg.to_dict("records"):
        text, ends = _range(rec, tr, names, lang)
        label = ind_label(rec["indicator"]) + (
            f" — {cat_label(rec['indicator'], rec['category'])}" if rec["category"] else "")
        left = [names[c] for c in (rec["not_shown"] + " " + rec["not_collected"]).split()]
        out.append({"range": text, "what": label,
                    "base": base_text(a, [rec["indicator"]], lang),
                    "low": ", ".join(names[c] for c in rec["low_countries"].split()),
                    "high": ", ".join(names[c] for c in rec["high_countries"].split()),
                    "left_out": ", ".join(left)})
    return out


def difference_rows(a: RegionAnalysis, indicator: str, lang: str,
                    category: str = "") -> list[dict]:
    tr = Translator(lang)
    names = _names(a, lang)
    d = a.differences
    d = d[(d["indicator"] == indicator) & (d["domain"] == "") & (d["category"] == category)]
    rows = []
    for rec in d.to_dict("records"):
        shown = rec["status"] == PUBLISHED
        pp = lambda x: points(x, tr)     # noqa: E731
        rows.append({"pair": f"{names[rec['country_b']]} − {names[rec['country_a']]}",
                     "difference": pp(rec["difference"]) if shown else
                     "*" if "suppressed" in rec["status"] else t("nc_short", lang),
                     "ci": t("ci_to", lang, low=pp(rec["ci_low"]), high=pp(rec["ci_high"]))
                     if shown else "",
                     "p": p_text(rec["p_value"], tr) if shown else "",
                     "mark": "▲" if shown and rec["significant"] else ""})
    return rows


def points(x: float, tr: Translator) -> str:
    """A difference of proportions in percentage points, one decimal, with a true minus
    sign and no "-0.0" (a value that rounds to zero is shown as 0.0).

    >>> points(-0.0004, Translator("en")), points(-0.069, Translator("en"))
    ('0.0', '−6.9')
    """
    value = round(100 * x, 1)
    if value == 0:
        return tr.number(0.0, 1)
    text = tr.number(abs(value), 1)
    return f"−{text}" if value < 0 else text


def p_text(p: float, tr: Translator) -> str:
    """A p-value as a reader can use it: three decimals, "<0.001" below that, and four
    decimals where three would round a value below 0.05 up to "0.050" (the ▲ beside it
    would then look wrong).

    >>> [p_text(x, Translator("en")) for x in (5.7e-12, 0.0496, 0.2474)]
    ['<0.001', '0.0496', '0.247']
    """
    if p < 0.001:
        return "<" + tr.number(0.001, 3)
    if p < 0.05 <= round(p, 3):
        return tr.number(p, 4)
    return tr.number(p, 3)


# ------------------------------------------------------------------------ charts
def _svg(chart) -> str:
    from dhkit.report.charts import _svg as national_svg

    return national_svg(chart)


def small_multiples(a: RegionAnalysis, spec, lang: str) -> str:
    """One small panel per indicator (total row), a bar per country with its CI; one
    axis for every panel of the figure, from 0 to the highest upper CI limit rounded up
    to 10 % (so panels compare at a glance and a 2 % bar is not a hairline on a 0–100
    axis). Panel titles wrap rather than being cut. Suppressed and not-collected
    countries have no bar (the table shows why)."""
    tr = Translator(lang)
    names = _names(a, lang)
    ind_label, cat_label = _labels(a, lang)
    c = a.cells
    sel = c[c["indicator"].isin(spec.indicators) & (c["domain"] == "")
            & (c["status"] == PUBLISHED)].copy()
    if sel.empty:
        return ""
    order = {i: k for k, i in enumerate(spec.indicators)}
    sel["panel"] = [wrap_title(ind_label(i) + (f": {cat_label(i, k)}" if k else ""))
                    for i, k in zip(sel["indicator"], sel["category"])]
    sel["order"] = [order[i] for i in sel["indicator"]]
    panels = list(dict.fromkeys(sel.sort_values("order", kind="stable")["panel"]))[:12]
    sel = sel[sel["panel"].isin(panels)]
    sel["name"] = sel["country"].map(names)
    sel["pct"], sel["lo"], sel["hi"] = (sel["estimate"] * 100, sel["ci_low"] * 100,
                                        sel["ci_high"] * 100)
    sel["text"] = [tr.percent(v) for v in sel["estimate"]]
    data = sel[["panel", "name", "pct", "lo", "hi", "text"]]
    top = axis_top(float(sel["hi"].max()))
    countries = [names[x.ref.id] for x in a.countries]
    y = alt.Y("name:N", sort=countries, title=None)
    x = alt.X("pct:Q", title=t("per_cent", lang), scale=alt.Scale(domain=[0, top]))
    base = alt.Chart().properties(width=170, height=16 * len(countries))
    layer = alt.layer(
        base.mark_bar(color=COLOURS[0]).encode(x=x, y=y),
        base.mark_rule(color="#333").encode(x="lo:Q", x2="hi:Q", y=y),
        base.mark_text(align="left", dx=3, fontSize=9).encode(x="hi:Q", y=y, text="text:N"),
        data=data,
    ).facet(facet=alt.Facet("panel:N", sort=panels, title=None,
                            header=alt.Header(labelExpr=f"split(datum.label, '{WRAP}')",
                                              labelLimit=0, labelFontSize=10)), columns=3)
    return _svg(layer)


WRAP = "|"          # where a panel title breaks (the facet header splits on it)


def wrap_title(text: str, width: int = 34) -> str:
    """A panel title in lines of at most ``width`` characters, joined by ``WRAP``.

    >>> wrap_title("Whom the child told (any instance): Mother or female caregiver")
    'Whom the child told (any|instance): Mother or female|caregiver'
    """
    import textwrap

    return WRAP.join(textwrap.wrap(text.replace(WRAP, "/"), width)) or text


def axis_top(highest_pct: float) -> int:
    """The end of a small-multiples axis: the highest upper CI limit (in per cent)
    rounded up to a multiple of 10, at least 10 and at most 100.

    >>> axis_top(8.46), axis_top(31.0), axis_top(99.9)
    (10, 40, 100)
    """
    import math

    return int(min(100, max(10, math.ceil(highest_pct / 10) * 10)))


def overlap_chart(a: RegionAnalysis, indicator: str, lang: str) -> str:
    """Per country, one stacked bar: online only, in person only, both (the
    presentation's overlap figure, one country per row), each part labelled with its
    per cent where the label fits inside it (white on the dark parts, near-black on the
    light one); a part too narrow for its figure is left unlabelled and the figure says
    so; a figure to interpret with caution is in parentheses, as in the table. The SVG
    is one image for a screen reader, with a title and a description that
    give every country's parts in words (:func:`with_text_alternative`)."""
    tr = Translator(lang)
    names = _names(a, lang)
    _, cat_label = _labels(a, lang)
    harm = a.region.harmonisation
    cats = list(harm.indicators[indicator].categories)
    c = a.cells
    sel = c[(c["indicator"] == indicator) & (c["domain"] == "") & (c["status"] == PUBLISHED)].copy()
    if sel.empty:
        return ""
    order = [names[x.ref.id] for x in a.countries]
    sel["name"] = sel["country"].map(names)
    sel["part"] = [cat_label(indicator, k) for k in sel["category"]]
    sel["order"] = [cats.index(k) for k in sel["category"]]
    sel = sel.sort_values(["name", "order"], key=lambda s: s.map(
        {n: i for i, n in enumerate(order)}) if s.name == "name" else s, kind="stable")
    sel["pct"] = sel["estimate"] * 100
    sel["end"] = sel.groupby("name", sort=False)["pct"].cumsum()
    sel["start"] = sel["end"] - sel["pct"]
    sel["mid"] = (sel["start"] + sel["end"]) / 2
    # a figure to interpret with caution keeps its parentheses, as in the table
    shown = [f"({tr.percent(v)})" if f == "caution" else tr.percent(v)
             for v, f in zip(sel["estimate"], sel["flag"])]
    sel["label"] = shown
    sel["text"] = [x if fits_inside(x, p) else "" for x, p in zip(shown, sel["pct"])]
    sel["ink"] = [INK[k % len(INK)] for k in sel["order"]]
    parts = [cat_label(indicator, k) for k in cats]
    data = sel[["name", "part", "order", "pct", "start", "end", "mid", "text", "ink"]]
    y = alt.Y("name:N", sort=order, title=None)
    base = alt.Chart(data).properties(width=OVERLAP_WIDTH, height=28 * sel["name"].nunique())
    bars = base.mark_bar().encode(
        x=alt.X("start:Q", title=t("per_cent", lang), scale=alt.Scale(domain=[0, 100])),
        x2="end:Q", y=y,
        color=alt.Color("part:N", sort=parts, title=None, scale=alt.Scale(
            domain=parts, range=(OVERLAP_COLOURS * 2)[:len(parts)]),
            legend=alt.Legend(orient="bottom")))
    labels = base.mark_text(fontSize=LABEL_SIZE).encode(
        x="mid:Q", y=y, text="text:N", color=alt.Color("ink:N", scale=None, legend=None))
    svg = _svg(alt.layer(bars, labels))
    narrow = (sel["text"] == "").any()
    title = t("overlap_alt_title", lang)
    desc = "; ".join(
        f"{name}: " + ", ".join(
            f"{part} {tr.percent(est)}" + (f" ({t('caution_spoken', lang)})"
                                           if flag == "caution" else "")
            for part, est, flag in zip(g["part"], g["estimate"], g["flag"]))
        for name, g in sel.groupby("name", sort=False))
    if narrow:
        svg += f'<p class="note">{escape(t("overlap_narrow", lang))}</p>'
    return with_text_alternative(svg, title, desc + ".")


#: the overlap chart's width in pixels and its labels' size: a label is drawn inside its
#: part only when the part is wider than the label with 2 px either side
OVERLAP_WIDTH, LABEL_SIZE = 540, 9
#: advance widths of DejaVu Sans (the charts' font) in em: digits, separators, per cent
EM = {**dict.fromkeys("0123456789", 0.636), ".": 0.318, ",": 0.318, "%": 0.95, " ": 0.318,
      "\u00a0": 0.318, "(": 0.39, ")": 0.39}
#: the overlap chart's parts and their labels' colours: white on the blue (6.9:1) and the
#: green (6.0:1; darker than COLOURS' green, which gives white only 3.9:1), near-black on
#: the orange (5.9:1) — every label at least the 4.5:1 WCAG asks of small text
OVERLAP_COLOURS = ["#1f5f8b", "#e07b39", "#3f6e3e"]
INK = ["#ffffff", "#1a1a1a", "#ffffff"]


def fits_inside(text: str, pct: float, width: int = OVERLAP_WIDTH) -> bool:
    """Whether ``text`` fits inside a bar part of ``pct`` per cent of ``width`` pixels.

    >>> fits_inside("73.0%", 73.0), fits_inside("5.0%", 5.0), fits_inside("2.1%", 2.1)
    (True, True, False)
    """
    text_px = sum(EM.get(ch, 0.6) for ch in text) * LABEL_SIZE
    return pct / 100 * width >= text_px + 4


def with_text_alternative(svg: str, title: str, desc: str) -> str:
    """The chart as one image for a screen reader: ``role="img"`` on the root ``<svg>``
    (its marks' own labels — "Per cent of base: 72.99…; order: 0" — are then not read)
    and a ``<title>`` and ``<desc>`` naming what it shows in words.

    >>> with_text_alternative('<svg width="1"><g/></svg>', "Overlap", "CO: online 70%")
    '<svg width="1" role="img" aria-labelledby="overlap-t overlap-d"><title id="overlap-t">Overlap</title><desc id="overlap-d">CO: online 70%</desc><g/></svg>'
    """
    head, rest = svg.split(">", 1)
    return (f'{head} role="img" aria-labelledby="overlap-t overlap-d">'
            f'<title id="overlap-t">{escape(title)}</title>'
            f'<desc id="overlap-d">{escape(desc)}</desc>{rest}')


# -------------------------------------------------------------------------- html
def countries_view(a: RegionAnalysis, lang: str) -> list[dict]:
    tr = Translator(lang)
    rows = []
    for ce in a.countries:
        d = ce.design
        rows.append({"name": ce.ref.label(lang), "study": ce.study_name,
                     "children": tr.number(d["n_children"]), "psus": tr.number(d["n_psu"]),
                     "strata": tr.number(d["n_strata"]),
                     "weights": t("calibrated" if ce.calibrated else "not_calibrated", lang),
                     "kish": tr.number(d["kish_deff"], 2),
                     "population": tr.number(ce.population) if ce.population else "",
                     "languages": ", ".join(ce.languages)})
    return rows


def legal_view(a: RegionAnalysis, lang: str) -> dict | None:
    """Share of items met / partly / not met per area × country (from the matrix)."""
    if a.legal is None:
        return None
    m = a.legal
    ids = [c.ref.id for c in a.countries]
    names = _names(a, lang)
    areas = list(next(iter(m.summaries.values())).keys())
    rows = []
    for area in areas:
        cells = []
        for cid in ids:
            s = m.summaries.get(cid, {}).get(area)
            if s is None:
                cells.append(t("not_assessed", lang))
            elif not s.applicable or s.counts.get("unknown", 0) == s.applicable:
                cells.append(t("no_answers", lang, n=s.n_items))
            else:
                cells.append(" / ".join(f"{100 * s.share(k):.0f}" for k in ANSWERS))
        label = a.legal_checklist.area_label(area, lang)
        rows.append({"area": label, "cells": cells})
    return {"countries": [names[c] for c in ids], "rows": rows,
            "head": " / ".join(t(k, lang) for k in ANSWERS) + " (%)"}


# the four shares of an area's applicable items (they add up to 100 %): an item not yet
# answered is counted, so an area answered by half reads "…/ 50", not as if it were whole
ANSWERS = ("met", "partly_met", "not_met", "unknown")


def render_html(a: RegionAnalysis, lang: str, for_print: bool = False) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    css = NATIONAL_CSS.read_text(encoding="utf-8") + (TEMPLATES / "region.css").read_text(
        encoding="utf-8")
    return env.get_template("region.html.j2").render(
        t=lambda key, **kw: t(key, lang, **kw), lang=lang, css=css, for_print=for_print,
        title=a.region.title(lang), tables=table_views(a, lang), glance=glance(a, lang),
        reading=reading_notes(a, lang),
        countries=countries_view(a, lang), legal=legal_view(a, lang),
        synthetic=any(c.synthetic for c in a.countries), version=__version__,
        suppress=a.region.suppress_below)
