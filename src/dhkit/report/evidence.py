"""The report's non-survey chapters, built from the other stages' public outputs:
the legal and policy gap summary (:mod:`dhkit.legal`), the recommendations with their
evidence links (indicator ids link to the table that shows them), and each chapter's
quotes from the quote bank (:mod:`dhkit.qualitative`), which only ever returns redacted,
consented quotes of participants who have not withdrawn.

Restricted law-enforcement content is never read here: only the public legal files are.
Each builder returns ``(title, html)`` or None when the study has no such material.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from dhkit.report.i18n import Translator

WORDS = {
    "recs": {"en": "Recommendations", "es": "Recomendaciones"},
    "legal": {"en": "Legal and policy review", "es": "Revisión legal y de políticas"},
    "legal_h": {"en": "What the legal and policy review found",
                "es": "Lo que encontró la revisión legal y de políticas"},
    "weights": {"en": "Weighting diagnostics", "es": "Diagnóstico de las ponderaciones"},
    "weights_caption": {"en": "Weights at each step of the weighting chain (dhkit weights "
                              "build): sum, coefficient of variation, Kish's design effect due "
                              "to weighting and effective sample size.",
                        "es": "Ponderaciones en cada paso de la cadena de ponderación (dhkit "
                              "weights build): suma, coeficiente de variación, efecto de "
                              "diseño de Kish debido a la ponderación y tamaño efectivo de la "
                              "muestra."},
    "actors": {"en": "Responsible actors", "es": "Actores responsables"},
    "evidence": {"en": "Evidence", "es": "Evidencia"},
    "area": {"en": "Area", "es": "Área"},
    "items": {"en": "Items", "es": "Ítems"},
    "met": {"en": "Met", "es": "Cumplido"},
    "partly_met": {"en": "Partly met", "es": "Cumplido en parte"},
    "not_met": {"en": "Not met", "es": "No cumplido"},
    "unknown": {"en": "Unknown", "es": "Desconocido"},
    "not_applicable": {"en": "Not applicable", "es": "No aplica"},
    "checklist": {"en": "checklist items", "es": "ítems de la lista de verificación"},
    "codes": {"en": "interview codes", "es": "códigos de entrevista"},
    # the annex's name is the link (a bare "→" said nothing in print nor to a screen reader)
    "legal_note": {"en": "Share of checklist items by answer, per area. Every item not met or "
                         "partly met is listed in the {annex}.",
                   "es": "Proporción de ítems de la lista de verificación por respuesta, por "
                         "área. Cada ítem no cumplido o cumplido en parte figura en el {annex}."},
    "legal_annex": {"en": "annex on legal and policy gaps",
                    "es": "anexo de brechas legales y de políticas"},
}


def _w(key: str, lang: str) -> str:
    return WORDS[key].get(lang) or WORDS[key]["en"]


def _legal_files(study_dir: Path, pattern: str) -> list[Path]:
    return sorted((study_dir / "legal").glob(pattern)) if (study_dir / "legal").is_dir() else []


def recommendations_section(study_dir: Path, t: Translator, indicator_anchor: dict[str, str],
                            figures: dict[str, str] | None = None) -> tuple[str, str] | None:
    """Insights → recommendations N.M → actors → evidence: each indicator cited as its
    figure with its base and a link to the table that shows it (``figures``, from
    :func:`figure_texts`), never as a raw id."""
    files = _legal_files(study_dir, "recommendations-*.yaml")
    if not files:
        return None
    from dhkit.legal.recommendations import load_registry
    from dhkit.legal.strings import t as legal_t

    reg = load_registry(files[0])
    lang = t.lang
    parts = []
    for ins in reg.insights:
        parts.append(f"<h3>{ins.id}. {escape(t.label(ins.title))}</h3>")
        parts.append(f"<p>{escape(t.label(ins.finding))}</p>")
        parts.append(f"<p><strong>{escape(t.label(ins.recommendation))}</strong></p><ul class='recs'>")
        for rec in ins.recommendations:
            text = rec.text_es if lang == "es" and rec.text_es else rec.text
            actors = ", ".join(legal_t(a, lang) for a in rec.actors)
            figures = figures or {}
            links = [f"<a href='#{indicator_anchor[i]}' data-indicator='{escape(i)}'>"
                     f"{escape(figures.get(i, i))}</a>" if i in indicator_anchor
                     else escape(figures.get(i, i)) for i in rec.evidence.indicators]
            ev = "; ".join(x for x in (
                "; ".join(links),
                f"{_w('checklist', lang)} {', '.join(rec.evidence.items)}" if rec.evidence.items else "",
                f"{_w('codes', lang)} {', '.join(rec.evidence.codes)}" if rec.evidence.codes else "",
            ) if x)
            parts.append(f"<li id='rec-{escape(rec.number)}'><span class='num'>"
                         f"{escape(rec.number)}</span> {escape(text)}<br><span class='base'>"
                         f"{_w('actors', lang)}: {escape(actors)}. {_w('evidence', lang)}: {ev}."
                         f"</span></li>")
        parts.append("</ul>")
    return _w("recs", lang), "\n".join(parts)


def legal_section(study_dir: Path, t: Translator) -> tuple[str, str] | None:
    """The gap summary: per area, the share of items met / partly met / not met / unknown."""
    files = _legal_files(study_dir, "assessment-*.yaml")
    if not files:
        return None
    from dhkit.legal.assessment import load_assessment
    from dhkit.legal.checklist import load_checklist
    from dhkit.legal.gap import build_gap

    checklist = load_checklist()
    gap = build_gap(checklist, load_assessment(files[0], checklist), lang=t.lang)
    lang = t.lang
    cols = ("met", "partly_met", "not_met", "unknown")
    head = "".join(f"<th scope='col'>{_w(c, lang)}</th>" for c in cols)
    rows = []
    for a in (*gap.areas, gap.total):
        n = max(a.n_items, 1)
        label = a.label if a.area != "total" else t("Total")
        cells = "".join(f"<td class='num'>{t.percent(a.counts.get(c, 0) / n)}</td>" for c in cols)
        rows.append(f"<tr><th scope='row'>{escape(str(label))}</th><td class='num'>"
                    f"{a.n_items}</td>{cells}</tr>")
    html = (f"<table class='est'><caption>{_w('legal', lang)}</caption><thead><tr>"
            f"<th scope='col' class='rowhead'>{_w('area', lang)}</th><th scope='col'>"
            f"{_w('items', lang)}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            "<p class='fn'>" + escape(_w("legal_note", lang)).replace(
                "{annex}", f"<a href='#annex-gaps'>{escape(_w('legal_annex', lang))}</a>")
            + "</p>")
    return _w("legal", lang), html


def section_quotes(quotes: list, codes: tuple[str, ...], limit: int = 3, *,
                   lang: str | None = None, translations: dict | None = None,
                   used: set | None = None) -> list:
    """The quotes coded with one of ``codes`` or their sub-codes, at most ``limit``, one per
    participant group first so the chapter hears young people and professionals.

    With ``lang``, only quotes the report can show in that language (recorded in it, or
    translated: :func:`dhkit.qualitative.quotes.in_language`), original-language ones
    first. ``used`` holds the source texts already shown in earlier chapters: a quote is
    never repeated, nor one that is part of (or contains) a quote already shown; the
    texts picked here are added to it."""
    from dhkit.qualitative.quotes import ShownQuote, in_language

    used = used if used is not None else set()
    source = {q.quote_id: q.text for q in quotes}
    picked = [q for q in quotes if any(q.code_id == c or q.code_id.startswith(c + ".")
                                       for c in codes)]
    if lang is None:
        shown = [ShownQuote(q.quote_id, q.code_id, q.text, q.attribution, q.group,
                            q.language or "") for q in picked]
    else:
        shown = in_language(picked, lang, translations or {})
    shown.sort(key=lambda q: q.translated_from is not None)   # stable: originals first

    def fresh(q) -> bool:
        text = source[q.quote_id]
        return not any(text in u or u in text for u in used)

    seen, first, rest = set(), [], []
    for q in shown:
        if not fresh(q):
            continue
        (rest if q.group in seen else first).append(q)
        seen.add(q.group)
    out = []
    for q in first + rest:
        if len(out) == limit:
            break
        if fresh(q):
            out.append(q)
            used.add(source[q.quote_id])
    return out


def weighting_section(inputs, t: Translator) -> tuple[str, str] | None:
    """Diagnostics of every stored weighting step (the lineage columns ``w_*``): the
    analysts' dashboard page (the report shows them in its methods chapter and annex)."""
    steps = {c: inputs.main[c].to_numpy(dtype=float) for c in inputs.main.columns
             if c.startswith("w_")} if getattr(inputs, "weight_lineage", False) else {}
    if not steps:
        return None
    from dhkit.report.chapters import TEXT
    from dhkit.weighting.diagnostics import compare_weights, diagnostics_html

    table = compare_weights(steps)     # steps and statistics named as in the report's annex
    table["statistic"] = [t(s) for s in table["statistic"]]
    table = table.rename(columns={"statistic": t(TEXT["statistic"]),
                                  **{c: t(TEXT[c]) for c in steps if c in TEXT}})
    return _w("weights", t.lang), (f"<p>{_w('weights_caption', t.lang)}</p>"
                                   + diagnostics_html({_w("weights", t.lang): table}))


