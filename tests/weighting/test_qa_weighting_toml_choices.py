"""weighting.toml: misspelt method names are listed with the other problems, with their lines."""

from __future__ import annotations

import pytest

from dhkit.errors import ValidationError
from dhkit.weighting.build import load_spec


def test_every_unknown_method_is_listed_at_once(tmp_path):
    (tmp_path / "margins.csv").write_text("variable,level,total\nregion,a,10\n")
    path = tmp_path / "weighting.toml"
    path.write_text('[base]\nweight = "w0"\n\n[nonresponse]\nrespond = "r"\nmethod = "clases"\n\n'
                    '[calibration]\nmethod = "rakin"\nmargins = "margins.csv"\n\n'
                    '[replicates]\ntype = "jk1"\n')
    with pytest.raises(ValidationError) as exc:
        load_spec(path)
    lines = {(p.field, p.line) for p in exc.value.report}
    assert lines == {("nonresponse.method", 6), ("calibration.method", 9), ("replicates.type", 13)}


def test_replicate_type_in_any_case_is_accepted(tmp_path):
    path = tmp_path / "weighting.toml"
    path.write_text('[base]\nweight = "w0"\n\n[replicates]\ntype = "jkn"\nstrata = "s"\n')
    assert load_spec(path).replicates.type == "jkn"


def test_wrong_type_says_what_to_write(tmp_path):
    path = tmp_path / "weighting.toml"
    path.write_text('[base]\nweight = "w0"\n\n[nonresponse]\nrespond = "r"\nclasses = "region"\ncap = "3"\n')
    with pytest.raises(ValidationError) as exc:
        load_spec(path)
    msgs = {p.field: p.message for p in exc.value.report}
    assert "a list" in msgs["nonresponse.classes"] and "a number" in msgs["nonresponse.cap"]
