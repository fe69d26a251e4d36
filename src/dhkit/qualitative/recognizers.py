"""Presidio recognizers for identifiers in Colombian interviews (Spanish and English).

Microsoft Presidio's analyzer runs the pattern recognizers below with context words, on a
blank Spanish spaCy pipeline (tokens only; its "lemma" is the lower-cased word, which is
what Presidio's context enhancer compares with the context words). Nothing is downloaded:
``spacy.blank("es")`` needs no model package, and the e-mail recognizer's ``tldextract``
uses the public-suffix snapshot bundled with it (``suffix_list_urls=()``).

Kinds added here (:data:`dhkit.qualitative.model.KINDS`): ``ID`` (cédula, tarjeta de
identidad, NIT — checked with ``python-stdnum`` —, NUIP, pasaporte, dotted or not),
``PLATE`` (Colombian car ``ABC 123`` and motorcycle ``ABC 12D`` plates), ``CASE``
(radicado, SPOA criminal-notice numbers, expediente, case numbers), ``BUSINESS`` (shops
named after their kind — Droguería, Panadería … — and companies with a legal suffix;
partner-named firms are found in :mod:`dhkit.qualitative.detect`, which has the surname lists); and
for existing kinds: ``PHONE`` through ``phonenumbers`` (every Colombian format), ``EMAIL``
also when spelled out (``ana arroba gmail punto com``), ``HANDLE`` also without ``@`` after
"usuario", "cuenta", "perfil", "me sale como" …, ``PLACE`` for Colombian street addresses
(``Carrera 7 No. 23-15``, ``Mz 4 Casa 12``).

Why some recognizers are written here rather than taken from Presidio: Presidio ships none
for Colombia; the ones that need a trigger phrase and return only the part after it (a
username after "mi usuario es") use :class:`TriggeredRecognizer`, a small
``EntityRecognizer`` with a regex group, because Presidio's ``PatternRecognizer`` returns
whole matches.

Reference: Presidio documentation, "Adding recognizers" and "Context enhancement";
Registraduría Nacional (cédula and TI numbering); Fiscalía, SPOA criminal-notice number
(21 digits); Ministerio de Transporte, Resolución 5228 de 2016 (plates).

>>> [(r.entity_type, r.start, r.end) for r in analyze("La cédula es 1.075.234.567.")]
[('ID', 13, 26), ('PHONE', 13, 26)]

(:func:`dhkit.qualitative.detect.detect` keeps one: ``ID`` comes first in its ``PRIORITY``.)
"""

from __future__ import annotations

from functools import lru_cache

import regex

Flags = regex.MULTILINE | regex.DOTALL | regex.VERSION0
CAP = r"[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]+"
CAPX = r"[A-ZÁÉÍÓÚÑÜ][A-Za-záéíóúñü0-9'’]*(?!\.[A-Z])"
LINK = r"(?:de|del|la|las|los|el|y|e|of|the|and|&)"
PHRASE = rf"{CAPX}(?:[ \t](?:{LINK}[ \t])*{CAPX}){{0,4}}"

ID_LABEL = (r"c[ée]dula(?:[ \t]de[ \t](?:ciudadan[íi]a|extranjer[íi]a))?|"
            r"permiso[ \t]por[ \t]protecci[óo]n[ \t]temporal|ppt|pep|tarjeta[ \t]de[ \t]identidad|"
            r"registro[ \t]civil|documento(?:[ \t]de[ \t]identidad)?|nuip|nit|pasaporte|"
            r"identity[ \t]card|id[ \t]number|passport")
ID_CONTEXT = ["cédula", "cedula", "tarjeta", "identidad", "ti", "t.i", "cc", "c.c",
              "documento", "nit", "nuip", "registro", "pasaporte", "passport", "id"]
PHONE_CONTEXT = ["teléfono", "telefono", "celular", "número", "numero", "llamar", "llame",
                 "llámeme", "whatsapp", "fijo", "phone", "number", "call", "mobile"]
PLATE_CONTEXT = ["placa", "placas", "carro", "moto", "taxi", "camioneta", "bus", "buseta",
                 "plate", "plates", "car", "van", "vehículo", "vehiculo", "licence", "license",
                 "registration", "matrícula", "matricula"]
