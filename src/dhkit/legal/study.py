"""Where the legal stage keeps its files in a study folder.

Assessments, recommendations, consultation comments and the public law-enforcement
answers are plain files under ``DIR/legal/`` (version-controlled, diffable);
restricted law-enforcement answers live only in the encrypted store. The study's
country, languages and key come from ``DIR/study.toml`` through
:func:`dhkit.workspace.config.load_study`.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "study.toml").write_text(
...     '[study]\\nname = "x"\\ncountry = "CO"\\ndemo = true\\n')
>>> s = open_legal_study(d); s.country, s.assessment_path().name
('CO', 'assessment-CO.yaml')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path



@dataclass(frozen=True)
class LegalStudy:
    """The parts of a study folder the legal stage needs."""

    dir: Path
    country: str
    languages: tuple[str, ...]
    demo: bool
    store_path: Path
    key_file: Path | None

    @property
    def legal_dir(self) -> Path:
        return self.dir / "legal"

    @property
    def outputs_dir(self) -> Path:
        return self.dir / "outputs" / "legal"

    def assessment_path(self, country: str | None = None) -> Path:
        return self.legal_dir / f"assessment-{country or self.country}.yaml"

    def assessment_paths(self) -> list[Path]:
        return sorted(self.legal_dir.glob("assessment-??.yaml"))

    @property
    def recommendations_path(self) -> Path:
        return self.legal_dir / f"recommendations-{self.country}.yaml"

    @property
    def consultation_path(self) -> Path:
        return self.legal_dir / f"consultation-{self.country}.yaml"

    @property
    def capacity_public_path(self) -> Path:
        return self.legal_dir / f"le-capacity-{self.country}.yaml"

    def key(self) -> str:
        """The store key (DHKIT_KEY, key file, or the demo key for demo studies)."""
        from dhkit.workspace.store import resolve_key

        return resolve_key(self.dir, key_file=self.key_file, demo=self.demo)

    def open_store(self):
        from dhkit.workspace.store import Store

        self.store_path.parent.mkdir(parents=True, exist_ok=True)
        return Store.open(self.store_path, self.key())


def open_legal_study(dir: str | Path) -> LegalStudy:
    """Read ``DIR/study.toml`` through the workspace loader (validated, every problem listed)."""
    from dhkit.workspace.config import load_study

    st = load_study(Path(dir).expanduser().resolve())
    return LegalStudy(dir=st.dir, country=st.country, languages=tuple(st.languages),
                      demo=bool(st.demo), store_path=st.store_path, key_file=st.key_file_path)
