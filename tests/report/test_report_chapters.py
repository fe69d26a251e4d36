"""The report's added chapters, built once from a small demo study: the full methods
chapter, the internet-use rate, the overlap prevalence ratio, public law-enforcement
capacity, the legal gap and definitions annexes, and the written findings — in English
and Spanish, with no restricted answer anywhere."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from dhkit.demo.methods import RESTRICTED_MARKERS
from dhkit.demo.pipeline import DemoContext, run
from dhkit.errors import ValidationError
from dhkit.report import chapters
from dhkit.report.build import build_report
from dhkit.report.findings import TEXT as FINDINGS_TEXT
from dhkit.report.study import inputs_from_study

IDS = ("summary", "methods-design", "methods-response", "methods-profile", "methods-selfcomp",
       "methods-weighting", "methods-se", "methods-qual", "methods-ethics", "methods-limits",
       "hh-internet-rate", "overlap-ratio", "le-capacity", "annex-gaps", "annex-definitions")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("chapters")
    ctx = run(DemoContext(out_dir=out, children=300, formats=("kobo_csv",)),
              only=["generate", "study", "import", "weights"])
    inputs = inputs_from_study(ctx.study)
    result = build_report(inputs, out / "report", languages=("en", "es"), pdf=False)
    return ctx, inputs, result


def _html(result, lang):
    name = "report.html" if lang == "en" else f"report.{lang}.html"
    return result.files[name].read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_added_chapter_is_in_both_languages(built, lang):
    html = _html(built[2], lang)
    missing = [i for i in IDS if f'id="{i}"' not in html]
    assert missing == []


def test_spanish_report_has_no_english_text_of_the_new_chapters(built):
    html = re.sub(r"<[^>]+>", " ", _html(built[2], "es"))
    english = [s for s in chapters.STRINGS + list(FINDINGS_TEXT.values())
               if len(s) > 25 and "{" not in s and s in html]
    assert english == []


def test_response_rates_come_from_the_submissions_and_methods_notes(built):
    _, inputs, _ = built
    r = chapters.response_rates(inputs.fieldwork)
    hh = inputs.fieldwork.households
    assert r.visited == len(hh) and r.child == 300 == r.eligible
    assert r.issued == inputs.fieldwork.notes.households_issued
    assert r.overall == pytest.approx(300 / r.issued)


def test_no_restricted_capacity_answer_reaches_any_output(built):
    _, _, result = built
    for path in result.files.values():
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        text = data.decode("utf-8", "replace")
        assert not any(m in text for m in RESTRICTED_MARKERS), path.name


def test_public_capacity_answers_are_shown(built):
    html = _html(built[2], "en")
    section = html[html.index('id="le-capacity"'):]
    assert "Arrests for online child sexual exploitation (2023)" in section


def test_findings_files_are_written_next_to_the_report_with_placeholders(built):
    _, _, result = built
    for lang in ("en", "es"):
        text = result.files[f"findings.{lang}.md"].read_text(encoding="utf-8")
        assert "## summary" in text and "{{pct any_tfcsea}}" in text


def test_an_edited_findings_file_that_the_numbers_do_not_support_stops_the_build(built, tmp_path):
    ctx, inputs, _ = built
    path = Path(ctx.study_dir) / "findings.en.md"
    path.write_text("## summary\n\nExactly 99.9% of children were affected.\n", encoding="utf-8")
    try:
        with pytest.raises(ValidationError) as exc:
            build_report(inputs, tmp_path / "r", languages=("en",), pdf=False)
        assert [p.code for p in exc.value.report.problems] == ["FND-002"]
        assert not (tmp_path / "r" / "report.html").exists()
    finally:
        path.unlink()


def test_household_internet_rate_is_a_ratio_over_screened_households(built):
    _, inputs, _ = built
    r = chapters.household_internet_rate(inputs)
    hh = inputs.fieldwork.households
    assert r.n_households == int((hh["teens"] > 0).sum())
    assert 0.5 < r.estimate < 1 and r.ci_low < r.estimate < r.ci_high
