"""``release.toml``: the disclosure-control choices of a microdata release, validated on load
(every problem at once, with file and line; unknown keys rejected).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "release.toml"
>>> _ = p.write_text('[release]\\nkeys = ["region", "child_sex"]\\nk = 3\\n')
>>> load_release_spec(p).keys
('region', 'child_sex')
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dhkit.errors import ValidationError
from dhkit.validation import ValidationReport
from dhkit.workspace.config import _key_lines

SPEC_FILE = "release.toml"


@dataclass(frozen=True)
class Recode:
    """Global recoding of one variable: groups from ``breaks``/``labels``, an explicit
    ``map`` of values, categories below ``min_count`` merged into ``other``, and
    top/bottom coding."""

    variable: str
    breaks: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()
    map: dict[str, str] = field(default_factory=dict)
    min_count: int | None = None
    other: str = "other"
    top: float | None = None
    bottom: float | None = None


@dataclass(frozen=True)
class Replicates:
    """Replicate weights shipped as ``repw_1..R`` (``[replicates]``): Rao–Wu bootstrap or
    stratified jackknife (JKn) from the survey engine, each replicate re-calibrated to the
    study's margins when ``recalibrate``; the licensed tier always gets them when the
    section is present, the public tier only with ``public = true``."""

    type: str = "bootstrap"
    replicates: int = 50
    recalibrate: bool = True
    public: bool = False
    mse: bool = True


@dataclass(frozen=True)
class LDiversityRule:
    """The l-diversity a release must reach on every sensitive variable (``[ldiversity]``).

    ``measure``: ``distinct``, ``entropy`` (exp of the entropy ≥ l) or ``recursive``
    ((c, l)-diversity); ``dont_care``: values whose disclosure does no harm (a cell holding
    only them is never a violation; recursive becomes Machanavajjhala et al.'s
    pd-recursive (c, l)-diversity). ``treat``: ``suppress`` key values in breaking cells,
    ``refuse`` the release (exit 3, REL-032), or only ``report``."""

    measure: str = "recursive"
    l: float = 2.0
    c: float = 3.0
    treat: str = "suppress"
    dont_care: dict[str, tuple] = field(default_factory=dict)


@dataclass(frozen=True)
class ReleaseSpec:
    keys: tuple[str, ...]
    importance: tuple[str, ...] = ()        # most important first; suppressed last
    sensitive: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    k: int = 3
    seed: int = 20261206
    risk_threshold: float = 0.1
    max_expected_reidentifications: float | None = None
    recodes: tuple[Recode, ...] = ()
    pram: dict[str, float] = field(default_factory=dict)     # variable → keep probability
    noise: dict[str, float] = field(default_factory=dict)    # variable → sd as share of sd(x)
    path: Path | None = None
    household_keys: tuple[str, ...] = ()     # the caregiver's key (same row as the child)
    instance: bool = True                    # also release the instance table
    replicates: Replicates | None = None
    ldiversity: LDiversityRule | None = None
    weight_digits: int | None = None         # public tier: weights rounded to these digits


_RELEASE = {"keys": "list of strings", "importance": "list of strings",
            "sensitive": "list of strings", "drop": "list of strings", "k": "integer",
            "seed": "integer", "risk_threshold": "number",
            "max_expected_reidentifications": "number", "household_keys": "list of strings",
            "instance": "boolean"}
_REPLICATES = {"type": "string", "replicates": "integer", "recalibrate": "boolean",
               "public": "boolean", "mse": "boolean"}
_LDIV = {"measure": "string", "l": "number", "c": "number", "treat": "string",
         "dont_care": "table of lists"}
_WEIGHTS = {"significant_digits": "integer"}
_CHOICES = {("replicates", "type"): ("bootstrap", "JKn"),
            ("ldiversity", "measure"): ("distinct", "entropy", "recursive"),
            ("ldiversity", "treat"): ("suppress", "refuse", "report")}
_RECODE = {"breaks": "list of numbers", "labels": "list of strings", "map": "table of strings",
           "min_count": "integer", "other": "string", "top": "number", "bottom": "number"}
_SECTIONS = {"release", "recode", "pram", "noise", "replicates", "ldiversity", "weights"}


def _ok(value: Any, kind: str) -> bool:
    num = (int, float)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "table of lists":
        return isinstance(value, dict) and all(
            isinstance(v, list) and all(isinstance(x, (str, int, float)) and
                                        not isinstance(x, bool) for x in v)
            for v in value.values())
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, num) and not isinstance(value, bool)
    if kind == "list of strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "list of numbers":
        return isinstance(value, list) and all(isinstance(v, num) and not isinstance(v, bool)
                                               for v in value)
    if kind == "table of strings":
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return False


def load_release_spec(path: str | Path) -> ReleaseSpec:
    """Read and validate ``release.toml``; raise :class:`ValidationError` (``REL-000``)
    listing every problem with its line."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    report = ValidationReport()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        report.add("REL-001", f"not valid TOML: {exc}", file=str(path),
                   hint="Fix the syntax (see docs/release.md).")
        raise _error(path, report) from None
    lines = _key_lines(text)

    def add(code, section, key, message, hint):
        line = lines.get((section, key)) or lines.get((section, None))
        report.add(code, message, file=str(path), line=line, field=key, hint=hint)

    for sec in data:
        if sec not in _SECTIONS:
            report.add("REL-002", f"unknown section [{sec}]", file=str(path),
                       line=lines.get((sec, None)), field=sec,
                       hint=f"Use one of {', '.join(sorted(_SECTIONS))}.")
    rel = data.get("release", {})
    for key, value in rel.items():
        kind = _RELEASE.get(key)
        if kind is None:
            add("REL-002", "release", key, f"unknown key '{key}' in [release]",
                f"Use one of {', '.join(_RELEASE)}.")
        elif not _ok(value, kind):
            add("REL-003", "release", key, f"'{key}' must be a {kind}", "Fix the value.")
    if not rel.get("keys"):
        add("REL-004", "release", None, "no key variables: set [release] keys",
            'e.g. keys = ["region", "area", "child_sex", "child_age"]')
    if _ok(rel.get("k", 3), "integer") and rel.get("k", 3) < 2:
        add("REL-003", "release", "k", "k must be at least 2", "Use k = 3 or more.")
    keys = rel.get("keys", []) if _ok(rel.get("keys", []), "list of strings") else []
    imp = rel.get("importance", []) if _ok(rel.get("importance", []), "list of strings") else []
    for v in imp:
        if v not in keys:
            add("REL-005", "release", "importance", f"'{v}' in importance is not a key variable",
                "List only variables of [release] keys.")
    recodes = []
    for var, body in (data.get("recode") or {}).items():
        sec = f"recode.{var}"
        if not isinstance(body, dict):
            add("REL-003", "recode", var, f"[recode.{var}] must be a table", "See docs/release.md.")
            continue
        good = _checked(body, sec, _RECODE, add)
        br, lab = body.get("breaks", []), body.get("labels", [])
        if (br or lab) and len(lab) != max(len(br) - 1, 0):
            add("REL-006", sec, "labels", f"{len(br)} breaks need {max(len(br) - 1, 0)} labels, "
                f"not {len(lab)}", "Give one label per group between consecutive breaks.")
        if _ok(br, "list of numbers") and list(br) != sorted(br):
            add("REL-006", sec, "breaks", "breaks must increase", "Sort the breaks.")
        recodes.append(Recode(
            var, tuple(good.get("breaks", ())), tuple(good.get("labels", ())),
            {str(a): b for a, b in good.get("map", {}).items()}, good.get("min_count"),
            good.get("other", "other"), good.get("top"), good.get("bottom")))
    pram, noise = {}, {}
    for sec, target, key in (("pram", pram, "keep"), ("noise", noise, "scale")):
        for var, body in (data.get(sec) or {}).items():
            where = f"{sec}.{var}"
            if not isinstance(body, dict) or set(body) - {key}:
                bad = sorted(set(body) - {key}) if isinstance(body, dict) else [var]
                add("REL-002", where, bad[0], f"unknown key '{bad[0]}' in [{where}]",
                    f"[{where}] takes only '{key}'.")
                continue
            value = body.get(key)
            limits = (0.0, 1.0) if sec == "pram" else (0.0, 10.0)
            if not _ok(value, "number") or not limits[0] <= value <= limits[1]:
                add("REL-003", where, key, f"'{key}' must be a number in {limits[0]:g}–"
                    f"{limits[1]:g}", "Fix the value.")
                continue
            target[var] = float(value)
    sens = rel.get("sensitive", []) if _ok(rel.get("sensitive", []), "list of strings") else []
    replicates = _section(data, "replicates", _REPLICATES, add)
    reps = None
    if replicates is not None:
        if replicates.get("replicates", 50) < 2:
            add("REL-003", "replicates", "replicates", "replicates must be at least 2",
                "Use 50 or more bootstrap replicates.")
        if "type" in replicates and str(replicates["type"]).lower() == "jkn":
            replicates["type"] = "JKn"
        reps = Replicates(**replicates)
    ldiv = _section(data, "ldiversity", _LDIV, add)
    rule = None
    if ldiv is not None:
        if ldiv.get("l", 2) < 1:
            add("REL-003", "ldiversity", "l", "l must be at least 1", "Use l = 2 or more.")
        if ldiv.get("c", 3) <= 0:
            add("REL-003", "ldiversity", "c", "c must be positive", "e.g. c = 3.")
        for v in ldiv.get("dont_care", {}):
            if v not in sens:
                add("REL-005", "ldiversity", "dont_care", f"'{v}' in dont_care is not a "
                    "sensitive variable", "List only variables of [release] sensitive.")
        if not sens:
            add("REL-004", "ldiversity", None, "[ldiversity] needs sensitive variables",
                'set [release] sensitive = ["any_tfcsea", ...]')
        ldiv["dont_care"] = {v: tuple(x) for v, x in ldiv.get("dont_care", {}).items()}
        rule = LDiversityRule(**{k: (float(v) if k in ("l", "c") else v)
                                 for k, v in ldiv.items()})
    wts = _section(data, "weights", _WEIGHTS, add) or {}
    if not 1 <= wts.get("significant_digits", 2) <= 8:
        add("REL-003", "weights", "significant_digits", "significant_digits must be 1–8",
            "e.g. significant_digits = 2")
    if not report.ok:
        raise _error(path, report)
    g = {k: v for k, v in rel.items() if k in _RELEASE}
    return ReleaseSpec(
        keys=tuple(g["keys"]), importance=tuple(g.get("importance", ())),
        sensitive=tuple(g.get("sensitive", ())), drop=tuple(g.get("drop", ())),
        k=g.get("k", 3), seed=g.get("seed", 20261206),
        risk_threshold=float(g.get("risk_threshold", 0.1)),
        max_expected_reidentifications=g.get("max_expected_reidentifications"),
        recodes=tuple(recodes), pram=pram, noise=noise, path=path,
        household_keys=tuple(g.get("household_keys", ())), instance=g.get("instance", True),
        replicates=reps, ldiversity=rule, weight_digits=wts.get("significant_digits"))


