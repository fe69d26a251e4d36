"""Population margins (control totals) and their encoding against a sample.

A margins table has one row per margin cell: ``variable, level, total``. A variable may be
crossed (``sex:age``, levels ``1:3``). Loading validates the whole file and lists every
problem with its line (frictionless style); encoding against the sample turns each margin
into integer codes, the form every calibration algorithm here works on (R `survey` builds
model matrices instead; integer codes let 1,000,000 rows calibrate in milliseconds).

>>> import pandas as pd
>>> m = Margins.from_frame(pd.DataFrame({"variable": ["sex", "sex"], "level": ["1", "2"],
...                                      "total": [60.0, 40.0]}))
>>> enc = m.encode(pd.DataFrame({"sex": [1, 2, 2, 1]}))
>>> enc.codes[0].tolist(), enc.targets[0].tolist()
([0, 1, 1, 0], [60.0, 40.0])
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError, ValidationError
from dhkit.validation import ValidationReport


@dataclass(frozen=True)
class Margin:
    """One population margin: a (possibly crossed) variable, its levels and their totals."""

    variable: str
    levels: tuple[str, ...]
    totals: tuple[float, ...]
    numeric: bool = False       # a numeric variable's population total (empty level)

    @property
    def parts(self) -> list[str]:
        return self.variable.split(":")

    @property
    def total(self) -> float:
        return float(sum(self.totals))


@dataclass(frozen=True)
class EncodedMargins:
    """Margins matched to a sample: one integer code array per margin (levels in margin order).

    Levels with a zero target and no sample row are dropped (as R does).
    """

    margins: tuple[Margin, ...]
    codes: tuple[np.ndarray, ...]
    targets: tuple[np.ndarray, ...]
    numeric: tuple[tuple[Margin, np.ndarray], ...] = ()   # (margin, values) of numeric totals

    @property
    def nlevels(self) -> list[int]:
        return [len(t) for t in self.targets]


@dataclass(frozen=True)
class Margins:
    """Population margins for calibration, validated on load.

    Reference: the ``population`` argument of R `survey::rake` / ``calibrate``.
    """

    margins: tuple[Margin, ...]
    source: str = "margins"

    # -- loading ---------------------------------------------------------------------
    @classmethod
    def from_csv(cls, path: str | Path) -> Margins:
        """Read ``variable, level, total`` rows from a CSV (or any file `read_table` reads)."""
        from dhkit.tabular import read_table

        path = Path(path)
        if path.suffix.lower() == ".csv" and path.exists():  # keep level text as written (01)
            try:
                df = pd.read_csv(path, dtype={"level": str}, sep=None, engine="python",
                                 encoding="utf-8-sig")
            except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
                df = read_table(path)
        else:
            df = read_table(path)
        return cls.from_frame(df, source=str(path))

    @classmethod
    def from_dict(cls, spec: dict[str, dict[object, float]]) -> Margins:
        """``{"sex": {1: 60, 2: 40}, ...}`` → Margins."""
        rows = [(v, lev, tot) for v, cells in spec.items() for lev, tot in cells.items()]
        return cls.from_frame(pd.DataFrame(rows, columns=["variable", "level", "total"]))

    @classmethod
    def from_frame(cls, df: pd.DataFrame, source: str = "margins") -> Margins:
        """Validate a margins table and list every problem (code WGT-001) with its line."""
        report = ValidationReport()
        missing = [c for c in ("variable", "level", "total") if c not in df.columns]
        if missing:
            raise DhkitError("WGT-001", f"{source}: missing column(s) {', '.join(missing)}; "
                             "a margins file has columns variable, level, total.")
        by_var: dict[str, list[tuple[str, float]]] = {}
        for i, row in enumerate(df.itertuples(index=False), start=2):
            var, lev, tot = str(row.variable).strip(), _level_str(row.level), row.total
            if var in ("", "nan"):
                report.add("WGT-001", "empty variable name", file=source, line=i, field="variable")
                continue
            try:
                tot = float(tot)
            except (TypeError, ValueError):
                report.add("WGT-001", f"total '{tot}' is not a number", file=source, line=i,
                           field="total", hint="Write the population total as a number")
                continue
            numeric = lev in ("", "nan", "None", "<NA>")
            if np.isnan(tot):
                report.add("WGT-001", f"no total for {var} = {lev}", file=source, line=i,
                           field="total", hint="Write the population total of this cell")
                continue
            if not np.isfinite(tot) or (tot < 0 and not numeric):
                report.add("WGT-001", f"total {tot} must be a finite number >= 0", file=source,
                           line=i, field="total")
                continue
            if numeric:
                if var in by_var or ":" in var:
                    report.add("WGT-001", f"'{var}' has an empty level: a numeric total is one "
                               "row of a single, uncrossed variable", file=source, line=i,
                               field="level", hint="Give the level, or one row for the total")
                    continue
                by_var[var] = [("", tot)]
                continue
            if by_var.get(var) and by_var[var][0][0] == "":
                report.add("WGT-001", f"'{var}' already has a numeric total (empty level)",
                           file=source, line=i, field="level")
                continue
            if lev.count(":") != var.count(":"):
                report.add("WGT-001", f"level '{lev}' of crossed variable '{var}' needs "
                           f"{var.count(':') + 1} parts separated by ':'", file=source, line=i,
                           field="level")
                continue
            cells = by_var.setdefault(var, [])
            if any(lev == seen for seen, _ in cells):
                report.add("WGT-001", f"level '{lev}' of '{var}' is listed twice", file=source,
                           line=i, field="level", hint="Keep one row per level")
                continue
            cells.append((lev, tot))
        if not report.ok:
            raise ValidationError("WGT-001", f"{source}: {len(report)} problem(s) in the margins; "
                                  "fix them and run again: " + "; ".join(map(str, report)),
                                  report)
        margins = tuple(Margin(v, (), (c[0][1],), numeric=True) if c[0][0] == "" else
                        Margin(v, tuple(l for l, _ in c), tuple(t for _, t in c))
                        for v, c in by_var.items())
        if not margins:
            raise DhkitError("WGT-001", f"{source}: no margin rows; add variable, level, total rows.")
        return cls(margins, source)

    # -- checks ------------------------------------------------------------------------
    def check_totals_agree(self, rtol: float = 1e-6) -> None:
        """Raise WGT-006 when the margins do not sum to the same population total."""
        cat = [m for m in self.margins if not m.numeric]
        if not cat:
            return
        totals = [m.total for m in cat]
        ref = totals[0]
        for m, t in zip(cat[1:], totals[1:]):
            if abs(t - ref) > rtol * max(abs(ref), 1.0):
                raise DhkitError(
                    "WGT-006", f"{self.source}: margin '{m.variable}' sums to {t:,.6g} but "
                    f"'{cat[0].variable}' sums to {ref:,.6g}; margins must describe the "
                    "same population: correct the totals (same source and date) and run again.")

    # -- encoding ------------------------------------------------------------------------
    def encode(self, data: pd.DataFrame, weights: np.ndarray | None = None) -> EncodedMargins:
        """Match every margin to the sample's columns; errors name the margin and level."""
        codes, targets, kept, numeric = [], [], [], []
        # with strictly positive weights, a level with rows has positive weight: skip the sums
        check_mass = weights is not None and not bool(np.all(np.asarray(weights) > 0))
        for m in self.margins:
            if m.numeric:
                numeric.append((m, _numeric_values(data, m, self.source)))
                continue
            labels, inverse, remap = _column_values(data, m, self.source)
            index = {lev: j for j, lev in enumerate(m.levels)}
            lookup = np.array([index.get(lab, -1) for lab in labels], dtype=np.intp)
            if (lookup < 0).any():
                bad = sorted(labels[lookup < 0])[:5]
                raise DhkitError(
                    "WGT-004", f"{self.source}: margin '{m.variable}' has no total for level(s) "
                    f"{', '.join(map(repr, bad))} found in the sample; add the level(s) to the "
                    "margins or recode the sample variable.")
            code = (lookup if remap is None else lookup[remap])[inverse]
            counts = np.bincount(code, minlength=len(m.levels))
            tot = np.asarray(m.totals, dtype=float)
            absent = [m.levels[j] for j in np.flatnonzero((counts == 0) & (tot > 0))]
            if absent:
                raise DhkitError(
                    "WGT-005", f"{self.source}: margin '{m.variable}' level(s) "
                    f"{', '.join(map(repr, absent[:5]))} have a population total but no sample "
                    "row; collapse the level with a neighbouring one (in the margins and the "
                    "sample) and run again.")
            zero = [m.levels[j] for j in np.flatnonzero((counts > 0) & (tot == 0))]
            if zero:
                raise DhkitError(
                    "WGT-004", f"{self.source}: margin '{m.variable}' level(s) "
                    f"{', '.join(map(repr, zero[:5]))} have sample rows but a population total "
                    "of 0; correct the total or recode the sample rows.")
            keep = counts > 0
            if not keep.all():  # zero target and no sample: drop the level, as R does
                remap = np.cumsum(keep) - 1
                code = remap[code]
                m = Margin(m.variable, tuple(l for l, k in zip(m.levels, keep) if k),
                           tuple(t for t, k in zip(m.totals, keep) if k))
                tot = tot[keep]
            if check_mass:
                mass = np.bincount(code, weights=weights, minlength=len(tot))
                empty = [m.levels[j] for j in np.flatnonzero(mass <= 0)]
                if empty:
                    raise DhkitError(
                        "WGT-005", f"{self.source}: margin '{m.variable}' level(s) "
                        f"{', '.join(map(repr, empty[:5]))} have sample rows but zero total "
                        "weight; check the input weights or collapse the level.")
            codes.append(code)
            targets.append(tot)
            kept.append(m)
        return EncodedMargins(tuple(kept), tuple(codes), tuple(targets), tuple(numeric))


