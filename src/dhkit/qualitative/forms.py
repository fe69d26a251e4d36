"""General forms of identifiers that the narrower rules of :mod:`dhkit.qualitative.detect`
missed on new text: each function finds a *shape* (a link on any real top-level domain, an
address dictated word by word, a reference code with a year inside), not a listed string.

Why written here: Presidio's URL and e-mail recognizers need a scheme or an ``@``; the
public-suffix knowledge comes from ``tldextract``'s bundled snapshot (``suffix_list_urls=()``,
so nothing is fetched). The rest are Spanish/English speech forms no library covers.

Reference: Mozilla Public Suffix List (as bundled by tldextract); Registraduría Nacional
(passport and cédula numbering); Colombian public-sector filing codes (``2024ER…``,
``EMP-…``) as forms of "letters, digits and separators".

>>> from dhkit.qualitative.detect import Gazetteers
>>> g = Gazetteers.load()
>>> t = "me pasó el link bit.ly/3xYz y el correo ana punto ruiz veinte arroba yahoo punto es"
>>> [(t[s.start:s.end], s.kind) for s in spans(t, g)]
[('bit.ly/3xYz', 'URL'), ('ana punto ruiz veinte arroba yahoo punto es', 'EMAIL')]
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from dhkit.qualitative.model import Span

CAPW = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+"  # a capitalised word
CAPX = r"[A-ZÁÉÍÓÚÑ][\wáéíóúñ'’]+"  # a capitalised word with digits or an apostrophe
NUM_WORDS_EN = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                "fourteen|fifteen|sixteen|seventeen|eighteen|nineteen")
TENS_EN = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
AGE_EN = rf"(?:(?:{TENS_EN})(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|{NUM_WORDS_EN})"


@lru_cache(maxsize=1)
def _suffixes():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _real_suffix(host: str) -> bool:
    ext = _suffixes()(host)
    return bool(ext.suffix) and bool(ext.domain)


# ---------------------------------------------------------------- links
BARE_LINK = re.compile(r"(?<![\w@./-])((?:[a-z0-9-]+\.)+[a-z]{2,})(/[^\s<>\"]*[\w/])")
SPOKEN_DOT = r"[ \t]+(?i:punto|dot)[ \t]+"
SPOKEN_LINK = re.compile(rf"(?i:\bwww){SPOKEN_DOT}[\w-]+(?:{SPOKEN_DOT}[a-z]{{2,4}}\b)+")


def links(text: str) -> list[Span]:
    """A host on a real public suffix followed by a path, without a scheme
    (``discord.gg/abc``, ``maps.app.goo.gl/x``), and a web address said with "punto"."""
    out = [Span(m.start(), m.end(), "URL", "form:link") for m in BARE_LINK.finditer(text)
           if _real_suffix(m.group(1))]
    out += [Span(m.start(), m.end(), "URL", "form:spoken_link")
            for m in SPOKEN_LINK.finditer(text)]
    return out


# ---------------------------------------------------------------- e-mails said aloud
LOCAL_STOP = frozenset("es era is was correo email e-mail mail pero que".split())
AT = re.compile(r"(?i)(?<=[\w])[ \t]+(?:arroba|at)[ \t]+(?P<d>[a-z0-9-]+)"
                rf"(?P<t>(?:{SPOKEN_DOT}[a-z]{{2,4}}\b)*)")
MAIL_HOSTS = frozenset("gmail hotmail outlook yahoo live icloud msn protonmail aol".split())


def spoken_emails(text: str) -> list[Span]:
    """An address dictated word by word: everything from the first word of the local part
    (after "es", "era", a colon or a comma) to the last "punto com"; a known mail host
    without the ending ("tatiana2009 arroba gmail") is an address too."""
    out = []
    for m in AT.finditer(text):
        if m.group(0).lower().lstrip().startswith("at") and not (
                m.group("t") or m.group("d").lower() in MAIL_HOSTS):
            continue  # English "at": only with a host
        if not m.group("t") and m.group("d").lower() not in MAIL_HOSTS:
            continue
        words = list(re.finditer(r"[^\s,;:¿?¡!\"“”()]+", text[:m.start()]))
        start = None
        for w in reversed(words[-9:]):
            gap = text[w.end():start if start is not None else m.start()]
            if re.search(r"[,;:¿?¡!\"“”()]", gap) or w.group().lower() in LOCAL_STOP:
                break
            start = w.start()
        if start is not None:
            out.append(Span(start, m.end(), "EMAIL", "form:spoken_email"))
    return out


# ---------------------------------------------------------------- usernames
DECORATED = re.compile(r"(?<!\S)(?=\S*[^\W\d_])\S*?"
                       r"[^\x00-\x7fáéíóúñüÁÉÍÓÚÑÜ¿¡«»“”‘’–—…°º]\S*")


def _decorated(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    if len(letters) < 3:
        return False
    odd = [c for c in token if ord(c) > 0x7f and c not in "áéíóúñüÁÉÍÓÚÑÜ"]
    symbol = any(unicodedata.category(c) in ("So", "Sm") and not 0x1F000 <= ord(c) for c in odd)
    foreign = any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN") for c in odd)
    latin_x = any(c.isalpha() and unicodedata.name(c, "").startswith("LATIN") for c in odd)
    switches = sum(a.islower() != b.islower() for a, b in zip(letters, letters[1:]))
    return symbol or (foreign and latin_x) or (foreign and "_" in token) or \
        (latin_x and switches >= 3)


def decorated_handles(text: str) -> list[Span]:
    """Usernames typed in decorated letters or symbols (``x★FF``, Greek-looking letters,
    ``ŠhäRiT``): no word of Spanish or English is written that way."""
    out = []
    for m in DECORATED.finditer(text):
        tok = m.group().rstrip(".,;:!?)»\"'")
        if _decorated(tok):
            out.append(Span(m.start(), m.start() + len(tok), "HANDLE", "form:decorated"))
    # letters alternating case inside one word (KaRoLiNa): at least five switches
    for m in re.finditer(r"(?<![\w@])[A-Za-z]{6,}(?:\W{1,2}[A-Za-z0-9]+)?(?![\w@])", text):
        word = re.match(r"[A-Za-z]+", m.group()).group()
        if sum(a.islower() != b.islower() for a, b in zip(word, word[1:])) >= 5:
            out.append(Span(m.start(), m.end(), "HANDLE", "form:alternating_case"))
    return out


ACCOUNT_NEW = re.compile(
    r"(?i:\b(?:cuenta|perfil|usuario|account|profile|changed[ \t]it|cambió|cambio|"
    r"cambiaron)\b[^.;:\n]{0,25}?(?:,|\bto\b|\ba\b|\bcomo\b|\bllamad[ao]\b)[ \t]+)"
    r"(?P<v>[\w][\w.]*[._][\w.]*\w|[A-Za-zÀ-ÿ]+_\w+|[^\W\d_]+\d+)(?![\w@])")


UNICODE_UNDERSCORE = re.compile(r"(?<![\w@/.#])(?=\w*[^\x00-\x7f])[^\W\d_]\w*_\w+(?![\w@])")
DOTTED_NAME = re.compile(r"(?<![\w@/.#-])[a-z][a-z0-9_]*(?:\.[a-z0-9_]+){1,3}(?![\w@/-])")
FILE_ENDINGS = frozenset("pdf doc docx xls xlsx csv txt jpg jpeg png gif mp4 mp3 zip exe html htm "
                         "php js py".split())


def shaped_handles(text: str) -> list[Span]:
    """Usernames by shape alone: an underscore joining a word with accented letters
    (``ElNiño_57``), and lower-case words joined by dots that are no web host or file
    (``luna.rosa.09``)."""
    out = [Span(m.start(), m.end(), "HANDLE", "form:underscore")
           for m in UNICODE_UNDERSCORE.finditer(text)]
    for m in DOTTED_NAME.finditer(text):
        v = m.group()
        parts = v.split(".")
        if len(v) >= 8 and max(len(x) for x in parts) >= 4 and \
                parts[-1] not in FILE_ENDINGS and not _real_suffix(v):
            out.append(Span(m.start(), m.end(), "HANDLE", "form:dotted"))
    return out


def renamed_handles(text: str) -> list[Span]:
    """A username given after an account word and a pause or "to": "me hice una cuenta
    nueva, nn.x.2024", "changed it to luna.x" (the value has a dot, underscore or digits)."""
    return [Span(m.start("v"), m.end("v"), "HANDLE", "form:account_value")
            for m in ACCOUNT_NEW.finditer(text)]