def _section(data: dict, name: str, schema: dict[str, str], add) -> dict | None:
    """A flat section checked against its schema and choices; None when absent."""
    if name not in data:
        return None
    body = data[name]
    if not isinstance(body, dict):
        add("REL-003", name, None, f"[{name}] must be a table", "See docs/release.md.")
        return {}
    return _checked(body, name, schema, add)


def _checked(body: dict, name: str, schema: dict[str, str], add) -> dict:
    """The keys of table [name] that its schema knows and whose values are valid; every
    other key is a problem (REL-002 unknown, REL-003 wrong type or choice)."""
    good = {}
    for key, value in body.items():
        kind = schema.get(key)
        if kind is None:
            add("REL-002", name, key, f"unknown key '{key}' in [{name}]",
                f"Use one of {', '.join(schema)}.")
        elif not _ok(value, kind):
            add("REL-003", name, key, f"'{key}' must be a {kind}", "Fix the value.")
        elif (name, key) in _CHOICES and str(value).lower() not in [
                c.lower() for c in _CHOICES[(name, key)]]:
            add("REL-003", name, key, f"'{key}' must be one of "
                f"{', '.join(_CHOICES[(name, key)])}, not '{value}'", "Fix the value.")
        else:
            good[key] = value
    return good


def _error(path: Path, report: ValidationReport) -> ValidationError:
    items = "; ".join(f"line {p.line}: [{p.code}] {p.message}" if p.line else
                      f"[{p.code}] {p.message}" for p in report)
    return ValidationError("REL-000", f"{path} has {len(report)} problem(s): {items}", report)