def figure_texts(analysis, t: Translator, table_numbers: dict[str, str]) -> dict[str, str]:
    """indicator id → how a reader cites it: label, national figure, base and n, table.

    e.g. ``Told someone about what happened: 46.3% (base: internet-using children aged
    12–17 subjected to TF-CSEA in the past year, n = 205; Table 9)``; a multi-level
    indicator names its largest level (``...: Facebook 76.8% (...)``), a catch-all
    ("Other reason") only when nothing else is shown; a share of exactly 0 is "none"; a
    suppressed figure is ``*``; a figure resting on only some form versions says so."""
    from dhkit.disclosure import SUPPRESSED
    from dhkit.report.findings import CATCH_ALL, version_note

    cat, pub = analysis.catalogue, analysis.public
    out = {}
    for ind_id, ind in cat.indicators.items():
        rows = pub[(pub["indicator"] == ind_id) & (pub["domain"] == "")]
        if rows.empty:
            continue
        base = cat.bases[ind.base]
        n = rows["n_unweighted"].astype(int)
        n_text = t.number(int(n.min())) if n.min() == n.max() else \
            f"{t.number(int(n.min()))}–{t.number(int(n.max()))}"
        if ind.levels:
            shown = rows[rows["flag"] != SUPPRESSED].dropna(subset=["estimate"])
            named = shown[~shown["category"].astype(str).isin(CATCH_ALL)]
            shown = named if len(named) else shown      # "Other reason" says nothing
            if shown.empty:
                value = "*"
            else:
                top = shown.loc[shown["estimate"].idxmax()]
                level = t.label(ind.level_labels.get(str(top["category"]), {"en": top["category"]}))
                value = f"{level} {t.percent(float(top['estimate']))}"
        else:
            r = rows.iloc[0]
            value = "*" if r["flag"] == SUPPRESSED or r["estimate"] != r["estimate"] \
                else t("None").lower() if float(r["estimate"]) == 0 \
                else t.percent(float(r["estimate"]))          # "0.0%" reads as a fault
        where = f"; {t('Table')} {table_numbers[ind_id]}" if ind_id in table_numbers else ""
        note = version_note(analysis, t, ind_id)
        where += f"; {note}" if note else ""
        out[ind_id] = (f"{t.label(ind.label)}: {value} ({t('Base').lower()}: "
                       f"{t.label(base.label)}, n = {n_text}{where})")
    return out


