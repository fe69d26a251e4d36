"""Problems and notes that contain square brackets are printed as written, not as Rich markup."""

from __future__ import annotations

from dhkit.console import err_console
from dhkit.validation import ValidationReport


def test_bracketed_text_in_a_problem_is_printed_verbatim():
    rep = ValidationReport()
    rep.add("IMP-003", "set [design] weights in study.toml", file="export[1].csv", field="q[2]")
    with err_console.capture() as cap:
        rep.print()
    out = cap.get()
    assert "[design]" in out and "export[1].csv" in out and "q[2]" in out