DEMO_SPEC = """\
# release.toml: disclosure-control choices for `dhkit release` (docs/release.md)
[release]
# variables an intruder may know (quasi-identifiers)
keys = ["region", "area", "child_sex", "child_age", "hh_size"]
# most important first: the last ones are suppressed first
importance = ["child_age", "child_sex", "region", "area", "hh_size"]
# l-diversity is reported for these
sensitive = ["any_tfcsea", "inperson_sv", "ab_unwanted_images", "ab_requested_sexual_content"]
# the caregiver's quasi-identifiers (same row as the child): household-level risk
household_keys = ["region", "area", "hh_size", "cg_sex", "cg_age_group"]
k = 3
seed = 20261206
risk_threshold = 0.1

[recode.child_age]
breaks = [12, 14, 16, 18]
labels = ["12-13", "14-15", "16-17"]

[recode.region]
min_count = 20
other = "other regions"

[recode.hh_size]
breaks = [1, 5, 99]
labels = ["1-4", "5 or more"]

[pram.main_device]
keep = 0.9

# replicate weights repw_1..R: design-based SEs without PSU or stratum ids
[replicates]
type = "bootstrap"      # Rao-Wu bootstrap (or "JKn": reveals PSUs, licensed use only)
replicates = 50
recalibrate = true      # redo the raking in every replicate
public = false          # also in the public tier
mse = true

# public tier: final (and replicate) weights rounded, so that they do not point at the PSU
[weights]
significant_digits = 2

# l-diversity every key cell must reach on the sensitive variables
[ldiversity]
measure = "recursive"   # distinct | entropy | recursive (c, l)
l = 2
c = 3
treat = "suppress"      # suppress key values in breaking cells | refuse | report
# answers whose disclosure harms no one: no (any_tfcsea 0; items 2), don't know (98),
# prefer not to say (99); a cell of only these is no disclosure
dont_care = { any_tfcsea = [0], inperson_sv = [2, 98, 99], ab_unwanted_images = [2, 98, 99], ab_requested_sexual_content = [2, 98, 99] }
"""
