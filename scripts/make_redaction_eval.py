"""Generate the redaction evaluation sets (a tuning set and a held-out set) from fixed seeds.

Run once, by hand; the output is committed and read by ``dhkit redact evaluate`` and by
``tests/qualitative/test_qual_redaction_eval.py``:

    python scripts/make_redaction_eval.py      # needs the dev extra (Faker)

How the split is kept honest:

* Two template sets written separately: ``TUNING`` (set A) and ``HELDOUT`` (set B). The
  held-out templates, their slot formats and the hand-written held-out sentences
  (``data/eval/hand_heldout.txt``) were written and committed before the detection rules
  were changed, and the rules are tuned only by reading the tuning set's misses.
* Different seeds: tuning 17, held-out 2026. Values come from Faker's ``es_CO`` and ``en``
  locales (names, municipalities, departments, street addresses, phone numbers, e-mails,
  user names, companies, licence plates, NUIP / NIT numbers, dates, URLs); the surrounding
  speech and the formatting variants (dotted ID numbers, spelled-out e-mails, usernames
  without ``@``, ``No.`` addresses) are the templates'.
* No list used by the detectors is derived from Faker: names come from ``names-dataset``,
  municipalities from DANE's DIVIPOLA (``scripts/derive_redaction_lists.py``).

Each output line is one sentence with identifiers marked ``⟦KIND|text⟧``; an optional tab
then lists the participant's recorded names (``redact_names``), separated by ``;``.
"""

from __future__ import annotations

import random
from pathlib import Path

from faker import Faker

OUT = Path(__file__).resolve().parents[1] / "src" / "dhkit" / "qualitative" / "data" / "eval"
SEEDS = {"tuning": 17, "heldout": 2026, "fresh": 31337}
SIZES = {"tuning": 700, "heldout": 900, "fresh": 600}
TEMPLATE_SET = {"tuning": "A", "heldout": "B", "fresh": "C"}

MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
NUM_ES = ["once", "doce", "trece", "catorce", "quince", "dieciséis", "diecisiete"]


def m(kind: str, text: str) -> str:
    return f"⟦{kind}|{text}⟧"


