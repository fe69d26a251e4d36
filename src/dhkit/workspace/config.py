"""The study folder and its ``study.toml``: typed settings, validated on load.

``load_study(dir)`` reads ``DIR/study.toml`` into a :class:`Study` (one frozen dataclass per
section) and lists EVERY problem at once — unknown sections or keys, wrong types, missing
required settings, thresholds out of order, a key file inside the folder, an unknown
``lonely_psu`` — each with the file, line and what to do (frictionless style). The format is
documented in ``docs/study-toml.md``; error codes in ``docs/errors/CFG.md``.

Why a small schema table here rather than a JSON-schema library: the settings are a handful
of flat sections, and ``tomllib`` gives no line numbers, which a short line scanner adds; a
schema library would add a dependency and still not know TOML lines.

>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> _ = (Path(d) / "study.toml").write_text('[study]\\nname = "Demo"\\ncountry = "CO"\\n')
>>> s = load_study(d)
>>> s.country, s.design.strata, s.disclosure.suppress_below
('CO', 'region', 25)
"""

from __future__ import annotations

import difflib
import re
import shutil
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dhkit.errors import DhkitError, ValidationError
from dhkit.validation import ValidationReport

STUDY_FILE = "study.toml"
LONELY_PSU = ("fail", "remove", "certainty", "adjust", "average")


class ConfigError(ValidationError):
    """``study.toml`` is invalid; ``report`` lists every problem (exit code 2: input error)."""

    exit_code = 2


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class StudySettings:
    name: str
    country: str                         # ISO 3166-1 alpha-2
    languages: tuple[str, ...] = ("en",)  # report languages; the first is the default
    demo: bool = False                   # accepts the public demo key
    seed: int = 20240601


@dataclass(frozen=True)
class PathSettings:
    instrument: str = "instrument/household_survey.xlsx"   # relative to the study folder
    store: str = "store/study.duckdb"
    key_file: str = ""                   # optional; must lie outside the study folder


@dataclass(frozen=True)
class DesignSettings:
    strata: str = "region"
    psu: str = "psu_id"
    weights: str = "weight"
    fpc: str = ""
    lonely_psu: str = "fail"             # fail | remove | certainty | adjust | average
    population_children: int | None = None
    pps: str = ""                        # "" | brewer | hr | overton (PSUs drawn PPS, fpc = pi)
    pps_variance: str = "HT"             # HT | YG (YG with hr/overton only, as R)


@dataclass(frozen=True)
class DisclosureSettings:
    suppress_below: int = 25             # unweighted base < this -> suppressed (*)
    caution_below: int = 50              # below this -> in parentheses, "interpret with caution"


@dataclass(frozen=True)
class ImportSettings:
    key: str = "hh_id"                   # the submission's unique id variable
    age_variable: str = "child_age"      # checked against age_range (IMP-011)
    age_range: tuple[int, int] = (12, 17)


#: section name in the TOML -> (dataclass, attribute on Study, required keys)
SECTIONS: dict[str, tuple[type, str, tuple[str, ...]]] = {
    "study": (StudySettings, "settings", ("name", "country")),
    "paths": (PathSettings, "paths", ()),
    "design": (DesignSettings, "design", ()),
    "disclosure": (DisclosureSettings, "disclosure", ()),
    "import": (ImportSettings, "imports", ()),
}

#: (section, key) -> expected TOML type, as a name shown to users
TYPES: dict[tuple[str, str], str] = {
    ("study", "name"): "string", ("study", "country"): "string",
    ("study", "languages"): "list of strings", ("study", "demo"): "true/false",
    ("study", "seed"): "integer",
    ("paths", "instrument"): "string", ("paths", "store"): "string",
    ("paths", "key_file"): "string",
    ("design", "strata"): "string", ("design", "psu"): "string", ("design", "weights"): "string",
    ("design", "fpc"): "string", ("design", "lonely_psu"): "string",
    ("design", "pps"): "string", ("design", "pps_variance"): "string",
    ("design", "population_children"): "integer",
    ("disclosure", "suppress_below"): "integer", ("disclosure", "caution_below"): "integer",
    ("import", "key"): "string", ("import", "age_variable"): "string",
    ("import", "age_range"): "list of 2 integers",
}


