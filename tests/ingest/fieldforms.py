"""Test fixtures: small XLSForms (groups, translations, nested repeats, several versions) and
exports of them written the way KoboToolbox and ODK Central write theirs.

Formats follow the tools' own exporters:

- Kobo (formpack): XLSX with one sheet per repeat (main sheet named after the form title, a
  repeat sheet after the repeat), headers are group paths joined with ``/``
  (``hh/region``), meta ``_id``, ``_uuid``, ``_submission_time``, ``__version__``,
  ``_index``; repeat sheets carry ``_index``, ``_parent_table_name`` (the parent sheet),
  ``_parent_index`` (the parent sheet's ``_index``), ``_submission__uuid`` and
  ``_submission___version__``. CSV: ``;`` separated, every header and value in double quotes,
  one CSV per repeat group with the same columns as the XLSX sheet.
- ODK Central (central-backend ``briefcase.js``): ``,`` CSV, groups joined with ``-``
  (``hh-region``), ``SubmissionDate``, ``meta-instanceID``, ``KEY`` ... ``FormVersion``; one
  file per repeat named ``FORMID-REPEAT.csv`` with headers relative to the repeat,
  ``PARENT_KEY`` and ``KEY`` (``uuid:x/members[1]``, nested ``uuid:x/members[1]/episodes[2]``).

All data are synthetic.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

SURVEY_HEAD = ["type", "name", "label::English (en)", "label::Español (es)", "required",
               "relevant", "constraint"]


def household_form(path: Path, version: str = "1", *, phone: bool = False,
                   regions: tuple[str, ...] = ("north", "south", "east"),
                   form_id: str = "hh_visit", size: bool = False,
                   count: str = "${hh_size}") -> Path:
    """A household form: group ``hh`` (hh_id, region), repeat ``members`` (name, age, sex)
    holding repeat ``episodes`` (kind, day). ``phone`` adds ``hh/phone_access`` (required);
    ``size`` adds ``hh/hh_size`` (integer) and gives ``members`` the XLSForm
    ``repeat_count`` ``count`` (``${hh_size}``)."""
    survey = [
        ["start", "start", "", "", "", "", ""],
        ["begin group", "hh", "Household", "Hogar", "", "", ""],
        ["text", "hh_id", "Household id", "Código del hogar", "yes", "", ""],
        ["select_one region", "region", "Region", "Región", "yes", "", ""],
    ]
    if phone:
        survey.append(["select_one yes_no", "phone_access", "Phone access", "Acceso a teléfono",
                       "yes", "", ""])
    if size:
        survey.append(["integer", "hh_size", "Household members", "Miembros del hogar", "", "",
                       ". >= 0"])
    survey += [
        ["end group", "", "", "", "", "", ""],
        ["begin repeat", "members", "Member", "Miembro", "", "", ""],
        ["text", "m_name", "Name", "Nombre", "yes", "", ""],
        ["integer", "m_age", "Age", "Edad", "yes", "", ". >= 0 and . <= 120"],
        ["select_one sex", "m_sex", "Sex", "Sexo", "", "", ""],
        ["begin repeat", "episodes", "Episode", "Episodio", "", "", ""],
        ["select_one kind", "ep_kind", "Kind of episode", "Tipo de episodio", "yes", "", ""],
        ["integer", "ep_days", "Days", "Días", "", "", ". >= 0"],
        ["end repeat", "", "", "", "", "", ""],
        ["end repeat", "", "", "", "", "", ""],
    ]
    labels = {"north": ("North", "Norte"), "south": ("South", "Sur"), "east": ("East", "Este"),
              "west": ("West", "Oeste")}
    choices = [["region", r, *labels[r]] for r in regions]
    choices += [["yes_no", "1", "Yes", "Sí"], ["yes_no", "2", "No", "No"],
                ["sex", "f", "Female", "Mujer"], ["sex", "m", "Male", "Hombre"],
                ["kind", "ill", "Illness", "Enfermedad"], ["kind", "inj", "Injury", "Lesión"]]
    settings = [["form_title", "form_id", "version", "default_language"],
                ["Household visit", form_id, version, "English (en)"]]
    if size:      # the repeat_count column: only on the members repeat
        survey = [r + ([count] if r[:2] == ["begin repeat", "members"] else [""])
                  for r in survey]
        return _workbook(path, survey, choices, settings, SURVEY_HEAD + ["repeat_count"])
    return _workbook(path, survey, choices, settings)


def repeat_only_form(path: Path) -> Path:
    """A form whose every question sits inside a repeat (main sheet: metadata only)."""
    survey = [["begin repeat", "visits", "Visit", "Visita", "", "", ""],
              ["date", "v_date", "Date", "Fecha", "yes", "", ""],
              ["integer", "v_score", "Score", "Puntaje", "", "", ". >= 0"],
              ["end repeat", "", "", "", "", "", ""]]
    settings = [["form_title", "form_id", "version"], ["Visits", "visits_only", "2024010101"]]
    return _workbook(path, survey, [], settings)


CHOICES_HEAD = ["list_name", "name", "label::English (en)", "label::Español (es)"]


def _workbook(path: Path, survey, choices, settings, head=SURVEY_HEAD,
              choices_head=CHOICES_HEAD) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(head)
    for r in survey:
        ws.append(r)
    wc = wb.create_sheet("choices")
    wc.append(choices_head)
    for r in choices:
        wc.append(r)
    wset = wb.create_sheet("settings")
    for r in settings:
        wset.append(r)
    wb.save(path)
    return path


# ----------------------------------------------------------------------------- data


@dataclass
class Episode:
    kind: str
    days: int | str | None = None


@dataclass
class Member:
    name: str
    age: int | str
    sex: str = "f"
    episodes: list[Episode] = field(default_factory=list)


@dataclass
class Submission:
    uuid: str
    hh_id: str
    region: str
    version: str = "1"
    phone: str | None = None
    members: list[Member] = field(default_factory=list)
    submitted: str = "2024-03-01T10:00:00"
    deprecated: str | None = None     # meta/deprecatedID of an edited submission
    kobo_id: int | None = None        # Kobo's _id: kept when the submission is edited
    hh_size: int | None = None        # the members' repeat_count (forms made with size=True)
    #: ODK Central: this version's own meta-instanceID (None: the submission's first, its
    #: KEY) and the number of edits Central counts (column ``Edits``)
    instance: str | None = None
    edits: int = 0


def _size(s: Submission) -> str:
    """The household size as the export writes it (empty when not answered)."""
    return "" if s.hh_size is None else str(s.hh_size)


def _kobo_id(s: Submission) -> str:
    """Kobo's ``_id`` (the server's number for the submission; the same across edits)."""
    if s.kobo_id is None:
        raise ValueError("a Kobo export needs Submission.kobo_id")
    return str(s.kobo_id)


def sample(n: int = 3, version: str = "1") -> list[Submission]:
    """``n`` households, each with two members; the first member has two episodes."""
    subs = []
    for i in range(n):
        members = [Member(f"A{i}", 30 + i, "f", [Episode("ill", 3), Episode("inj", 1)]),
                   Member(f"B{i}", 5 + i, "m")]
        subs.append(Submission(f"uuid-{i:04d}", f"H{i:03d}", ("north", "south")[i % 2],
                               version, members=members, kobo_id=1001 + i))
    return subs


def _flat(subs: list[Submission]):
    """(main rows, member rows, episode rows) as dicts with Kobo-style indices."""
    main, members, episodes = [], [], []
    for s in subs:
        main.append(s)
        for m in s.members:
            members.append((s, len(main), m))
            for e in m.episodes:
                episodes.append((s, len(members), m, e))
    return main, members, episodes


def _kobo_tables(subs: list[Submission], title: str = "Household visit", labels: str | None = None,
                 phone: bool = False, size: bool = False):
    """Header and rows of the three Kobo tables (main, members, episodes)."""
    lab = _LABELS.get(labels or "", {})
    main, members, episodes = _flat(subs)
    mh = ["start", "hh/hh_id", "hh/region"] + (["hh/phone_access"] if phone else []) + \
        (["hh/hh_size"] if size else []) + \
        ["__version__", "_id", "_uuid", "_submission_time", "_validation_status", "_notes",
         "_status", "_submitted_by", "_tags", "_index"]
    if labels:
        mh = [_LABEL_HEADERS[labels].get(h, h) for h in mh]
    mrows = []
    for i, s in enumerate(main, start=1):
        mrows.append([s.submitted, s.hh_id, lab.get(s.region, s.region)]
                     + ([lab.get(s.phone, s.phone) if s.phone else ""] if phone else [])
                     + ([_size(s)] if size else [])
                     + [s.version, _kobo_id(s), s.uuid, s.submitted, "", "", "submitted_via_web",
                        "", "", str(i)])
    sub_meta = ["_index", "_parent_table_name", "_parent_index", "_submission__id",
                "_submission__uuid", "_submission__submission_time",
                "_submission__validation_status", "_submission__notes", "_submission__status",
                "_submission__submitted_by", "_submission___version__", "_submission__tags"]
    rh = ["members/m_name", "members/m_age", "members/m_sex"] + sub_meta
    eh = ["members/episodes/ep_kind", "members/episodes/ep_days"] + sub_meta
    if labels:
        rh = [_LABEL_HEADERS[labels].get(h, h) for h in rh]
        eh = [_LABEL_HEADERS[labels].get(h, h) for h in eh]
    rrows = []
    for j, (s, pi, m) in enumerate(members, start=1):
        rrows.append([m.name, str(m.age), lab.get(m.sex, m.sex), str(j), title, str(pi),
                      _kobo_id(s), s.uuid, s.submitted, "", "", "", "", s.version, ""])
    erows = []
    for k, (s, mi, m, e) in enumerate(episodes, start=1):
        erows.append([lab.get(e.kind, e.kind), "" if e.days is None else str(e.days), str(k),
                      "members", str(mi), _kobo_id(s), s.uuid, s.submitted, "", "",
                      "", "", s.version, ""])
    return (mh, mrows), (rh, rrows), (eh, erows)


_LABELS = {"es": {"north": "Norte", "south": "Sur", "east": "Este", "f": "Mujer", "m": "Hombre",
                  "ill": "Enfermedad", "inj": "Lesión", "1": "Sí", "2": "No"},
           "en": {"north": "North", "south": "South", "east": "East", "f": "Female",
                  "m": "Male", "ill": "Illness", "inj": "Injury", "1": "Yes", "2": "No"}}
_LABEL_HEADERS = {
    "es": {"hh/hh_id": "Hogar/Código del hogar", "hh/region": "Hogar/Región",
           "hh/phone_access": "Hogar/Acceso a teléfono", "members/m_name": "Miembro/Nombre",
           "members/m_age": "Miembro/Edad", "members/m_sex": "Miembro/Sexo",
           "members/episodes/ep_kind": "Miembro/Episodio/Tipo de episodio",
           "members/episodes/ep_days": "Miembro/Episodio/Días"},
    "en": {"hh/hh_id": "Household/Household id", "hh/region": "Household/Region",
           "hh/phone_access": "Household/Phone access", "members/m_name": "Member/Name",
           "members/m_age": "Member/Age", "members/m_sex": "Member/Sex",
           "members/episodes/ep_kind": "Member/Episode/Kind of episode",
           "members/episodes/ep_days": "Member/Episode/Days"},
}


def kobo_xlsx(path: Path, subs: list[Submission], *, labels: str | None = None,
              phone: bool = False, size: bool = False) -> Path:
    """Kobo's XLSX export: main sheet (form title), ``members`` and ``episodes`` sheets."""
    wb = Workbook()
    for k, (name, (head, rows)) in enumerate(zip(
            ("Household visit", "members", "episodes"),
            _kobo_tables(subs, labels=labels, phone=phone, size=size))):
        ws = wb.active if k == 0 else wb.create_sheet(name)
        ws.title = name
        ws.append(head)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def kobo_csvs(folder: Path, subs: list[Submission], *, labels: str | None = None,
              phone: bool = False, stem: str = "Household_visit", size: bool = False
              ) -> list[Path]:
    """Kobo's CSV export (``;``, everything quoted), one CSV per repeat group."""
    out = []
    for suffix, (head, rows) in zip(("", "-members", "-episodes"),
                                    _kobo_tables(subs, labels=labels, phone=phone,
                                                 size=size)):
        p = folder / f"{stem}{suffix}.csv"
        with p.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL)
            w.writerow(head)
            w.writerows(rows)
        out.append(p)
    return out


