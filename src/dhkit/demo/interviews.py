"""More fictional interviews for the demo study, drawn from a seed: enough participants
that the methods chapter counts the seed's 30 young people (28 female, 2 male), 15
front-line workers and 11 justice professionals, in its four cities' departments.

The hand-written demo interviews (:mod:`dhkit.qualitative.demo`: seven people, one of
whom refused) carry the coded, quotable material; the ones drawn here are short
transcripts assembled from a few invented exchanges per group, so the demo's counts by
group and place match the report's design without shipping fifty long files. They are
imported the way a team adds a wave to a running study: participants sheet, transcripts,
automatic redaction. They are not coded, so they give no quotes.

Every person, place and event is invented; each transcript opens with the demo's
"fictional transcript" marker.

>>> rows = participant_rows(existing={"YP": (2, 1), "FW": (2, 0), "JP": (2, 0)})
>>> sum(r["group"] == "YP" for r in rows), sum(r["group"] == "JP" for r in rows)
(27, 9)
>>> sum(r["group"] == "YP" and r["sex"] == "male" for r in rows)
1
>>> dates = [r["interview_date"] for r in rows]
>>> min(dates) >= "2024-07-01", max(dates) <= "2025-03-31"
(True, True)
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

#: The seed's interviews: group -> (female, male) for YP; total for the professionals.
TARGET = {"YP": (28, 2), "FW": 15, "JP": 11}
#: Where the interviews took place: the departments of the seed's four cities (Bogotá,
#: Medellín, Cúcuta, Cartagena), as the demo's participants sheet records departments.
CITIES = ("Bogotá D.C.", "Antioquia", "Norte de Santander", "Bolívar")
#: When the interviews took place: the seed's interview fieldwork ran from July 2024 to
#: March 2025 (Colombia report, methods), after the household survey (2024); every drawn
#: date falls inside it, as the hand-written demo interviews' dates do.
INTERVIEW_WINDOW = (date(2024, 7, 1), date(2025, 3, 31))
MARKER = ("[TRANSCRIPCIÓN FICTICIA. Material sintético de demostración de dhkit: personas, "
          "lugares y hechos inventados; no describe ningún caso real.]")

#: A few invented exchanges per group (question, answer); each transcript takes three.
EXCHANGES = {
    "YP": (
        ("¿Cómo empezó el contacto?", "Alguien me escribió por una red social diciendo que "
         "tenía mi edad y que estudiaba en otro colegio."),
        ("¿Qué te pidió esa persona?", "Primero fotos normales; después empezó a pedir otras "
         "y a decir que si no se las mandaba les contaba a todos."),
        ("¿Le contaste a alguien?", "Al principio a nadie, porque me daba vergüenza y no "
         "sabía a quién acudir."),
        ("¿Quién te ayudó?", "Una amiga me acompañó a hablar con la orientadora del "
         "colegio."),
        ("¿Cómo te sentías?", "Con miedo todo el tiempo; dejé de usar el celular varias "
         "semanas."),
        ("¿Qué pasó cuando lo contaste en casa?", "Mi mamá se asustó, pero después me "
         "apoyó y fuimos juntas a pedir orientación."),
        ("¿Qué te hubiera servido?", "Saber antes que eso no era culpa mía y que había "
         "una línea donde preguntar."),
        ("¿Denunciaron?", "No, porque pensamos que no iban a hacer nada y que me iban a "
         "hacer repetir todo."),
    ),
    "FW": (
        ("¿Qué casos atienden con más frecuencia?", "Chantaje con imágenes íntimas entre "
         "adolescentes, muchas veces de alguien que conocen."),
        ("¿Cómo llegan los casos?", "Casi siempre por el colegio; las familias rara vez "
         "buscan ayuda por su cuenta."),
        ("¿Qué dificultades encuentran?", "No hay suficientes profesionales para hacer "
         "seguimiento, y las remisiones tardan semanas."),
        ("¿Cómo reaccionan las familias?", "Algunas culpan a la niña o al niño por haber "
         "mandado la foto; hay que trabajar mucho con ellas."),
        ("¿Qué formación tienen?", "Poca sobre lo digital; aprendimos con los casos, no "
         "con cursos."),
        ("¿Qué cambiaría?", "Rutas claras entre salud, protección y justicia, y apoyo "
         "psicológico que no dependa de una denuncia."),
    ),
    "JP": (
        ("¿Cómo avanzan las investigaciones?", "Despacio; la información de las "
         "plataformas llega tarde o no llega."),
        ("¿Qué pasa con la prueba digital?", "A veces se pierde porque nadie la preservó a "
         "tiempo."),
        ("¿Cómo participa el niño en el proceso?", "Todavía se repiten las entrevistas, "
         "aunque la ley pide evitarlo."),
        ("¿Hay unidades especializadas?", "Solo en algunas ciudades; en el resto los casos "
         "los lleva quien esté disponible."),
        ("¿Qué vacíos ve en la ley?", "Conductas como el contacto con fines sexuales en "
         "línea no están bien definidas."),
        ("¿Qué recomendaría?", "Cooperación más ágil con las empresas y formación para "
         "fiscales y jueces."),
    ),
}


def _counts(existing: dict) -> dict:
    """How many to draw per group, given the interviewed people already in the study
    (``existing[group]`` = (female, male) interviewed)."""
    yp_f, yp_m = existing.get("YP", (0, 0))
    return {"YP": (max(0, TARGET["YP"][0] - yp_f), max(0, TARGET["YP"][1] - yp_m)),
            "FW": max(0, TARGET["FW"] - sum(existing.get("FW", (0, 0)))),
            "JP": max(0, TARGET["JP"] - sum(existing.get("JP", (0, 0))))}


def participant_rows(existing: dict, seed: int = 20240601, first_no: dict | None = None
                     ) -> list[dict]:
    """Participants-sheet rows for the drawn interviews (ids continue each group's
    numbering from ``first_no``; default: after the existing ones)."""
    rng = np.random.default_rng([seed, 29])
    need = _counts(existing)
    first_no = first_no or {}
    rows = []
    for group in ("YP", "FW", "JP"):
        if group == "YP":
            sexes = ["female"] * need["YP"][0] + ["male"] * need["YP"][1]
            sexes = list(np.array(sexes, dtype=object)[rng.permutation(len(sexes))])
        else:
            sexes = list(np.where(rng.random(need[group]) < 0.7, "female", "male"))
        start = first_no.get(group, 1 + sum(existing.get(group, (0, 0))))
        for i, sex in enumerate(sexes):
            first, last = INTERVIEW_WINDOW
            day = first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))
            rows.append({
                "participant_id": f"{group}-{start + i:02d}", "group": group, "sex": sex,
                "age_band": ("18-24" if rng.random() < 0.8 else "16-17") if group == "YP" else "",
                "region": CITIES[int(rng.integers(0, len(CITIES)))],
                "interview_date": day.isoformat(),
                "interviewer": f"INT-{'ABC'[int(rng.integers(0, 3))]}", "language": "es",
                "consent_interview": "yes", "consent_quote": "yes", "caregiver_consent": "",
                "withdrawal_date": "", "redact_names": ""})
    for r in rows:       # a minor's interview needs a caregiver's consent too
        if r["age_band"] == "16-17":
            r["caregiver_consent"] = "yes"
    return rows


def transcript(group: str, rng) -> str:
    """A short fictional transcript: the marker and three of the group's exchanges."""
    pick = rng.choice(len(EXCHANGES[group]), 3, replace=False)
    lines = [MARKER]
    for j in sorted(pick):
        q, a = EXCHANGES[group][j]
        lines += [f"E: {q}", f"P: {a}"]
    return "\n".join(lines) + "\n"