HANDLE_CONTEXT = ["usuario", "usuarios", "cuenta", "cuentas", "perfil", "perfiles", "nick",
                  "gamertag", "instagram", "insta", "tiktok", "facebook", "face", "snapchat",
                  "snap", "discord", "telegram", "kwai", "roblox", "fire", "juego", "twitch",
                  "youtube", "canal", "agregó", "agrego", "agregara", "agregue", "agregar",
                  "búsquelo", "busquelo", "buscar", "account", "accounts", "profile",
                  "username", "handle", "user", "seguidores", "followers", "sígueme", "chat",
                  "twitter", "x", "threads", "likee", "minecraft", "fortnite", "xbox",
                  "playstation", "steam"]
# brand names written in camel case, not usernames
BRANDS = {"WhatsApp", "TikTok", "YouTube", "PayPal", "iPhone", "iPad", "LinkedIn",
          "PlayStation", "DaviPlata", "FreeFire", "McDonald", "OnlyFans", "WeChat", "GitHub",
          "PowerPoint", "FaceTime", "iCloud", "eBay", "MercadoLibre", "MercadoPago",
          "TeProtejo", "RedPaPaz", "PaPaz", "SoundCloud", "CapCut", "BeReal", "DiDi"}
NOT_PLATES = {"COP", "USD", "SOS", "PIN", "EPS", "IPS", "ICBF", "SMS", "MMS", "DNA", "ADN",
              "IVA", "SAS", "LTD", "INC", "PLC", "TIC", "ONG", "GPS", "USB"}
SHOPS = ("Tienda|Droguería|Drogueria|Farmacia|Panadería|Panaderia|Miscelánea|Miscelanea|"
         "Ferretería|Ferreteria|Papelería|Papeleria|Peluquería|Peluqueria|Barbería|Barberia|"
         "Cigarrería|Cigarreria|Minimercado|Supermercado|Mercado|Autoservicio|Granero|"
         "Restaurante|Cafetería|Cafeteria|Café Internet|Cafe Internet|Café|Cafe|Heladería|"
         "Heladeria|Pizzería|Pizzeria|Asadero|Billares|Billar|Taberna|Discoteca|Bar|"
         "Estadero|Gallera|Salsamentaría|Salsamentaria|Carnicería|Carniceria|Frutería|"
         "Fruteria|Licorera|Taller|Lavadero|Montallantas|Parqueadero|Motel|Residencias|"
         "Hotel|Hostal|Salón de Belleza|Salon de Belleza|Spa|Gimnasio|Almacén|Almacen|"
         "Boutique|Confecciones|Variedades|Distribuidora|Comercializadora|Inversiones|"
         "Estudio|Agencia|Academia|Almacenes|Tiendas|Droguerías|Droguerias|Marca|Empresa|"
         "Fábrica|Fabrica|Negocio|Centro Comercial|Centro Recreacional|"
         "Centro Vacacional|Sala de Juegos|Piqueteadero|Casa de Apuestas|Casino|Tatuajes|"
         "Veterinaria|Óptica|Optica|Lavandería|Lavanderia|Carnicería|Rapitienda|Minimarket|"
         # firms named after their trade, plural ("Transportes Rápido Hurtado")
         "Transportes|Construcciones|Importaciones|Creaciones|Producciones|Mudanzas|"
         "Textiles|Celulares")
COMPANY_SUFFIX = (r"S\.?\s?A\.?\s?S\.?|S\.A\.|Ltda\.?|Ltd\.?|LLC|Inc\.?|PLC|Corp\.?|Group|"
                  r"y[ \t]Cía\.?|&[ \t]Cía\.?|e[ \t]Hijos|and[ \t]Sons|Asociados|"
                  r"y[ \t]Asociados|and[ \t]Associates|Company|Co\.")
