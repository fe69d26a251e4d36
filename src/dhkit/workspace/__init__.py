"""dhkit.workspace: the study folder (``study.toml``), its encrypted store and status.

Public API: :func:`load_study`, :func:`init_study`, :class:`Study` (``study.open_store()``),
:func:`dhkit.workspace.status.study_status`, :class:`dhkit.workspace.store.Store`.
"""

from dhkit.workspace.config import Study, init_study, load_study

__all__ = ["Study", "init_study", "load_study"]