@dataclass(frozen=True)
class Study:
    """A study folder with its validated settings. Attribute names mirror ``study.toml``
    sections (``[import]`` is :attr:`imports`, ``[study]`` is :attr:`settings`)."""

    dir: Path
    settings: StudySettings
    paths: PathSettings
    design: DesignSettings
    disclosure: DisclosureSettings
    imports: ImportSettings

    # shortcuts to [study]
    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def country(self) -> str:
        return self.settings.country

    @property
    def languages(self) -> tuple[str, ...]:
        return self.settings.languages

    @property
    def demo(self) -> bool:
        return self.settings.demo

    @property
    def seed(self) -> int:
        return self.settings.seed

    @property
    def toml_path(self) -> Path:
        return self.dir / STUDY_FILE

    @property
    def instrument_path(self) -> Path:
        return _resolve(self.dir, self.paths.instrument)

    @property
    def store_path(self) -> Path:
        return _resolve(self.dir, self.paths.store)

    @property
    def key_file_path(self) -> Path | None:
        return _resolve(self.dir, self.paths.key_file) if self.paths.key_file else None

    def open_store(self):
        """Open (creating if needed) the encrypted store with the study key: ``DHKIT_KEY``,
        else the key file, else the public demo key when ``demo = true``; refuse otherwise
        (SafetyError, exit 3).

        >>> import tempfile
        >>> s = init_study(tempfile.mkdtemp(), instrument=False, demo=True)
        >>> with s.open_store() as store:
        ...     store.has_table("audit_log")
        True
        """
        from dhkit.workspace.store import Store, resolve_key

        key = resolve_key(self.dir, key_file=self.key_file_path, demo=self.demo)
        self.store_path.parent.mkdir(parents=True, exist_ok=True)
        return Store.open(self.store_path, key)

    def codebook(self):
        """The instrument's typed codebook (read with ``dhkit.instrument.xlsform``)."""
        if not self.instrument_path.exists():
            raise DhkitError("WS-003", f"{self.toml_path}: the instrument "
                             f"{self.paths.instrument} does not exist; fix [paths] instrument "
                             "or copy the XLSForm there.")
        from dhkit.instrument.versions import study_codebook   # several form versions
        from dhkit.instrument.xlsform import read_xlsform

        return study_codebook(self, read_xlsform(self.instrument_path))


def _resolve(base: Path, p: str) -> Path:
    path = Path(p).expanduser()
    return path if path.is_absolute() else base / path


# ----------------------------------------------------------------------------- loading


def load_study(dir: str | Path) -> Study:
    """Read and validate ``DIR/study.toml``; raise :class:`ConfigError` listing every problem.

    >>> load_study("/nonexistent")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    dhkit.errors.DhkitError: [WS-002] ...
    """
    folder = Path(dir).expanduser().resolve()
    path = folder / STUDY_FILE
    if not path.is_file():
        raise DhkitError("WS-002", f"{path} not found: {folder} is not a study folder. "
                         f"Create one with: dhkit init {dir}")
    text = path.read_text(encoding="utf-8")
    report = ValidationReport()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        report.add("CFG-001", f"not valid TOML ({exc})", file=str(path),
                   line=int(m.group(1)) if m else None,
                   hint="Fix the syntax (quotes around text, key = value, [section])")
        raise _config_error(path, report) from None
    lines = _key_lines(text)
    values = _check(data, lines, str(path), report)
    placeholders = {"name": "", "country": ""}      # missing required: already reported
    study = Study(dir=folder, **{
        attr: cls(**{**{k: placeholders[k] for k in req if k not in values[s]}, **values[s]})
        for s, (cls, attr, req) in SECTIONS.items()})
    flagged = {p.field for p in report}
    semantic = ValidationReport()
    _check_semantics(study, lines, str(path), semantic)
    report.extend([p for p in semantic if p.field not in flagged])
    if not report.ok:
        raise _config_error(path, report)
    return study


def _config_error(path: Path, report: ValidationReport) -> ConfigError:
    items = "; ".join(
        f"({i}) {'line ' + str(p.line) + ': ' if p.line else ''}[{p.code}] {p.message}"
        + (f" — {p.hint}" if p.hint else "")
        for i, p in enumerate(report, 1))
    n = len(report)
    return ConfigError("CFG-000", f"{path} has {n} problem{'s' * (n != 1)}: {items}", report)


def _key_lines(text: str) -> dict[tuple[str, str | None], int]:
    """1-based line of every ``[section]`` (key None) and ``key =`` in a flat TOML file."""
    out: dict[tuple[str, str | None], int] = {}
    section = ""
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith('"') else raw.strip()
        if m := re.match(r"^\[\s*([^\]]+?)\s*\]", line):
            section = m.group(1).strip('"')
            out.setdefault((section, None), i)
        elif m := re.match(r'^"?([A-Za-z0-9_\-]+)"?\s*=', line):
            out.setdefault((section, m.group(1)), i)
    return out


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "true/false":
        return isinstance(value, bool)
    if kind == "list of strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "list of 2 integers":
        return (isinstance(value, list) and len(value) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value))
    return False


