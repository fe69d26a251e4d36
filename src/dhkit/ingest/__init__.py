"""dhkit.ingest: read survey exports, validate them against the instrument, store or
quarantine rows (``docs/import.md``).

Public API: :func:`import_files` (``dhkit import``), :class:`ImportResult`, and
:mod:`dhkit.ingest.quarantine` (``list_quarantine``, ``export_quarantine``, ``release``).
Imported lazily so ``dhkit --help`` stays fast.
"""

from __future__ import annotations

__all__ = ["import_files", "ImportResult"]


def __getattr__(name: str):
    if name in __all__:
        from dhkit.ingest import importer

        return getattr(importer, name)
    raise AttributeError(name)
