"""Write the replicate-weight fixture of ``tests/reference/r/release.R`` (run from the
repository root, then ``Rscript tests/reference/make_reference.R``):

    PYTHONPATH=src python tests/reference/release_fixture.py

A licensed release of the 200-child demo study (``dhkit.release.config.DEMO_SPEC``): the
headline ``any_tfcsea``, the final weight and the 50 re-calibrated bootstrap replicate
weights, to 10 significant digits (R and dhkit then read the same numbers), with the
variance settings the release declares.
"""

import tempfile
from pathlib import Path

import pandas as pd

from dhkit.demo.pipeline import DemoContext, run
from dhkit.release.config import DEMO_SPEC
from dhkit.release.run import release_study

OUT = Path("tests/reference/fixtures/release")


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    ctx = run(DemoContext(out_dir=tmp, children=200, formats=("kobo_csv",)),
              only=["generate", "study", "import", "weights"])
    (ctx.study_dir / "release.toml").write_text(DEMO_SPEC, encoding="utf-8")
    r = release_study(ctx.study_dir, tmp / "lic", "licensed", pdf=False)
    reps = r.prepared.replicates
    data = r.prepared.data[["any_tfcsea", "weight", *reps.columns]]
    OUT.mkdir(parents=True, exist_ok=True)
    data.to_csv(OUT / "release_repw.csv", index=False, float_format="%.10g")
    pd.DataFrame([{"type": reps.type, "scale": repr(reps.scale), "mse": reps.mse}]).to_csv(
        OUT / "release_repw_settings.csv", index=False)


if __name__ == "__main__":
    main()
