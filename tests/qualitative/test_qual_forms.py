"""General identifier forms (issue 17, after blind2's one run): each test is a sentence
written for it, not taken from any evaluation set; each form is a shape, not a string."""

import pytest

from dhkit.qualitative.detect import Gazetteers, detect, resolve_overlaps
from dhkit.qualitative.evaluate import missed, parse_line
from dhkit.qualitative.model import Span


@pytest.fixture(scope="module")
def g():
    return Gazetteers.load()


def _covered(line, g):
    s = parse_line(line)
    return missed(s, detect(s.text, g, use_ner=False))


@pytest.mark.parametrize("line", [
    # links on any real public suffix, no scheme; and said with "punto"
    "me mandó ⟦URL|bit.ly/9QwErT⟧ y después ⟦URL|t.co/ab12CD⟧ para que entrara.",
    "el grupo estaba en ⟦URL|chat.whatsapp.com/KxY77pQ⟧ pero ya lo cerraron.",
    "la página era ⟦URL|www punto amigasvip punto net⟧, eso decía el papel.",
    # e-mails dictated word by word, with or without the ending
    "el correo era ⟦EMAIL|caro punto luna noventa y uno arroba hotmail punto com⟧, así.",
    "escríbale a ⟦EMAIL|pipe2011 arroba outlook⟧ que él contesta.",
    # decorated and accented usernames; a new account named after a pause
    "en el juego se llama ⟦HANDLE|ℒuna★Roja⟧ y su amiga ⟦HANDLE|MáGiCa_99⟧.",
    "abrí otro perfil, ⟦HANDLE|sol.de.noche.07⟧, para que no me viera.",
    # reference codes with a year and a serial, or after a case word
    "la fiscalía abrió el ⟦CASE|FGN-2023-004512⟧ y el juzgado el ⟦CASE|T-2024-0071⟧.",
    "quedó en cadena de custodia con rótulo ⟦CASE|RT-0451-23⟧ en el laboratorio.",
    "la queja quedó radicada como ⟦CASE|2023ER0451172⟧ en la secretaría.",
    "le pregunté por el proceso ⟦CASE|1120 de 2022⟧ y no sabían nada.",
    # ID numbers in any order near an ID word, the last digits, and said in words
    "mostró un pasaporte ecuatoriano número ⟦ID|AB4412093⟧ en la frontera.",
    "la cédula de él terminaba en ⟦ID|7731⟧, eso sí lo vi.",
    "el documento era ⟦ID|cincuenta y dos millones ciento diez mil cuatrocientos⟧, me lo dictó.",
    # ages in apposition, listed, in English words, "cumplidos", a baby's months
    "el vecino, ⟦AGE|52⟧, la llamaba todos los días.",
    "My cousin, ⟦AGE|seventeen⟧, was the one who noticed.",
    "los gemelos, de ⟦AGE|nueve⟧ y ⟦AGE|once⟧ años, no iban al colegio.",
    "He said he was ⟦AGE|thirty-one⟧ but he looked older.",
    "ya tenía ⟦AGE|trece⟧ cumplidos cuando pasó.",
    "el bebé tenía ⟦AGE|cinco meses⟧ cuando se lo llevaron.",
    "era un señor como de ⟦AGE|45⟧, bajito.",
    # numbered areas, crossings, addresses with a south part, named parks
    "vivíamos en la ⟦PLACE|Comuna 8⟧, arriba, cerca del ⟦PLACE|Parque de las Luces⟧.",
    "lo dejaban en la ⟦PLACE|Avenida Boyacá con Calle 80⟧ todos los viernes.",
    "la oficina quedaba en la ⟦PLACE|Calle 10 # 43 Sur-25⟧.",
    # an acronym body's office in a named town
    "la llevaron a la ⟦INSTITUTION|SIJIN Seccional de Tuluá⟧ a declarar.",
    # a weekday with its day
    "nos vimos el ⟦DATE|jueves 14⟧ en la tarde.",
    # nicknames after an article, greeted first names, a name said again
    "el que las buscaba era un conocido del barrio, el ⟦NAME|Pollo⟧, que vendía minutos.",
    "me escribió: \"hola ⟦NAME|vane⟧ ya estoy abajo\" y yo no bajé.",
    "la que me llevó fue ⟦NAME|Dayana⟧, sí, ⟦NAME|dayana⟧ la del quinto piso.",
])
def test_general_forms_are_caught(line, g):
    assert _covered(line, g) == []


