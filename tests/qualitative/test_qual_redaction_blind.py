"""The blind redaction set (issue 17): 430 hand-written interview passages, committed
(a3b394b) before the rules ever ran on them, split once into a dev half (rules adjusted on
its misses) and a test half (run once, after the rules were frozen at f0cdc36).

The dev half must meet the issue's bars per kind. The test half does NOT: its figures are
asserted only at the level honestly reached, as a floor against regressions. Do not raise
these floors by changing rules after reading the test half's misses: that would make it a
second dev set. See docs/qualitative.md, "The blind set"."""

import pytest

from dhkit.qualitative.detect import Gazetteers, detect
from dhkit.qualitative.evaluate import evaluate, half, load_set, parse_line, table

KINDS = {"NAME", "PLACE", "PHONE", "EMAIL", "HANDLE", "URL", "DATE", "AGE", "INSTITUTION",
         "SCHOOL", "ID", "PLATE", "CASE", "BUSINESS"}

# The test half's one run (rules at f0cdc36): covered/marked and correct/detected per kind.
# Below the bar (98 % recall) for AGE, BUSINESS, CASE, HANDLE, ID, INSTITUTION,
# NAME, PLACE and SCHOOL, and below 90 % precision for INSTITUTION.
TEST_HALF_FIRST_RUN = {
    "AGE": (19, 22, 19, 20), "BUSINESS": (11, 18, 12, 12), "CASE": (6, 9, 6, 6),
    "DATE": (16, 16, 16, 16), "EMAIL": (8, 8, 8, 8), "HANDLE": (19, 21, 19, 21),
    "ID": (9, 10, 8, 8), "INSTITUTION": (14, 15, 15, 17), "NAME": (64, 68, 76, 82),
    "PHONE": (12, 12, 15, 15), "PLACE": (78, 86, 72, 72), "PLATE": (14, 14, 14, 14),
    "SCHOOL": (12, 13, 12, 12), "URL": (9, 9, 9, 9)}


@pytest.fixture(scope="module")
def dev():
    return evaluate(load_set("blind-dev"), "blind-dev")


@pytest.fixture(scope="module")
def test_half():
    return evaluate(load_set("blind-test"), "blind-test")


def test_the_blind_set_is_fixed_and_split_by_a_seeded_hash_of_passage_ids():
    whole = load_set("blind")
    assert len(whole) == 430 and sum(len(s.truth) for s in whole) == 654
    assert len({s.passage for s in whole}) == 430
    assert (half("b001"), half("b004")) == ("dev", "test")
    assert [len(load_set(h)) for h in ("blind-dev", "blind-test")] == [218, 212]
    assert {k for s in load_set("blind-test") for *_, k in s.truth} == KINDS


def test_the_dev_half_meets_the_bars_for_every_kind(dev):
    print("\n" + "\n".join("  ".join(f"{c:>12}" for c in r) for r in table(dev)))
    assert {s.kind for s in dev.scores if s.marked} == KINDS
    low = {s.kind: (s.recall, s.precision) for s in dev.scores
           if (s.marked and s.recall < 0.98) or (s.detected and s.precision < 0.90)}
    assert low == {}, (dev.misses, dev.false_alarms)


def test_the_test_half_stays_at_least_where_its_one_run_left_it(test_half):
    # Printed for the record; NOT the bar (see TEST_HALF_FIRST_RUN).
    print("\n" + "\n".join("  ".join(f"{c:>12}" for c in r) for r in table(test_half)))
    worse = {}
    for s in test_half.scores:
        covered, marked, correct, detected = TEST_HALF_FIRST_RUN[s.kind]
        if s.marked != marked or s.covered < covered or (
                s.detected and s.correct / s.detected < correct / detected - 1e-9):
            worse[s.kind] = (s.covered, s.marked, s.correct, s.detected)
    assert worse == {}
    assert sum(s.covered for s in test_half.scores) >= 291  # 90.7 % of 321


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
    spans = detect(s.text, Gazetteers.load())
    for a, b, kind in s.truth:
        assert all(any(sp.start <= i < sp.end for sp in spans)
                   for i in range(a, b) if s.text[i].strip()), (kind, s.text[a:b])


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
