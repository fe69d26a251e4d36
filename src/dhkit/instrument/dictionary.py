"""The data dictionary of a form: one row per variable, as CSV and as accessible HTML.

The CSV is for analysts (one row per variable with its Kobo path, level, type, list,
labels in every language, rules and coded choices ``1=Yes; 2=No``); the HTML is one
self-contained page (no external files, no scripts) with a table per section of the form.

>>> from dhkit.instrument import shipped_codebook
>>> rows = data_dictionary(shipped_codebook())
>>> r = next(r for r in rows if r.name == "inst_met")
>>> r.level, r.path, r.choices
('instance', 'child/instance/inst_met', '1=Online; 2=In person')
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from dhkit.errors import DhkitError
from dhkit.instrument.codebook import Codebook, NON_DATA_TYPES

MAIN = "main"


@dataclass(frozen=True)
class DictionaryRow:
    name: str
    path: str
    level: str                                   # "main" or the repeat's name
    section: str                                 # enclosing group path ("" at top level)
    type: str
    list_name: str
    labels: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    relevant: str = ""
    section_relevant: str = ""                   # conditions of the enclosing groups/repeats
    constraint: str = ""
    required: str = ""                           # "yes", "" or the required-if expression
    calculation: str = ""
    choice_filter: str = ""                      # cascading select: which choices are offered
    sensitive: bool = False
    choices: str = ""                            # "1=Yes; 2=No" in the chosen language
    choice_items: tuple[tuple[str, str], ...] = ()
    not_asked_in: tuple[str, ...] = ()           # form versions that lack the question
    #: where the choices live when not on the choices sheet: the attached file
    #: (``villages.csv`` of a ``search()``, ``towns.csv`` of ``select_one_from_file``) or
    #: ``external_choices``; ``choices_found``: the file was read (next to the form)
    choices_from: str = ""
    choices_found: bool = True
    choices_more: int = 0                        # choices left out of the listing (long files)


@dataclass(frozen=True)
class Section:
    path: str
    title: str
    level: str
    rows: list[DictionaryRow]
    relevant: str = ""                           # asked only if (enclosing groups/repeats)


def section_relevance(cb: Codebook, group_path: str) -> str:
    """The ``relevant`` conditions of every group and repeat enclosing ``group_path``, outer
    first, joined with ``and``: a question inside them is asked only when all hold, though
    its own ``relevant`` is empty (the import checks them the same way)."""
    conds = []
    for name in group_path.split("/") if group_path else []:
        g = cb.questions.get(name)
        if g is not None and g.type in ("begin group", "begin repeat") and g.relevant:
            conds.append(g.relevant)
    if len(conds) > 1:
        conds = [f"({c})" for c in conds]
    return " and ".join(conds)


def _lang(cb: Codebook, lang: str | None) -> str:
    lang = lang or cb.default_language
    if cb.languages and lang not in cb.languages:
        raise DhkitError("INS-040", f"{Path(cb.source or cb.form_id).name} has no language "
                                    f"'{lang}'. Use one of: {', '.join(cb.languages)}")
    return lang


def data_dictionary(cb: Codebook, lang: str | None = None,
                    versions=None) -> list[DictionaryRow]:
    """Every variable of the form (answers and calculates, all levels), in form order.

    Choice labels are given in ``lang`` (default: the form's default language). With
    ``versions`` (:class:`~dhkit.instrument.versions.FormVersions`, ``cb`` its merged
    codebook) each row names the versions that did not ask the question.
    """
    lang = _lang(cb, lang)
    full = _with_attached(cb)
    rows = []
    for q in cb.questions.values():
        if q.type in NON_DATA_TYPES:
            continue
        source, found, items = _choices(q, cb, full, lang)
        more = max(0, len(items) - MAX_LISTED) if source else 0
        items = items[:MAX_LISTED] if source else items
        rows.append(DictionaryRow(
            name=q.name, path=q.path, level=q.repeat or MAIN, section=q.group, type=q.type,
            list_name=q.list_name or "", labels=dict(q.labels), hints=dict(q.hints),
            relevant=q.relevant or "", section_relevant=section_relevance(cb, q.group),
            constraint=q.constraint or "",
            required="yes" if q.required else (q.required_if or ""),
            calculation=q.calculation or "", choice_filter=_filter_of(q),
            sensitive=q.sensitive,
            choices="; ".join(f"{k}={v}" for k, v in items), choice_items=items,
            not_asked_in=tuple(versions.not_asked(q.name)) if versions is not None else (),
            choices_from=source, choices_found=found, choices_more=more,
        ))
    return rows


#: the most choices of a file listed per question (a file of villages may hold thousands;
#: the dictionary names the file for the rest)
MAX_LISTED = 100


def _with_attached(cb: Codebook) -> Codebook:
    """``cb`` with the choices of the files its selects read, found next to the form it was
    read from (a study keeps them beside its form: ``dhkit init`` copies them)."""
    from dhkit.instrument.attachments import attached_questions, with_file_choices

    if not cb.source or not attached_questions(cb):
        return cb
    try:
        return with_file_choices(cb, [Path(cb.source).parent])[0]
    except (DhkitError, OSError, ValueError):     # an unreadable file: listed as not read
        return cb


def _choices(q, cb: Codebook, full: Codebook, lang: str):
    """``(file the choices come from or "", file read?, (code, label) pairs)`` of ``q``:
    a ``search()`` list's placeholder row (the CSV's column names) is never a choice."""
    from dhkit.instrument.attachments import FILE_TYPES, search_call, static_choices

    if q.base_type in FILE_TYPES and q.choice_file:
        found = bool(full.choices.get(q.choice_file))
        return q.choice_file, found, tuple(full.choice_labels(q.choice_file, lang).items())
    if q.base_type == "select_one_external":
        found = bool(full.choices.get(q.list_name or ""))
        return "external_choices", found, tuple(full.choice_labels(q.list_name or "",
                                                                   lang).items())
    call = search_call(q)
    if call is not None:
        if (q.list_name or "") in full.search_lists:
            return call[0], True, tuple(full.choice_labels(q.list_name or "", lang).items())
        static = cb.choice_labels(q.list_name or "", lang)
        return call[0], False, tuple((c.name, static[c.name]) for c in static_choices(q, cb))
    return "", True, tuple(cb.choice_labels(q.list_name, lang).items()) if q.list_name else ()


def _filter_of(q) -> str:
    """The ``choice_filter``, or the filter of a ``search()`` appearance (which rows of its
    CSV are offered)."""
    from dhkit.instrument.attachments import search_of

    call = search_of(q)
    if call is not None and (call.terms is None or call.terms):
        return " ; ".join(x for x in (q.choice_filter, call.text) if x)
    return q.choice_filter or ""


def choices_from_text(r: DictionaryRow) -> str:
    """The ``choices_from`` cell of the CSV: where the choices live when not on the choices
    sheet (``villages.csv``), whether the file was next to the form, and how many of its
    choices the ``choices`` cell leaves out."""
    if not r.choices_from:
        return ""
    if not r.choices_found:
        return f"{r.choices_from} (not next to the form: its choices are not listed)"
    if r.choices_more:
        shown = len(r.choice_items)
        return f"{r.choices_from} ({shown} of {shown + r.choices_more} choices listed)"
    return r.choices_from


def _languages(cb: Codebook, lang: str) -> list[str]:
    return [lang, *(x for x in cb.languages if x != lang)]


def write_dictionary_csv(cb: Codebook, path: str | Path, lang: str | None = None,
                         versions=None) -> Path:
    """Write the dictionary as CSV (UTF-8 with BOM so spreadsheet programs read accents).

    Columns: name, path, level, type, list, label_<lang> for each language (``lang`` first),
    relevant, section_relevant (the conditions of the enclosing groups and repeats), constraint,
    required, calculation, choice_filter (with a ``search()`` appearance's filter), sensitive,
    choices, choices_from (the file the choices come from, e.g. ``villages.csv`` of a
    ``search()`` select: its choices are read from it, never the list's placeholder row, and
    at most 100 are listed); with ``versions`` also
    ``not_asked_in`` (the form versions whose rows hold NULL there: not asked, not missing).
    """
    from dhkit.safetext import csv_row

    lang = _lang(cb, lang)
    langs = _languages(cb, lang)
    path = Path(path)
    header = ["name", "path", "level", "type", "list", *(f"label_{x}" for x in langs),
              "relevant", "section_relevant", "constraint", "required", "calculation",
              "choice_filter", "sensitive", "choices", "choices_from"]
    if versions is not None:
        header.append("not_asked_in")
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in data_dictionary(cb, lang, versions):   # labels are form authors' text: no formulas
            w.writerow(csv_row([r.name, r.path, r.level, r.type, r.list_name,
                        *(r.labels.get(x, "") for x in langs), r.relevant, r.section_relevant, r.constraint,
                        r.required, r.calculation, r.choice_filter,
                        "yes" if r.sensitive else "", r.choices, choices_from_text(r)]
                       + ([" ".join(r.not_asked_in)] if versions is not None else [])))
    return path


def sections(cb: Codebook, lang: str | None = None, versions=None) -> list[Section]:
    """The dictionary rows grouped by enclosing group/repeat, in form order."""
    lang = _lang(cb, lang)
    by_path: dict[str, list[DictionaryRow]] = {}
    for r in data_dictionary(cb, lang, versions):
        by_path.setdefault(r.section, []).append(r)
    out = []
    for path, rows in by_path.items():
        name = path.rsplit("/", 1)[-1]
        if not path:
            title = {"es": "Hogar (nivel principal)"}.get(lang, "Main level")
        elif name in cb.questions:
            q = cb.questions[name]
            title = q.labels.get(lang) or next(iter(q.labels.values()), name)
        else:
            title = name
        out.append(Section(path, title, rows[0].level, rows, section_relevance(cb, path)))
    return out


def render_html(cb: Codebook, lang: str | None = None, versions=None) -> str:
    """The dictionary as one self-contained, accessible HTML page (Jinja2 template)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from dhkit import __version__

    lang = _lang(cb, lang)
    env = Environment(loader=PackageLoader("dhkit.instrument", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True)
    words = WORDS.get(lang, WORDS["en"])
    return env.get_template("codebook.html.j2").render(
        cb=cb, lang=lang, langs=_languages(cb, lang), sections=sections(cb, lang, versions),
        t=words, version=__version__, n=sum(len(s.rows) for s in sections(cb, lang)))


def write_dictionary_html(cb: Codebook, path: str | Path, lang: str | None = None,
                          versions=None) -> Path:
    path = Path(path)
    path.write_text(render_html(cb, lang, versions), encoding="utf-8")
    return path


WORDS = {
    "en": {"title": "Data dictionary", "variables": "variables", "variable": "Variable",
           "label": "Label", "type": "Type", "rules": "Rules", "choices": "Choices",
           "relevant": "Asked if", "constraint": "Valid if", "required": "Required",
           "calculation": "Calculation", "sensitive": "Self-completed (sensitive)",
           "choice_filter": "Choices offered where",
           "level": "Level", "main": "one row per submission", "repeat": "one row per entry of",
           "version": "Form version", "made": "Made with dhkit", "contents": "Sections",
           "skip": "Skip to the tables", "not_asked": "Not asked in form version(s)",
           "section_relevant": "Every question of this section is asked only if",
           "choices_from": "From", "not_found": "not next to the form: its choices are not "
           "listed", "more": "… and %d more in"},
    "es": {"title": "Diccionario de datos", "variables": "variables", "variable": "Variable",
           "label": "Etiqueta", "type": "Tipo", "rules": "Reglas", "choices": "Opciones",
           "relevant": "Se pregunta si", "constraint": "Válido si", "required": "Obligatoria",
           "calculation": "Cálculo", "sensitive": "Autodiligenciada (sensible)",
           "choice_filter": "Opciones ofrecidas donde",
           "level": "Nivel", "main": "una fila por envío", "repeat": "una fila por entrada de",
           "version": "Versión del formulario", "made": "Hecho con dhkit",
           "contents": "Secciones", "skip": "Ir a las tablas",
           "not_asked": "No se preguntó en la(s) versión(es)",
           "section_relevant": "Todas las preguntas de esta sección se hacen solo si",
           "choices_from": "De", "not_found": "no está junto al formulario: sus opciones no "
           "se listan", "more": "… y %d más en"},
}
