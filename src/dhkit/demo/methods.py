"""The demo study's methods notes and law-enforcement capacity answers.

``methods.yaml`` records what no data table holds (coverage, exclusions, the households
issued, ethics, safeguarding, limitations); the demo writes the Colombia design story's
values, in its own words: coverage 99 % with security-related exclusions, and the number
of issued households the generator drew (so the response rate is computed, not typed).

The capacity sheet is synthetic: plausible public answers for the report's capacity
findings, and restricted answers that the leak tests look for in every public output.
It is written outside the study folder (the capacity stage refuses sheets inside it).

>>> "coverage: 0.99" in methods_yaml(2268)
True
"""

from __future__ import annotations

from pathlib import Path

#: Restricted demo answers: unique marker strings, so a leak test can grep every output.
RESTRICTED_MARKERS = ("DEMO-RESTRICTED-OFFICES-7Q2", "DEMO-RESTRICTED-TOOLS-K9X")


def methods_yaml(issued_households: int) -> str:
    return f"""# Methods notes of the synthetic demo study (dhkit report: methods chapter).
coverage: 0.99
households_issued: {issued_households}
fieldwork: "March to July 2024 (synthetic)"
exclusions:
  en: "A few remote municipalities where fieldwork was not safe or access was restricted by the authorities (about 1 % of the population)."
  es: "Algunos municipios apartados donde el trabajo de campo no era seguro o el acceso estaba restringido por las autoridades (cerca del 1 % de la población)."
ethics:
  en: "The protocol was approved by an independent research ethics board, and national experts reviewed the instruments for the local context."
  es: "Un comité de ética de la investigación independiente aprobó el protocolo, y expertos nacionales revisaron los instrumentos para el contexto local."
safeguarding:
  en: "Interviewers were trained to recognise distress and followed a referral protocol; every child was offered a helpline number, and the interview could stop at any time."
  es: "Las personas encuestadoras recibieron formación para reconocer señales de angustia y siguieron un protocolo de remisión; a cada participante se le ofreció el número de una línea de ayuda y la entrevista podía detenerse en cualquier momento."
limitations:
  - en: "Children in households without a fixed address, in institutions or living on the street were outside the sampling frame."
    es: "Las niñas, niños y adolescentes en hogares sin dirección fija, en instituciones o en situación de calle quedaron fuera del marco muestral."
"""


def capacity_sheet(path: Path) -> Path:
    """A filled capacity answer sheet (question, year, value, note) for the demo."""
    rows = [
        ("LE-U01", "", "yes", ""), ("LE-U02", "", "national", ""),
        ("LE-U03", "", "12", ""), ("LE-U04", "", RESTRICTED_MARKERS[0], ""),
        ("LE-U05", "", "partly", ""), ("LE-T01", "", "partly", ""),
        ("LE-T02", "", "no", ""), ("LE-F01", "", "yes", ""),
        ("LE-F02", "", RESTRICTED_MARKERS[1], ""), ("LE-F04", "", "partly", ""),
        ("LE-C01", "2022", "410", ""), ("LE-C01", "2023", "520", ""),
        ("LE-C02", "2022", "85", ""), ("LE-C02", "2023", "104", ""),
        ("LE-D01", "", "yes", ""), ("LE-D03", "", "no", ""),
        ("LE-I01", "", "yes", ""), ("LE-I02", "", "partly", ""),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["question,year,value,note"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
