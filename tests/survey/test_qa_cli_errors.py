"""Wrong arguments to `dhkit estimate` (and unwritable paths anywhere) give one error line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhkit.cli import main

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "core"
API = ["estimate", str(FIX / "apiclus1.csv"), "--weights", "pw", "--psu", "dnum", "--mean", "api00"]


def _fails(capsys, argv) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    return err


def test_level_given_as_percent_is_refused(capsys):
    assert "[EST-025]" in _fails(capsys, API + ["--level", "95"])


@pytest.mark.parametrize("opt", ["--categorical", "--multiple"])
def test_unknown_categorical_or_multiple_column_is_named(capsys, opt):
    err = _fails(capsys, API + [opt, "nope"])
    assert "[EST-013]" in err and f"{opt} column 'nope'" in err


def test_out_in_missing_folder_is_one_line(capsys, tmp_path):
    err = _fails(capsys, API + ["--out", str(tmp_path / "no" / "e.csv")])
    assert err.startswith("dhkit: error [IO-001]") and str(tmp_path / "no") in err


def test_header_only_file_says_no_rows(capsys, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("w,y\n")
    assert "[EST-026]" in _fails(capsys, ["estimate", str(path), "--weights", "w", "--mean", "y"])


def test_a_misspelt_column_is_answered_with_its_close_spelling():
    import pandas as pd
    import pytest

    from dhkit.errors import DhkitError
    from dhkit.survey import Design

    df = pd.DataFrame({"pw": [1.0, 2.0], "api00": [1.0, 2.0], "meals": [3.0, 4.0]})
    with pytest.raises(DhkitError, match="did you mean 'api00'"):
        Design(df, weights="pw").mean("api0")
    with pytest.raises(DhkitError, match="did you mean 'pw'"):
        Design(df, weights="PW")
    with pytest.raises(DhkitError, match=r"columns are pw, api00, meals\.$"):
        Design(df, weights="pw").mean("zzz")
