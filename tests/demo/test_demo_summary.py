"""The demo's printed summary shows the report's own headline (one source of truth)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dhkit.demo.cli import _print_summary
from dhkit.demo.pipeline import DemoContext
from dhkit.demo.study import Counts, DemoStudy, Estimates, report_headline
from dhkit.report.build import ReportResult


def _report_estimates() -> pd.DataFrame:
    return pd.DataFrame({
        "indicator": ["any_tfcsea"] * 5 + ["daily_internet"],
        "category": [""] * 6,
        "domain": ["", "sex", "sex", "area", "area", ""],
        "level": ["", "1", "2", "1", "2", ""],
        "estimate": [0.196636, 0.231325, 0.164615, 0.148729, 0.292451, 0.83],
        "population": [806_207.7, None, None, None, None, 3_412_769.1]})


def _study() -> DemoStudy:
    counts = Counts(psus=150, issued_households=2250, submissions=1449, children=999,
                    victims=205, instances=404, roster_members=5544, response_rate=0.444)
    est = Estimates(any_tfcsea=0.201, any_girls=0.23, any_boys=0.17, any_urban=0.15,
                    any_rural=0.29, items={}, victims_weighted=823_807.4,
                    multi_form_share=0.39, instances_per_victim=1.97)
    return DemoStudy(out_dir=Path("x"), seed=1, paths={}, counts=counts, estimates=est,
                     truth=None)


def test_headline_is_the_reports_overall_and_domain_rows_with_population_rounded():
    h = report_headline(_report_estimates())
    assert (round(h.any_tfcsea, 6), round(h.any_girls, 6), round(h.any_rural, 6)) == \
        (0.196636, 0.231325, 0.292451)
    assert h.population == 810_000


def test_summary_prints_the_reports_figure_not_the_generators(tmp_path, capsys):
    ctx = DemoContext(out_dir=tmp_path)
    ctx.results["report"] = ReportResult(out_dir=tmp_path, files={},
                                         estimates=_report_estimates(), seconds={})
    _print_summary(_study(), False, ctx)
    out = capsys.readouterr().out
    assert "19.7%" in out and "~810,000" in out
    assert "20.1%" not in out and "823,807" not in out


def test_without_a_report_the_generators_figure_is_labelled_and_rounded(capsys):
    _print_summary(_study(), False)
    out = capsys.readouterr().out
    assert "20.1%" in out and "~820,000" in out and "823,807" not in out
    assert "before the weights stage" in " ".join(out.split())


def test_summary_compares_households_with_a_roster_to_the_seeds_1309(tmp_path):
    """The seed's 1,309 counts households with a roster, not every visit (1,449)."""
    from dhkit.demo.study import generate_study

    demo = generate_study(tmp_path / "d", children=60, formats=("parquet",))
    rostered = demo.counts.households_with_roster
    assert 60 <= rostered < demo.counts.submissions
