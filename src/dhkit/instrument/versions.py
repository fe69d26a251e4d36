"""Every deployed version of a study's form, and the one codebook they share in the store.

Teams redeploy a form during fieldwork; an export then mixes submissions of each version
(Kobo ``__version__``, ODK Central ``FormVersion``). A study holds every version it has
collected with: its instrument (``[paths] instrument``) and each form added with
``dhkit instrument add DIR FORM.xlsx``, kept in ``instrument/versions/``. The version of a
form is its settings sheet's ``version``; ``--alias`` records another name the server uses
for it (Kobo's ``__version__`` id), in ``instrument/versions/aliases.toml``.

:class:`FormVersions` gives, per version, the form's own codebook (an import validates each
row against the version it was collected with) and one *merged* codebook (the union of the
versions' questions and choices; the newest version's wording wins) that describes the
stored tables: a question some version lacks is a column that is NULL for that version's
rows, "not asked in this version" (:meth:`FormVersions.not_asked`).

Versions are ordered by their version string compared number by number ("2024.10" after
"2024.9"), as ODK Collect requires versions to grow; the newest is the reference.

>>> natural_key("2024.10") > natural_key("2024.9")
True
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from dhkit.errors import DhkitError
from dhkit.instrument.codebook import NON_DATA_TYPES, Choice, Codebook

VERSIONS_DIR = "versions"
ALIASES_FILE = "aliases.toml"


def natural_key(version: str) -> tuple:
    """Sort key comparing the digit runs of a version as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                 for p in re.findall(r"\d+|[^\d]+", version))


@dataclass(frozen=True)
class FormVersion:
    version: str
    path: Path
    codebook: Codebook
    aliases: tuple[str, ...] = ()


@dataclass
class FormVersions:
    """The versions a study holds (oldest first) and their merged codebook."""

    versions: list[FormVersion]
    merged: Codebook
    asked: dict[str, tuple[str, ...]] = field(default_factory=dict)   # question -> versions

    @property
    def names(self) -> list[str]:
        return [v.version for v in self.versions]

    @property
    def newest(self) -> FormVersion:
        return self.versions[-1]

    @property
    def several(self) -> bool:
        """True when the study holds more than one version: rows are then checked against
        their own version, and a row of a version not held is quarantined."""
        return len(self.versions) > 1

    def get(self, name: str) -> FormVersion | None:
        for v in self.versions:
            if name == v.version or name in v.aliases:
                return v
        return None

    def not_asked(self, question: str) -> list[str]:
        """The versions whose form lacks ``question`` (its column is NULL for their rows)."""
        have = self.asked.get(question, ())
        return [v for v in self.names if v not in have]

    def lookup(self) -> dict[str, str]:
        """Every name a row may carry (version or alias) -> the version held."""
        out = {}
        for v in self.versions:
            out[v.version] = v.version
            for a in v.aliases:
                out[a] = v.version
        return out


def _instrument(study) -> Codebook:
    from dhkit.instrument.xlsform import read_xlsform

    return read_xlsform(study.instrument_path)


def study_codebook(study, instrument: Codebook) -> Codebook:
    """What ``Study.codebook()`` returns: the instrument's codebook, or the merged codebook
    when the study holds several versions."""
    folder = versions_dir(study)
    if not folder.is_dir() or not any(folder.glob("*.xlsx")):
        return instrument
    return load_versions(study, instrument).merged


def versions_dir(study) -> Path:
    return study.instrument_path.parent / VERSIONS_DIR


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _aliases(folder: Path) -> dict[str, list[str]]:
    """version -> aliases, from ``aliases.toml`` (``[aliases]`` alias = "version")."""
    path = folder / ALIASES_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DhkitError("INS-043", f"{path}: not valid TOML ({exc}); fix or delete it") from None
    unknown = set(data) - {"aliases"}
    if unknown or not all(isinstance(v, str) for v in data.get("aliases", {}).values()):
        raise DhkitError("INS-043", f"{path}: only an [aliases] table of alias = \"version\" "
                         "strings is allowed; fix or delete it")
    out: dict[str, list[str]] = {}
    for alias, version in data.get("aliases", {}).items():
        out.setdefault(version, []).append(alias)
    return out