# ---------------------------------------------------------------- reference codes
CASE_WORDS = (r"oficio|expediente|radicado|radicaci[óo]n|registro|custodia|n[úu]mero|caso|"
              r"denuncia|queja|proceso|informe|referral|reference|logged|file|case|docket")
CODE = r"(?<![\w/.-])(?=[\w/.-]*\d)[A-Z0-9]{1,6}(?:[-/][A-Z0-9]{1,12}){1,5}(?![\w/-])"
CODE_RE = re.compile(CODE)
YEAR_LETTERS = re.compile(r"(?<![\w-])(?:19|20)\d\d[A-Z]{1,4}\d{4,}(?![\w-])")
PROCESS_YEAR = re.compile(rf"(?i:\b(?:{CASE_WORDS}))(?:[ \t]+(?i:n[úu]mero|no\.?|nro\.?))?"
                          rf"[ \t]+(?P<v>\d{{1,6}}[ \t]+(?i:de|del)[ \t]+(?:19|20)\d\d)\b")


def _code_ok(code: str, before: str) -> bool:
    groups = re.split(r"[-/]", code)
    letters = [x for x in groups if x.isalpha()]
    digits = [x for x in groups if x.isdigit()]
    year = any(re.fullmatch(r"(?:19|20)\d\d", x) for x in groups)
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}-\d{1,2}-\d{2,4}", code):
        return False  # a date
    serial = any(len(x) >= 3 for x in digits if not re.fullmatch(r"(?:19|20)\d\d", x))
    if year and (letters or len(groups) >= 3) and serial:
        return True  # D-2024-118, SC-CAL-2024-0098: a year and a serial number
    # otherwise only after a case word: "cadena de custodia CC-0098-24"
    return bool(re.search(rf"(?i:\b(?:{CASE_WORDS}))\b[^.;\n]{{0,30}}$", before)) and \
        sum(c.isdigit() for c in code) >= 4 and bool(letters)


