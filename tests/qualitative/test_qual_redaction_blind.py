"""The blind redaction set (issue 17): 430 hand-written interview passages, committed
(a3b394b) before the rules ever ran on them, split once into a dev half and a test half.
The test half was run once (rules frozen at f0cdc36: 90.7 % recall) and reported; since
then (2026-12-06) the WHOLE set is development data, like tuning, heldout and fresh. The
held-out test is a new set by another author (blind2), not this one. See
docs/qualitative.md, "The blind set"."""

import pytest

from dhkit.qualitative.detect import Gazetteers, detect
from dhkit.qualitative.evaluate import evaluate, half, load_set, missed, parse_line, table

KINDS = {"NAME", "PLACE", "PHONE", "EMAIL", "HANDLE", "URL", "DATE", "AGE", "INSTITUTION",
         "SCHOOL", "ID", "PLATE", "CASE", "BUSINESS"}

@pytest.fixture(scope="module")
def blind():
    return evaluate(load_set("blind"), "blind")


def test_the_blind_set_is_fixed_and_split_by_a_seeded_hash_of_passage_ids():
    whole = load_set("blind")
    assert len(whole) == 430 and sum(len(s.truth) for s in whole) == 654
    assert len({s.passage for s in whole}) == 430
    assert (half("b001"), half("b004")) == ("dev", "test")
    assert [len(load_set(h)) for h in ("blind-dev", "blind-test")] == [218, 212]
    assert {k for s in load_set("blind-test") for *_, k in s.truth} == KINDS


def test_the_whole_blind_set_meets_the_bars_for_every_kind(blind):
    print("\n" + "\n".join("  ".join(f"{c:>12}" for c in r) for r in table(blind)))
    assert {s.kind for s in blind.scores if s.marked} == KINDS
    low = {s.kind: (s.recall, s.precision) for s in blind.scores
           if (s.marked and s.recall < 0.98) or (s.detected and s.precision < 0.90)}
    assert low == {}, (blind.misses, blind.false_alarms)


# blind2 (487 passages, 889 identifiers, a third author): held-out, run ONCE on the frozen
# detector at 8d3d16f (recall 89.8 %, precision 97.9 %); development data since. These
# floors are what the general forms of qualitative/forms.py reach on it (recall, precision
# per kind, in %); a change may raise them, not lower them. PLACE is still under the
# 98 % recall bar here (docs/qualitative.md says which forms are still missed).
BLIND2_FLOORS = {"AGE": (100.0, 96.1), "BUSINESS": (98.0, 97.9), "CASE": (100.0, 100.0),
                 "DATE": (100.0, 100.0), "EMAIL": (100.0, 100.0), "HANDLE": (100.0, 96.2),
                 "ID": (100.0, 100.0), "INSTITUTION": (100.0, 98.1), "NAME": (99.2, 95.4),
                 "PHONE": (98.0, 100.0), "PLACE": (96.5, 97.6), "PLATE": (98.0, 100.0),
                 "SCHOOL": (98.0, 100.0), "URL": (100.0, 100.0)}


def test_blind2_as_development_data_keeps_its_floors_per_kind():
    ev = evaluate(load_set("blind2"), "blind2")
    print("\n" + "\n".join("  ".join(f"{c:>12}" for c in r) for r in table(ev)))
    got = {s.kind: (round(100 * s.recall, 1), round(100 * (s.precision or 1), 1))
           for s in ev.scores if s.marked}
    below = {k: (got[k], floor) for k, floor in BLIND2_FLOORS.items()
             if got[k][0] < floor[0] or got[k][1] < floor[1]}
    assert below == {}, (ev.misses, ev.false_alarms)


@pytest.mark.parametrize("line", [
    # written for this test, not taken from any evaluation set
    "mi tía ⟦NAME|marleny⟧ fue la que me recogió.",
    "yo le conté a ⟦NAME|yeison⟧ lo que pasó.",
    "el novio de ella, ⟦NAME|jhon jairo⟧, tenía moto.",
    "Escribía como ⟦HANDLE|tu_parcero_55⟧ y luego como ⟦HANDLE|parcerito.77⟧ en Instagram.",
    "En Discord era ⟦HANDLE|nocturno#1234⟧.",
    "Ella tenía ⟦AGE|quince⟧, y él tenía como ⟦AGE|40 años⟧.",
    "Me dijo que llamara al ⟦PHONE|tres uno cero, dos dos dos, cinco cinco cuatro cuatro⟧.",
    "La casa queda en la ⟦PLACE|calle 12 con carrera 8⟧, en ⟦PLACE|Bosa⟧.",
    "Vivíamos en ⟦PLACE|Villa Gloria⟧, en ⟦PLACE|Los Laureles⟧.",
    "Nos remitieron al ⟦INSTITUTION|CAIVAS de Villavicencio⟧.",
    "Él era diácono en la ⟦INSTITUTION|Parroquia San Martín de Porres⟧.",
    "Lo vimos en la ⟦BUSINESS|cigarrería El Paisa⟧.",
    "Fue el ⟦DATE|dieciséis de marzo⟧, un domingo.",
    "El PARD quedó con número ⟦CASE|118 de 2023⟧.",
])
def test_forms_people_say_are_caught(line):
    s = parse_line(line)
    assert missed(s, detect(s.text, Gazetteers.load())) == []


@pytest.mark.parametrize("text", [
    "La Policía de Infancia y Adolescencia vino a la casa.",
    "Somos hinchas del Deportivo Cali desde chiquitos.",
    "We reported it to Meta and Google.",
    "Children aged 12 to 17 use TikTok and WhatsApp.",
    "Mi mamá reza el rosario y tenía tres fotos mías.",
    "Tiene la cuenta abierta todavía.",
])
def test_look_alikes_are_left_alone(text):
    assert [(text[s.start:s.end], s.kind) for s in detect(text, Gazetteers.load())] == []


# blind3 (595 passages, 1,118 identifiers, a fourth author who could not see the rules):
# run ONCE on the detector frozen at 35b786d (2026-12-06): recall 91.2 %, precision 96.9 %.
# Held out: these are that run's counts, kept as floors (not raised by tuning on its misses).
BLIND3_COVERED = {"AGE": 44, "BUSINESS": 54, "CASE": 46, "DATE": 53, "EMAIL": 50,
                  "HANDLE": 55, "ID": 51, "INSTITUTION": 46, "NAME": 182, "PHONE": 47,
                  "PLACE": 234, "PLATE": 50, "SCHOOL": 54, "URL": 54}


def test_blind3_held_out_keeps_at_least_its_one_run_counts():
    sents = load_set("blind3")
    assert len(sents) == 595 and sum(len(s.truth) for s in sents) == 1118
    ev = evaluate(sents, "blind3")
    covered = {s.kind: s.covered for s in ev.scores if s.marked}
    assert {k: covered[k] for k in BLIND3_COVERED if covered[k] < BLIND3_COVERED[k]} == {}