def odk_csvs(folder: Path, subs: list[Submission], *, form_id: str = "hh_visit",
             phone: bool = False, size: bool = False) -> list[Path]:
    """ODK Central's CSV export: FORMID.csv, FORMID-members.csv, FORMID-episodes.csv.

    As central-backend's ``lib/data/briefcase.js`` writes it: ``KEY`` is the submission's
    first instanceID, kept by every edit (repeat keys are built from it), ``SubmissionDate``
    its first submission (``createdAt``), also kept; an edit changes only the answers,
    ``meta-instanceID`` (the version's own id, :attr:`Submission.instance`),
    ``meta-deprecatedID`` (the id of the version it replaced) and ``Edits`` (a count)."""
    mh = ["SubmissionDate", "start", "hh-hh_id", "hh-region"] + \
        (["hh-phone_access"] if phone else []) + (["hh-hh_size"] if size else []) + \
        ["meta-instanceID", "meta-deprecatedID", "KEY", "SubmitterID", "SubmitterName",
         "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState", "DeviceID",
         "Edits", "FormVersion"]
    mrows, rrows, erows = [], [], []
    for s in subs:
        key = f"uuid:{s.uuid}"
        mrows.append([s.submitted + ".000Z", s.submitted, s.hh_id, s.region]
                     + ([s.phone or ""] if phone else []) + ([_size(s)] if size else [])
                     + [f"uuid:{s.instance or s.uuid}",
                        f"uuid:{s.deprecated}" if s.deprecated else "", key, "5",
                        "collector", "0", "0", "", "", "collect:abc",
                        str(max(s.edits, 1 if s.deprecated else 0)), s.version])
        for i, m in enumerate(s.members, start=1):
            mk = f"{key}/members[{i}]"
            rrows.append([m.name, str(m.age), m.sex, key, mk])
            for j, e in enumerate(m.episodes, start=1):
                erows.append([e.kind, "" if e.days is None else str(e.days), mk,
                              f"{mk}/episodes[{j}]"])
    out = []
    for name, head, rows in ((f"{form_id}.csv", mh, mrows),
                             (f"{form_id}-members.csv", ["m_name", "m_age", "m_sex",
                                                         "PARENT_KEY", "KEY"], rrows),
                             (f"{form_id}-episodes.csv", ["ep_kind", "ep_days", "PARENT_KEY",
                                                          "KEY"], erows)):
        p = folder / name
        with p.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(head)
            w.writerows(rows)
        out.append(p)
    return out


