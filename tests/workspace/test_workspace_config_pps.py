"""study.toml [design] pps: PSUs drawn with probability proportional to size, declared once
and carried into every design the report and the release build."""

import pytest

from dhkit.indicators.compute import DesignSpec
from dhkit.workspace.config import ConfigError, load_study

BASE = """[study]
name = "PPS study"
country = "CO"
languages = ["en"]

[design]
strata = "region"
{design}
"""


def load(tmp_path, design):
    (tmp_path / "study.toml").write_text(BASE.format(design=design), encoding="utf-8")
    return load_study(tmp_path)


def problems(tmp_path, design):
    with pytest.raises(ConfigError) as exc:
        load(tmp_path, design)
    return [(p.code, p.line, p.field) for p in exc.value.report]


def test_a_pps_draw_is_declared_with_its_inclusion_probabilities(tmp_path):
    s = load(tmp_path, 'fpc = "p_psu"\npps = "hr"\npps_variance = "YG"')
    assert (s.design.fpc, s.design.pps, s.design.pps_variance) == ("p_psu", "hr", "YG")


def test_no_pps_is_the_default(tmp_path):
    s = load(tmp_path, "")
    assert (s.design.pps, s.design.pps_variance) == ("", "HT")


def test_pps_without_fpc_names_the_missing_probabilities(tmp_path):
    assert problems(tmp_path, 'pps = "brewer"') == [("CFG-005", None, "design.fpc")]


def test_unknown_pps_method_is_named_with_its_line(tmp_path):
    assert problems(tmp_path, 'fpc = "p"\npps = "sampford"') == [("CFG-005", 9, "design.pps")]


def test_yates_grundy_with_brewer_is_refused_as_r_does(tmp_path):
    found = problems(tmp_path, 'fpc = "p"\npps = "brewer"\npps_variance = "YG"')
    assert found == [("CFG-005", 10, "design.pps_variance")]


def test_a_variance_without_pps_is_refused(tmp_path):
    assert problems(tmp_path, 'pps_variance = "YG"') == [("CFG-005", 8, "design.pps_variance")]


def test_the_design_spec_passes_the_pps_declaration_to_the_engine():
    spec = DesignSpec(weights="w", strata="s", psu="c", fpc="p", pps="overton",
                      pps_variance="YG")
    assert spec.options() == {"strata": "s", "psu": "c", "fpc": "p", "lonely_psu": "fail",
                              "pps": "overton", "variance": "YG"}
