"""The report's introduction, as the seed's country report has one: it stands after the
methods and before the first findings chapter, says what the study is and whom it covers,
lists the research activities the study actually holds (with the demo study's own sample,
fieldwork period and interviews), and lists the report's actual parts in order — in English
and in Spanish. Then what a reader of the demo report stumbled on around it: the cover's
country, the methods' fieldwork period, the methods' errors section."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dhkit.indicators.catalogue import load_catalogue, load_plan
from dhkit.report import intro
from dhkit.report.i18n import Translator
from dhkit.report.study import inputs_from_study


def _html(result, lang="en") -> str:
    return result.files["report.html" if lang == "en" else f"report.{lang}.html"].read_text(
        encoding="utf-8")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def _intro(html: str) -> str:
    start = html.index('<section id="introduction"')
    return html[start:html.index("</section>", start)]


def _bullets(html: str, block: str) -> list[str]:
    start = html.index(f'id="{block}"')
    ul = html[start:html.index("</ul>", start)]
    return [_text(x).strip() for x in re.findall(r"<li>(.*?)</li>", ul, re.S)]


def test_the_shipped_plan_places_the_introduction_after_methods_before_the_findings():
    order = list(load_plan(catalogue=load_catalogue()).order())
    assert order.index("methods") + 1 == order.index("introduction")
    assert order[order.index("introduction") + 1] == "internet"


@pytest.mark.parametrize("lang, heading", [("en", "Introduction"), ("es", "Introducción")])
def test_the_introduction_is_in_the_body_and_the_contents_in_plan_order(built, lang, heading):
    html = _html(built, lang)
    body = [html.index(f'<section id="{p}"') for p in ("methods", "introduction", "internet")]
    assert body == sorted(body)
    nav = html[html.index("<nav"):html.index("</nav>")]
    assert f'<a href="#introduction">{heading}</a>' in nav
    links = [nav.index(f'href="#{p}"') for p in ("methods", "introduction", "internet")]
    assert links == sorted(links)
    assert f'<h2 id="introduction-h">{heading}</h2>' in html


def test_it_names_the_country_and_the_survey_population(built):
    text = _text(_intro(_html(built)))
    assert "in Colombia: how many children are subjected to it" in text
    assert "represents the children aged 12–17 in Colombia who had used the internet" in text


def test_the_survey_activity_states_the_demo_sample_and_its_fieldwork_dates(demo, built):
    inputs = inputs_from_study(demo.study)
    first, last = inputs.fieldwork.survey_period
    assert (first.year, first.month) == (2024, 3) and (last.year, last.month) == (2024, 7)
    survey = _bullets(_html(built), "intro-activities")[0]
    n_psu = inputs.main["psu_id"].nunique()
    assert survey == ("A nationally representative household survey: 300 children aged 12–17 "
                      f"and 300 of their parents or caregivers were interviewed in {n_psu} "
                      "sampling areas across 6 regions. Survey fieldwork: March – July 2024.")


def test_the_activities_are_the_ones_the_demo_study_holds(demo, built):
    inputs = inputs_from_study(demo.study)
    p = inputs.fieldwork.participants
    counts = p["group"].value_counts()
    bullets = _bullets(_html(built), "intro-activities")
    assert len(bullets) == 4          # survey, interviews, legal review, law enforcement
    assert bullets[1].startswith(
        f"In-depth interviews with {len(p)} people: {counts['YP']} young people subjected to "
        f"abuse as children, {counts['FW']} front-line workers and {counts['JP']} justice "
        "professionals.")
    assert bullets[2].startswith("A review of the country's laws and policies against a "
                                 "checklist of 156 items")
    assert bullets[3].startswith("An assessment of the capacity of national law enforcement")
    assert not any("consultation" in b for b in bullets)      # the demo holds no comments


def test_a_consultation_is_listed_when_the_study_holds_comments(demo):
    from dhkit.legal.consultation import Comment, save_comments
    from dhkit.legal.study import open_legal_study
    legal = open_legal_study(demo.study.dir)
    inputs = inputs_from_study(demo.study)
    try:
        save_comments(legal, [
            Comment("C-001", "1.1", "Ministry A", "government", "Agree.", "", "endorse"),
            Comment("C-002", "2.1", "NGO B", "civil_society", "Add schools.", "", "endorse")])
        _, _, consultation = intro.legal_activities(inputs)
    finally:
        legal.consultation_path.unlink()
    assert consultation == (2, 2)


def test_the_organisation_lists_the_report_parts_in_order_with_their_plan_lines(built):
    html = _html(built)
    lines = _bullets(html, "intro-organisation")
    nav = html[html.index("<nav"):html.index("</nav>")]
    toc = [_text(x).strip() for x in re.findall(r"<a [^>]*>(.*?)</a>", nav)]
    assert [x.split(" — ")[0] for x in lines] == [x for x in toc if x != "Introduction"]
    assert ("4. Disclosure — whether children told anyone, whom they told and why some told "
            "no one") in lines
    assert lines[0] == "Key figures — the headline figures at a glance"


def test_the_spanish_introduction_is_translated(built):
    text = _text(_intro(_html(built, "es")))
    assert "Actividades de investigación" in text
    assert "Trabajo de campo de la encuesta: marzo–julio de 2024." in text
    assert "300 niñas, niños y adolescentes de 12 a 17 años" in text
    english = [s for s in intro.STRINGS if len(s) > 25 and "{" not in s and s in text]
    assert english == []


def test_country_and_period_are_written_in_the_report_language():
    assert intro.country_name("CO", Translator("en")) == "Colombia"
    assert intro.country_name("BR", Translator("es")) == "Brasil"
    assert intro.period_text((date(2024, 7, 22), date(2025, 3, 2)), Translator("es")) == \
        "julio de 2024\u2009–\u2009marzo de 2025"        # CLDR's thin spaces
    assert intro.period_text(None, Translator("en")) == ""


# ------------------------------------------------------------------ read as a reader
@pytest.mark.parametrize("lang, kicker", [("en", "National report · Colombia"),
                                          ("es", "Informe nacional · Colombia")])
def test_the_cover_names_the_country_not_its_code(built, lang, kicker):
    cover = _html(built, lang).split('<p class="kicker">', 1)[1].split("</p>", 1)[0]
    assert cover == kicker


@pytest.mark.parametrize("lang, sentence", [("en", "Fieldwork: March – July 2024."),
                                            ("es", "Trabajo de campo: marzo–julio de 2024.")])
def test_the_methods_fieldwork_period_is_the_data_s_in_the_report_language(built, lang,
                                                                           sentence):
    html = _html(built, lang)
    design = html[html.index('id="methods-design"'):]
    design = _text(design[:design.index("</div>")])
    assert sentence in design
    assert "March to July" not in design          # methods.yaml's English words


def test_the_errors_section_does_not_open_with_a_title_like_fragment(built):
    html = _html(built)
    block = html[html.index('id="methods-se"'):]
    first = re.search(r"<p>(.*?)</p>", block, re.S).group(1)
    assert first.startswith("300 children were interviewed in ")
    assert "Household survey of internet-using children" not in _text(html)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_methods_count_interviews_as_a_sentence_does(demo, built, lang):
    counts = inputs_from_study(demo.study).fieldwork.participants["group"].value_counts()
    html = _html(built, lang)
    block = html[html.index('id="methods-qual"'):]
    first = _text(re.search(r"<p>(.*?)</p>", block, re.S).group(1))
    groups = ((f"{counts['YP']} young people subjected to abuse (YP), {counts['FW']} "
               f"front-line workers (FW) and {counts['JP']} justice professionals (JP).")
              if lang == "en" else
              (f"{counts['YP']} jóvenes que sufrieron abuso (YP), {counts['FW']} profesionales "
               f"de primera línea (FW) y {counts['JP']} profesionales de la justicia (JP)."))
    assert groups in first


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_table_caption_does_not_repeat_its_heading(built, lang):
    html = _html(built, lang)
    pairs = []
    for block in ('<section id="appendix"', 'id="le-capacity"'):
        part = html[html.index(block):]
        heading = _text(re.search(r"<h[23][^>]*>(.*?)</h[23]>", part, re.S).group(1)).strip()
        caption = _text(re.search(r"<caption>(.*?)</caption>", part, re.S).group(1)).strip()
        pairs.append((heading, caption))
    assert all(h != c for h, c in pairs), pairs
    if lang == "en":
        assert pairs[0][1] == ("Standard errors, confidence intervals and design effects of "
                               "the headline estimates")
        assert pairs[1][1] == "Public answers of the law-enforcement capacity assessment"


@pytest.mark.parametrize("lang, words", [("en", "annex on legal and policy gaps"),
                                         ("es", "anexo de brechas legales y de políticas")])
def test_the_legal_review_note_links_the_annex_by_its_name(built, lang, words):
    html = _html(built, lang)
    conclusion = html[html.index('<section id="conclusion"'):]
    conclusion = conclusion[:conclusion.index("</section>")]
    assert f"<a href='#annex-gaps'>{words}</a>." in conclusion
    assert ">→</a>" not in conclusion


@pytest.mark.parametrize("lang, sentence", [
    ("en", "Areas left out of the frame: a few remote municipalities where fieldwork"),
    ("es", "Zonas excluidas del marco: algunos municipios apartados donde el trabajo")])
def test_the_team_s_exclusions_continue_the_sentence_after_the_colon(built, lang, sentence):
    html = _html(built, lang)
    design = html[html.index('id="methods-design"'):]
    assert sentence in _text(design[:design.index("</div>")])


def _numbered(html: str, block: str) -> list[str]:
    start = html.index(f'id="{block}"')
    ol = html[html.index("<ol>", start):html.index("</ol>", start)]
    return [_text(x).strip() for x in re.findall(r"<li>(.*?)</li>", ol, re.S)]


@pytest.mark.parametrize("lang, heading, lead, fourth", [
    ("en", "Research questions", "The study set out to answer six questions",
     "What do caregivers, friends and the people around a child do to prevent it and to "
     "respond when it happens?"),
    ("es", "Preguntas de investigación", "El estudio se propuso responder seis preguntas",
     "¿Qué hacen los cuidadores, las amistades y las personas cercanas para prevenirlo y para "
     "responder cuando ocurre?")])
def test_the_introduction_lists_the_plan_s_research_questions_in_order(built, lang, heading,
                                                                         lead, fourth):
    html = _intro(_html(built, lang))
    block = html[html.index('id="intro-questions"'):]
    assert f"<h3>{heading}</h3>" in block and lead in _text(block)
    plan = load_plan(catalogue=load_catalogue())
    questions = _numbered(html, "intro-questions")
    assert questions == [q[lang] for q in plan.research_questions]
    assert questions[3] == fourth
    # after what the study is, before whom it covers
    assert html.index('id="intro-study"') < html.index('id="intro-questions"') \
        < html.index('id="intro-scope"')


def test_a_plan_without_research_questions_gives_no_questions_block():
    class Plan:
        research_questions = ()

    assert intro._questions_block(Plan(), Translator("en")) is None


@pytest.mark.parametrize("lang, sentence", [
    ("en", "Interviews: July 2024 – March 2025."),
    ("es", "Entrevistas: julio de 2024 – marzo de 2025.")])
def test_the_interview_period_is_the_demo_s_fieldwork_window(demo, built, lang, sentence):
    """The demo's interviews fall inside the seed's interview fieldwork (July 2024 – March
    2025), and the introduction reads that period from the participants' dates."""
    inputs = inputs_from_study(demo.study)
    days = [d for d in inputs.fieldwork.participants["interview_date"] if isinstance(d, date)]
    assert min(days) >= date(2024, 7, 1) and max(days) <= date(2025, 3, 31)
    bullet = _bullets(_html(built, lang), "intro-activities")[1]
    assert bullet.endswith(sentence)
