"""The typed codebook read from an XLSForm: questions, choice lists, groups and repeats.

This is the contract between the instrument reader (``dhkit.instrument.xlsform``) and
every stage that reads survey data (import and validation, the demo generator, the
indicator catalogue, the data dictionary).

>>> q = Question(name="child_age", type="integer", row=12)
>>> cb = Codebook(title="t", form_id="f", questions={"child_age": q})
>>> cb.question("child_age").base_type
'integer'
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: XLSForm types that hold no answer in the data.
NON_DATA_TYPES = frozenset({"note", "begin group", "end group", "begin repeat", "end repeat"})


@dataclass(frozen=True)
class Choice:
    list_name: str
    name: str                                  # the value stored in the data
    labels: dict[str, str] = field(default_factory=dict)   # language code -> label
    row: int | None = None                     # 1-based row in the choices sheet


@dataclass(frozen=True)
class Question:
    name: str
    type: str                                  # full XLSForm type, e.g. "select_one yes_no"
    row: int | None = None                     # 1-based row in the survey sheet
    labels: dict[str, str] = field(default_factory=dict)   # language code -> label
    hints: dict[str, str] = field(default_factory=dict)
    list_name: str | None = None               # for select_one / select_multiple
    relevant: str | None = None                # XLSForm expression, as written
    constraint: str | None = None
    constraint_message: str | None = None
    required: bool = False
    calculation: str | None = None
    group: str = ""                            # enclosing group path, "a/b" ("" at top level)
    repeat: str | None = None                  # name of the innermost enclosing repeat

    @property
    def base_type(self) -> str:
        """``select_one``, ``select_multiple``, ``integer``, ``decimal``, ``text``, ``calculate``..."""
        return self.type.split()[0] if self.type else ""

    @property
    def path(self) -> str:
        """The Kobo export path, e.g. ``child/ab_unwanted_images``."""
        return f"{self.group}/{self.name}" if self.group else self.name


@dataclass(frozen=True)
class Repeat:
    name: str
    group: str = ""                            # enclosing path of the repeat itself
    parent: str | None = None                  # enclosing repeat, None for the main sheet
    labels: dict[str, str] = field(default_factory=dict)
    row: int | None = None


@dataclass
class Codebook:
    title: str
    form_id: str
    version: str = ""
    languages: list[str] = field(default_factory=list)     # language codes, e.g. ["en", "es"]
    default_language: str = "en"
    questions: dict[str, Question] = field(default_factory=dict)   # in form order
    choices: dict[str, list[Choice]] = field(default_factory=dict)
    repeats: dict[str, Repeat] = field(default_factory=dict)
    source: str | None = None                  # file the codebook was read from

    def question(self, name: str) -> Question:
        return self.questions[name]

    def data_questions(self, repeat: str | None = None) -> list[Question]:
        """Questions that hold answers, in form order, at one level (None = main sheet)."""
        return [q for q in self.questions.values()
                if q.type not in NON_DATA_TYPES and q.repeat == repeat]

    def choice_values(self, list_name: str) -> list[str]:
        return [c.name for c in self.choices.get(list_name, [])]

    def label(self, name: str, lang: str | None = None) -> str:
        q = self.questions[name]
        lang = lang or self.default_language
        return q.labels.get(lang) or next(iter(q.labels.values()), name)