def load_versions(study, reference: Codebook | None = None) -> FormVersions:
    """The versions the study holds: its instrument and every form in
    ``instrument/versions/`` (``reference``: the instrument's codebook, if already read)."""
    from dhkit.instrument.xlsform import read_xlsform

    main = reference or _instrument(study)
    folder = versions_dir(study)
    aliases = _aliases(folder)
    forms = [FormVersion(main.version, study.instrument_path, main)]
    if folder.is_dir():
        for path in sorted(folder.glob("*.xlsx")):
            cb = read_xlsform(path)
            if cb.version == main.version:
                continue
            forms.append(FormVersion(cb.version, path, cb))
    forms = [replace(f, aliases=tuple(aliases.get(f.version, ()))) for f in forms]
    forms.sort(key=lambda f: natural_key(f.version))
    return merge(forms)


def merge(forms: list[FormVersion]) -> FormVersions:
    """The union codebook of several versions (newest wording first, older extras after)."""
    newest = forms[-1].codebook
    questions = dict(newest.questions)
    choices = {k: list(v) for k, v in newest.choices.items()}
    repeats = dict(newest.repeats)
    for f in reversed(forms[:-1]):
        for name, q in f.codebook.questions.items():
            questions.setdefault(name, q)
        for name, r in f.codebook.repeats.items():
            repeats.setdefault(name, r)
        for lst, cs in f.codebook.choices.items():
            have = {c.name for c in choices.setdefault(lst, [])}
            choices[lst] += [Choice(c.list_name, c.name, c.labels, c.row, c.attrs) for c in cs
                             if c.name not in have]
    merged = replace(newest, questions=questions, choices=choices, repeats=repeats,
                     languages=list(dict.fromkeys(
                         lang for f in reversed(forms) for lang in f.codebook.languages)))
    asked = {}
    for name, q in questions.items():
        if q.type not in NON_DATA_TYPES:
            asked[name] = tuple(f.version for f in forms if name in f.codebook.questions)
    return FormVersions(forms, merged, asked)


@dataclass(frozen=True)
class Added:
    version: str
    path: Path
    already_held: bool
    new_questions: list[str]
    dropped_questions: list[str]


def add_version(study, form: str | Path, aliases: list[str] | None = None) -> Added:
    """Hold another deployed version of the study's form (``dhkit instrument add``).

    The form must be valid (INS-004 lists its problems), have the same ``form_id`` as the
    study's instrument (INS-041) and a ``version`` in its settings that the study does not
    hold yet with other content (INS-042). Adding the same file again is a no-op.
    """
    from dhkit.instrument.xlsform import read_xlsform

    form = Path(form)
    cb = read_xlsform(form)
    held = load_versions(study)
    main = held.newest.codebook if held.versions else None
    ref = _instrument(study)
    if cb.form_id != ref.form_id:
        raise DhkitError("INS-041", f"{form.name}: form_id '{cb.form_id}' is not the study's "
                         f"form '{ref.form_id}'; add only versions of the same form (its "
                         "settings sheet, column form_id)")
    if not cb.version:
        raise DhkitError("INS-042", f"{form.name}: the settings sheet has no version; give "
                         "the form the version it was deployed with (column version)")
    old = held.get(cb.version)
    folder = versions_dir(study)
    aliases = [a for a in (aliases or []) if a and a != cb.version]
    if old is not None:
        if _sha(old.path) != _sha(form) and old.codebook.questions != cb.questions:
            raise DhkitError("INS-042", f"{form.name}: the study already holds version "
                             f"'{cb.version}' ({old.path.name}) with other content; a changed "
                             "form needs a new version in its settings sheet")
        _write_aliases(folder, cb.version, aliases)
        return Added(cb.version, old.path, True, [], [])
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{cb.form_id}__{cb.version}")
    dest = folder / f"{safe}.xlsx"
    shutil.copyfile(form, dest)
    from dhkit.instrument.attachments import copy_choice_files   # select_one_from_file

    copy_choice_files(form, study.instrument_path.parent)
    _write_aliases(folder, cb.version, aliases)
    names = set(main.questions) if main else set()
    data = {n for n, q in cb.questions.items() if q.type not in NON_DATA_TYPES}
    return Added(cb.version, dest, False, sorted(data - names),
                 sorted(n for n in names - set(cb.questions)
                        if main.questions[n].type not in NON_DATA_TYPES))


def _write_aliases(folder: Path, version: str, aliases: list[str]) -> None:
    if not aliases:
        return
    current = {a: v for v, al in _aliases(folder).items() for a in al}
    for a in aliases:
        if a in current and current[a] != version:
            raise DhkitError("INS-042", f"alias '{a}' already names version '{current[a]}'")
        current[a] = version
    lines = ["# other names the server gives each form version (e.g. Kobo __version__)",
             "[aliases]"]
    lines += [f'"{a}" = "{v}"' for a, v in sorted(current.items())]
    (folder / ALIASES_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