def _check(data: dict, lines: dict, file: str, report: ValidationReport) -> dict[str, dict]:
    """Structure and types: unknown sections/keys, wrong types, missing required keys."""
    values: dict[str, dict] = {s: {} for s in SECTIONS}
    for section, content in data.items():
        if section not in SECTIONS:
            report.add("CFG-002", f"unknown section [{section}]", file=file,
                       line=lines.get((section, None)),
                       hint=f"Use one of {', '.join('[' + s + ']' for s in SECTIONS)}")
            continue
        if not isinstance(content, dict):
            report.add("CFG-003", f"'{section}' must be a section [{section}]", file=file,
                       line=lines.get(("", section)))
            continue
        known = [f.name for f in fields(SECTIONS[section][0])]
        for key, value in content.items():
            where = dict(file=file, line=lines.get((section, key)), field=f"{section}.{key}")
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                report.add("CFG-002", f"unknown setting '{key}' in [{section}]", **where,
                           hint=(f"Did you mean '{close[0]}'? " if close else "")
                           + f"Known: {', '.join(known)}")
                continue
            kind = TYPES[(section, key)]
            if not _type_ok(value, kind):
                a = "an" if kind[0] in "aeiou" else "a"
                report.add("CFG-003", f"'{key}' in [{section}] must be {a} {kind}, "
                           f"not {type(value).__name__}", **where,
                           hint=f"Write it as {a} {kind}, e.g. {_example(kind)}")
                continue
            if kind.startswith("list"):
                value = tuple(value)
            values[section][key] = value
    for section, (_, _, required) in SECTIONS.items():
        for key in required:
            if key not in values[section] and not any(
                    p.field == f"{section}.{key}" for p in report):
                report.add("CFG-004", f"missing required setting '{key}' in [{section}]",
                           file=file, line=lines.get((section, None)), field=f"{section}.{key}",
                           hint=f"Add {key} = {_example(TYPES[(section, key)])} under [{section}]")
    return values


def _example(kind: str) -> str:
    return {"string": '"text"', "integer": "25", "true/false": "true",
            "list of strings": '["en", "es"]', "list of 2 integers": "[12, 17]"}[kind]


def _check_pps(d: DesignSettings, add) -> None:
    """``[design] pps``: a method R knows, a variance that fits it, and ``fpc`` naming the
    PSUs' inclusion probabilities (the survey engine's own checks, said at load)."""
    from dhkit.survey.pps import PPS_METHODS

    if not d.pps:
        if d.pps_variance != "HT":
            add("CFG-005", "design", "pps_variance", "pps_variance is set but pps is not",
                'Set pps = "hr" or "overton" for YG, or remove the line')
        return
    if d.pps not in PPS_METHODS:
        add("CFG-005", "design", "pps", f"unknown pps '{d.pps}'",
            f"Use one of {', '.join(PPS_METHODS)}, or remove the line")
    if d.pps_variance not in ("HT", "YG"):
        add("CFG-005", "design", "pps_variance", f"unknown pps_variance '{d.pps_variance}'",
            'Use "HT" (Horvitz-Thompson) or "YG" (Yates-Grundy)')
    elif d.pps_variance == "YG" and d.pps == "brewer":
        add("CFG-005", "design", "pps_variance", "YG variance does not apply to brewer",
            'Use pps = "hr" or "overton" with YG, or pps_variance = "HT"')
    if not d.fpc:
        add("CFG-005", "design", "fpc", f"pps = \"{d.pps}\" needs fpc: the column holding "
            "each PSU's inclusion probability", 'Set fpc = "p_psu" (the sample draw\'s '
            "probability), or remove pps")