def case_codes(text: str) -> list[Span]:
    """Reference codes: letters, digits and separators with a letter group and a number
    group (``EF-2024-0311``, ``REF/COL/24/0317``), a year then letters then a serial
    (``2024ER0098871``), and "proceso 0587 de 2023"."""
    out = [Span(m.start(), m.end(), "CASE", "form:code") for m in CODE_RE.finditer(text)
           if _code_ok(m.group(), text[max(0, m.start() - 60):m.start()])]
    out += [Span(m.start(), m.end(), "CASE", "form:year_code") for m in YEAR_LETTERS.finditer(text)]
    out += [Span(m.start("v"), m.end("v"), "CASE", "form:number_of_year")
            for m in PROCESS_YEAR.finditer(text)]
    return out


# ---------------------------------------------------------------- ID numbers
ID_WORDS = (r"c[ée]dula|documento|pasaporte|passport|\bID\b|\bTI\b|tarjeta[ \t]de[ \t]identidad|"
            r"\bDNI\b|\bCC\b|\bNUIP\b")
ID_NEAR = re.compile(rf"(?i:{ID_WORDS})[^.;\n]{{0,40}}$")
DOC_CODE = re.compile(r"(?<![\w.-])(?:[A-Z]{1,2}-?)?(?:[A-Z0-9]{6,12}|"
                      r"\d{1,3}(?:\.\d{3}){2,3})(?![\w-])")
ENDS_IN = re.compile(r"(?i:\b(?:termina|terminaba|terminada|terminado|termine|acaba|"
                     r"acabada|ends|ending|ended)[ \t]+(?:en|in|with)[ \t]+)(?P<v>\d{2,6})\b")
BIG_NUMBER = re.compile(r"(?i)\b(?:un|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|"
                        r"[a-záéíóú]+(?:enta|ce|cientos))(?:[ \t]+y[ \t]+\w+)?[ \t]+"
                        r"(?:millones|millón|millon)(?:[ \t]+[a-záéíóú]+){2,12}")