NON_USERS = {"falsa", "falso", "nueva", "nuevo", "privada", "privado", "pública", "público",
             "oficial", "verificada", "bancaria", "de", "del", "en", "que", "y", "con", "la",
             "el", "los", "las", "un", "una", "mía", "mia", "suya", "otra", "otro", "esa",
             "ese", "esta", "este", "mi", "su", "sus", "tu", "is", "was", "the", "a", "an",
             "of", "on", "in", "and", "to", "it", "his", "her", "their", "new", "fake",
             "old", "account", "cuenta", "perfil", "usuario", "como", "porque", "pero",
             "también", "tambien", "no", "sí", "si", "ya", "ahí", "ahi", "me", "se", "le",
             "lo", "les", "nos", "for", "with", "from", "that", "this", "which", "who",
             "al", "por", "para", "era", "es", "fue", "son", "eran", "tenía", "tenia",
             # people and states of an account, not a username ("el gamertag del man era",
             # "tiene la cuenta abierta")
             "man", "men", "tipo", "señor", "pelado", "pelao", "chino", "muchacho", "muchacha",
             "abierta", "abierto", "cerrada", "cerrado", "bloqueada", "bloqueado", "hackeada",
             "robada", "suspendida", "eliminada", "borrada", "activa", "personal", "principal",
             "vieja", "viejo", "segunda", "primera", "propia", "propio", "compartida",
             "mismo", "misma", "igualita", "igual",
             # the platform or the game itself ("mi cuenta de youtube", "en el juego")
             "youtube", "instagram", "insta", "facebook", "face", "tiktok", "discord",
             "whatsapp", "telegram", "snapchat", "snap", "roblox", "kwai", "twitch", "twitter",
             "juego", "celular", "free", "fire", "minecraft", "fortnite", "xbox", "steam"}
PLATFORM = (r"(?:Free[ \t]Fire|TikTok|Tik[ \t]Tok|Instagram|Facebook|Snapchat|Discord|"
            r"Roblox|Telegram|WhatsApp|Twitter|X|Kwai|Likee|Twitch|YouTube|Minecraft|"
            r"Fortnite|PlayStation|Xbox|Steam|el[ \t]juego|el[ \t]celular)")


class TriggeredRecognizer:
    """Factory for a Presidio ``EntityRecognizer`` that reports group ``v`` of a regex whose
    other part is a trigger phrase (``mi usuario es (?P<v>…)``)."""

    def __new__(cls, entity: str, pattern: str, score: float = 0.85, check=None,
                name: str | None = None):
        from presidio_analyzer import EntityRecognizer, RecognizerResult

        compiled = regex.compile(pattern, Flags)

        class _Triggered(EntityRecognizer):
            def load(self) -> None:
                pass

            def analyze(self, text, entities, nlp_artifacts=None):
                out = []
                for m in compiled.finditer(text):
                    start, end = m.span("v")
                    if end > start and (check is None or check(
                            m.group("v"), text[m.start():start], text[end:end + 24])):
                        out.append(RecognizerResult(entity, start, end, score))
                return out

        return _Triggered(supported_entities=[entity], supported_language="es",
                          name=name or f"dhkit:{entity.lower()}")


def _spelled_email_ok(value: str, trigger: str, after: str) -> bool:
    """An address with the English "at" is said aloud only with "dot" or digits in it:
    "her profile at facebook.com" is a link, not an address."""
    if regex.search(r"(?i)arroba|@", value):
        return True
    return bool(regex.search(r"(?i)\bdot\b|\d", value))


def _shaped(value: str, trigger: str, after: str) -> bool:
    """A username by its shape alone: digits, ``_``, ``.`` or inner capitals."""
    v = value.strip(".,;:!?")
    return v not in BRANDS and v.lower() not in NON_USERS and len(v) >= 3 and bool(
        regex.search(r"[\d_.]", v) or regex.search(r"[a-z][A-Z]", v))


def username_ok(value: str, trigger: str, after: str) -> bool:
    """A username has digits, ``_``, ``.`` or inner capitals; a plain lower-case word only
    after a strong trigger ("mi usuario es", "me sale como") or followed by a pause or a
    function word ("la cuenta fnarvaez me siguió"), never a stop word ("account when")."""
    v = value.strip(".,;:!?")
    if v.lower() in NON_USERS or v.lower() in stop_words() or len(v) < 3:
        return False
    if regex.search(r"[\d_.]", v) or regex.search(r"[a-z][A-Z]", v) or (
            v[:1].isupper() and regex.search(r"[A-Z]", v[1:])):
        return True
    if not v.islower():
        return False
    strong = regex.search(r"(?i)usuario|user|sale|aparec|llamar|nick|gamertag", trigger)
    nxt = after.strip().split(" ", 1)[0].lower() if after.strip() else ""
    return bool(strong) or not nxt or not nxt[:1].isalpha() or nxt in FOLLOWERS