def _numeric_values(data: pd.DataFrame, m: Margin, source: str) -> np.ndarray:
    if m.variable not in data.columns:
        raise DhkitError("WGT-002", f"{source}: margin variable '{m.variable}' is not a column "
                         "of the sample; rename the margin or the column.")
    v = pd.to_numeric(data[m.variable], errors="coerce").to_numpy(dtype=float)
    if np.isnan(v).any():
        raise DhkitError("WGT-003", f"sample column '{m.variable}' (numeric margin) has "
                         f"{int(np.isnan(v).sum())} missing or non-numeric value(s); impute them "
                         "before calibrating.")
    return v


def _level_str(value: object) -> str:
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def level_strings(series: pd.Series) -> np.ndarray:
    """A column's values as level labels: integral numbers without '.0', text stripped."""
    if pd.api.types.is_numeric_dtype(series):
        arr = series.to_numpy(dtype=float)
        if np.all(np.isnan(arr) | (arr == np.round(arr))):
            out = np.where(np.isnan(arr), "", np.nan_to_num(arr).astype(np.int64).astype(str))
            return out.astype(object)
        return np.array([_level_str(v) for v in arr], dtype=object)
    return series.astype(str).str.strip().to_numpy(dtype=object)


def _factorize(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, level labels); small-range integer columns without hashing (fast path)."""
    if pd.api.types.is_integer_dtype(col.dtype) and isinstance(col.dtype, np.dtype):
        v = col.to_numpy()
        lo, hi = int(v.min()), int(v.max())
        if hi - lo < 1_000_000:
            shifted = v - lo if lo else v
            present = np.bincount(shifted, minlength=hi - lo + 1) > 0
            remap = np.cumsum(present) - 1
            labels = np.array([str(u + lo) for u in np.flatnonzero(present)], dtype=object)
            return shifted, labels, remap
    codes, uniques = pd.factorize(col, sort=False)
    return codes, level_strings(pd.Series(uniques)), None


def _column_values(data: pd.DataFrame, m: Margin, source: str):
    """(labels of the distinct values, code of each row, optional remap of the codes into the
    labels); crossed parts are joined by ':'."""
    inverse, labels = None, None
    for part in m.parts:
        if part not in data.columns:
            raise DhkitError("WGT-002", f"{source}: margin variable '{part}' is not a column of "
                             "the sample; rename the margin or the column.")
        col = data[part]
        if col.isna().any():
            raise DhkitError("WGT-003", f"sample column '{part}' (margin '{m.variable}') has "
                             f"{int(col.isna().sum())} missing value(s); impute or assign a "
                             "level before calibrating.")
        codes, labs, remap = _factorize(col)
        if len(m.parts) == 1:
            return labs, codes, remap
        if remap is not None:
            codes = remap[codes]
        if inverse is None:
            inverse, labels = codes.astype(np.int64), labs
        else:
            combo = inverse * len(labs) + codes
            inverse, uniq = pd.factorize(combo, sort=False)
            labels = np.array([f"{labels[u // len(labs)]}:{labs[u % len(labs)]}" for u in uniq],
                              dtype=object)
    return labels, inverse, None