def _check_semantics(study: Study, lines: dict, file: str, report: ValidationReport) -> None:
    """Values that have the right type but are not allowed or do not fit together."""
    def add(code, section, key, message, hint):
        report.add(code, message, file=file, line=lines.get((section, key)),
                   field=f"{section}.{key}", hint=hint)

    s, d, q, imp = study.settings, study.design, study.disclosure, study.imports
    if not re.fullmatch(r"[A-Z]{2}", s.country):
        add("CFG-005", "study", "country", f"country '{s.country}' is not an ISO 3166-1 "
            "alpha-2 code", "Use two capital letters, e.g. \"CO\"")
    if not s.languages:
        add("CFG-005", "study", "languages", "languages is empty",
            'List at least one language code, e.g. ["en"]')
    for lang in s.languages:
        if not LANGUAGE_CODE.fullmatch(lang):
            add("CFG-005", "study", "languages", f"'{lang}' is not a language code",
                'Use codes such as "en", "es", "pt-BR"')
    if d.lonely_psu not in LONELY_PSU:
        add("CFG-005", "design", "lonely_psu", f"unknown lonely_psu '{d.lonely_psu}'",
            f"Use one of {', '.join(LONELY_PSU)}")
    for key in ("strata", "psu", "weights"):
        if not getattr(d, key):
            add("CFG-005", "design", key, f"{key} is empty", "Name the variable in the data")
    _check_pps(d, add)
    if d.population_children is not None and d.population_children <= 0:
        add("CFG-005", "design", "population_children", "population_children must be > 0",
            "Give the number of internet-using children, or remove the line")
    if q.suppress_below < 1:
        add("CFG-006", "disclosure", "suppress_below", "suppress_below must be at least 1",
            "The usual value is 25")
    if q.caution_below <= q.suppress_below:
        add("CFG-006", "disclosure", "caution_below",
            f"caution_below ({q.caution_below}) must be greater than suppress_below "
            f"({q.suppress_below})", "The usual values are suppress_below = 25, "
            "caution_below = 50")
    lo, hi = imp.age_range
    if lo > hi:
        add("CFG-006", "import", "age_range", f"age_range [{lo}, {hi}] is out of order",
            "Write the lowest age first, e.g. [12, 17]")
    if not imp.key:
        add("CFG-005", "import", "key", "key is empty", 'Name the submission id, e.g. "hh_id"')
    kf = study.key_file_path
    if kf is not None:
        kf_res, folder = kf.resolve(), study.dir.resolve()
        if kf_res == folder or folder in kf_res.parents:
            add("CFG-007", "paths", "key_file", f"key_file {kf} lies inside the study folder",
                "Move the key file outside the folder (the folder is what gets copied and "
                "shared) and give its absolute path")
    for key in ("instrument", "store"):
        if not getattr(study.paths, key):
            add("CFG-005", "paths", key, f"{key} is empty", "Give a path relative to the folder")


# ----------------------------------------------------------------------------- init

TEMPLATE = '''# dhkit study settings. Documented in docs/study-toml.md; checked on every command.

[study]
name = {name}
country = {country}              # ISO 3166-1 alpha-2
languages = {languages}    # report languages; the first is the default
demo = {demo}                # true only for the synthetic demo: it accepts the public demo key
seed = {seed}             # every random step in this study takes this seed unless told

[paths]
instrument = {instrument}   # relative to the study folder
store = "store/study.duckdb"                       # the encrypted DuckDB store
key_file = ""               # optional; must lie OUTSIDE the study folder; else DHKIT_KEY

[design]                    # variable names in the child data
strata = "region"
psu = "psu_id"
weights = "weight"          # final weight (written by `dhkit weights build`)
fpc = ""                    # optional
lonely_psu = "fail"         # fail | remove | certainty | adjust | average
# pps = "brewer"            # PSUs drawn with probability proportional to size: fpc names the
                            # PSU's inclusion probability (brewer | hr | overton, as R)
# population_children = 4100000   # optional: internet-using 12-17s, for "equivalent to N"

[disclosure]
suppress_below = 25         # unweighted base < 25 -> suppressed (*)
caution_below = 50          # 25-49 -> shown in parentheses, "interpret with caution"

[import]
key = "hh_id"               # the submission's unique id (duplicates are quarantined)
age_variable = "child_age"  # checked against age_range
age_range = [12, 17]
'''


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_study(dir: str | Path, instrument: str | Path | None | bool = None, country: str = "CO",
               demo: bool = False, name: str | None = None,
               languages: list[str] | None = None, seed: int = 20240601) -> Study:
    """Create a study folder: ``study.toml`` (with comments) and ``instrument/`` holding a
    copy of the XLSForm (the shipped household survey when ``instrument`` is None;
    ``False`` for none, in tests). Refuses a folder that already has a ``study.toml``.

    >>> import tempfile
    >>> s = init_study(tempfile.mkdtemp(), instrument=False, country="PE", demo=True)
    >>> s.country, s.demo
    ('PE', True)
    """
    folder = Path(dir).expanduser().resolve()
    if (folder / STUDY_FILE).exists():
        raise DhkitError("WS-001", f"{folder / STUDY_FILE} already exists; choose an empty "
                         "folder or edit the existing study.toml.")
    if instrument is None:
        try:
            from dhkit.instrument import shipped_form_path
        except ImportError:
            raise DhkitError("WS-005", "the shipped household-survey form is not available "
                             "in this installation; give your own with --instrument "
                             "FORM.xlsx.") from None
        instrument = shipped_form_path()
    src = Path(instrument) if instrument else None
    if src is not None:
        if not src.is_file():
            raise DhkitError("WS-004", f"instrument {src} not found; give the path of an "
                             "XLSForm (.xlsx).")
        if src.suffix.lower() not in (".xlsx", ".xls"):
            raise DhkitError("WS-004", f"instrument {src} is not an XLSForm (.xlsx or .xls); "
                             "export the form from Kobo/ODK as XLSForm.")
    if not re.fullmatch(r"[A-Z]{2}", country or ""):
        raise DhkitError("CFG-005", f"country '{country}' is not an ISO 3166-1 alpha-2 code; "
                         "use two capital letters, e.g. --country CO.")
    langs = list(languages or _form_languages(src) or ["en"])
    rel = f"instrument/{src.name}" if src is not None else "instrument/household_survey.xlsx"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "instrument").mkdir(exist_ok=True)
    (folder / "store").mkdir(exist_ok=True)
    if src is not None:
        shutil.copyfile(src, folder / rel)
        from dhkit.instrument.attachments import copy_choice_files   # select_..._from_file

        copy_choice_files(src, folder / "instrument")
    title = name or f"Disrupting Harm — {country}" + (" (synthetic demo)" if demo else "")
    text = TEMPLATE.format(
        name=_toml_str(title), country=_toml_str(country),
        languages="[" + ", ".join(_toml_str(x) for x in langs) + "]",
        demo="true" if demo else "false", seed=int(seed), instrument=_toml_str(rel))
    (folder / STUDY_FILE).write_text(text, encoding="utf-8")
    if src is not None and _is_shipped(src):
        _write_weighting_template(folder)
    return load_study(folder)