#: The plan section each non-survey chapter belongs in (as the seed: the law and policy
#: review is summed up in the conclusion, the registry is the recommendations chapter).
HOMES = ("conclusion", "recommendations")


def evidence_parts(inputs, t: Translator, plan, analysis=None) -> list[tuple[str, tuple[str, str]]]:
    """(home section id, (title, html)) of every non-survey chapter the study has
    material for; the report puts each at the end of its home section (:data:`HOMES`),
    or before the appendix when the plan has no such section."""
    from dhkit.report.chapters import legal_summary_paragraph

    built = evidence_sections(inputs, t, plan, analysis, keep_empty=True)
    if built[0] is not None:       # in the conclusion: what the review found, then the table
        text = legal_summary_paragraph(inputs, t)
        built[0] = (_w("legal_h", t.lang), (f"<p>{escape(text)}</p>" if text else "")
                    + built[0][1])
    return [(home, b) for home, b in zip(HOMES, built) if b is not None]


def evidence_sections(inputs, t: Translator, plan, analysis=None,
                      keep_empty: bool = False) -> list:
    """Every non-survey chapter the study has material for, in report order
    (``keep_empty``: a None in place of each missing one)."""
    study = getattr(inputs, "study", None)
    if study is None:
        return [None] * len(HOMES) if keep_empty else []
    anchors: dict[str, str] = {}
    numbers: dict[str, str] = {}
    n_table = 0
    for section in plan.sections:
        for table in section.tables:
            n_table += 1
            for ind in table.indicators:
                anchors.setdefault(ind, f"table-{table.id}")
                numbers.setdefault(ind, str(n_table))
    figures = figure_texts(analysis, t, numbers) if analysis is not None else {}
    built = [legal_section(study.dir, t),
             recommendations_section(study.dir, t, anchors, figures)]
    # the weighting steps are in the methods chapter and its annex (chapters.weights_annex);
    # weighting_section stays for the analysts' dashboard page
    return built if keep_empty else [b for b in built if b is not None]
