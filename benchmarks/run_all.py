"""Run every benchmark script in this folder, one after another, and print their tables.

Each script times dhkit against its peers (R `survey`, the Python `svy` and `samplics`
packages) on the same data in one run and prints ratios; the latest figures are kept in
benchmarks/RESULTS.md. Benchmarks are not tests: nothing fails on a slow machine.

    python benchmarks/run_all.py            # all
    python benchmarks/run_all.py estimation # those whose name contains "estimation"
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    if argv:
        scripts = [p for p in scripts if any(a in p.stem for a in argv)]
    status = 0
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        status |= subprocess.call([sys.executable, str(script)])
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