@pytest.mark.parametrize("text", [
    "Según la resolución A/RES/75/101 y el informe CRC/C/150, el Estado debe actuar.",
    "Children aged 12-17-YEAR-OLDS answered the survey in 2023.",
    "Her profile at facebook.com showed nothing.",
    "Guardé el archivo informe.final.pdf en la carpeta.",
    "La sesión fue el lunes a las 8 de la mañana con la Procuraduría.",
    "El Código de la Infancia y la Adolescencia protege a los niños.",
    "Estudiaba en la Escuela Nueva y jugaba en el parque.",
    "Hubo 12 casos en 2023, 14 en 2024 y 9 en 2025.",
])
def test_look_alikes_of_the_general_forms_are_left_alone(text, g):
    assert [(text[s.start:s.end], s.kind, s.detector) for s in detect(text, g, use_ner=False)
            if s.detector.startswith("form:")] == []


def test_a_shorter_span_half_outside_a_longer_one_is_joined_not_dropped():
    spans = [Span(0, 20, "INSTITUTION", "a"), Span(15, 30, "DATE", "b")]
    assert resolve_overlaps(spans) == [Span(0, 30, "INSTITUTION", "a")]


def test_a_shorter_span_inside_a_longer_one_is_dropped():
    spans = [Span(0, 20, "INSTITUTION", "a"), Span(5, 10, "PLACE", "b")]
    assert resolve_overlaps(spans) == [Span(0, 20, "INSTITUTION", "a")]


@pytest.mark.parametrize("line", [
    # a name with a particle in an English sentence; a shortened name; a place after "in"
    "We met ⟦NAME|Anneke van Dijk⟧ at the workshop.",
    "se llama ⟦NAME|Jeferson⟧, pero todos le dicen ⟦NAME|Jefer⟧ en la cuadra.",
    "She stayed two weeks in ⟦PLACE|Zaandam⟧ with her aunt.",
    "era un amigo de la familia, ⟦NAME|Rodrigo⟧, el ⟦NAME|Zorro⟧, que vivía al lado.",
])
def test_names_and_places_in_more_forms(line, g):
    assert _covered(line, g) == []


def test_the_public_suffix_list_is_read_offline():
    import subprocess
    import sys

    code = ("import socket\n"
            "def no(*a, **k): raise RuntimeError('network used')\n"
            "socket.socket.connect = no; socket.create_connection = no; socket.getaddrinfo = no\n"
            "from dhkit.qualitative.forms import links\n"
            "t = 'entra a forms.gle/AbC123 o a nada.xyzq/abc'\n"
            "print([t[s.start:s.end] for s in links(t)])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "['forms.gle/AbC123']"


@pytest.mark.parametrize("line", [
    "trabajaba en ⟦BUSINESS|Arepas & Más⟧ de la plaza.",
    "la cita era en el ⟦BUSINESS|Olímpica Calle 72⟧, frente al parque.",
    "nos veíamos en ⟦BUSINESS|Pixel Arena⟧, el café de videojuegos del centro.",
    "We referred her to the ⟦INSTITUTION|Pasto field office of Plan International⟧.",
    "An officer of the ⟦INSTITUTION|Leeds City Police Cyber Unit⟧ called us.",
])
def test_firms_and_offices_in_general_forms(line, g):
    assert _covered(line, g) == []


def test_a_national_police_body_is_not_an_office():
    text = "Interpol, the International Criminal Police Organization, shares alerts."
    assert [s for s in detect(text, Gazetteers.load(), use_ner=False)
            if s.detector.startswith("form:")] == []
