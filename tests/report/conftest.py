"""Fixtures the report's specifications share: one 300-child demo study (generated,
imported and weighted) and its report in English and Spanish without PDF, built once per
test process (building them takes most of these tests' time). Tests that add files to the
study remove them before they end."""

from __future__ import annotations

import pytest

from dhkit.demo.pipeline import DemoContext, run
from dhkit.report.build import build_report
from dhkit.report.study import inputs_from_study


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("report-demo")
    return run(DemoContext(out_dir=out, children=300, formats=("kobo_csv",)),
               only=["generate", "study", "import", "weights"])


@pytest.fixture(scope="session")
def built(demo):
    return build_report(inputs_from_study(demo.study), demo.out_dir / "report",
                        languages=("en", "es"), pdf=False)
