"""``region.toml`` and the harmonisation file, validated on load (every problem at once,
with file and line; unknown keys rejected).

``region.toml``::

    [region]
    name = "Disrupting Harm — regional comparison"
    languages = ["en", "es"]            # report languages
    harmonisation = "harmonisation.yaml"
    combine = "population"              # population | equal | none: the combined column
    on_suppressed = "exclude"           # exclude | suppress: a combined figure whose
                                        # countries include a suppressed cell
    suppress_below = 25                 # regional floor; the stricter of this and the
    caution_below = 50                  # country's own threshold applies

    [[countries]]
    id = "CO"
    name = {en = "Colombia", es = "Colombia"}
    study = "countries/CO/study"        # a study folder (its own key, design, weights)
    population = 4100000                # optional; default: [design] population_children

The harmonisation file (YAML) maps common ids to each country's own ids and codes; a
country that is not listed under an indicator, or is listed as ``not collected``, shows
"not collected" (never 0)::

    indicators:
      any_tfcsea:
        label: {en: Any TF-CSEA in the past year, es: ...}
        base: {en: internet-using children aged 12–17, es: ...}
        countries:
          CO: any_tfcsea                          # same id, same codes
          KE: {indicator: any_tfcsea}
          TH: not collected
    domains:
      sex:
        label: {en: Sex, es: Sexo}
        levels: {girls: {en: Girls, es: Niñas}, boys: {en: Boys, es: Niños}}
        countries:
          CO: {domain: sex, levels: {girls: "1", boys: "2"}}   # common level: country code
    tables:
      - id: prevalence
        kind: indicators            # indicators | platforms | overlap
        title: {en: ..., es: ...}
        indicators: [any_tfcsea]
        domains: [sex]

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> init_region(d, name="Demo region").name
'region.toml'
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dhkit.errors import DhkitError, ValidationError
from dhkit.validation import ValidationReport

REGION_FILE = "region.toml"
NOT_COLLECTED = "not collected"
LANGS = ("en", "es")
TABLE_KINDS = ("indicators", "platforms", "overlap")
COMBINE = ("population", "equal", "none")
ON_SUPPRESSED = ("exclude", "suppress")


@dataclass(frozen=True)
class CountryRef:
    """A country of the region: its id, names and study folder."""

    id: str
    name: dict[str, str]
    study_dir: Path
    population: int | None = None
    line: int | None = None

    def label(self, lang: str) -> str:
        return self.name.get(lang) or self.name.get("en") or self.id


@dataclass(frozen=True)
class IndicatorMap:
    """One country's local indicator for a common indicator (None: not collected);
    ``categories`` maps common category ids to the country's codes (None: not collected)."""

    indicator: str | None
    categories: dict[str, str | None] = field(default_factory=dict)
    line: int | None = None


@dataclass(frozen=True)
class CommonIndicator:
    id: str
    label: dict[str, str]
    base: dict[str, str]
    categories: dict[str, dict[str, str]]        # common category id -> labels ({} if none)
    countries: dict[str, IndicatorMap]           # country id -> mapping (missing: not collected)
    line: int | None = None

    def mapping(self, country: str) -> IndicatorMap:
        return self.countries.get(country) or IndicatorMap(None)


@dataclass(frozen=True)
class DomainMap:
    domain: str | None
    levels: dict[str, str] = field(default_factory=dict)   # common level -> country code
    line: int | None = None


@dataclass(frozen=True)
class CommonDomain:
    id: str
    label: dict[str, str]
    levels: dict[str, dict[str, str]]            # common level id -> labels
    countries: dict[str, DomainMap]
    line: int | None = None

    def mapping(self, country: str) -> DomainMap:
        return self.countries.get(country) or DomainMap(None)


@dataclass(frozen=True)
class TableSpec:
    id: str
    kind: str
    title: dict[str, str]
    indicators: tuple[str, ...]
    domains: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Harmonisation:
    path: Path
    indicators: dict[str, CommonIndicator]
    domains: dict[str, CommonDomain]
    tables: tuple[TableSpec, ...]


