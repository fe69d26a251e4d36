"""Estimates resting on only some form versions say so: the tidy estimates carry the
``versions`` flag with the versions that asked and the rows that were not asked, and the
note is printed under the figure (tables, charts, Excel lines), in every language."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from dhkit.demo.generate import draw
from dhkit.indicators.catalogue import load_catalogue
from dhkit.indicators.versions import (AskedTable, VERSIONS, indicator_variables, load_asked,
                                       version_counts)
from dhkit.report.build import ReportInputs, analyse, validate_inputs
from dhkit.report.i18n import Translator
from dhkit.report.render import chart_view, table_view

OLD, NEW = "2025.1", "2026.1"


def _inputs(asked: AskedTable | None):
    """The synthetic survey collected with two versions: the first third of the households
    with 2025.1, which did not ask ab_ai_images (NULL there), the rest with 2026.1."""
    d = draw(1500, seed=5)
    main = d.main[d.main["interview_result"] == 1].reset_index(drop=True)
    old = np.arange(len(main)) < len(main) // 3
    main["_form_version"] = np.where(old, OLD, NEW)
    main.loc[old, "ab_ai_images"] = np.nan
    instance = d.instance.copy()
    instance["_form_version"] = instance["hh_id"].map(dict(zip(main.hh_id, main._form_version)))
    return ReportInputs(main=main, instance=instance, synthetic=True, form_versions=asked), old


ASKED = AskedTable.from_rows([("main", "ab_ai_images", OLD, False),
                              ("main", "ab_ai_images", NEW, True),
                              ("main", "ab_unwanted_images", OLD, True),
                              ("main", "ab_unwanted_images", NEW, True)])


@pytest.fixture(scope="module")
def two_versions():
    inputs, old = _inputs(ASKED)
    cat, plan = validate_inputs(inputs, ("en", "es"))
    return analyse(inputs, cat, plan), inputs, old


def _overall(est, indicator):
    return est[(est.indicator == indicator) & (est.domain == "")].iloc[0]


def test_an_indicator_asked_in_one_version_only_is_flagged_with_its_versions(two_versions):
    analysis, inputs, old = two_versions
    r = _overall(analysis.estimates, "ab_ai_images")
    assert r.flag_versions == VERSIONS
    assert (r.versions_asked, r.versions_not_asked) == (NEW, OLD)
    assert r.n_not_asked == int(old.sum())
    # its base holds only the rows of the version that asked
    asked = inputs.main.loc[~old, "ab_ai_images"].notna().sum()
    assert r.n_unweighted == asked
    # every row of the indicator (every domain level) carries the flag
    rows = analysis.estimates[analysis.estimates.indicator == "ab_ai_images"]
    assert set(rows.flag_versions) == {VERSIONS}


def test_an_indicator_every_version_asked_is_not_flagged(two_versions):
    est = two_versions[0].estimates
    assert _overall(est, "ab_unwanted_images").flag_versions == ""
    assert _overall(est, "ab_unwanted_images").n_not_asked == 0
    assert set(est[est.flag_versions == VERSIONS].indicator) == {"ab_ai_images"}


@pytest.fixture(scope="module")
def one_form():
    inputs, _ = _inputs(None)
    cat, plan = validate_inputs(inputs, ("en",))
    return analyse(inputs, cat, plan)


def test_the_flag_sits_next_to_the_disclosure_flag_and_changes_no_figure(two_versions,
                                                                          one_form):
    flagged, plain = two_versions[0].estimates, one_form.estimates
    assert "flag_versions" not in plain.columns      # a study with one form: as before
    assert flagged["flag"].tolist() == plain["flag"].tolist()
    assert np.allclose(flagged["estimate"], plain["estimate"], equal_nan=True)


def test_the_tidy_files_carry_the_version_columns(two_versions, tmp_path):
    import pandas as pd

    from dhkit.report.build import _write_tidy

    _write_tidy(two_versions[0], tmp_path)
    tidy = pd.read_csv(tmp_path / "estimates.csv", keep_default_na=False)
    r = tidy[(tidy.indicator == "ab_ai_images") & (tidy.domain == "")].iloc[0]
    assert (r.flag_versions, str(r.versions_asked), str(r.versions_not_asked)) == (
        VERSIONS, NEW, OLD)


def _spec(analysis, kind, indicator):
    for section in analysis.plan.sections:
        for spec in getattr(section, kind):
            if indicator in spec.indicators:
                return spec
    raise AssertionError(f"no {kind} of {indicator} in the plan")


@pytest.mark.parametrize("lang, words", [
    ("en", "Asked only in form version(s) 2026.1; {n} children of version(s) 2025.1 were "
           "not asked and are not in the base."),
    ("es", "Preguntado solo en la(s) versión(es) del formulario 2026.1; a {n} niñas, niños y "
           "adolescentes de la(s) versión(es) 2025.1 no se les preguntó y no están en la "
           "base.")])
def test_the_table_shows_the_note_under_the_figure(two_versions, lang, words):
    analysis, _, old = two_versions
    t = Translator(lang)
    spec = _spec(analysis, "tables", "ab_ai_images")
    view = table_view(analysis, t, spec, "1")
    label = t.label(analysis.catalogue.indicators["ab_ai_images"].label)
    expected = words.format(n=t.number(int(old.sum())))
    lines = [b for b in view.notes if expected in b]
    assert len(lines) == 1
    # the table shows several indicators: the note names the one it is about
    assert lines[0] == (f"{label}: {expected}" if len(spec.indicators) > 1 else expected)


def test_a_chart_of_the_indicator_shows_the_note_too(two_versions):
    analysis = two_versions[0]
    for section in analysis.plan.sections:
        for spec in section.charts:
            view = chart_view(analysis, Translator("en"), spec, "1")
            noted = any("Asked only in form version(s)" in b for b in view.bases)
            assert noted == ("ab_ai_images" in spec.indicators)


def test_variables_are_followed_through_derived_variables_and_the_base():
    cat = load_catalogue()
    names = indicator_variables(cat, "told_anyone")
    assert {"told_anyone", "inst_told", "any_tfcsea"} <= names


def test_versions_asked_are_read_from_the_study_store(tmp_path):
    sys.path.insert(0, str(Path(__file__).parents[1] / "ingest"))
    import fieldforms as ff

    from dhkit.ingest.importer import import_files
    from dhkit.instrument.versions import add_version
    from dhkit.workspace.config import init_study

    study = init_study(tmp_path / "s", instrument=ff.household_form(
        tmp_path / "v2.xlsx", "2", phone=True), demo=True)
    add_version(study, ff.household_form(tmp_path / "v1.xlsx", "1"))
    subs = ff.sample(3)
    for s in subs[1:]:
        s.version, s.phone = "2", "1"
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "export.xlsx", subs, phone=True)])
    assert res.ok, [str(p) for p in res.report]
    with study.open_store() as store:
        asked = load_asked(store)
        main = store.read("main")
    assert asked.versions == ("1", "2")
    assert asked.not_asked("phone_access") == ("1",) and asked.not_asked("region") == ()
    assert version_counts(main) == {"1": 1, "2": 2}


def _with_callouts(analysis, *indicators):
    import copy

    from dhkit.indicators.catalogue import Callout

    out = copy.copy(analysis)
    out.plan = copy.copy(analysis.plan)
    out.plan.callouts = [Callout(i) for i in indicators]
    return out


@pytest.mark.parametrize("lang, words", [
    ("en", "Asked in form version(s) 2026.1 only."),
    ("es", "Preguntado solo en la(s) versión(es) 2026.1 del formulario.")])
def test_a_key_figure_resting_on_some_versions_says_so_briefly(two_versions, lang, words):
    from dhkit.report.render import callouts

    analysis = _with_callouts(two_versions[0], "ab_ai_images", "ab_unwanted_images")
    ai, unwanted = callouts(analysis, two_versions[1], Translator(lang))
    assert ai["versions"] == words
    assert unwanted["versions"] == ""


def test_a_key_figure_of_a_single_form_study_has_no_version_line(one_form):
    from dhkit.report.render import callouts

    analysis = _with_callouts(one_form, "ab_ai_images")
    assert callouts(analysis, None, Translator("en"))[0]["versions"] == ""


def _findings(analysis, tmp_path, text, lang="en"):
    from types import SimpleNamespace

    from dhkit.disclosure import Thresholds
    from dhkit.report.findings import findings_for

    (tmp_path / f"findings.{lang}.md").write_text(text, encoding="utf-8")
    inputs = SimpleNamespace(study=SimpleNamespace(dir=tmp_path), thresholds=Thresholds())
    return findings_for(analysis, inputs, Translator(lang))


def test_a_written_finding_citing_such_a_figure_says_so_once(two_versions, tmp_path):
    analysis = two_versions[0]
    t = Translator("en")
    ai = t.percent(_overall(analysis.public, "ab_ai_images").estimate)
    unwanted = t.percent(_overall(analysis.public, "ab_unwanted_images").estimate)
    out = _findings(analysis, tmp_path, "## summary\nAI images {{pct ab_ai_images}}; unwanted "
                    "{{pct ab_unwanted_images}}. Again {{pct ab_unwanted_images}}.\n")
    assert out.summary == [f"AI images {ai} (asked in form version(s) 2026.1 only); unwanted "
                           f"{unwanted}. Again {unwanted}."]


def test_the_note_goes_once_a_sentence_right_after_the_figure_it_is_about(two_versions,
                                                                        tmp_path):
    analysis = two_versions[0]
    ai = Translator("en").percent(_overall(analysis.public, "ab_ai_images").estimate)
    out = _findings(analysis, tmp_path, "## summary\nFirst {{pct ab_ai_images}}, again "
                    "{{pct ab_ai_images}}. Then {{pct ab_ai_images}}.\n")
    note = "(asked in form version(s) 2026.1 only)"
    assert out.summary == [f"First {ai} {note}, again {ai}. Then {ai} {note}."]


def test_a_written_finding_of_a_single_form_study_is_unchanged(one_form, tmp_path):
    ai = Translator("en").percent(_overall(one_form.public, "ab_ai_images").estimate)
    out = _findings(one_form, tmp_path, "## summary\nAI images {{pct ab_ai_images}}.\n")
    assert out.summary == [f"AI images {ai}."]


def test_a_recommendations_citation_of_such_a_figure_says_so(two_versions, one_form):
    from dhkit.report.evidence import figure_texts

    cited = figure_texts(two_versions[0], Translator("en"), {"ab_ai_images": "7"})
    assert cited["ab_ai_images"].endswith("; Table 7; asked in form version(s) 2026.1 only)")
    assert figure_texts(one_form, Translator("en"), {"ab_ai_images": "7"})[
        "ab_ai_images"].endswith("; Table 7)")
