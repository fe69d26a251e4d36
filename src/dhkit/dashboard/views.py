"""The dashboard's pages: view models from :class:`~dhkit.dashboard.data.SiteData` rendered
with Jinja2. The static site and the team server render the same templates; the server
adds a :class:`Chrome` (who is signed in, the CSRF token, the team links of the role).

Every page lives at ``<lang>/<path>``; links are relative (``root`` climbs to the site
root), so the built folder works from any static host and from ``file://``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from dhkit import __version__
from dhkit.dashboard.data import IndicatorView, SiteData, indicator_view
from dhkit.dashboard.strings import s
from dhkit.dashboard.svg import dot_whisker
from dhkit.report.i18n import Translator

TEMPLATES = Path(__file__).parent / "templates"
PUBLIC_PAGES = ("index.html", "compare.html", "legal.html", "recommendations.html",
                "downloads.html", "about.html", "codebook.html")

#: the team pages of each role (the server refuses every other team page)
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "analyst": ("team/precision.html", "team/appendix.html", "team/weights.html",
                "team/imports.html"),
    "restricted": ("team/restricted.html",),
    "admin": ("team/users.html",),
}
ROLES = tuple(ROLE_PAGES)
TEAM_LABELS = {"team/precision.html": "precision", "team/appendix.html": "appendix",
               "team/weights.html": "weights", "team/imports.html": "imports",
               "team/restricted.html": "restricted", "team/users.html": "users"}


@dataclass
class Chrome:
    """The signed-in user's part of every server page (None on the static site)."""

    user: str
    role: str
    csrf: str
    team_pages: tuple[str, ...] = ()


@dataclass
class Page:
    lang: str
    path: str                     # e.g. "indicators/any_tfcsea.html"
    title: str
    chrome: Chrome | None = None
    context: dict = field(default_factory=dict)

    @property
    def root(self) -> str:
        return "../" * (self.path.count("/") + 1)


def env() -> Environment:
    e = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]),
                    trim_blocks=True, lstrip_blocks=True)
    e.globals["s"] = s
    e.filters["marked"] = marked
    e.filters["keep_units"] = keep_units
    return e


SIG = "†"                # the report's mark of a significant planned difference


def marked(label: str, lang: str) -> Markup:
    """A label that may end in the report's "†", for HTML: the mark stays visible but is
    hidden from screen readers (which would read "dagger"), and words say what it means.

    >>> html = str(marked("Sex †", "en"))
    >>> html.split("<span")[0], '<span aria-hidden="true">†</span>' in html
    ('Sex ', True)
    >>> str(marked("Area", "en"))
    'Area'
    """
    if not label.endswith(SIG):
        return escape(label)
    return Markup('{} <span aria-hidden="true">{}</span><span class="vh"> ({})</span>').format(
        label[:-1].rstrip(), SIG, s("sig_spoken", lang))


def spoken(label: str, lang: str) -> str:
    """A label ending in "†" as plain words (a chart's text alternative)."""
    if not label.endswith(SIG):
        return label
    return f"{label[:-1].rstrip()} ({s('sig_spoken', lang)})"


def keep_units(text: str) -> Markup:
    r"""Text whose "100 %" or "n = 25" must not break across lines: a no-break space
    between a number and "%" and after "n =".

    >>> str(keep_units("estimates of 0 % and 100 %, n = 25"))
    'estimates of 0\xa0% and 100\xa0%, n =\xa025'
    """
    import re

    text = re.sub(r"(\d) %", "\\1\u00a0%", str(text))
    return escape(re.sub(r"\bn = (\d)", "n =\u00a0\\1", text))


_ENV: Environment | None = None


def render(page: Page, template: str, data: SiteData) -> str:
    """One page as HTML."""
    global _ENV
    if _ENV is None:
        _ENV = env()
    lang = page.lang
    other = "es" if lang == "en" else "en"
    nav = [("index.html", s("home", lang)), ("compare.html", s("compare", lang)),
           ("legal.html", s("legal", lang)), ("recommendations.html", s("recs", lang)),
           ("downloads.html", s("downloads", lang)), ("about.html", s("about", lang))]
    if data.region is not None:
        nav.insert(2, ("countries.html", s("countries", lang)))
    team = [(p, s(TEAM_LABELS[p], lang)) for p in (page.chrome.team_pages if page.chrome
                                                    else ())]
    return _ENV.get_template(template).render(
        page=page, lang=lang, other=other, root=page.root, nav=nav, team=team,
        data=data, version=__version__, other_available=other in data.languages,
        **page.context)


