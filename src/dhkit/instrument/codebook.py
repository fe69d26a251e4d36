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
NON_DATA_TYPES = frozenset({"note", "begin group", "end group", "begin repeat", "end repeat",
                            # a secondary instance attached to the form (pyxform): no answer
                            "xml-external", "csv-external"})


@dataclass(frozen=True)
class Choice:
    list_name: str
    name: str                                  # the value stored in the data
    labels: dict[str, str] = field(default_factory=dict)   # language code -> label
    row: int | None = None                     # 1-based row in the choices sheet
    #: other columns of the choices sheet (e.g. ``region`` for a cascading select's
    #: ``choice_filter region=${region}``), lower-case column name -> text
    attrs: dict[str, str] = field(default_factory=dict)


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
    # Added by the XLSForm reader (defaults keep older constructors working):
    required_if: str | None = None             # `required` given as an expression
    sensitive: bool = False                    # self-completed module (column `sensitive`)
    or_other: bool = False                     # `select_one x or_other`: "other" + `name_other`
    choice_file: str | None = None             # select_one_from_file: the file, no choice list
    appearance: str | None = None
    choice_filter: str | None = None
    repeat_count: str | None = None            # on `begin repeat` rows
    constraint_messages: dict[str, str] = field(default_factory=dict)  # per language code
    parameters: str | None = None              # the `parameters` column (e.g. value=code)

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
    relevant: str | None = None
    repeat_count: str | None = None
    sensitive: bool = False

    @property
    def path(self) -> str:
        """The Kobo path of the repeat itself, e.g. ``child/instance``."""
        return f"{self.group}/{self.name}" if self.group else self.name


@dataclass(frozen=True)
class SearchList:
    """The rows a ``search()`` select reads from its CSV, for evaluating its filter row by
    row (``dhkit.ingest.validate``): one :class:`Choice` per CSV row, duplicates of a value
    kept (the value in ``name``, every column in ``attrs``, lower-case names), and the names
    of the list's static choices (numeric names on the choices sheet, always offered)."""
    file: str
    value_column: str
    rows: tuple[Choice, ...] = ()
    static: tuple[str, ...] = ()


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
    #: list name -> the CSV rows of a ``search()`` select (filled by
    #: :func:`dhkit.instrument.attachments.with_file_choices` when the study holds the file)
    search_lists: dict[str, SearchList] = field(default_factory=dict)

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

    def choice_labels(self, list_name: str, lang: str | None = None) -> dict[str, str]:
        """Value -> label in ``lang`` (default language; falls back to any label, then value)."""
        lang = lang or self.default_language
        return {c.name: c.labels.get(lang) or next(iter(c.labels.values()), c.name)
                for c in self.choices.get(list_name, [])}

    def levels(self) -> list[str | None]:
        """The data levels: None (the main sheet) then each repeat, in form order."""
        return [None, *self.repeats]
