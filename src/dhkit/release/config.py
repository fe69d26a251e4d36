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


_RELEASE = {"keys": "list of strings", "importance": "list of strings",
            "sensitive": "list of strings", "drop": "list of strings", "k": "integer",
            "seed": "integer", "risk_threshold": "number",
            "max_expected_reidentifications": "number"}
_RECODE = {"breaks": "list of numbers", "labels": "list of strings", "map": "table of strings",
           "min_count": "integer", "other": "string", "top": "number", "bottom": "number"}
_SECTIONS = {"release", "recode", "pram", "noise"}


def _ok(value: Any, kind: str) -> bool:
    num = (int, float)
    if kind == "string":
        return isinstance(value, str)
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
        for key, value in body.items():
            kind = _RECODE.get(key)
            if kind is None:
                add("REL-002", sec, key, f"unknown key '{key}' in [{sec}]",
                    f"Use one of {', '.join(_RECODE)}.")
            elif not _ok(value, kind):
                add("REL-003", sec, key, f"'{key}' must be a {kind}", "Fix the value.")
        br, lab = body.get("breaks", []), body.get("labels", [])
        if (br or lab) and len(lab) != max(len(br) - 1, 0):
            add("REL-006", sec, "labels", f"{len(br)} breaks need {max(len(br) - 1, 0)} labels, "
                f"not {len(lab)}", "Give one label per group between consecutive breaks.")
        if _ok(br, "list of numbers") and list(br) != sorted(br):
            add("REL-006", sec, "breaks", "breaks must increase", "Sort the breaks.")
        good = {k: v for k, v in body.items() if k in _RECODE and _ok(v, _RECODE[k])}
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
    if not report.ok:
        raise _error(path, report)
    g = {k: v for k, v in rel.items() if k in _RELEASE}
    return ReleaseSpec(
        keys=tuple(g["keys"]), importance=tuple(g.get("importance", ())),
        sensitive=tuple(g.get("sensitive", ())), drop=tuple(g.get("drop", ())),
        k=g.get("k", 3), seed=g.get("seed", 20261206),
        risk_threshold=float(g.get("risk_threshold", 0.1)),
        max_expected_reidentifications=g.get("max_expected_reidentifications"),
        recodes=tuple(recodes), pram=pram, noise=noise, path=path)


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
"""