class Slots:
    """Values for template slots, each already marked up."""

    def __init__(self, seed: int, variant: str):
        self.rng = random.Random(seed)
        self.es = Faker("es_CO")
        self.en = Faker("en")
        self.es.seed_instance(seed)
        self.en.seed_instance(seed + 1)
        self.variant = variant  # "A" (tuning) or "B" (held-out): different formats

    # ---- people
    def first(self) -> str:
        return m("NAME", self.es.first_name())

    def full(self) -> str:
        return m("NAME", self.es.name())

    def first_last(self) -> str:
        return m("NAME", f"{self.es.first_name()} {self.es.last_name()}")

    def last(self) -> str:
        return m("NAME", self.es.last_name())

    def en_name(self) -> str:
        return m("NAME", self.en.name())

    def en_first(self) -> str:
        return m("NAME", self.en.first_name())

    def nick(self) -> str:
        a = ["Mona", "Flaco", "Negra", "Gordo", "Chiqui", "Paisa", "Costeño", "Pecas",
             "Rolo", "Calvo", "Mono", "Mechas"]
        b = ["Pipe", "Juancho", "Mafe", "Toño", "Chucho", "Lucho", "Caro", "Nando", "Pacho",
             "Yeye", "Kike", "Memo", "Vale", "Cata", "Dani"]
        if self.variant == "A":
            a, b = a[:6], b[:8]
        else:
            a, b = a[6:], b[8:]
        if self.rng.random() < 0.5:
            return self.rng.choice(["el ", "la "]) + m("NAME", self.rng.choice(a))
        return m("NAME", self.rng.choice(b))

    # ---- places
    def city(self) -> str:
        return m("PLACE", self.es.city())

    def department(self) -> str:
        return m("PLACE", self.es.department())

    def barrio(self) -> str:
        pre = self.rng.choice(["", "San ", "Villa ", "El ", "La ", "Nuevo ", "Altos de "])
        word = self.rng.choice([self.es.last_name(), self.es.first_name(), self.es.city()])
        return m("PLACE", pre + word)

    def address(self) -> str:
        r = self.rng
        a, b, c = r.randint(1, 120), r.randint(1, 99), r.randint(1, 99)
        if self.variant == "A":
            forms = [self.es.street_address(), f"Carrera {a} No. {b}-{c}",
                     f"Calle {a} # {b} - {c}", f"Cra. {a} N° {b}-{c}",
                     f"Manzana {b} Casa {c}", f"Calle {a} Sur No {b}-{c}"]
        else:
            forms = [self.es.street_address(), f"Carrera {a} No. {b}-{c}",
                     f"Calle {a}A # {b}-{c}", f"Avenida {a} N.º {b}-{c}",
                     f"Diagonal {a} Bis # {b} - {c}", f"Transversal {a} Nro. {b}-{c} Sur",
                     f"Mz {b} Casa {c}"]
        return m("PLACE", r.choice(forms))

    # ---- contact
    def phone(self) -> str:
        r = self.rng
        n = f"3{r.randint(0, 2)}{r.randint(0, 9)}{r.randint(1000000, 9999999)}"
        land = f"60{r.choice('14257')}{r.randint(2000000, 8999999)}"
        if self.variant == "A":
            forms = [self.es.phone_number(), f"{n[:3]} {n[3:6]} {n[6:]}", n,
                     f"+57 {n[:3]} {n[3:]}", f"({land[:3]}) {land[3:6]} {land[6:]}"]
        else:
            forms = [self.es.phone_number(), f"{n[:3]}-{n[3:6]}-{n[6:]}",
                     f"{n[:3]} {n[3:5]} {n[5:7]} {n[7:]}", f"+57{n}",
                     f"{land[:3]} {land[3:]}", f"57 {n}"]
        return m("PHONE", r.choice(forms))

    def en_phone(self) -> str:
        return m("PHONE", self.en.phone_number())

    def email(self) -> str:
        return m("EMAIL", self.rng.choice([self.es.email(), self.es.free_email(),
                                           self.en.free_email()]))

    def spelled_email(self) -> str:
        user = self.es.user_name()
        dom = self.rng.choice(["gmail", "hotmail", "yahoo", "outlook"])
        if self.variant == "A":
            text = self.rng.choice([f"{user} arroba {dom} punto com",
                                    f"{user} arroba {dom}.com"])
        else:
            text = self.rng.choice([f"{user} arroba {dom} punto com",
                                    f"{user} @ {dom} punto com", f"{user} at {dom} dot com"])
        return m("EMAIL", text)

    def user(self) -> str:
        r = self.rng
        base = r.choice([self.es.user_name(), self.en.user_name()])
        if self.variant == "A":
            return r.choice([base, f"{base}_{r.randint(1, 99)}", f"{base}.{r.randint(2000, 2015)}"])
        return r.choice([base, f"{base}{r.randint(1, 999)}", f"xx_{base}_xx",
                         f"{base}.oficial"])

    def handle(self) -> str:
        return m("HANDLE", "@" + self.user())

    def username(self) -> str:
        return m("HANDLE", self.user())

    def url(self) -> str:
        r = self.rng
        return m("URL", r.choice([self.es.url(), self.en.url(),
                                  f"facebook.com/{self.user()}",
                                  f"www.tiktok.com/@{self.user()}"]))

    # ---- numbers
    def cedula(self) -> str:
        n = str(self.rng.choice([self.rng.randint(10_000_000, 99_999_999),
                                 self.rng.randint(1_000_000_000, 1_199_999_999)]))
        return m("ID", self.dotted(n))

    def dotted(self, n: str) -> str:
        r = self.rng.random()
        if r < 0.6:
            return f"{int(n):,}".replace(",", ".")
        if r < 0.8:
            return n
        return f"{int(n):,}".replace(",", " ")

    def ti(self) -> str:
        return m("ID", self.dotted(str(self.rng.randint(1_000_000_000, 1_099_999_999))))

    def nit(self) -> str:
        nit = self.es.legal_person_nit_with_check_digit()
        body, dv = nit.split("-")
        return m("ID", self.rng.choice([nit, f"{int(body):,}".replace(",", ".") + f"-{dv}"]))

    def plate(self) -> str:
        p = self.es.license_plate()
        if self.variant == "B":
            p = self.rng.choice([p, f"{p[:3]} {p[3:]}", f"{p[:3]}-{p[3:]}"])
        else:
            p = self.rng.choice([p, f"{p[:3]} {p[3:]}"])
        return m("PLATE", p)

    def case(self) -> str:
        r = self.rng
        year = r.randint(2015, 2025)
        spoa = f"{r.choice(['11001', '05001', '76001', '68001'])}60{r.randint(10000, 99999):05d}{year}{r.randint(0, 99999):05d}"
        if self.variant == "A":
            forms = [f"{year}-{r.randint(1, 9999):05d}", spoa, f"{year}-{r.randint(100, 999)}"]
        else:
            forms = [f"{year}-{r.randint(1, 99999):05d}", spoa,
                     f"{spoa[:5]}-{spoa[5:7]}-{spoa[7:12]}-{spoa[12:16]}-{spoa[16:]}",
                     f"{r.randint(100, 9999)}-{year}"]
        return m("CASE", r.choice(forms))

    # ---- organisations
    def company(self) -> str:
        return m("BUSINESS", self.rng.choice([self.es.company(), self.en.company()]))

    def shop(self) -> str:
        r = self.rng
        kinds_a = ["Tienda", "Droguería", "Panadería", "Miscelánea", "Ferretería", "Café Internet"]
        kinds_b = ["Papelería", "Peluquería", "Cigarrería", "Minimercado", "Restaurante",
                   "Billares", "Salsamentaría", "Taller"]
        kind = r.choice(kinds_a if self.variant == "A" else kinds_b)
        name = r.choice([f"{self.es.first_name()}", f"El {self.es.last_name()}",
                         f"La {self.es.first_name()}", f"Donde {self.es.first_name()}",
                         f"{self.es.last_name()} y Cía"])
        return m("BUSINESS", f"{kind} {name}")

    def school(self) -> str:
        r = self.rng
        if self.variant == "A":
            forms = [f"Colegio {self.es.first_name()} {self.es.last_name()}",
                     f"Institución Educativa {self.es.city()}"]
        else:
            forms = [f"I.E. {self.es.last_name()}", f"Escuela Rural {self.es.city()}",
                     f"Colegio Departamental {self.es.last_name()}",
                     f"{self.en.last_name()} High School"]
        return m("SCHOOL", r.choice(forms))

    def institution(self) -> str:
        r = self.rng
        if self.variant == "A":
            forms = [f"Fundación {self.es.last_name()}", f"Hospital {self.es.first_name()}",
                     f"Comisaría de Familia de {self.es.city()}"]
        else:
            forms = [f"Corporación {self.es.last_name()}", f"Clínica {self.es.last_name()}",
                     f"Juzgado Segundo de {self.es.city()}",
                     f"{self.en.last_name()} Foundation"]
        return m("INSTITUTION", r.choice(forms))

    # ---- time
    def date(self) -> str:
        d = self.es.date_object()
        r = self.rng
        if self.variant == "A":
            forms = [f"{d.day} de {MONTHS[d.month - 1]} de {d.year}", f"{d:%d/%m/%Y}",
                     f"{d.day} de {MONTHS[d.month - 1]}"]
        else:
            forms = [f"{d.day} de {MONTHS[d.month - 1]} del {d.year}", f"{d:%d-%m-%Y}",
                     f"{d:%Y-%m-%d}", f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"]
        return m("DATE", r.choice(forms))

    def age(self) -> str:
        r = self.rng
        n = r.randint(8, 17)
        if self.variant == "B" and r.random() < 0.4:
            return m("AGE", f"{r.choice(NUM_ES)} años")
        return m("AGE", f"{n} años")


# Template set A: tuning. Read its misses freely.
TUNING = [
    "Mi mamá se llama {full} y vive en {city}.",
    "Yo le conté a mi prima {first}, ella sí me creyó.",
    "Él decía que era de {city}, {department}, pero nunca supe bien.",
    "Vivíamos en la {address}, en el barrio {barrio}.",
    "Me escribía al {phone} todas las noches.",
    "Su correo era {email} y me mandaba cosas ahí.",
    "Me dijo que le escribiera a {spelled_email} para mandarle las fotos.",
    "En Instagram tenía la cuenta {username}.",
    "Mi usuario es {username} pero ya lo cerré.",
    "En Free Fire me sale como {username}.",
    "Tenía el perfil {username} en Facebook.",
    "Me seguía desde {handle} y luego desde otra cuenta.",
    "Me mandó el link {url} para que viera las fotos.",
    "Mi cédula es {cedula}, la de mi mamá no me acuerdo.",
    "A mí me sacaron la tarjeta de identidad {ti} ese año.",
    "La empresa tenía NIT {nit} y decía que era legal.",
    "El carro era un taxi de placa {plate}.",
    "La denuncia quedó con el radicado {case}.",
    "Trabajaba en {company} como conductor.",
    "Nos veíamos en la {shop}, cerca del parque.",
    "Yo estudiaba en el {school} hasta noveno.",
    "Nos atendieron en la {institution}.",
    "Eso pasó el {date}, un viernes.",
    "Cuando empezó todo yo tenía {age}.",
    "La profesora {last} fue la que se dio cuenta.",
    "A ella le dicen {nick} en el barrio.",
    "Un señor que le decían {nick} vendía cosas ahí.",
    "The mother, {en_name}, called us from {city}.",
    "Our caseworker {en_first} followed the family for months.",
    "You can reach the office at {en_phone}.",
    "He worked for {company} and used the car with plate {plate}.",
    "Me llamo {first} y tengo {age}.",
    "El novio de mi hermana, {first_last}, también sabía.",
    "Me llevaban en una moto de placas {plate} hasta {city}.",
    "Mi papá trabaja en la {shop} de la esquina.",
    "Uno no sabe, ¿sí me entiende?, uno tiene miedo.",
    "Me daban 50.000 pesos por cada video, eso era mucha plata.",
    "Llamamos a la línea 141 y nadie contestó.",
    "Eso fue como en 2019, yo estaba en séptimo.",
    "Por WhatsApp me mandaba stickers y audios.",
    "La Policía dijo que no podía hacer nada.",
    "El 30 % de las niñas del curso tenían celular propio.",
    "Dios mío, yo no sabía qué hacer.",
    "Los domingos íbamos a misa con mi abuela.",
]

# Template set B: held-out. Written before the rules were changed; never tuned on.
HELDOUT = [
    "Mi tía {first_last} me recibió en su casa en {city}.",
    "Después nos fuimos a vivir con {full}, la pareja de mi mamá.",
    "Ella es de un pueblo de {department} que se llama {city}.",
    "La casa queda en la {address}, diagonal a la iglesia.",
    "Nos pasamos a la {address} del barrio {barrio}.",
    "El número de él era el {phone}, todavía me lo sé.",
    "Me dio un teléfono, {phone}, y me dijo que no le contara a nadie.",
    "Le mandé un correo a {email} pidiendo ayuda.",
    "Él decía: escríbeme a {spelled_email}, que ahí no nos ven.",
    "Ella tenía dos cuentas, una era {handle}.",
    "El usuario de él era {username}, con eso me buscaba.",
    "La cuenta {username} me siguió primero y después me escribió.",
    "Entré a su perfil {username} y vi que tenía más niñas.",
    "En el juego me sale como {username}, yo no uso mi nombre.",
    "Él me mandaba el enlace {url} por chat.",
    "Toca poner el número de cédula, {cedula}, en el formulario.",
    "Mi documento es tarjeta de identidad número {ti}.",
    "La cédula de él, {cedula}, salió en el proceso.",
    "El papel venía con un NIT, {nit}, de una empresa de modelaje.",
    "Anoté la placa, {plate}, y se la di a la policía.",
    "Era una camioneta blanca, placas {plate}.",
    "El caso tiene número de radicado {case} en la Fiscalía.",
    "El proceso {case} todavía está abierto.",
    "Decía que era dueño de {company}.",
    "La señora de la {shop} vio cuando él me recogía.",
    "Eso fue atrás de la {shop}, por la avenida.",
    "Cuando estaba en el {school} una profesora me ayudó.",
    "De la {institution} nos mandaron a otra parte.",
    "Fue el {date}, me acuerdo porque era cumpleaños de mi hermano.",
    "Yo tenía {age} y él como treinta.",
    "Mi amiga {first} también recibía esos mensajes.",
    "Le dicen {nick} pero el nombre de verdad no lo sé.",
    "Un man que le decían {nick} era el que cobraba.",
    "Ahí trabajaba {first_last}, el que nos llevaba en la moto.",
    "El señor {last} nos prestaba el computador.",
    "The coordinator, {en_name}, said the case was closed.",
    "I spoke with {en_first} from the school the next day.",
    "Her number was {en_phone}, but it was disconnected.",
    "They traced the account {handle} to a house in {city}.",
    "Her username was {username}, she told us later.",
    "The girl lived in {city} and studied at {school}.",
    "A mí me pagaban 200 mil a la semana, y eso era todo.",
    "Eso fue hace como tres años, en pandemia.",
    "Por Telegram y por TikTok le llegaban mensajes.",
    "Marqué al 123 y luego a la línea 155.",
    "En el 2021 casi la mitad del salón tenía Facebook.",
    "Mi mamá no sabía nada, ni mis hermanos.",
    "La psicóloga me dijo que yo no tenía la culpa.",
    "Ese año perdí séptimo y me tocó repetir.",
    "Fuimos a la Fiscalía y nos tocó esperar seis horas.",
    "Uno se siente sola, como que nadie le cree.",
]


# Template set C: "fresh", written after the rules were final (see the module docstring);
# run once and reported, never tuned on. Slot formats as set B.
FRESH = [
    "Yo vivía donde mi abuela, en {city}, y ella se llama {full}.",
    "Ese señor, {first_last}, era el dueño de la {shop}.",
    "Me agregó un tal {first} que decía tener {age}.",
    "Después supe que su nombre real era {full} y que vivía en {department}.",
    "La dirección que me dio fue {address}, pero allá no vivía nadie.",
    "Me timbraba del {phone} a cualquier hora.",
    "Cuando bloqueé ese número me escribió desde otro, el {phone}.",
    "Guardé el correo, {email}, por si la policía lo pedía.",
    "Me pidió que le mandara todo a {spelled_email}.",
    "En Instagram era {handle} y en TikTok otra cosa.",
    "Me buscó por la cuenta {username} que tenía yo antes.",
    "Mi perfil era {username} y ahí tenía fotos del colegio.",
    "En el Roblox me sale como {username}, así me conocían.",
    "Me mandó la página {url} diciendo que ahí pagaban bien.",
    "Me pidió la cédula de mi mamá, la {cedula}, para un supuesto contrato.",
    "Yo di mi tarjeta de identidad, {ti}, sin saber para qué era.",
    "La agencia decía tener NIT {nit} y oficina en {city}.",
    "Me recogía en un carro de placa {plate}, casi siempre de noche.",
    "La Fiscalía nos dio el radicado {case} y un teléfono.",
    "El número del proceso es {case}, eso lo tiene mi mamá.",
    "Él trabajaba para {company} repartiendo domicilios.",
    "Nos citaba en la {shop} porque ahí nadie preguntaba.",
    "Yo estaba en el {school} en ese tiempo.",
    "En la {institution} nos atendió una psicóloga.",
    "Todo empezó el {date}, lo tengo anotado.",
    "Mi hermanita tenía {age} cuando le empezaron a escribir.",
    "A él todos le decían {nick} en la cuadra.",
    "Mi prima {first} fue la que me contó de ese grupo.",
    "El profesor {last} llamó a mi casa.",
    "Her caseworker, {en_name}, moved to another office.",
    "We called {en_first} at {en_phone} and left a message.",
    "The boy lived with his uncle in {city}, near the river.",
    "The account {handle} was reported twice that month.",
    "Pues uno no sabe qué hacer, uno se queda callada.",
    "Me ofrecieron 500 mil por unas fotos y yo dije que no.",
    "Eso fue como a las diez de la noche, un sábado.",
    "La línea 141 me dio una cita para el lunes.",
    "En 2022 nos cambiamos de casa dos veces.",
    "Toca tener cuidado con lo que uno sube a Facebook.",
    "Soledad es lo que uno siente cuando nadie le cree.",
]


def render(template: str, slots: Slots) -> str:
    import re
    return re.sub(r"\{(\w+)\}", lambda mt: getattr(slots, mt.group(1))(), template)


def generate(name: str) -> list[str]:
    slots = Slots(SEEDS[name], "A" if name == "tuning" else "B")
    templates = {"tuning": TUNING, "heldout": HELDOUT, "fresh": FRESH}[name]
    rng = random.Random(SEEDS[name] * 7)
    lines = []
    for _ in range(SIZES[name]):
        t = rng.choice(templates)
        lines.append(render(t, slots))
    # The participant's own name, recorded in full, said by first name only.
    for _ in range(SIZES[name] // 20):
        given, surname = slots.es.first_name(), slots.es.last_name()
        said = rng.choice([f"Yo soy {m('NAME', given)} y vivo con mi abuela.",
                           f"Mi mamá me dice {m('NAME', given)} cuando está brava.",
                           f"Todos en el colegio sabían que {m('NAME', given)} era yo."])
        lines.append(f"{said}\t{given} {surname}")
    return lines


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in SEEDS:
        header = (f"# dhkit redaction evaluation, {name} set: generated by "
                  f"scripts/make_redaction_eval.py (seed {SEEDS[name]}, template set "
                  f"{TEMPLATE_SET[name]}; Faker es_CO and en). Do not edit.\n")
        (OUT / f"{name}.txt").write_text(header + "\n".join(generate(name)) + "\n",
                                         encoding="utf-8")
        print(f"wrote {OUT / (name + '.txt')}")


if __name__ == "__main__":
    main()