# ------------------------------------------------------------- cascading selects
def cascade_form(path: Path) -> Path:
    """A market form with cascading selects (``choice_filter``), the way pyxform users write
    them: ``district`` filtered by ``region=${region}``; in repeat ``plots``, ``main_crop``
    filtered by ``selected(${crops}, name)`` and ``plot_district`` by the parent's region;
    ``stall`` with a filter dhkit does not read (``starts-with``)."""
    head = ["type", "name", "label::English (en)", "label::Français (fr)", "required",
            "constraint", "choice_filter"]
    survey = [
        ["start", "start", "", "", "", "", ""],
        ["begin_group", "loc", "Location", "Lieu", "", "", ""],
        ["select_one region", "region", "Region", "Région", "yes", "", ""],
        ["select_one district", "district", "District", "District", "yes", "",
         "region=${region}"],
        ["decimal", "price", "Price of rice", "Prix du riz", "", ". >= 0", ""],
        ["select_multiple crop", "crops", "Crops sold", "Cultures vendues", "", "", ""],
        ["select_one district", "stall", "Stall district", "District du stand", "", "",
         "starts-with(name, ${region})"],
        ["end_group", "", "", "", "", "", ""],
        ["begin_repeat", "plots", "Plot", "Parcelle", "", "", ""],
        ["select_one crop", "main_crop", "Main crop", "Culture principale", "", "",
         "selected(${crops}, name)"],
        ["select_one district", "plot_district", "Plot district", "District", "", "",
         "region = ${region}"],
        ["end_repeat", "", "", "", "", "", ""],
    ]
    choices = [["region", "N", "North", "Nord", ""], ["region", "S", "South", "Sud", ""],
               ["district", "n1", "Nkove", "Nkove", "N"], ["district", "n2", "Bama", "Bama", "N"],
               ["district", "s1", "Loro", "Loro", "S"],
               ["crop", "rice", "Rice", "Riz", ""], ["crop", "maize", "Maize", "Maïs", ""],
               ["crop", "yam", "Yam", "Igname", ""]]
    return _workbook(path, survey, choices,
                     [["form_title", "form_id", "version", "default_language"],
                      ["Market visit", "mkt", "1", "English (en)"]], head,
                     ["list_name", "name", "label::English (en)", "label::Français (fr)",
                      "region"])