# --- view models --------------------------------------------------------------------------


def indicator_list(data: SiteData, t: Translator) -> list[tuple[str, list[tuple[str, str]]]]:
    """(chapter title, [(indicator id, label)]) in plan order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    cat = data.analysis.catalogue
    for ind in data.indicators:
        chapter = data.sections.get(ind, {}).get(t.lang, "")
        groups.setdefault(chapter, []).append((ind, t.label(cat.indicators[ind].label)))
    return list(groups.items())


def domain_blocks(data: SiteData, view: IndicatorView, category: str, t: Translator
                  ) -> list[tuple[str, list]]:
    """(domain label, [(level label, cell)]) for one category; overall first."""
    cat = data.analysis.catalogue
    blocks = [(s("overall", t.lang), [(s("total", t.lang), view.cells.get((category, "", "")))])]
    mark = view.marks
    for d in data.domains:
        dom = cat.domains[d]
        levels = [(t.label(lbl), view.cells.get((category, d, code)))
                  for code, lbl in dom.levels.items()]
        levels = [(lbl, c) for lbl, c in levels if c is not None]
        if levels:
            blocks.append((t.label(dom.label) + (" †" if mark.get((category, d)) else ""),
                           levels))
    return blocks


def chart(data: SiteData, view: IndicatorView, category: str, label: str, t: Translator,
          uid: str) -> str:
    pub = data.public.set_index("row_id")
    rows, desc = [], []
    for dom_label, levels in domain_blocks(data, view, category, t):
        # as the report's charts: no suppressed estimate, no 100 % / 0 % by definition
        shown = [(lbl, c) for lbl, c in levels if c.flag != "suppressed" and not c.fixed]
        if not shown:
            continue
        rows.append((f"§{dom_label}", math.nan, math.nan, math.nan, False))
        for lbl, c in shown:
            r = pub.loc[c.row_id]
            rows.append((lbl, float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]),
                         c.flag == "caution"))
            desc.append(f"{spoken(dom_label, t.lang)} {lbl}: {c.text}")
    decimal = "," if t.lang == "es" else "."
    return dot_whisker(rows, title=label, desc="; ".join(desc), decimal=decimal, uid=uid)


def answers(data: SiteData, view: IndicatorView, t: Translator) -> dict | None:
    """A multi-answer indicator's answers overall, as the report's chart of it: one row
    and one dot per answer in the report's order (:func:`dhkit.report.render.answer_order`
    — largest first, catch-alls last, an ordinal scale as it is), a suppressed answer in the
    table as ``*`` and left out of the chart. None for a single-figure indicator."""
    if len(view.categories) < 2:
        return None
    pub = data.public.set_index("row_id")
    rows, bars, desc = [], [], []
    for category, label in view.categories:
        c = view.cells.get((category, "", ""))
        if c is None:
            continue
        rows.append((label, c))
        if c.flag == "suppressed" or c.fixed:
            continue
        r = pub.loc[c.row_id]
        bars.append((label, float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]),
                     c.flag == "caution"))
        desc.append(f"{label}: {c.text}")
    decimal = "," if t.lang == "es" else "."
    svg = dot_whisker(bars, title=f"{view.label} ({s('overall', t.lang)})",
                      desc="; ".join(desc), decimal=decimal, uid="ca") if bars else ""
    ordinal = bool(getattr(data.analysis.catalogue.indicators[view.id], "ordinal", False))
    return {"rows": rows, "svg": svg, "ordinal": ordinal}


def indicator_page(data: SiteData, ind: str, lang: str, chrome: Chrome | None = None) -> str:
    t = Translator(lang)
    view = indicator_view(data, ind, t)
    parts = []
    for i, (category, label) in enumerate(view.categories):
        parts.append({"category": category, "label": label,
                      "blocks": domain_blocks(data, view, category, t),
                      "svg": chart(data, view, category, label, t, f"c{i}")})
    page = Page(lang, f"indicators/{ind}.html", view.label, chrome,
                {"view": view, "parts": parts, "answers": answers(data, view, t),
                 "groups": indicator_list(data, t),
                 "current": ind})
    return render(page, "indicator.html.j2", data)


def compare_labels(data: SiteData, lang: str) -> str:
    """The compare page's labels in ``lang`` as JSON (codes → labels, row → report text)."""
    t = Translator(lang)
    cat = data.analysis.catalogue
    inds, cells = [], {}
    for ind in data.indicators:
        view = indicator_view(data, ind, t)
        for category, label in view.categories:
            name = view.label if not category else f"{view.label}: {label}"
            # every figure names its base: the result under the picked indicator says it
            inds.append([ind, category, name, f"{s('base', lang)}: {view.base}."])
        for c in view.cells.values():
            cells[str(c.row_id)] = [c.text, c.ci, c.n]
    doms = [[d, t.label(cat.domains[d].label),
             [[code, t.label(lbl)] for code, lbl in cat.domains[d].levels.items()]]
            for d in data.domains]
    pct = t.percent(data.significance_level, 0)
    strings = {k: s(k, lang) for k in ("hidden_pair", "same_group", "difference", "p_value",
                                       "estimate_pct", "ci", "n", "level", "untestable")}
    strings["significant"] = s("significant", lang, pct=pct)
    strings["not_significant"] = s("not_significant", lang, pct=pct)
    return json.dumps({"lang": lang, "indicators": inds, "domains": doms, "cells": cells,
                       "strings": strings}, ensure_ascii=False).replace("</", "<\\/")


