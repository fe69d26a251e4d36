"""Gap report: how far a country's law and policy meet the checklist, area by area.

For each area: counts of every answer and the shares met / partly met / not met among
the items that apply (``not_applicable`` left out of the denominator; ``unknown`` kept in
it and shown, so that an unsettled item is never counted as met). Then the items not
met and partly met with the standards they rest on, the national provision, the
evidence note and links to the recommendations that address them. Written as HTML, PDF
and Excel in English or Spanish; :func:`build_matrix` compares several countries.

>>> from dhkit.legal.checklist import load_checklist
>>> from dhkit.legal.assessment import load_assessment, colombia_assessment_path
>>> g = build_gap(load_checklist(), load_assessment(colombia_assessment_path()))
>>> [a.area for a in g.areas][:2], g.area("criminalization").counts["not_met"] > 0
(['definitions', 'criminalization'], True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dhkit.legal.assessment import Answer, Assessment
from dhkit.legal.checklist import SCALE, Checklist, Item

COUNTED = ("met", "partly_met", "not_met", "unknown")


@dataclass(frozen=True)
class AreaSummary:
    """One area's answer counts and shares."""

    area: str
    label: str
    n_items: int
    counts: dict

    @property
    def applicable(self) -> int:
        return self.n_items - self.counts.get("not_applicable", 0)

    def share(self, answer: str) -> float | None:
        return self.counts.get(answer, 0) / self.applicable if self.applicable else None


@dataclass(frozen=True)
class GapItem:
    """An item with its answer, standards in full and linked recommendations."""

    item: Item
    answer: Answer
    question: str
    standards: tuple[str, ...]
    recommendations: tuple[str, ...]
    standards_full: tuple[str, ...] = ()


@dataclass(frozen=True)
class GapReport:
    country: str
    lang: str
    checklist_version: str
    assessment: Assessment
    areas: tuple[AreaSummary, ...]
    not_met: tuple[GapItem, ...]
    partly_met: tuple[GapItem, ...]
    unknown: tuple[GapItem, ...]
    instruments: dict = field(default_factory=dict)
    inputs: tuple = ()  # (file name, sha256) of the checklist, assessment, recommendations
    recommendations: tuple = ()  # (number, text) of the recommendations linked to items

    def area(self, name: str) -> AreaSummary:
        return next(a for a in self.areas if a.area == name)

    @property
    def total(self) -> AreaSummary:
        counts = {k: sum(a.counts.get(k, 0) for a in self.areas) for k in SCALE}
        return AreaSummary("total", "", sum(a.n_items for a in self.areas), counts)


def build_gap(checklist: Checklist, assessment: Assessment, lang: str = "en",
              registry=None) -> GapReport:
    """Summarise an assessment by area and list its gaps (see module docstring).

    ``registry`` (a :class:`dhkit.legal.recommendations.Registry`) links each item to the
    recommendations that cite it; the report lists those recommendations at the end.
    """
    rec_links = registry.links_by_item() if registry is not None else {}
    answers = assessment.by_item()
    areas = []
    for area in checklist.areas:
        items = checklist.items_in(area)
        counts = {k: 0 for k in SCALE}
        for it in items:
            counts[answers[it.id].answer if it.id in answers else "unknown"] += 1
        areas.append(AreaSummary(area, checklist.area_label(area, lang), len(items), counts))

    def gap(value: str) -> tuple[GapItem, ...]:
        out = []
        for it in checklist.items:
            a = answers.get(it.id)
            if a is not None and a.answer == value:
                out.append(GapItem(it, a, it.text(lang), it.standards,
                                   tuple(sorted(rec_links.get(it.id, []), key=_num_key)),
                                   tuple(checklist.instrument_name(s) for s in it.standards)))
        return tuple(out)

    used = sorted({s.split(" ", 1)[0] for it in checklist.items for s in it.standards})
    return GapReport(country=assessment.country, lang=lang,
                     checklist_version=checklist.version, assessment=assessment,
                     areas=tuple(areas), not_met=gap("not_met"), partly_met=gap("partly_met"),
                     unknown=gap("unknown"),
                     instruments={k: checklist.instruments[k] for k in used},
                     inputs=_inputs(checklist.source, assessment.path,
                                    registry.path if registry is not None else None),
                     recommendations=_linked(registry, rec_links, lang))


def _linked(registry, links: dict, lang: str) -> tuple:
    """(number, text) of every recommendation a gap links to, in number order."""
    if registry is None:
        return ()
    numbers = sorted({n for ns in links.values() for n in ns}, key=_num_key)
    return tuple((n, registry.find(n).text_in(lang)) for n in numbers)


def _inputs(*paths) -> tuple:
    """(name, sha256) of each input file, so an output names exactly what it was built from."""
    from dhkit.workspace.store import file_sha256

    return tuple((Path(p).name, file_sha256(p)) for p in paths if p and Path(p).is_file())


def _num_key(n: str):
    return tuple(int(p) if p.isdigit() else p for p in n.split("."))


def render_gap_html(report: GapReport, checklist: Checklist) -> str:
    from dhkit.legal.render import render_html
    from dhkit.legal.strings import t

    return render_html("gap.html.j2", lang=report.lang, title=t("gap_title", report.lang),
                       country=report.country, g=report,
                       scale={k: checklist.scale_label(k, report.lang) for k in SCALE})