FOLLOWERS = {"y", "pero", "que", "me", "te", "le", "les", "nos", "lo", "la", "en", "con",
             "para", "porque", "no", "ya", "ahí", "ahi", "donde", "and", "but", "on", "in",
             "was", "which", "who", "she", "he", "they", "followed", "sent", "wrote"}


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's Spanish and English stop words (function words, never a name or a user)."""
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.es.stop_words import STOP_WORDS as ES

    return frozenset(ES) | frozenset(EN)


def _nit_valid(value: str) -> bool | None:
    from stdnum.co import nit

    return True if nit.is_valid(value) else None


def recognizers() -> list:
    """The recognizers dhkit registers, all for language ``es`` (used for English too: the
    context words are in both languages and the blank tokenizer splits both)."""
    import tldextract
    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import EmailRecognizer, PhoneRecognizer

    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str):
            return offline(pattern_text.split("@")[-1]).fqdn != ""

    class NitRecognizer(PatternRecognizer):
        def __init__(self, **kw):
            super().__init__(global_regex_flags=Flags, **kw)

        def validate_result(self, pattern_text: str):
            return _nit_valid(pattern_text)

    class Phones(PhoneRecognizer):
        """phonenumbers' matcher at its most lenient (possible numbers: Faker and people
        write numbers no operator has issued), less short numbers and money."""

        def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
            found = super().analyze(text, entities, nlp_artifacts)
            return [r for r in found if sum(c.isdigit() for c in text[r.start:r.end]) >= 7
                    and not regex.match(money_after, text[r.end:r.end + 16])
                    and text[max(0, r.start - 1):r.start] != "$"]

    class _Patterns(PatternRecognizer):
        def __init__(self, **kw):
            super().__init__(global_regex_flags=Flags, **kw)

    class _HandleShapes(_Patterns):
        """Usernames by their shape (``_``, digits, dots, camel case), the weaker shapes
        only with a platform or account word nearby; never a brand (WhatsApp, TikTok)."""

        def validate_result(self, pattern_text: str):
            return False if pattern_text in BRANDS or pattern_text.lower() in NON_USERS \
                else None

    money_after = (r"[ \t]*(?i:pesos|millones|millón|mil\b|dólares|dolares|usd|cop|%|"
                   r"por[ \t]ciento)")
    money = rf"(?!{money_after})"
    out = [
        OfflineEmailRecognizer(supported_language="es", supported_entity="EMAIL",
                               context=["correo", "email", "e-mail", "mail"]),
        TriggeredRecognizer(
            "EMAIL", r"(?P<v>(?<![\w.@])[\w.+-]+(?:[ \t]+(?i:punto|dot|guion[ \t]bajo|guion|"
                     r"underscore)[ \t]+[\w+-]+)*[ \t]*(?i:arroba|\bat\b|@)[ \t]*[\w-]+"
                     r"(?:[ \t]*(?i:\bpunto\b|\bdot\b|\.)[ \t]*(?i:com|co|org|net|edu|es|gov)\b)+)",
            check=_spelled_email_ok, name="dhkit:spelled_email"),
        Phones(supported_language="es", supported_entity="PHONE",
                        supported_regions=("CO", "US", "GB", "ES", "MX", "VE", "EC", "PE"),
                        context=PHONE_CONTEXT, leniency=0),
        _Patterns(
            supported_entity="ID", supported_language="es", name="dhkit:id_dotted",
            patterns=[Pattern("dotted number", rf"(?<![\w$.,])\d{{1,3}}(?:\.\d{{3}}){{2,3}}"
                                               rf"(?![\w.,]){money}", 0.3),
                      Pattern("long number", rf"(?<![\w$.,-])\d{{6,11}}(?![\w.,-]){money}",
                              0.05)],
            context=ID_CONTEXT),
        TriggeredRecognizer(
            "ID", rf"(?i:\b(?:{ID_LABEL})\b)(?:[ \t]*(?:(?i:es|era|de|del|número|numero|"
                  rf"no\.?|nro\.?|n\.?º|la|el|mía|mia|suya|is|number)\b|[:#,]))*[ \t]*"
                  rf"(?P<v>(?:(?:C\.[ \t]?C\.|CC|T\.[ \t]?I\.|TI)[ \t]?)?"
                  rf"(?:[A-Z][ \t-]?)?\d{{1,3}}(?:[. \t]?\d{{3}}){{1,3}}(?:-\d)?"
                  rf"|[A-Z]{{2}}\d{{6,7}})"
                  rf"(?!\d)",
            name="dhkit:id_labelled"),
        TriggeredRecognizer(
            "ID", r"(?P<v>(?<![\w.])(?:C\.[ \t]?C\.|CC|T\.[ \t]?I\.|TI|NIT|NUIP)[ \t]*"
                  r"(?:No\.?[ \t]*)?\d{1,3}(?:[. \t]?\d{3}){1,3}(?:-\d)?)(?!\d)",
            name="dhkit:id_abbrev"),
        NitRecognizer(
            supported_entity="ID", supported_language="es", name="dhkit:nit",
            patterns=[Pattern("NIT", r"(?<![\w.])\d{3}\.?\d{3}\.?\d{3}-\d(?!\w)", 0.6)],
            context=["nit", "empresa", "company"]),
        _Patterns(
            supported_entity="PLATE", supported_language="es", name="dhkit:plate",
            patterns=[Pattern("car", r"(?<![\w-])(?!(?:" + "|".join(sorted(NOT_PLATES)) +
                              r")\b)[A-Z]{3}[ \t-]?\d{3}(?![\w-])", 0.6),
                      Pattern("motorcycle", r"(?<![\w-])[A-Z]{3}[ \t-]?\d{2}[A-Z](?![\w-])",
                              0.6),
                      Pattern("trailer", r"(?<![\w-])[RS][ \t-]?\d{2}[ \t-]?\d{3}(?![\w-])",
                              0.5),
                      Pattern("official, diplomatic", r"(?<![\w-])[A-Z]{2}[ \t-]?\d{4}(?![\w-])",
                              0.2),
                      Pattern("British", r"(?<![\w-])[A-Z]{2}\d{2}[ \t]?[A-Z]{3}(?![\w-])", 0.3),
                      Pattern("other letter-digit", r"(?<![\w-])[A-Z]{1,3}\d{1,3}[ \t-]?\d{3}"
                                                    r"(?![\w-])", 0.2)],
            context=PLATE_CONTEXT),
        TriggeredRecognizer(
            "CASE", r"(?i:\b(?:radicado|radicaci[óo]n|expediente|proceso|noticia[ \t]criminal|"
                    r"spoa|denuncia|caso|case|file|docket|nunc|reference|ref|referencia|pard|sim|"
                    r"tutela|incidente|carpeta|ius)\b)(?:[ \t]*(?:(?i:es|era|"
                    r"número|numero|no\.?|nro\.?|n\.?º|con|el|la|de|del|number|is|was|the|"
                    r"quedó|quedo|tiene|has)\b|[:#,]|(?i:no)\.))*[ \t]*(?P<v>(?:[A-Z]{1,5}-?){0,3}"
                    r"\d[\d-]{2,}\d(?:-[A-Z]{1,4}-\d+)?|\d{1,5}[ \t]+de[ \t]+(?:19|20)\d\d\b)",
            name="dhkit:case_labelled"),
        _Patterns(
            supported_entity="CASE", supported_language="es", name="dhkit:spoa",
            patterns=[Pattern("SPOA", r"(?<![\w-])\d{21}(?![\w-])", 0.7),
                      # a long filing number near "radicado", "proceso" …: a case
                      Pattern("long reference", r"(?<![\w.,-])\d{12,23}(?![\w-])", 0.3),
                      Pattern("SPOA dashed", r"(?<![\w-])\d{5}(?:-\d{2,5}){3,5}(?![\w-])", 0.7)],
            context=["radicado", "spoa", "noticia", "proceso", "fiscalía", "fiscalia", "caso",
                     "expediente", "denuncia", "case"]),
        TriggeredRecognizer(
            "HANDLE", rf"(?i:\b(?:mi|su|tu|my|his|her)[ \t]+){PLATFORM}[ \t]+"
                      rf"(?i:es|era|is|was|:)[ \t]*"
                      r"(?P<v>(?<![@\w])[A-Za-z0-9_][A-Za-z0-9_.]{1,30}[A-Za-z0-9_])",
            check=username_ok, name="dhkit:username_platform"),
        TriggeredRecognizer(
            "HANDLE", r"(?P<v>(?<![@\w./])[A-Za-z0-9_][A-Za-z0-9_.]{1,30}[A-Za-z0-9_])"
                      rf"[ \t]+(?i:en|on|in)[ \t]+(?:el[ \t]+)?{PLATFORM}",
            check=_shaped, name="dhkit:username_on_platform"),
        TriggeredRecognizer(  # "una cuenta falsa que se llamaba sofi.nnn"
            "HANDLE", r"(?i:\b(?:cuenta|perfil|usuario|canal|account|profile|channel)\b)"
                      r"(?:[ \t]+[a-záéíóúñ]+){0,3}?[ \t]+(?i:que[ \t]+se[ \t]+llama(?:ba)?|"
                      r"llamad[oa]|called|named)[ \t]+"
                      r"(?P<v>(?<![@\w])[A-Za-z0-9_][A-Za-z0-9_.]{1,30}[A-Za-z0-9_])",
            check=lambda v, trigger, after: username_ok(v, "usuario", after),
            name="dhkit:username_called"),
        _HandleShapes(
            supported_entity="HANDLE", supported_language="es", name="dhkit:username_shape",
            patterns=[Pattern("underscore", r"(?<![\w@/.#])[A-Za-z0-9][A-Za-z0-9.]*_[A-Za-z0-9_.]*"
                                            r"[A-Za-z0-9_](?:#\d{4})?(?![\w@])", 0.6),
                      Pattern("discord tag", r"(?<![\w@/.#])[A-Za-z][\w.]{1,30}#\d{4}(?![\w@])",
                              0.6),
                      Pattern("letters and digits", r"(?<![\w@/.#])[A-Za-z]*[a-z][A-Za-z]{1,}"
                                                    r"\d{2,}(?![\w@])", 0.3),
                      Pattern("dotted", r"(?<![\w@/.#])[a-z][a-z0-9]{1,}(?:\.[a-z0-9]+)+"
                                        r"(?![\w@])", 0.3),
                      Pattern("camel case", r"(?<![\w@/.#])(?:[A-Z][a-z]+|[a-z]+)"
                                            r"(?:[A-Z][a-z0-9]+)+"
                                            r"\d*(?![\w@])", 0.3)],
            context=HANDLE_CONTEXT),
        TriggeredRecognizer(
            "HANDLE", rf"(?i:\b(?:usuario|user(?:name)?|cuenta|account|perfil|profile|"
                      rf"nick(?:name)?|gamertag|(?:me|le|te|nos)[ \t]sale[ \t]como|sale[ \t]como|"
                      rf"aparece[ \t]como|aparezco[ \t]como|se[ \t]hac[eí]a?[ \t]llamar)\b)"
                      rf"(?:[ \t]*(?:(?i:es|era|de|del|él|ella|el|la|mi|su|en|is|was|on|in|"
                      rf"called|llamad[oa]|como|:)\b|{PLATFORM}|[:,]))*[ \t]*"
                      r"(?P<v>(?<![@\w])[A-Za-z0-9_][A-Za-z0-9_.]{1,30}[A-Za-z0-9_])",
            check=username_ok, name="dhkit:username"),
        _Patterns(
            supported_entity="PLACE", supported_language="es", name="dhkit:address",
            patterns=[Pattern("street address", r"\b(?i:calle|cll?|carrera|cra|kra|kr|cr|"
                              r"avenida(?:[ \t](?:calle|carrera|cra))?|av|ak|ac|diagonal|dg|"
                              r"transversal|tv|tr|circular|autopista)\b\.?[ \t]+\d{1,3}"
                              r"[ \t]?(?:[A-Z]|ª|°|º)?(?:[ \t]?(?i:bis))?"
                              r"(?:[ \t]?[A-Z](?![a-z]))?"
                              r"(?:[ \t]+(?i:sur|este|norte|oeste))?[ \t]*"
                              r"(?:#|(?i:no|n|nro|núm|num)\.?[ \t]?[°º]?|(?i:n\.?[ \t]?[°º])|"
                              r"(?i:número|numero))[ \t]*\d{1,3}"
                              # "# 18 c 25", "# 45-67", "# 12B-30"
                              r"(?:[ \t]?[A-Za-z](?![A-Za-z])(?:[ \t]*-?[ \t]*\d{1,3}(?!\d))?"
                              r"|[ \t]*-[ \t]*\d{1,3})?(?:[ \t]+(?i:sur|este|norte)\b)?"
                              # the flat or house: "apto 302", "int. 4", "casa 12"
                              r"(?:,?[ \t]*(?i:apto|apartamento|apt|int|interior|casa|torre|"
                              r"bloque|piso|local|oficina|of)\b\.?[ \t]*\d{1,4}[A-Z]?){0,2}",
                              0.8),
                      Pattern("block and house", r"\b(?i:manzana|mz)\b\.?[ \t]*\d+[A-Z]?,?"
                                                 r"[ \t]*(?i:casa|cs|lote|lt|apto|apartamento|"
                                                 r"interior|int)\b\.?[ \t]*\d+", 0.8)]),
        _Patterns(
            supported_entity="BUSINESS", supported_language="es", name="dhkit:business",
            patterns=[Pattern("shop", rf"\b(?i:{SHOPS})(?:[ \t]+(?:y|de)[ \t]+(?i:{SHOPS}|[a-z]+))?"
                                      rf"[ \t]+(?:(?:de|del)[ \t]+)?"
                                      rf"(?:{CAPX}[ \t]+(?=(?:El|La|Los|Las)[ \t]))?"
                                      rf"(?:(?:Donde|donde)[ \t]+)?"
                                      rf"(?:(?:El|La|Los|Las|Mi|Don|Doña)[ \t]+)?{PHRASE}"
                                      rf"(?:[ \t]+(?:{COMPANY_SUFFIX}))?", 0.8),
                      Pattern("donde", r"(?<=[a-záéíóúñ,][ \t])Donde[ \t]+"
                                       r"[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+"
                                       r"(?:[ \t][A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)?", 0.8),
                      Pattern("company", rf"\b{CAPX}(?:[ -]{CAPX}){{0,3}}(?:,[ \t]{CAPX})*"
                                         rf"(?:[ \t](?:and|y|&)[ \t]{CAPX})?[ \t]+"
                                         rf"(?:{COMPANY_SUFFIX})", 0.8)]),
    ]
    return out