@dataclass(frozen=True)
class Region:
    """A validated region folder."""

    dir: Path
    name: str
    languages: tuple[str, ...]
    countries: tuple[CountryRef, ...]
    harmonisation: Harmonisation
    combine: str = "population"
    on_suppressed: str = "exclude"
    suppress_below: int = 25
    caution_below: int = 50
    titles: dict = field(default_factory=dict)   # the name in each language

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.name

    @property
    def toml_path(self) -> Path:
        return self.dir / REGION_FILE

    def country(self, cid: str) -> CountryRef:
        return next(c for c in self.countries if c.id == cid)


# ------------------------------------------------------------------------ region.toml
REGION_KEYS = {"name": (str, dict), "languages": list, "harmonisation": str, "combine": str,
               "on_suppressed": str, "suppress_below": int, "caution_below": int}
COUNTRY_KEYS = {"id": str, "name": (str, dict), "study": str, "population": int}


def _toml_lines(text: str) -> tuple[dict, list[dict]]:
    """Lines of ``[region]`` keys and of each ``[[countries]]`` block's keys."""
    region: dict[str, int] = {}
    countries: list[dict[str, int]] = []
    current: dict[str, int] | None = None
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[["):
            current = {"": i}
            countries.append(current)
        elif line.startswith("["):
            current = region if line.strip("[] ") == "region" else {}
            current.setdefault("", i)
        elif (m := re.match(r"^([A-Za-z0-9_\-]+)\s*=", line)) and current is not None:
            current.setdefault(m.group(1), i)
    return region, countries


def _unknown(report: ValidationReport, key: str, known, file: str, line, where: str) -> None:
    close = difflib.get_close_matches(key, list(known), n=1)
    report.add("REG-002", f"unknown key '{key}' in {where}", file=file, line=line,
               hint=(f"Did you mean '{close[0]}'? " if close else "") + f"Known: {', '.join(known)}")


def load_region(dir: str | Path) -> Region:
    """Read ``DIR/region.toml`` and its harmonisation file; raise listing every problem."""
    root = Path(dir).expanduser().resolve()
    path = root / REGION_FILE
    if not path.exists():
        raise DhkitError("REG-001", f"{path}: no region.toml; create one with "
                         f"`dhkit region init {dir}`.")
    text = path.read_text(encoding="utf-8")
    file = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DhkitError("REG-001", f"{path}: not valid TOML ({exc}). Fix the syntax.") from None
    rlines, clines = _toml_lines(text)
    report = ValidationReport()
    for key in data:
        if key not in ("region", "countries"):
            report.add("REG-002", f"unknown section [{key}]", file=file,
                       hint="Use [region] and [[countries]].")
    reg = data.get("region", {}) if isinstance(data.get("region"), dict) else {}
    if "region" not in data:
        report.add("REG-003", "missing section [region]", file=file,
                   hint='Add [region] with name = "...".')
    for key, value in reg.items():
        if key not in REGION_KEYS:
            _unknown(report, key, REGION_KEYS, file, rlines.get(key), "[region]")
        elif not isinstance(value, REGION_KEYS[key]) or isinstance(value, bool):
            kind = getattr(REGION_KEYS[key], "__name__", "text or {en, es} table")
            report.add("REG-003", f"'{key}' in [region] must be a {kind}",
                       file=file, line=rlines.get(key), field=f"region.{key}")
    raw = reg.get("name")
    titles = {lang: raw for lang in LANGS} if isinstance(raw, str) else \
        {k: str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    name = titles.get("en") or next(iter(titles.values()), "")
    if not name:
        report.add("REG-003", "missing 'name' in [region]", file=file, line=rlines.get(""),
                   field="region.name", hint='Add name = "..."')
    langs = tuple(reg.get("languages", ["en", "es"])) if isinstance(reg.get("languages", []), list) else ()
    for lang in langs:
        if lang not in LANGS:
            report.add("REG-003", f"unknown report language '{lang}'", file=file,
                       line=rlines.get("languages"), field="region.languages",
                       hint=f"Use {', '.join(LANGS)}.")
    for key, allowed in (("combine", COMBINE), ("on_suppressed", ON_SUPPRESSED)):
        value = reg.get(key, allowed[0])
        if isinstance(value, str) and value not in allowed:
            report.add("REG-003", f"'{key}' must be one of {', '.join(allowed)}, not '{value}'",
                       file=file, line=rlines.get(key), field=f"region.{key}")
    sup, cau = reg.get("suppress_below", 25), reg.get("caution_below", 50)
    if isinstance(sup, int) and isinstance(cau, int) and not 0 <= sup <= cau:
        report.add("REG-003", f"suppress_below={sup} must be ≤ caution_below={cau}", file=file,
                   line=rlines.get("suppress_below"), field="region.suppress_below")
    countries = _countries(data.get("countries", []), clines, root, file, report)
    harm_path = root / str(reg.get("harmonisation", "harmonisation.yaml"))
    harm = None
    if not harm_path.exists():
        report.add("REG-004", f"harmonisation file {harm_path.name} does not exist", file=file,
                   line=rlines.get("harmonisation"), field="region.harmonisation",
                   hint="Create it (`dhkit region init` writes a starting one) or fix the path.")
    else:
        harm = load_harmonisation(harm_path, [c.id for c in countries], report)
    if not report.ok:
        raise ValidationError("REG-000", f"{len(report)} problem(s) in {path.name} or its "
                              "harmonisation file", report)
    return Region(root, name, langs, tuple(countries), harm, titles=titles,
                  combine=reg.get("combine", "population"),
                  on_suppressed=reg.get("on_suppressed", "exclude"),
                  suppress_below=sup, caution_below=cau)


def _countries(items, clines, root: Path, file: str, report: ValidationReport) -> list[CountryRef]:
    out: list[CountryRef] = []
    if not isinstance(items, list) or not items:
        report.add("REG-005", "no [[countries]] listed", file=file,
                   hint="Add a [[countries]] block with id, name and study for each country.")
        return out
    seen: set[str] = set()
    for i, item in enumerate(items):
        lines = clines[i] if i < len(clines) else {}
        for key, value in item.items():
            if key not in COUNTRY_KEYS:
                _unknown(report, key, COUNTRY_KEYS, file, lines.get(key), "[[countries]]")
            elif not isinstance(value, COUNTRY_KEYS[key]) or isinstance(value, bool):
                report.add("REG-003", f"'{key}' of a country has the wrong type", file=file,
                           line=lines.get(key), field=f"countries.{key}")
        cid, study = item.get("id"), item.get("study")
        if not isinstance(cid, str) or not re.fullmatch(r"[A-Z]{2}", cid or ""):
            report.add("REG-005", "a country needs id = two capital letters (ISO 3166-1)",
                       file=file, line=lines.get("id", lines.get("")), field="countries.id")
            continue
        if cid in seen:
            report.add("REG-005", f"country {cid} is listed twice", file=file,
                       line=lines.get("id"), field="countries.id")
            continue
        seen.add(cid)
        if not isinstance(study, str):
            report.add("REG-005", f"country {cid} has no study folder", file=file,
                       line=lines.get(""), field="countries.study",
                       hint='Add study = "path/to/study" (relative to the region folder).')
            continue
        sdir = (root / study).resolve()
        if not (sdir / "study.toml").exists():
            report.add("REG-006", f"country {cid}: {study} is not a study folder (no study.toml)",
                       file=file, line=lines.get("study"), field="countries.study",
                       hint="Point it at a folder made by `dhkit init`.")
        name = item.get("name", cid)
        names = {"en": name, "es": name} if isinstance(name, str) else dict(name)
        pop = item.get("population")
        out.append(CountryRef(cid, names, sdir, pop if isinstance(pop, int) else None,
                              lines.get("")))
    return out


# ------------------------------------------------------------------- harmonisation
def _labels(node, file, line, what, report) -> dict[str, str]:
    if isinstance(node, str):
        return {lang: node for lang in LANGS}
    if not isinstance(node, dict):
        report.add("REG-011", f"{what}: a label must be text or {{en: ..., es: ...}}",
                   file=file, line=line)
        return {}
    for lang in LANGS:
        if not node.get(lang):
            report.add("REG-011", f"{what}: no '{lang}' text", file=file, line=line,
                       hint=f"Add {lang}: ... to the label.")
    return {k: str(v) for k, v in node.items()}


def _keys(node, known, file, where, report) -> None:
    if isinstance(node, dict):
        for key in node:
            if key not in known:
                line = node.line_of(key) if hasattr(node, "line_of") else None
                _unknown(report, str(key), known, file, line, where)


def load_harmonisation(path: Path, countries: list[str],
                       report: ValidationReport | None = None) -> Harmonisation:
    """Read the harmonisation YAML; problems go to ``report`` (raised if none is given)."""
    from dhkit import yamlio

    own = report is None
    report = report if report is not None else ValidationReport()
    file = str(path)
    doc = yamlio.load(path) or {}
    _keys(doc, ("version", "same_ids", "indicators", "domains", "tables"), file,
          "the harmonisation file", report)
    inds = {k: _indicator(k, v, doc["indicators"].line_of(k), countries, file, report)
            for k, v in (doc.get("indicators") or {}).items()}
    doms = {k: _domain(k, v, doc["domains"].line_of(k), countries, file, report)
            for k, v in (doc.get("domains") or {}).items()}
    tables = tuple(_table(t, line, inds, doms, file, report)
                   for t, line in zip(doc.get("tables") or [],
                                      getattr(doc.get("tables"), "lines", [None] * 999)))
    if not tables:
        report.add("REG-015", "no tables: the report would be empty", file=file,
                   hint="Add tables: with at least one table of indicators.")
    if doc.get("same_ids"):       # studies on the shipped catalogue: same ids and codes
        inds = {k: _fill(v, countries) for k, v in inds.items()}
        doms = {k: _fill(v, countries) for k, v in doms.items()}
    if own and not report.ok:
        raise ValidationError("REG-000", f"{len(report)} problem(s) in {path.name}", report)
    return Harmonisation(path, inds, doms, tuple(t for t in tables if t is not None))


def _fill(item, countries: list[str]):
    """``same_ids: true``: a country not listed uses the common id and codes."""
    from dataclasses import replace

    if isinstance(item, CommonIndicator):
        extra = {c: IndicatorMap(item.id, {k: k for k in item.categories})
                 for c in countries if c not in item.countries}
    else:
        extra = {c: DomainMap(item.id, {k: k for k in item.levels})
                 for c in countries if c not in item.countries}
    return replace(item, countries={**item.countries, **extra})


def _country_key(cid, known: list[str], file, line, what, report) -> bool:
    if cid not in known:
        report.add("REG-012", f"{what}: country '{cid}' is not in region.toml", file=file,
                   line=line, hint=f"Use one of {', '.join(known)} or add the country.")
        return False
    return True


def _is_nc(value) -> bool:
    return isinstance(value, str) and value.strip().lower() in (NOT_COLLECTED, "not_collected")


def _indicator(iid, node, line, countries, file, report) -> CommonIndicator:
    what = f"indicator {iid}"
    if not isinstance(node, dict):
        report.add("REG-010", f"{what}: must be a mapping", file=file, line=line)
        return CommonIndicator(iid, {}, {}, {}, {}, line)
    _keys(node, ("label", "base", "categories", "countries"), file, what, report)
    for key in ("label", "base", "countries"):
        if key not in node:
            report.add("REG-010", f"{what}: missing '{key}'", file=file, line=line)
    label = _labels(node.get("label", {}), file, node.line_of("label"), what, report)
    base = _labels(node.get("base", {}), file, node.line_of("base"), what + " base", report)
    cats = {}
    for cat, lab in (node.get("categories") or {}).items():
        cats[str(cat)] = _labels(lab, file, node["categories"].line_of(cat),
                                 f"{what} category {cat}", report)
    maps = {}
    cnode = node.get("countries") or {}
    for cid, m in cnode.items():
        cline = cnode.line_of(cid)
        if not _country_key(cid, countries, file, cline, what, report):
            continue
        if m is None or _is_nc(m):
            maps[cid] = IndicatorMap(None, {}, cline)
        elif isinstance(m, str):
            maps[cid] = IndicatorMap(m, {c: c for c in cats}, cline)
        elif isinstance(m, dict):
            _keys(m, ("indicator", "categories"), file, f"{what}, {cid}", report)
            local = m.get("indicator")
            if not isinstance(local, str):
                report.add("REG-013", f"{what}, {cid}: give indicator: (the country's id) or "
                           f"'{NOT_COLLECTED}'", file=file, line=cline)
                continue
            cmap = {str(k): (None if v is None or _is_nc(v) else str(v))
                    for k, v in (m.get("categories") or {}).items()}
            for k in cmap:
                if k not in cats:
                    report.add("REG-014", f"{what}, {cid}: unknown common category '{k}'",
                               file=file, line=m["categories"].line_of(k),
                               hint=f"Use one of {', '.join(cats) or '(none defined)'}.")
            full = {c: cmap.get(c, c) for c in cats}
            maps[cid] = IndicatorMap(local, full, cline)
        else:
            report.add("REG-013", f"{what}, {cid}: a mapping must be an id, a table or "
                       f"'{NOT_COLLECTED}'", file=file, line=cline)
    return CommonIndicator(iid, label, base, cats, maps, line)


def _domain(did, node, line, countries, file, report) -> CommonDomain:
    what = f"domain {did}"
    if not isinstance(node, dict):
        report.add("REG-010", f"{what}: must be a mapping", file=file, line=line)
        return CommonDomain(did, {}, {}, {}, line)
    _keys(node, ("label", "levels", "countries"), file, what, report)
    label = _labels(node.get("label", {}), file, node.line_of("label"), what, report)
    levels = {str(k): _labels(v, file, node["levels"].line_of(k), f"{what} level {k}", report)
              for k, v in (node.get("levels") or {}).items()}
    if not levels:
        report.add("REG-010", f"{what}: no levels", file=file, line=line)
    maps = {}
    cnode = node.get("countries") or {}
    for cid, m in cnode.items():
        cline = cnode.line_of(cid)
        if not _country_key(cid, countries, file, cline, what, report):
            continue
        if m is None or _is_nc(m):
            maps[cid] = DomainMap(None, {}, cline)
            continue
        if not isinstance(m, dict) or not isinstance(m.get("domain"), str):
            report.add("REG-013", f"{what}, {cid}: give domain: and levels:", file=file, line=cline)
            continue
        _keys(m, ("domain", "levels"), file, f"{what}, {cid}", report)
        lv = {str(k): str(v) for k, v in (m.get("levels") or {}).items()}
        for k in lv:
            if k not in levels:
                report.add("REG-014", f"{what}, {cid}: unknown common level '{k}'", file=file,
                           line=m["levels"].line_of(k), hint=f"Use one of {', '.join(levels)}.")
        maps[cid] = DomainMap(m["domain"], lv, cline)
    return CommonDomain(did, label, levels, maps, line)


def _table(node, line, inds, doms, file, report) -> TableSpec | None:
    if not isinstance(node, dict) or "id" not in node:
        report.add("REG-015", "a table needs id, title and indicators", file=file, line=line)
        return None
    what = f"table {node['id']}"
    _keys(node, ("id", "kind", "title", "indicators", "domains"), file, what, report)
    kind = node.get("kind", "indicators")
    if kind not in TABLE_KINDS:
        report.add("REG-015", f"{what}: unknown kind '{kind}'", file=file,
                   line=node.line_of("kind"), hint=f"Use {', '.join(TABLE_KINDS)}.")
    title = _labels(node.get("title", {}), file, node.line_of("title"), what, report)
    ids = tuple(node.get("indicators") or ())
    for i in ids:
        if i not in inds:
            report.add("REG-016", f"{what}: unknown indicator '{i}'", file=file,
                       line=node.line_of("indicators"), hint="Define it under indicators:.")
    if not ids:
        report.add("REG-015", f"{what}: no indicators", file=file, line=line)
    if kind in ("platforms", "overlap") and ids and ids[0] in inds and not inds[ids[0]].categories:
        report.add("REG-015", f"{what}: a {kind} table needs an indicator with categories",
                   file=file, line=node.line_of("indicators"))
    dids = tuple(node.get("domains") or ())
    for d in dids:
        if d not in doms:
            report.add("REG-016", f"{what}: unknown domain '{d}'", file=file,
                       line=node.line_of("domains"), hint="Define it under domains:.")
    return TableSpec(str(node["id"]), kind, title, ids, dids, line)


# ------------------------------------------------------------------------------ init
REGION_TEMPLATE = '''# A regional comparison built from several national studies (dhkit region).
# Each country is a normal study folder with its own key, design, weights and catalogue;
# nothing pools rows across designs. See docs/region.md.

[region]
name = {name}
languages = ["en", "es"]
harmonisation = "harmonisation.yaml"
combine = "population"        # population | equal | none: the combined column's weighting
on_suppressed = "exclude"     # exclude | suppress: a combined figure over a suppressed cell
suppress_below = 25           # regional floor; the stricter of this and a country's applies
caution_below = 50

# [[countries]]
# id = "CO"
# name = {{ en = "Colombia", es = "Colombia" }}
# study = "countries/CO/study"
# population = 4100000        # optional: internet-using 12–17s (default: the study's)
'''

#: the starting harmonisation: (table id, kind, title en, title es, indicators, domains),
#: in the order and with the measures of the regional presentation: its headline (at
#: least one of the four forms it lists, then each form), platforms, the overlap of online
#: and in-person abuse, who the offenders were, disclosure, girls' and boys' online
#: activities and talk about online safety (its gender slide), risks and digital skills in
#: urban and rural areas (its territorial slide) and the
#: role of caregivers (children online at home; caregivers' use, knowledge, talk, worry
#: and where they would turn)
STARTER_TABLES = (
    ("prevalence", "indicators", "Children subjected to TF-CSEA in the past year",
     "Niñas, niños y adolescentes que sufrieron ESNNA facilitada por la tecnología en el último año",
     ("ocsea_four_forms", "ab_offered_money_images", "ab_offered_money_acts",
      "ab_shared_without_consent", "ab_threatened_share", "any_tfcsea", "ab_unwanted_images",
      "ab_requested_sexual_content", "ab_ai_images"), ("sex", "area")),
    ("platforms", "platforms", "Social media platforms where children were subjected to abuse",
     "Redes sociales donde niñas, niños y adolescentes sufrieron abuso",
     ("victim_platform",), ()),
    ("overlap", "overlap", "Where children's abuse happened: online, in person or both",
     "Dónde ocurrió el abuso: en línea, en persona o ambos", ("abuse_space",), ()),
    ("offenders", "indicators", "Who the perpetrators were",
     "Quiénes fueron los agresores", ("inst_perp_known", "inst_relation"), ()),
    ("disclosure", "indicators", "Disclosure by children subjected to TF-CSEA",
     "Revelación por parte de niñas, niños y adolescentes que sufrieron ESNNA",
     ("told_anyone", "told_no_one", "reported_formal", "inst_told_whom"), ()),
    ("online", "indicators", "Girls and boys: online activities and talk about online safety",
     "Niñas y niños: actividades en línea y conversación sobre seguridad en línea",
     ("social_media_weekly", "games_weekly", "cg_talked_online_safety"), ("sex",)),
    ("area", "indicators", "Urban and rural areas: risks met online and digital skills",
     "Zonas urbanas y rurales: riesgos en línea y habilidades digitales",
     ("met_online_contact", "shared_personal_info", "saw_sexual_content", "skill_privacy",
      "skill_check_info", "skill_block", "skill_choose_share"), ("area",)),
    ("caregivers", "indicators", "The role of caregivers", "El papel de los cuidadores",
     ("places_online", "cg_internet_weekly", "cg_knows_platforms", "cg_talked_online_safety",
      "cg_worry_online_sex", "cg_would_report_formal", "cg_would_report_nobody"), ()),
)
#: the categories a starting table shows where not every one (the presentation's
#: "use the internet from home")
STARTER_CATEGORIES = {"places_online": ("home",)}


def starter_harmonisation(overrides: dict | None = None) -> dict:
    """A harmonisation document from the shipped catalogue: every indicator of
    :data:`STARTER_TABLES` with its labels and base, ``same_ids: true``.
    ``overrides[indicator or domain id][country] = mapping`` adds country mappings."""
    from dhkit.indicators.catalogue import load_catalogue

    cat = load_catalogue(None, languages=LANGS)
    overrides = overrides or {}
    inds, doms = {}, {}
    for _, _, _, _, ids, dids in STARTER_TABLES:
        for i in ids:
            ind = cat.indicators[i]
            node = {"label": dict(ind.label),
                    "base": dict(cat.bases[ind.base].label)}
            if ind.type in ("multiple_response", "distribution"):
                keep = STARTER_CATEGORIES.get(i)
                node["categories"] = {str(lvl): dict(ind.level_labels[lvl])
                                      for _, lvl in ind.columns()
                                      if keep is None or lvl in keep}
            node["countries"] = dict(overrides.get(i, {}))
            inds[i] = node
        for d in dids:
            dom = cat.domains[d]
            doms[d] = {"label": dict(dom.label),
                       "levels": {str(k): dict(v) for k, v in dom.levels.items()},
                       "countries": dict(overrides.get(d, {}))}
    tables = [{"id": t, "kind": k, "title": {"en": en, "es": es}, "indicators": list(ids),
               "domains": list(dids)} for t, k, en, es, ids, dids in STARTER_TABLES]
    return {"version": 1, "same_ids": True, "indicators": inds, "domains": doms,
            "tables": tables}


def write_harmonisation(doc: dict, path: Path) -> Path:
    import yaml

    head = ("# Harmonisation: common ids -> each country's indicator, domain and codes\n"
            "# (dhkit region; docs/region.md). same_ids: a country not listed under an item\n"
            "# uses the same id and codes; write `not collected` where a country lacks it.\n")
    path.write_text(head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100),
                    encoding="utf-8")
    return path


def init_region(dir: str | Path, name: str = "Regional comparison") -> Path:
    """Create ``DIR/region.toml`` and a starting ``harmonisation.yaml`` (the shipped
    household survey's indicators, same ids in every country); refuse to overwrite."""
    root = Path(dir)
    path = root / REGION_FILE
    if path.exists():
        raise DhkitError("REG-007", f"{path} already exists; edit it, or choose another folder.")
    root.mkdir(parents=True, exist_ok=True)
    path.write_text(REGION_TEMPLATE.format(name='"' + name.replace('"', '\\"') + '"'),
                    encoding="utf-8")
    harm = root / "harmonisation.yaml"
    if not harm.exists():
        write_harmonisation(starter_harmonisation(), harm)
    return path
