"""A Stata/SPSS export whose text choices arrive as numeric codes with value labels (an R
factor written by foreign::write.dta) is imported by the labels, not quarantined."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from dhkit.demo.study import generate_study
from dhkit.ingest.importer import import_files
from dhkit.workspace.config import init_study


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_study(tmp_path_factory.mktemp("demo"), children=30, formats=("parquet",))


def test_region_codes_with_value_labels_become_choice_names(demo, tmp_path):
    main = pd.read_parquet(demo.paths["parquet"][0])
    regions = sorted(main.region.dropna().unique())
    codes = {r: float(i + 1) for i, r in enumerate(regions)}
    main["region"] = main.region.map(codes)
    path = tmp_path / "main.dta"
    pyreadstat.write_dta(main.rename(columns=lambda c: c.lstrip("_") or c), str(path),
                         variable_value_labels={"region": {v: k for k, v in codes.items()}})
    study = init_study(tmp_path / "s", demo=True)
    res = import_files(study, [path])
    assert res.quarantined.get("main", 0) == 0 and res.accepted["main"] == len(main)
    with study.open_store() as store:
        assert sorted(store.read("main").region.unique()) == regions