class _LowerLemma:
    """spaCy component: token.lemma_ = lower-cased text (the blank pipeline has none)."""

    def __call__(self, doc):
        for t in doc:
            t.lemma_ = t.lower_
        return doc


@lru_cache(maxsize=1)
def engine():
    """The analyzer, built once per process (about a second)."""
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from spacy.language import Language

    if not Language.has_factory("dhkit_lower_lemma"):
        Language.factory("dhkit_lower_lemma", func=lambda nlp, name: _LowerLemma())

    class BlankSpanish(SpacyNlpEngine):
        def load(self) -> None:
            nlp = spacy.blank("es")
            nlp.add_pipe("dhkit_lower_lemma")
            self.nlp = {"es": nlp}

    nlp = BlankSpanish(models=[{"lang_code": "es", "model_name": "blank:es"}])
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["es"])
    for r in recognizers():
        registry.add_recognizer(r)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["es"],
                          context_aware_enhancer=LemmaContextAwareEnhancer(
                              context_prefix_count=6, context_suffix_count=1,
                              context_matching_mode="whole_word"))


THRESHOLD = 0.4


def analyze(text: str):
    """Presidio results (entity, start, end, score) at or above :data:`THRESHOLD`."""
    results = engine().analyze(text, language="es", score_threshold=THRESHOLD,
                               regex_flags=Flags)
    return sorted(results, key=lambda r: (r.start, r.end))