def site_data_js(data: SiteData) -> str:
    """``assets/data.js``: the public rows and pairwise tests (language-free codes)."""
    rows = {}
    for r in data.public_rows().itertuples(index=False):
        rows[f"{r.indicator}|{r.category}|{r.domain}|{r.level}"] = int(r.row_id)
    pairs = {}
    for r in data.public_pairs().itertuples(index=False):
        key = f"{r.indicator}|{r.category}|{r.domain}|{r.level_a}|{r.level_b}"
        pairs[key] = None if r.suppressed else [_num(r.difference), _num(r.p_value),
                                                bool(r.significant)]
    return ("window.DHKIT_DATA = " + json.dumps({"rows": rows, "pairs": pairs},
                                                 separators=(",", ":")) + ";\n")


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 8)


def legal_context(data: SiteData, lang: str) -> dict:
    """The checklist summary by area and the unmet items with their recommendations."""
    key = ("legal", lang)
    if key not in data.cache:
        data.cache[key] = _legal_context(data, lang)
    return data.cache[key]


def legal_documents(data: SiteData) -> tuple:
    """(checklist, assessment or None, recommendations registry or None), loaded once
    from the study's public legal files (``DIR/legal``)."""
    if "legal-docs" not in data.cache:
        from dhkit.legal.assessment import load_assessment
        from dhkit.legal.checklist import load_checklist
        from dhkit.legal.recommendations import load_registry

        legal = data.study_dir / "legal"
        found = {p: sorted(legal.glob(f"{p}-*.yaml")) if legal.is_dir() else []
                 for p in ("assessment", "recommendations")}
        checklist = load_checklist()
        assessment = (load_assessment(found["assessment"][0], checklist)
                      if found["assessment"] else None)
        registry = (load_registry(found["recommendations"][0], checklist)
                    if found["recommendations"] else None)
        data.cache["legal-docs"] = (checklist, assessment, registry)
    return data.cache["legal-docs"]


def _legal_context(data: SiteData, lang: str) -> dict:
    checklist, assessment, registry = legal_documents(data)
    if assessment is None:
        return {"gap": None}
    from dhkit.legal.gap import build_gap

    gap = build_gap(checklist, assessment, lang=lang, registry=registry)
    t = Translator(lang)
    rows = []
    for a in (*gap.areas, gap.total):
        label = a.label if a.area != "total" else s("total", lang)
        shares = {k: t.percent(a.share(k)) if a.share(k) is not None else "" for k in
                  ("met", "partly_met", "not_met", "unknown")}
        rows.append({"label": label, "n": a.n_items, "shares": shares,
                     "svg": _share_bar(a, label)})
    return {"gap": gap, "rows": rows}