def id_numbers(text: str) -> list[Span]:
    """ID numbers near an ID word that the labelled rule's strict order misses
    (``pasaporte venezolano número V-18.334.902``, passports ``C7T992140``), the last
    digits of an ID ("termina en 4587") and an ID said as a large number in words."""
    out = []
    for m in DOC_CODE.finditer(text):
        if ID_NEAR.search(text[max(0, m.start() - 60):m.start()]) and \
                sum(c.isdigit() for c in m.group()) >= 6:
            out.append(Span(m.start(), m.end(), "ID", "form:id_near"))
    for m in ENDS_IN.finditer(text):
        if ID_NEAR.search(text[max(0, m.start() - 60):m.start()]):
            out.append(Span(m.start("v"), m.end("v"), "ID", "form:id_tail"))
    for m in BIG_NUMBER.finditer(text):
        words = m.group().split()
        while words and not re.fullmatch(r"(?i)(?:uno|un|dos|tres|cuatro|cinco|seis|siete|"
                                         r"ocho|nueve|diez|once|doce|trece|catorce|quince|"
                                         r"[a-záéíóú]+(?:enta|ce|cientos|iento)|mil|"
                                         r"veinte|veinti\w+|diecis?\w+|cien|y)", words[-1]):
            words.pop()
        end = m.start() + len(" ".join(words))
        if ID_NEAR.search(text[max(0, m.start() - 60):m.start()]):
            out.append(Span(m.start(), end, "ID", "form:id_in_words"))
    return out


# ---------------------------------------------------------------- ages
PERSON_NOUNS = (r"niña|niño|niñas|niños|menor|menores|joven|adolescente|víctima|victima|"
                r"chica|chico|hermana|hermano|hija|hijo|bebé|bebe|muchacha|muchacho|prima|"
                r"primo|girl|boy|child|victim|accused|offender|suspect|man|woman|daughter|"
                r"son|sister|brother|teenager|vecino|vecina|amigo|amiga|novio|novia|tío|tía|"
                r"padrastro|madrastra|señor|señora|profesor|profesora|cousin|neighbour|"
                r"neighbor|friend|boyfriend|girlfriend|uncle|aunt|stepfather|teacher")
APPOSITION = re.compile(
    rf"(?:\b(?i:{PERSON_NOUNS})|(?<=[a-z,] ){CAPW}),[ \t]+(?:(?i:de|aged)[ \t]+)?"
    rf"(?P<v>\d{{1,2}}|(?i:{AGE_EN})|(?i:uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|"
    rf"diez|once|doce|trece|catorce|quince|dieciséis|dieciseis|diecisiete|dieciocho|"
    rf"diecinueve|veinte|veinti\w+|treinta|cuarenta|cincuenta|sesenta)"
    rf"(?:[ \t]+y[ \t]+\w+)?)(?:[ \t]+(?:años|years(?:[ \t]+old)?))?,")
LISTED = re.compile(
    r"(?i:\b(?:de|tenían|tenian|tenían|aged|of|con)[ \t]+)(?P<v>(?:\d{1,2}|[a-záéíóúñ]+)"
    r"[ \t]+(?:y|e|and)[ \t]+(?:\d{1,2}|[a-záéíóúñ]+))[ \t]+(?:años|years)\b")
AGE_WORD = re.compile(r"(?i)^(?:\d{1,2}|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|"
                      r"once|doce|trece|catorce|quince|dieciséis|dieciseis|diecisiete|"
                      r"dieciocho|diecinueve|veinte|veinti\w+|treinta|cuarenta|cincuenta|"
                      rf"{AGE_EN})$")
ENGLISH_AGE = re.compile(rf"(?i:\b(?:I'm|I am|he's|she's|he is|she is|was|turned|aged))[ \t]+"
                         rf"(?P<v>(?:{TENS_EN})-(?:one|two|three|four|five|six|seven|eight|nine)"
                         rf"|(?:{TENS_EN}))\b(?![ \t-]*(?:percent|%|minutes|hours|days|times|"
                         rf"people|dollars|pesos|thousand|million))")
COMPLETED = re.compile(r"(?i:\b(?:tenía|tenia|tiene|tengo|ya)[ \t]+)"
                       r"(?P<v>\d{1,2}|[a-záéíóúñ]+)"
                       r"[ \t]+(?:cumplidos|cumplidas)\b")
