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


class InternalError(DhkitError):
    """Something dhkit did not foresee (a bug): exit code 4, distinct from validation (1).

    The CLI turns any unexpected exception into this one line; ``--debug`` shows the
    traceback to attach to a bug report.
    """

    exit_code = 4


#: exit code of an unforeseen failure (a bug in dhkit), see :class:`InternalError`
EXIT_INTERNAL = InternalError.exit_code
#: exit code after Ctrl-C (the shell's convention, 128 + SIGINT)
EXIT_INTERRUPTED = 130

#: words in a DuckDB error that mean the store file itself is damaged (truncated, bit
#: flipped, overwritten): its blocks no longer read back or fail their AES-GCM tag
_DAMAGE_WORDS = ("could not read enough bytes", "aes tag", "corrupt", "checksum",
                 "invalid block", "not a valid duckdb", "failed to deserialize",
                 "file is too small", "the file is not a valid", "serialization error",
                 "unexpected end of file", "block id")
_DISK_FULL_WORDS = ("no space left", "disk quota exceeded")


def classify(exc: BaseException, store: object | None = None) -> DhkitError:
    """Any exception as the coded one-line error the CLI prints (never a traceback).

    ``store`` is the path of the study store the command opened last, named when the
    failure says the store is damaged.

    >>> str(classify(OSError(28, "No space left on device", "out.csv")))[:57]
    '[IO-002] out.csv: the disk is full (No space left on devi'
    >>> classify(ValueError("x")).exit_code
    4
    """
    import errno

    if isinstance(exc, DhkitError):
        return exc
    if isinstance(exc, MemoryError):
        return _out_of_memory()
    if isinstance(exc, UnicodeDecodeError):
        return DhkitError("IO-003", f"a file is not UTF-8 text ({exc.reason} at byte "
                          f"{exc.start}); save it as UTF-8 (most editors: Save as → Encoding "
                          "UTF-8) and run the command again.")
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        what = exc.strerror or str(exc)
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return DhkitError("IO-002", f"{where}the disk is full ({what}). Nothing half-written "
                              "was kept in the study store; free space (or point TMPDIR and the "
                              "output elsewhere) and run the command again.")
        return DhkitError("IO-001", f"{where}{what}. Check the path, that its folder exists and "
                          "that you may write there (`dhkit --debug ...` shows a traceback).")
    duck = _duckdb_error(exc, store)
    if duck is not None:
        return duck
    return InternalError("INT-001", f"internal error ({type(exc).__name__}): dhkit did not "
                         "foresee this. The study store is unchanged if the command was writing "
                         "it (writes are transactions). Run again with `dhkit --debug ...` and "
                         "report the traceback (it holds no data values).")


def _out_of_memory() -> DhkitError:
    return DhkitError("MEM-001", "out of memory. DuckDB spills to encrypted temporary files "
                      "inside the study folder when it reaches DHKIT_MEMORY_LIMIT; raise the "
                      "limit (e.g. DHKIT_MEMORY_LIMIT=2GB), free memory, or import the files "
                      "one at a time.")


def _duckdb_error(exc: BaseException, store: object | None) -> DhkitError | None:
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dependency
        return None
    if not isinstance(exc, duckdb.Error):
        return None
    text = str(exc).lower()
    if isinstance(exc, duckdb.OutOfMemoryException) or "out of memory" in text:
        return _out_of_memory()
    if any(w in text for w in _DISK_FULL_WORDS):
        return DhkitError("IO-002", "the disk is full (the study store or its temporary files "
                          "could not be written). Nothing half-written was kept; free space and "
                          "run the command again.")
    if any(w in text for w in _DAMAGE_WORDS):
        where = f" {store}" if store else ""
        return DhkitError("WS-020", f"the study store{where} is damaged ({type(exc).__name__}: "
                          "its blocks do not read back). Do not write to it; restore the last "
                          "backup with `dhkit restore BACKUP STUDY_DIR` (docs/workspace.md) and "
                          "re-import what came after it.")
    return None
