"""A small regional demo (four synthetic countries at a fifth of their demo size),
built once per test session and shared read-only by the region tests."""

from pathlib import Path

import pytest

from dhkit.demo.region import generate_countries, write_region
from dhkit.region.config import load_region
from dhkit.region.report import analyse_region, build_region_report

SCALE = 0.2


@pytest.fixture(scope="session")
def region_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("region")
    studies = generate_countries(out, scale=SCALE)
    write_region(out, studies)
    return out


@pytest.fixture(scope="session")
def region(region_dir):
    return load_region(region_dir)


@pytest.fixture(scope="session")
def analysis(region):
    return analyse_region(region)


@pytest.fixture(scope="session")
def built(region, tmp_path_factory):
    return build_region_report(region, tmp_path_factory.mktemp("region-report"), pdf=False)