BABY = re.compile(r"(?i:\b(?:tenía|tenia|tiene|de|con)[ \t]+)(?P<v>(?:\d{1,2}|un|uno|dos|tres|"
                  r"cuatro|cinco|seis|siete|ocho|nueve|diez|once)[ \t]+(?:meses|mes|mesecitos|"
                  r"semanas))\b(?![ \t]+(?:de|del|en|sin|que|y[ \t]+medio))")
BABY_NEAR = re.compile(r"(?i)\b(?:bebé|bebe|bebita|bebito|recién[ \t]nacid|niña|niño|hija|hijo|"
                       r"baby|infant)")


def ages(text: str) -> list[Span]:
    """Ages in apposition ("la niña, de 14,", "Santi, nineteen,"), ages listed before one
    "años" ("de diez y doce años"), English tens said in words ("I'm twenty-eight"),
    "tenía quince cumplidos", and a baby's age in months."""
    out = [Span(m.start("v"), m.end("v"), "AGE", "form:apposition")
           for m in APPOSITION.finditer(text)]
    for m in LISTED.finditer(text):
        parts = list(re.finditer(r"[^\s,]+", m.group("v")))
        words = [p for p in parts if p.group().lower() not in ("y", "e", "and")]
        if len(words) >= 2 and all(AGE_WORD.match(p.group()) for p in words):
            out += [Span(m.start("v") + p.start(), m.start("v") + p.end(), "AGE",
                         "form:listed_ages") for p in words]
    out += [Span(m.start("v"), m.end("v"), "AGE", "form:age_en")
            for m in ENGLISH_AGE.finditer(text)]
    out += [Span(m.start("v"), m.end("v"), "AGE", "form:completed")
            for m in COMPLETED.finditer(text) if AGE_WORD.match(m.group("v"))]
    out += [Span(m.start("v"), m.end("v"), "AGE", "form:months")
            for m in BABY.finditer(text)
            if BABY_NEAR.search(text[max(0, m.start() - 40):m.start()])]
    return out


WEEKDAY_DAY = re.compile(r"\b(?i:lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|"
                         r"domingo)[ \t]+(?:\d{1,2}|primero)\b(?![ \t]*(?:%|años|personas|horas|"
                         r"minutos|de[ \t]+la[ \t]+mañana))")
ABOUT_AGE = re.compile(r"(?i:\b(?:como|unos|tipo)[ \t]+de[ \t]+)(?P<v>\d{2}|(?:veinte|treinta|"
                       r"cuarenta|cincuenta|sesenta)(?:[ \t]+y[ \t]+\w+)?)(?=[ \t]*[,.;?!…])")


def dates_and_rough_ages(text: str) -> list[Span]:
    """A weekday with its day ("el miércoles 21") and a rough age at a pause
    ("un señor como de 40, …")."""
    return [Span(m.start(), m.end(), "DATE", "form:weekday_day")
            for m in WEEKDAY_DAY.finditer(text)] + \
        [Span(m.start("v"), m.end("v"), "AGE", "form:about_age")
         for m in ABOUT_AGE.finditer(text)]


# ---------------------------------------------------------------- places
NUMBERED_AREA = re.compile(r"\b(?:Comuna|Localidad|Parque|Sector|Etapa|Zona|Supermanzana)"
                           r"[ \t]+\d{1,3}[A-Z]?\b(?![ \t]*(?:%|años|personas))")
CROSSING = re.compile(r"\b(?:Avenida|Av\.|Calle|Carrera|Transversal|Diagonal)[ \t]+"
                      rf"(?:{CAPW}|\d{{1,3}}[A-Z]?)(?:[ \t]+{CAPW})?"
                      r"[ \t]+(?:con|y|and|at)[ \t]+(?:Avenida|Av\.|Calle|Carrera|Transversal|"
                      r"Diagonal)[ \t]+\d{1,3}[A-Z]?(?:[ \t]?(?:Sur|Bis))?\b")
ADDRESS_SOUTH = re.compile(r"\b(?:Calle|Carrera|Avenida|Transversal|Diagonal|Cra\.?|Cl\.?)"
                           r"[ \t]+\d{1,3}[A-Z]{0,2}(?:[ \t]+(?:Bis|Sur|Norte|Este))?"
                           r"[ \t]*(?:#|No\.?|N°)[ \t]*\d{1,3}[A-Z]?"
                           r"(?:[ \t]+(?:Sur|Norte|Este|Bis))?"
                           r"[ \t]*-[ \t]*\d{1,3}[A-Z]?\b")
