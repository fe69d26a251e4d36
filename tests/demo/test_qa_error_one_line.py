"""An error raised while a progress bar is shown is still one line on stderr."""

from __future__ import annotations

import pytest

from dhkit.cli import main


def test_error_inside_progress_leaves_only_the_error_line(capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "generate", "--children", "-5", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert err.strip().splitlines() == [err.strip()] and err.strip().startswith("dhkit: error [DEM-001]")
