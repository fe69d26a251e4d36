"""A study whose PSUs were drawn with probability proportional to size declares it in
study.toml ([design] pps, fpc = the PSU's inclusion probability), and the report's estimates
use it: the same point estimates, standard errors with Brewer's finite-population factor."""

from __future__ import annotations

import dataclasses

import pytest

from dhkit.demo.pipeline import DemoContext, run
from dhkit.report.build import analyse, validate_inputs
from dhkit.report.study import inputs_from_study
from dhkit.workspace.config import load_study


@pytest.fixture(scope="module")
def analyses(tmp_path_factory):
    out = tmp_path_factory.mktemp("pps")
    ctx = run(DemoContext(out_dir=out, children=300, formats=("kobo_csv",)),
              only=["generate", "study", "import", "weights"])
    toml = ctx.study.dir / "study.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'fpc = ""' in text
    toml.write_text(text.replace('fpc = ""', 'fpc = "p_psu"\npps = "brewer"', 1),
                    encoding="utf-8")
    pps = inputs_from_study(load_study(ctx.study.dir))
    plain = dataclasses.replace(pps, design=dataclasses.replace(pps.design, fpc=None,
                                                                pps=None))
    catalogue, plan = validate_inputs(pps, ("en",))
    return (pps, analyse(pps, catalogue, plan, validated=True),
            analyse(plain, catalogue, plan, validated=True))


def test_the_study_settings_reach_the_report_design(analyses):
    pps, _, _ = analyses
    assert (pps.design.fpc, pps.design.pps, pps.design.pps_variance) == ("p_psu", "brewer", "HT")


def test_pps_keeps_the_estimates_and_shrinks_the_standard_errors(analyses):
    _, with_pps, without = analyses
    a, b = with_pps.estimates, without.estimates
    assert list(a["row_id"]) == list(b["row_id"]) and len(a) > 1000
    assert (a["estimate"] - b["estimate"]).abs().max() < 1e-12
    spread = a["se"] > 0                      # empty domains (NaN) and constants left out
    assert (a["se"][spread] <= b["se"][spread] * (1 + 1e-12)).all()
    assert (a["se"][spread] < b["se"][spread]).mean() > 0.9


@pytest.mark.parametrize("lang, words", [
    ("en", "drawn without replacement with probability proportional to size within strata "
           "(Brewer's approximation)"),
    ("es", "seleccionadas sin reemplazo con probabilidad proporcional al tamaño dentro de los "
           "estratos (aproximación de Brewer)")])
def test_the_methods_line_says_how_the_psus_were_drawn(analyses, lang, words):
    from dhkit.report.i18n import Translator
    from dhkit.report.render import methods

    pps, with_pps, without = analyses
    assert any(words in line for line in methods(with_pps, pps, Translator(lang)))
    assert not any(words in line for line in methods(without, pps, Translator(lang)))