NAMED_PLACE = re.compile(r"\b(?:Parque|Plaza|Plazoleta|Calle|Barrio|Vereda|Urbanización|Conjunto)"
                         r"[ \t]+(?:de|del)[ \t]+(?:(?:la|las|los|el)[ \t]+)?"
                         rf"{CAPW}(?:[ \t]+{CAPW})?")


def places(text: str) -> list[Span]:
    """Numbered areas ("Comuna 13"), street crossings ("Avenida X con Calle 22"),
    addresses with a "Sur" part, and named squares/parks/streets ("Parque de los X")."""
    out = []
    for pat, det in ((NUMBERED_AREA, "form:numbered_area"), (CROSSING, "form:crossing"),
                     (ADDRESS_SOUTH, "form:address"), (NAMED_PLACE, "form:named_place")):
        out += [Span(m.start(), m.end(), "PLACE", det) for m in pat.finditer(text)]
    return out


# ---------------------------------------------------------------- acronym bodies in a town
ACRONYM_OFFICE = re.compile(
    r"\b(?P<a>[A-Z]{3,6})(?:[ \t]+(?:Metropolitana|Seccional|Regional|Zonal|Sede|Centro|"
    r"Unidad)(?:[ \t]+[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+){0,2})?[ \t]+(?:de|del)[ \t]+"
    r"(?P<p>[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+(?:[ \t]+[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)?)")


def offices(text: str, places_folded, everyday=frozenset()) -> list[Span]:
    """A body's acronym with the town of its office ("SENA de Mosquera", "SIJIN
    Metropolitana de Cúcuta"): the town makes a small office identifying."""
    from dhkit.qualitative.detect import fold

    out = []
    for m in ACRONYM_OFFICE.finditer(text):
        first = fold(m.group("p").split()[0]).lower()
        if m.group("a") in NOT_ACRONYMS or first in COUNTRIES:
            continue
        if fold(m.group("p")).lower() in places_folded or first in places_folded or \
                first not in everyday:
            out.append(Span(m.start(), m.end(), "INSTITUTION", "form:office"))
    return out


NOT_ACRONYMS = frozenset("CC TI NIT SAS LTDA ONG COVID VIH SIDA".split())
COUNTRIES = frozenset("colombia venezuela ecuador peru panama mexico brasil espana america "
                      "latinoamerica".split())