def write_wave(out: Path, rows: list[dict], seed: int = 20240601) -> tuple[Path, list[Path]]:
    """Write ``out/participants.csv`` and one ``<id>.txt`` per row's interview."""
    out.mkdir(parents=True, exist_ok=True)
    sheet = out / "participants.csv"
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    rng = np.random.default_rng([seed, 31])
    paths = []
    for r in rows:
        path = out / f"{r['participant_id']}.txt"
        path.write_text(transcript(r["group"], rng), encoding="utf-8")
        paths.append(path)
    return sheet, paths


def add_interviews(store, out: Path, seed: int = 20240601) -> int:
    """Draw the interviews the study lacks, write them under ``out`` (outside the study
    folder) and import them with their redaction; returns how many were added."""
    from dhkit.qualitative import redaction
    from dhkit.qualitative.participants import import_participants, participants
    from dhkit.qualitative.transcripts import import_transcripts

    existing: dict = {}
    for p in participants(store).values():
        if p.consent_interview:             # a refusal is not an interview
            f, m = existing.get(p.group, (0, 0))
            existing[p.group] = (f + (p.sex != "male"), m + (p.sex == "male"))
    taken = {g: sum(1 for pid in participants(store) if pid.startswith(g + "-"))
             for g in TARGET}
    rows = participant_rows(existing, seed, {g: n + 1 for g, n in taken.items()})
    if not rows:
        return 0
    sheet, paths = write_wave(out, rows, seed)
    import_participants(store, sheet)
    ids = [i.transcript_id for i in import_transcripts(store, paths, replace=True)]
    redaction.propose(store, ids, use_ner=False)
    redaction.accept_all(store, ids, actor="demo")
    redaction.apply(store, ids, actor="demo")
    return len(rows)