@dataclass
class Market:
    uuid: str
    region: str
    district: str
    price: str = "10"
    crops: str = "rice maize"
    stall: str = ""
    plots: list[tuple[str, str]] = field(default_factory=list)   # (main_crop, plot_district)


def kobo_cascade_xlsx(path: Path, subs: list[Market]) -> Path:
    """Kobo's XLSX export of :func:`cascade_form`: main sheet ``Market visit`` with split
    select_multiple columns, repeat sheet ``plots``."""
    crops = ("rice", "maize", "yam")
    wb = Workbook()
    ws = wb.active
    ws.title = "Market visit"
    ws.append(["start", "loc/region", "loc/district", "loc/price", "loc/crops"]
              + [f"loc/crops/{c}" for c in crops]
              + ["loc/stall", "__version__", "_id", "_uuid", "_submission_time", "_index"])
    for i, s in enumerate(subs, start=1):
        ws.append(["2024-03-01T10:00:00", s.region, s.district, s.price, s.crops]
                  + ["1" if c in s.crops.split() else "0" for c in crops]
                  + [s.stall, "1", str(9000 + i), s.uuid, "2024-03-01T10:05:00", str(i)])
    wr = wb.create_sheet("plots")
    wr.append(["plots/main_crop", "plots/plot_district", "_index", "_parent_table_name",
               "_parent_index", "_submission__id", "_submission__uuid"])
    j = 0
    for i, s in enumerate(subs, start=1):
        for crop, district in s.plots:
            j += 1
            wr.append([crop, district, str(j), "Market visit", str(i), str(9000 + i), s.uuid])
    wb.save(path)
    return path


