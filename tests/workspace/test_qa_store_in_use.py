"""A store held by another process is reported as in use, not as damaged."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dhkit.errors import DhkitError
from dhkit.workspace.config import init_study


def test_store_locked_by_another_process_says_in_use(tmp_path):
    study = init_study(tmp_path / "s", demo=True)
    with study.open_store():
        pass  # create the store
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom dhkit.workspace.config import load_study\n"
        f"s = load_study({str(study.dir)!r})\nwith s.open_store():\n"
        "    print('open', flush=True); time.sleep(20)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(DhkitError) as exc, study.open_store():
            pass
        assert exc.value.code == "WS-013" and "in use" in str(exc.value)
    finally:
        holder.kill()
        holder.wait()
