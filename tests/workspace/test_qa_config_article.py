"""study.toml type errors read as English ("an integer")."""

from __future__ import annotations

import pytest

from dhkit.errors import DhkitError
from dhkit.workspace.config import init_study, load_study


def test_wrong_type_message_uses_an_before_integer(tmp_path):
    study = init_study(tmp_path / "s", demo=True)
    toml = study.dir / "study.toml"
    toml.write_text(toml.read_text().replace("suppress_below = 25", 'suppress_below = "25"'))
    with pytest.raises(DhkitError) as exc:
        load_study(study.dir)
    assert "must be an integer" in str(exc.value) and "a integer" not in str(exc.value)