# ------------------------------------------------------------- choices from a file
TOWNS_CSV = "name,label::English (en),label::Español (es),region\n" \
    "t1,Riverside,Ribera,north\nt2,Hilltop,Colina,north\nt3,Bayview,Bahía,south\n"


def towns_form(folder: Path, *, with_file: bool = True) -> Path:
    """A form whose selects take their choices from ``towns.csv`` (attached to the form, the
    way Kobo and ODK Central take media): ``town`` (``select_one_from_file towns.csv``,
    ``choice_filter region=${region}``) and ``markets`` (``select_multiple_from_file``).
    ``with_file`` writes ``towns.csv`` next to the form."""
    head = ["type", "name", "label::English (en)", "label::Español (es)", "required",
            "choice_filter"]
    survey = [["start", "start", "", "", "", ""],
              ["begin_group", "loc", "Location", "Lugar", "", ""],
              ["select_one region", "region", "Region", "Región", "yes", ""],
              ["select_one_from_file towns.csv", "town", "Town", "Pueblo", "yes",
               "region=${region}"],
              ["select_multiple_from_file towns.csv", "markets", "Markets visited",
               "Mercados visitados", "", ""],
              ["end_group", "", "", "", "", ""]]
    choices = [["region", "north", "North", "Norte"], ["region", "south", "South", "Sur"]]
    path = _workbook(folder / "towns_form.xlsx", survey, choices,
                     [["form_title", "form_id", "version", "default_language"],
                      ["Town visit", "towns", "1", "English (en)"]], head)
    if with_file:
        (folder / "towns.csv").write_text(TOWNS_CSV, encoding="utf-8")
    return path


def kobo_towns_xlsx(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """Kobo's XLSX export of :func:`towns_form` (region, town, markets per submission; a
    select from a file is one column of space-separated values)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Town visit"
    ws.append(["start", "loc/region", "loc/town", "loc/markets", "__version__", "_id", "_uuid",
               "_submission_time", "_index"])
    for i, (region, town, markets) in enumerate(rows, start=1):
        ws.append(["2024-03-01T10:00:00", region, town, markets, "1", str(7000 + i),
                   f"uuid-t{i}", "2024-03-01T10:05:00", str(i)])
    wb.save(path)
    return path