def write_gap(report: GapReport, checklist: Checklist, out_dir: str | Path,
              formats: tuple[str, ...] = ("html", "pdf", "xlsx")) -> list[Path]:
    """Write the gap report as ``gap-CO-en.html`` / ``.pdf`` / ``.xlsx`` in ``out_dir``."""
    from dhkit.legal.render import write_outputs

    html = render_gap_html(report, checklist) if {"html", "pdf"} & set(formats) else ""
    return write_outputs(html, out_dir, f"gap-{report.country}-{report.lang}", formats,
                         lambda path: write_gap_xlsx(report, checklist, path))


def write_gap_xlsx(report: GapReport, checklist: Checklist, path: str | Path) -> Path:
    from dhkit.legal.render import Workbook
    from dhkit.legal.strings import t

    lang = report.lang
    wb = Workbook(path)
    head = [t("area", lang), t("items", lang)] + [checklist.scale_label(k, lang) for k in SCALE] \
        + [f"% {checklist.scale_label(k, lang)}" for k in ("met", "partly_met", "not_met")]
    rows = [[a.label, a.n_items] + [a.counts[k] for k in SCALE]
            + [a.share(k) for k in ("met", "partly_met", "not_met")] for a in report.areas]
    wb.sheet(t("summary_by_area", lang), head, rows, [34, 8] + [12] * 8, pct_cols=(7, 8, 9))
    ghead = [t("item", lang), t("area", lang), t("question", lang), t("answer", lang),
             t("standards", lang), t("provision", lang), t("evidence", lang),
             t("source", lang), t("recommendations", lang)]
    for key, items in (("gaps_not_met", report.not_met), ("gaps_partly", report.partly_met)):
        wb.sheet(t(key, lang), ghead, [
            [g.item.id, checklist.area_label(g.item.area, lang), g.question,
             checklist.scale_label(g.answer.answer, lang), "; ".join(g.standards_full),
             g.answer.provision, g.answer.note_in(lang), str(g.answer.cite or ""),
             ", ".join(g.recommendations)] for g in items],
            [9, 18, 50, 12, 50, 30, 50, 40, 14])
    answers = report.assessment.by_item()
    wb.sheet(t("items", lang), ghead[:4] + ghead[5:8], [
        [it.id, checklist.area_label(it.area, lang), it.text(lang),
         checklist.scale_label(answers[it.id].answer, lang) if it.id in answers else "",
         answers[it.id].provision if it.id in answers else "",
         answers[it.id].note_in(lang) if it.id in answers else "",
         str(answers[it.id].cite or "") if it.id in answers else ""]
        for it in checklist.items], [9, 18, 50, 12, 30, 50, 40])
    from dhkit import __version__

    wb.sheet(t("inputs", lang), ["file", "sha256"],
             [*([n, h] for n, h in report.inputs), ["dhkit", __version__]], [30, 70])
    return wb.close()


# ---------------------------------------------------------------- cross-country matrix
@dataclass(frozen=True)
class Matrix:
    """Items × countries: the answer of each country to each item."""

    countries: tuple[str, ...]
    rows: tuple[tuple[Item, tuple[str, ...]], ...]
    summaries: dict  # country -> {area: AreaSummary}


def build_matrix(checklist: Checklist, assessments: list[Assessment], lang: str = "en"
                 ) -> Matrix:
    """Compare several countries item by item (missing answers read 'unknown').

    >>> from dhkit.legal.checklist import load_checklist
    >>> from dhkit.legal.assessment import load_assessment, colombia_assessment_path
    >>> cl = load_checklist(); co = load_assessment(colombia_assessment_path())
    >>> m = build_matrix(cl, [co]); m.countries, m.rows[0][1]
    (('CO',), ('met',))
    """
    assessments = sorted(assessments, key=lambda a: a.country)
    maps = [a.by_item() for a in assessments]
    rows = tuple((it, tuple(m[it.id].answer if it.id in m else "unknown" for m in maps))
                 for it in checklist.items)
    summaries = {a.country: {s.area: s for s in build_gap(checklist, a, lang).areas}
                 for a in assessments}
    return Matrix(tuple(a.country for a in assessments), rows, summaries)


def write_matrix(matrix: Matrix, checklist: Checklist, out_dir: str | Path, lang: str = "en",
                 formats: tuple[str, ...] = ("html", "xlsx")) -> list[Path]:
    from dhkit.legal.render import Workbook, render_html, write_outputs
    from dhkit.legal.strings import t

    html = render_html("matrix.html.j2", lang=lang, title=t("matrix_title", lang),
                       country=", ".join(matrix.countries), m=matrix, cl=checklist,
                       scale={k: checklist.scale_label(k, lang) for k in SCALE})

    def xlsx(path: Path) -> Path:
        wb = Workbook(path)
        wb.sheet("matrix", [t("item", lang), t("area", lang), t("question", lang),
                            *matrix.countries],
                 [[it.id, checklist.area_label(it.area, lang), it.text(lang),
                   *[checklist.scale_label(v, lang) for v in vals]]
                  for it, vals in matrix.rows], [9, 18, 60] + [12] * len(matrix.countries))
        wb.sheet(t("summary_by_area", lang),
                 [t("country", lang), t("area", lang), t("items", lang),
                  *[f"% {checklist.scale_label(k, lang)}" for k in ("met", "partly_met",
                                                                     "not_met", "unknown")]],
                 [[c, a.label, a.n_items, *[a.share(k) for k in ("met", "partly_met",
                                                                   "not_met", "unknown")]]
                  for c, areas in matrix.summaries.items() for a in areas.values()],
                 [9, 30, 8, 12, 12, 12, 12], pct_cols=(3, 4, 5, 6))
        return wb.close()

    return write_outputs(html, out_dir, f"matrix-{lang}", formats, xlsx)
