"""An empty export is named as empty, not as a file in the wrong encoding."""

from __future__ import annotations

import pytest

from dhkit.errors import DhkitError
from dhkit.ingest.importer import import_files
from dhkit.workspace.config import init_study


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf\r\n"])
def test_empty_csv_is_refused_as_empty(tmp_path, content):
    study = init_study(tmp_path / "s", demo=True)
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(DhkitError) as exc:
        import_files(study, [path])
    assert exc.value.code == "IMP-015" and "empty" in str(exc.value)
