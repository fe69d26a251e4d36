"""Errors a user can act on.

Every error carries a stable code (listed in ``docs/errors/``) and a one-line message
that names the file, row, field or setting at fault and says what to do. The CLI prints
``dhkit: error [CODE] message`` and exits with the error's exit code; a traceback only
with ``--debug``.

Exit codes (DESIGN.md): 0 done, 1 done with validation problems reported, 2 usage or
input error, 3 refused for safety (wrong key, restricted content, missing consent).
"""

from __future__ import annotations


class DhkitError(Exception):
    """An input or usage error (exit code 2).

    >>> str(DhkitError("IMP-004", "file.csv row 17, field q12: bad value"))
    '[IMP-004] file.csv row 17, field q12: bad value'
    """

    exit_code = 2

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class SafetyError(DhkitError):
    """Refused for safety: missing or wrong key, restricted content, missing consent (exit 3)."""

    exit_code = 3


class ValidationError(DhkitError):
    """Input failed validation; ``report`` lists every problem (exit code 1 when reported)."""

    exit_code = 1

    def __init__(self, code: str, message: str, report: "object | None" = None) -> None:
        super().__init__(code, message)
        self.report = report
