"""dhkit.legal: the legal and policy checklist, country assessments and gap reports, the
law-enforcement capacity assessment (public and restricted), the recommendations registry
and the national consultation.

Public API other stages use:

- :func:`dhkit.legal.checklist.load_checklist` → ``Checklist`` (items, areas, scale)
- :func:`dhkit.legal.assessment.load_assessment` → ``Assessment``;
  :func:`~dhkit.legal.assessment.check_assessment_file`, ``diff_assessments``
- :func:`dhkit.legal.gap.build_gap` → ``GapReport``; ``write_gap``; ``build_matrix``
- :func:`dhkit.legal.recommendations.load_registry` → ``Registry`` (insights,
  recommendations N.M with evidence links); ``render_registry_html``
- :func:`dhkit.legal.outputs.public_outputs` → every public output for a study folder
- :func:`install_colombia` → copy the shipped Colombia files into a study folder
"""

from __future__ import annotations

import shutil
from pathlib import Path


def install_colombia(study_dir: str | Path, force: bool = False) -> list[Path]:
    """Copy the shipped Colombia assessment and recommendations into ``DIR/legal/``.

    >>> import tempfile
    >>> [p.name for p in install_colombia(tempfile.mkdtemp())]
    ['assessment-CO.yaml', 'recommendations-CO.yaml']
    """
    from dhkit.legal.assessment import colombia_assessment_path
    from dhkit.legal.recommendations import colombia_recommendations_path

    target = Path(study_dir) / "legal"
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for src in (colombia_assessment_path(), colombia_recommendations_path()):
        dst = target / src.name
        if force or not dst.exists():
            shutil.copyfile(src, dst)
        out.append(dst)
    return out