def settings_not_in_form(study: Study) -> list[str]:
    """The ``study.toml`` settings that name a variable the study's form does not have
    (``init`` writes the shipped form's names: ``psu_id``, ``hh_id``, ...), as
    ``[section] key = "value"``. ``[design] weights`` is left out (``dhkit weights build``
    writes it). Empty when the form cannot be read (``dhkit instrument check`` says why).

    >>> import tempfile
    >>> settings_not_in_form(init_study(tempfile.mkdtemp(), demo=True))
    []
    """
    try:
        names = set(study.codebook().questions)
    except DhkitError:
        return []
    wanted = [("design", "strata", study.design.strata), ("design", "psu", study.design.psu),
              ("design", "fpc", study.design.fpc), ("import", "key", study.imports.key),
              ("import", "age_variable", study.imports.age_variable)]
    return [f'[{sec}] {key} = "{v}"' for sec, key, v in wanted if v and v not in names]


def _is_shipped(src: Path) -> bool:
    from dhkit.instrument import shipped_form_path

    return src.resolve() == shipped_form_path().resolve()


def _write_weighting_template(folder: Path) -> None:
    """For the shipped instrument: its weighting chain (``weighting.toml``) and a margins
    table to fill (``margins.csv``: region, area and sex, totals left empty so that
    ``dhkit weights build`` names each one still to give)."""
    import csv

    from dhkit.instrument import shipped_codebook

    template = Path(__file__).parents[1] / "weighting" / "templates" / "household_survey.toml"
    shutil.copyfile(template, folder / "weighting.toml")
    cb = shipped_codebook()
    rows = [("region", v) for v in cb.choice_values("region")]
    rows += [("area", v) for v in cb.choice_values("area")]
    rows += [("child_sex", v) for v in cb.choice_values(cb.question("child_sex").list_name)]
    with (folder / "margins.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["variable", "level", "total"])
        w.writerows([(var, level, "") for var, level in rows])


#: a report language: ISO 639 code, optionally with a region or script ("pt-BR")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)?")


def _form_languages(src: Path | None) -> list[str]:
    """The form's label languages that are language codes, when the instrument reader is
    available (a plain ``label`` column is the form's "default" language: no code, so the
    study's languages then come from the form's other columns, or English)."""
    if src is None:
        return []
    try:
        from dhkit.instrument.xlsform import read_xlsform
    except ImportError:
        return []
    try:
        return [x for x in read_xlsform(src).languages if LANGUAGE_CODE.fullmatch(x)]
    except DhkitError:
        raise
    except Exception:  # noqa: BLE001 - languages are a convenience; the form is checked on import
        return []