def _share_bar(area, label: str) -> str:
    """A 100% stacked bar of the area's answers (SVG rects, no inline style)."""
    x, parts = 0.0, []
    for k in ("met", "partly_met", "not_met", "unknown"):
        share = area.share(k) or 0.0
        if share > 0:
            parts.append(f'<rect class="s-{k}" x="{x:.2f}" y="0" width="{share * 100:.2f}" '
                         f'height="10"/>')
            x += share * 100
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="share" viewBox="0 0 100 10" '
            f'preserveAspectRatio="none" aria-hidden="true">{"".join(parts)}</svg>')


def recommendations_context(data: SiteData, lang: str) -> dict:
    reg = legal_documents(data)[2]
    if reg is None:
        return {"insights": []}
    from dhkit.legal.strings import t as legal_t

    t = Translator(lang)
    known = set(data.indicators)
    # each indicator cited as the report cites it: label, national figure, base and n
    from dhkit.report.evidence import figure_texts

    figures = figure_texts(data.analysis, t, {})
    anchored = set()
    gap = legal_context(data, lang).get("gap")
    if gap is not None:
        anchored = {g.item.id for g in (*gap.not_met, *gap.partly_met, *gap.unknown)}
    insights = []
    for ins in reg.insights:
        recs = [{"number": r.number, "text": r.text_in(lang),
                 "actors": ", ".join(legal_t(a, lang) for a in r.actors),
                 "indicators": [(i, i in known, figures.get(i, i))
                                for i in r.evidence.indicators],
                 "checklist": [(i, i in anchored) for i in r.evidence.items],
                 "codes": list(r.evidence.codes)} for r in ins.recommendations]
        insights.append({"id": ins.id, "title": t.label(ins.title),
                         "finding": t.label(ins.finding),
                         "recommendation": t.label(ins.recommendation), "recs": recs})
    return {"insights": insights}


def public_page(data: SiteData, lang: str, path: str, chrome: Chrome | None = None
                ) -> str | None:
    """One public page (None for a path the site does not have)."""
    if path.startswith("indicators/") and path.endswith(".html"):
        ind = path[len("indicators/"):-len(".html")]
        return indicator_page(data, ind, lang, chrome) if ind in data.indicators else None
    t = Translator(lang)
    makers = {
        "index.html": lambda: ("index.html.j2", s("site_title", lang), {
            "groups": indicator_list(data, t), "callouts": data.callouts[lang]}),
        "compare.html": lambda: ("compare.html.j2", s("compare_title", lang), {
            "labels": compare_labels(data, lang)}),
        "legal.html": lambda: ("legal.html.j2", s("legal_title", lang),
                               legal_context(data, lang)),
        "recommendations.html": lambda: ("recommendations.html.j2", s("recs", lang),
                                         recommendations_context(data, lang)),
        "downloads.html": lambda: ("downloads.html.j2", s("downloads", lang), {
            "groups": indicator_list(data, t)}),
        "countries.html": lambda: ("countries.html.j2", s("countries_title", lang),
                                   region_context(data, lang)),
        "about.html": lambda: ("about.html.j2", s("about", lang), {
            "methods": data.methods[lang],
            "rule": _rule(data, lang), "codebook": bool(data.codebook.get(lang))}),
        "codebook.html": lambda: ("codebook.html.j2", s("codebook", lang), {
            "sections": data.codebook.get(lang, [])}),
    }
    if path not in makers or (path == "countries.html" and data.region is None) \
            or (path == "codebook.html" and not data.codebook.get(lang)):
        return None
    template, title, context = makers[path]()
    return render(Page(lang, path, title, chrome, context), template, data)


def _rule(data: SiteData, lang: str) -> str:
    th = data.thresholds
    if th is None:
        return ""
    return s("disclosure_rule", lang, caution=th.suppress_below,
             caution_hi=th.caution_below - 1, suppress=th.suppress_below)


