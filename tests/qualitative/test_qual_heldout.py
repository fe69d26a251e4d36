"""Held-out check of the detectors: sentences written after the rules were frozen (not used
to tune them), with identifiers marked ⟦…⟧ and ordinary words that look like them. Prints
recall and precision; asserts only floors, so the figures stay honest."""

import re

from dhkit.qualitative.detect import Gazetteers, detect

HELD_OUT = """\
P: Mi mamá trabaja en ⟦Dosquebradas⟧ y yo estudiaba en el ⟦Colegio Santa Teresita⟧.
P: Él me dijo que se llamaba ⟦Brayan⟧ y que tenía ⟦diecinueve años⟧.
P: Me escribía a las once de la noche, todas las noches, durante meses.
P: La fiscal ⟦Gómez⟧ nos atendió el ⟦2 de junio de 2023⟧ en ⟦Neiva⟧.
P: Su número era ⟦+57 301 555 0166⟧ y su correo ⟦brayan.demo@example.com⟧.
P: Vivíamos en la ⟦Carrera 15 # 8-20⟧, cerca del parque.
P: Me pedía fotos y yo sentía mucha soledad y miedo.
R: The girl, ⟦Jessica⟧, was ⟦thirteen⟧ when it started, according to her aunt.
R: We met the family at the ⟦Sunrise Children's Foundation⟧ on ⟦4 October 2024⟧.
R: He used the account ⟦@shadow_fox_demo⟧ and a page at ⟦www.fotos-demo.net⟧.
R: In 2023 about 40 per cent of our cases came through the hotline.
R: Her teacher at ⟦Hillside High School⟧ noticed she had stopped eating.
R: The hearing in ⟦Pasto⟧ was moved three times in two years.
P: Le conté a mi tía ⟦Gloria⟧ y ella llamó a la línea 141.
P: En la ⟦Comisaría de Familia de Bosa⟧ no nos quisieron recibir.
"""


def test_heldout_recall_and_precision_are_reported():
    g = Gazetteers.load()
    truth, tp_spans, n_spans = 0, 0, 0
    found = 0
    for line in HELD_OUT.splitlines():
        marks, text = [], ""
        for part in re.split(r"(⟦[^⟧]*⟧)", line):
            if part.startswith("⟦"):
                inner = part[1:-1]
                marks.append((len(text), len(text) + len(inner)))
                text += inner
            else:
                text += part
        spans = detect(text, g, use_ner=False)
        truth += len(marks)
        found += sum(any(s.start <= a and s.end >= b for s in spans) for a, b in marks)
        n_spans += len(spans)
        tp_spans += sum(any(s.start < b and a < s.end for a, b in marks) for s in spans)
    recall, precision = found / truth, tp_spans / max(n_spans, 1)
    print(f"held-out recall {recall:.3f} ({found}/{truth}), "
          f"precision {precision:.3f} ({tp_spans}/{n_spans})")
    assert recall >= 0.8 and precision >= 0.8