@lru_cache(maxsize=1)
def _everyday() -> frozenset[str]:
    from importlib.resources import files

    text = files("dhkit.qualitative").joinpath("data/names/everyday_words.txt").read_text("utf-8")
    return frozenset(w.strip().lower() for w in text.splitlines()
                     if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def _places_folded(places: tuple[str, ...]) -> frozenset[str]:
    from dhkit.qualitative.detect import fold

    return frozenset(fold(p).lower() for p in places)


# ---------------------------------------------------------------- firms and offices
AMPERSAND_FIRM = re.compile(rf"\b{CAPX}(?:[ \t]+{CAPX})?[ \t]*&[ \t]*{CAPX}(?:[ \t]+{CAPX})?")
BRANCH = re.compile(rf"\b{CAPW}(?:[ \t]+{CAPW})?[ \t]+"
                    r"(?:Calle|Carrera|Avenida|Av\.)[ \t]+\d{1,3}[A-Z]?\b")
TRADE_NOUNS = (r"café|cafe|tienda|bar|discoteca|billar|billares|restaurante|hotel|motel|"
               r"residencias|peluquería|peluqueria|barbería|barberia|gimnasio|taller|"
               r"almacén|almacen|panadería|panaderia|droguería|drogueria|cigarrería|"
               r"cigarreria|estadero|negocio|local|heladería|heladeria|salón|salon|"
               r"shop|store|café|bar|club|gym|hostel|restaurant")
APPOSED_FIRM = re.compile(rf"\b(?P<v>[A-ZÁÉÍÓÚÑ][\wáéíóúñ]+"
                          rf"(?:[ \t]+[A-ZÁÉÍÓÚÑ0-9][\wáéíóúñ]*){{0,3}}),"
                          rf"[ \t]+(?:el|la|un|una|the|a)[ \t]+(?i:{TRADE_NOUNS})\b")
OFFICE_OF = re.compile(rf"\b(?:{CAPW}[ \t]+)(?:regional|local|field|country|"
                       r"district|area)[ \t]+office[ \t]+of[ \t]+(?:the[ \t]+)?"
                       r"[A-Z][\w]+(?:[ \t]+(?:the|of|for|and)?[ \t]*[A-Z][\w]+){0,4}")
UNIT_EN = re.compile(r"\b(?:[A-Z][a-z]+[ \t]+){1,3}(?:Police|Police[ \t]Service|"
                     r"Sheriff's[ \t]Office|"
                     r"Constabulary)(?:[ \t]+[A-Z][a-z]+){0,4}\b")


NATIONAL_EN = re.compile(r"\b(?:International|National|Federal|European|Colombian|British|"
                         r"American|Criminal|Judicial)\b")


def firms_and_offices(text: str) -> list[Span]:
    """Firms named "X & Y"; a chain's branch named by its street ("Olímpica Calle 72");
    a name in apposition to a trade noun ("Pixel Arena, el café de la esquina"); an
    office of a body in a named town ("the Pasto field office of X"); a named police
    force and its units ("Leeds City Police Cyber Unit")."""
    out = [Span(m.start(), m.end(), "BUSINESS", "form:ampersand")
           for m in AMPERSAND_FIRM.finditer(text)]
    out += [Span(m.start(), m.end(), "BUSINESS", "form:branch") for m in BRANCH.finditer(text)
            if not re.match(r"(?:Calle|Carrera|Avenida|Barrio|Sector|Comuna)\b", m.group())]
    out += [Span(m.start("v"), m.end("v"), "BUSINESS", "form:apposed_firm")
            for m in APPOSED_FIRM.finditer(text)
            if m.start() > 0 and text[:m.start()].rstrip()[-1:] not in ".!?:\n"]
    out += [Span(m.start(), m.end(), "INSTITUTION", "form:office_of")
            for m in OFFICE_OF.finditer(text)]
    out += [Span(m.start(), m.end(), "INSTITUTION", "form:police_unit")
            for m in UNIT_EN.finditer(text) if len(m.group().split()) >= 3
            and not NATIONAL_EN.search(m.group())]  # a national body names no one
    return out


def spans(text: str, g) -> list[Span]:
    """Every general form above."""
    return (links(text) + spoken_emails(text) + decorated_handles(text) + renamed_handles(text)
            + case_codes(text) + id_numbers(text) + ages(text) + places(text)
            + offices(text, _places_folded(tuple(g.places)), _everyday())
            + shaped_handles(text) + dates_and_rough_ages(text) + english_places(text, g)
            + firms_and_offices(text))


# ---------------------------------------------------------------- names
# capitalised common nouns that name a body, a region or a thing, not a person, after an
# article ("el Estado", "la Policía", "el Centro")
NOT_NICKNAMES = frozenset("""estado gobierno congreso ministerio consejo senado distrito
departamento pais norte sur centro oriente occidente caribe pacifico atlantico amazonas
valle eje cauca tribunal ejercito bienestar internet policia fiscalia comisaria personeria
defensoria secretaria alcaldia gobernacion registraduria ley codigo constitucion corte
nacion pueblo plan programa sistema mundial banco fondo instituto observatorio protocolo
informe estudio proyecto convenio comite mesa red ruta agencia oficina unidad gobierno
senor senora dios papa mama virgen nino espiritu santo barrio parque estadio hospital
colegio procuraduria contraloria superintendencia migracion aduana armada fuerza
infancia adolescencia familia justicia salud educacion mujer genero victimas paz""".split())
ARTICLE_NICK = re.compile(r"(?:^|(?<=[ \t]))(?P<before>[a-záéíóúñ]+,?|\S+,)[ \t]+(?:el|al|la)"
                          r"[ \t]+(?P<v>[A-ZÁÉÍÓÚÑ][a-záéíóúñ]{2,})"
                          r"(?![ \t]+(?:de|del|[A-ZÁÉÍÓÚÑ0-9])|[\w-])")
GREETING = re.compile(r"(?:[\"“«](?!(?i:hola|holi|hey|oye|ey|chao|buenas|hi|hello)\b)|"
                      r"\b(?i:hola|holi|hey|oye|ey|chao|buenas|hi|hello)[ \t]+)"
                      r"(?P<v>[a-zñ]{3,})\b(?=[ \t,]+\w)")


# a first name and a surname joined by a particle, neither an everyday word ("Anneke van
# Dijk", "Lotte de Wit")
PARTICLE_NAME = re.compile(r"\b([A-ZÁÉÍÓÚ][a-záéíóúñ]{2,})[ \t]+"
                           r"(?:de|van|von|van[ \t]der|"
                           r"van[ \t]den|da|di|du|le|la)[ \t]+([A-Z][a-záéíóúñ]{2,})\b")
PLACE_EN = re.compile(r"\b(?:in|to|from|near|around)[ \t]+"
                      r"(?P<v>[A-ZÁÉÍÓÚ][a-záéíóúñ]{3,}"
                      r"(?:[ \t]+[A-ZÁÉÍÓÚ][a-záéíóúñ]{3,})?)\b")


def english_places(text: str, g) -> list[Span]:
    """A place after an English preposition whose name is no word of either language
    ("a centre in Getsemaní"): English lines get no NER."""
    from dhkit.qualitative.detect import NOT_NAMES, fold

    every = _everyday()
    return [Span(m.start("v"), m.end("v"), "PLACE", "form:place_en")
            for m in PLACE_EN.finditer(text)
            if all(fold(w).lower() not in every for w in m.group("v").split())
            and fold(m.group("v")) not in NOT_NAMES]


def names(text: str, g, found: list[Span]) -> list[Span]:
    """Names the other rules leave: a capitalised common noun after an article in the middle
    of a sentence (a nickname: "conocí al Pollo"), a lower-case first name greeted or opening
    a quoted message ("hola juli", "“caro contesta”"), and every other mention of a name
    already found in the passage ("la Flaca Yesi … la yesi")."""
    from dhkit.qualitative.detect import NOT_NAMES, fold
    from dhkit.qualitative.recognizers import stop_words

    every, stops = _everyday(), stop_words()
    taken = [(s.start, s.end) for s in found]
    out = []
    for m in ARTICLE_NICK.finditer(text):
        w = fold(m.group("v")).lower()
        if w in every and w not in NOT_NICKNAMES and fold(m.group("v")) not in NOT_NAMES \
                and w not in _places_folded(tuple(g.places)):
            out.append(Span(m.start("v"), m.end("v"), "NAME", "form:article_nickname"))
    for m in GREETING.finditer(text):
        w = fold(m.group("v"))
        if w.capitalize() in g.given and w not in stops and w.capitalize() not in NOT_NAMES:
            out.append(Span(m.start("v"), m.end("v"), "NAME", "form:greeted_name"))
    for m in PARTICLE_NAME.finditer(text):
        if fold(m.group(1)).lower() not in every and fold(m.group(2)).lower() not in every:
            out.append(Span(m.start(), m.end(), "NAME", "form:particle_name"))
    # a name shortened ("Brayan … Bray"): a word that begins a found name, not a word itself
    tokens = {w for s in found + out if s.kind == "NAME"
              for w in fold(text[s.start:s.end]).lower().split() if len(w) >= 5}
    folded = fold(text).lower()
    for m in re.finditer(r"(?<!\w)[a-zñ]{4,}(?!\w)", folded):
        w = m.group()
        if w not in every and w not in stops and any(t.startswith(w) and t != w for t in tokens) \
                and not any(a <= m.start() and m.end() <= b for a, b in taken):
            out.append(Span(m.start(), m.end(), "NAME", "form:short_name"))
    said = [fold(text[s.start:s.end]).lower() for s in found + out if s.kind == "NAME"]
    words = {w for name in said for w in [name] + name.split()
             if len(w) >= 3 and w not in every and w not in stops}
    for w in words:
        for m in re.finditer(rf"(?<!\w){re.escape(w)}(?!\w)", fold(text).lower()):
            if not any(a <= m.start() and m.end() <= b for a, b in taken):
                out.append(Span(m.start(), m.end(), "NAME", "form:repeated_name"))
    return out