def public_paths(data: SiteData) -> list[str]:
    extra = ["countries.html"] if data.region is not None else []
    return list(PUBLIC_PAGES) + extra + [f"indicators/{i}.html" for i in data.indicators]


def region_context(data: SiteData, lang: str) -> dict:
    """The regional tables as the regional report builds them
    (:func:`dhkit.region.render.table_views`: published country cells, range, combined)."""
    from dhkit.region.render import table_views

    from dhkit.region.render import glance, reading_notes

    a = data.region
    # no charts: Altair's SVG carries inline styles (blocked by the CSP)
    tables = table_views(a, lang, for_site=True)
    return {"tables": tables, "region_name": a.region.title(lang), "glance": glance(a, lang),
            "reading": reading_notes(a, lang, files=False),
            "countries": [c.ref.label(lang) for c in a.countries]}


def public_pages(data: SiteData, lang: str, chrome: Chrome | None = None) -> dict[str, str]:
    """Every public page in ``lang``: path (under ``<lang>/``) → HTML."""
    return {p: public_page(data, lang, p, chrome) for p in public_paths(data)}


# --- team pages (server only) --------------------------------------------------------------


def precision_rows(data: SiteData, ind: str, t: Translator) -> list[dict]:
    """Every published row of an indicator with its SE, CI, design effect and bases."""
    view = indicator_view(data, ind, t)
    pub = data.public.set_index("row_id")
    rows = []
    for category, label in view.categories:
        for dom_label, levels in domain_blocks(data, view, category, t):
            for level_label, c in levels:
                r = pub.loc[c.row_id]
                rows.append({"category": label if category else "", "domain": dom_label,
                             "level": level_label, "text": c.text, "ci": c.ci,
                             "se": "" if pd.isna(r["se"]) else t.number(r["se"] * 100, 2),
                             "deff": "" if pd.isna(r["deff"]) else t.number(r["deff"], 2),
                             "n": t.number(r["n_unweighted"]),
                             "nw": "" if pd.isna(r["n_weighted"]) else
                             t.number(r["n_weighted"]), "row_id": c.row_id, "flag": c.flag})
    return rows


def team_page(data: SiteData, lang: str, path: str, chrome: Chrome, extra: dict | None = None
              ) -> str | None:
    """A team page for a signed-in user (the server checks the role before calling)."""
    t = Translator(lang)
    extra = extra or {}
    if path.startswith("team/precision/") and path.endswith(".html"):
        ind = path[len("team/precision/"):-len(".html")]
        if ind not in data.indicators:
            return None
        view = indicator_view(data, ind, t)
        return render(Page(lang, path, f"{s('precision', lang)}: {view.label}", chrome,
                           {"view": view, "rows": precision_rows(data, ind, t)}),
                      "team_precision.html.j2", data)
    pages = {
        "team/precision.html": ("team_precision_index.html.j2", s("precision_title", lang),
                                lambda: {"groups": indicator_list(data, t)}),
        "team/appendix.html": ("team_appendix.html.j2", s("appendix", lang),
                               lambda: {"rows": data.appendix[lang]}),
        "team/weights.html": ("team_weights.html.j2", s("weights", lang),
                              lambda: {"weighting": data.weighting[lang]}),
        "team/imports.html": ("team_imports.html.j2", s("imports", lang), lambda: extra),
        "team/restricted.html": ("team_restricted.html.j2", s("restricted_title", lang),
                                 lambda: extra),
        "team/users.html": ("team_users.html.j2", s("users", lang), lambda: extra),
    }
    if path not in pages:
        return None
    template, title, context = pages[path]
    return render(Page(lang, path, title, chrome, context()), template, data)


def login_page(data: SiteData, lang: str, token: str, message: str = "") -> str:
    return render(Page(lang, "login.html", s("login", lang), Chrome("", "", ""),
                       {"token": token, "message": message}), "login.html.j2", data)


def message_page(data: SiteData, lang: str, title: str, message: str,
                 chrome: Chrome | None) -> str:
    return render(Page(lang, "message.html", title, chrome or Chrome("", "", ""),
                       {"message": message}), "message.html.j2", data)
