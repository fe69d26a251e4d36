"""From survey tables to the tidy estimates of a whole tabulation plan.

The catalogue's expressions are DuckDB SQL, evaluated set-based over the imported tables
(child/caregiver rows in ``main``, abuse instances in ``instance``): each indicator
becomes one numeric column that is NULL outside its base and where its answer is
missing. The design engine (:mod:`dhkit.survey`) then estimates every column × every
domain in one pass. Instances are estimated on the instance rows with their child's
strata, PSU and weight, so they stay clustered within children and PSUs.

Before anything is computed, :func:`check_plan_against_data` lists every unknown
variable, unknown domain variable and empty base at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from dhkit.errors import ValidationError
from dhkit.indicators.catalogue import Catalogue, Indicator, Plan
from dhkit.validation import ValidationReport

KEY = "hh_id"


@dataclass(frozen=True)
class DesignSpec:
    """The design variables of a study (study.toml ``[design]``)."""

    weights: str = "weight"
    strata: str | None = "region"
    psu: str | None = "psu_id"
    fpc: str | None = None
    lonely_psu: str = "fail"
    pps: str | None = None        # PSUs drawn PPS: "brewer" | "hr" | "overton" (fpc = pi)
    pps_variance: str = "HT"

    def options(self) -> dict:
        """The keyword arguments of :class:`dhkit.survey.Design` besides ``weights``.

        >>> DesignSpec(pps="brewer", fpc="p").options()["pps"]
        'brewer'
        """
        return {"strata": self.strata, "psu": self.psu, "fpc": self.fpc,
                "lonely_psu": self.lonely_psu, "pps": self.pps, "variance": self.pps_variance}


@dataclass
class AnalysisTables:
    """One analysis frame per unit: design columns, domain columns, indicator columns."""

    frames: dict[str, pd.DataFrame]            # unit -> frame
    columns: dict[str, list[str]]              # unit -> indicator column ids


def _sql_str(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _level_text(col: str) -> str:
    """A domain variable as text levels: 1.0 -> '1', NULL stays NULL."""
    return (f"regexp_replace(CAST({_sql_str(col)} AS VARCHAR), '\\.0+$', '')")


def _connect(main: pd.DataFrame, instance: pd.DataFrame | None,
             catalogue: Catalogue) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("main_raw", main)
    inst = instance if instance is not None else pd.DataFrame({KEY: pd.Series(dtype=str)})
    con.register("instance_raw", inst)
    row_level = [f"({d.sql}) AS {_sql_str(d.name)}" for d in catalogue.derived
                 if d.sql and d.unit != "instance"]
    inst_level = [f"({d.sql}) AS {_sql_str(d.name)}" for d in catalogue.derived
                  if d.sql and d.unit == "instance"]
    aggs = [f"({d.from_instances}) AS {_sql_str(d.name)}"
            for d in catalogue.derived if d.from_instances]
    agg_sql = (f"LEFT JOIN (SELECT {KEY} AS _agg_key, {', '.join(aggs)} FROM instance_raw "
               f"GROUP BY {KEY}) agg ON m.{KEY} = agg._agg_key") if aggs else ""
    extra = ", ".join(row_level + [f"agg.{_sql_str(d.name)}" for d in catalogue.derived
                                   if d.from_instances])
    con.execute(f"CREATE VIEW child AS SELECT m.*{', ' + extra if extra else ''} "
                f"FROM main_raw m {agg_sql}")
    con.execute("CREATE VIEW caregiver AS SELECT * FROM child")
    inst_cols = [c for c in inst.columns]
    child_cols = [c for c in con.execute("SELECT * FROM child LIMIT 0").df().columns
                  if c not in inst_cols]
    pick = ", ".join(f"c.{_sql_str(c)}" for c in child_cols)
    own = "".join(", " + x for x in inst_level)  # instance-level derived variables
    con.execute(f"CREATE VIEW instance AS SELECT i.*{own}{', ' + pick if pick else ''} "
                f"FROM instance_raw i JOIN child c ON i.{KEY} = c.{KEY}")
    return con


def _indicator_sql(ind: Indicator, where: str) -> list[tuple[str, str]]:
    """(column id, SQL) for each column an indicator expands to."""
    if ind.type == "multiple_response":
        var = _sql_str(ind.variable or "")
        return [(col, f"CASE WHEN ({where}) AND {var} IS NOT NULL THEN CAST(list_contains("
                      f"string_split(CAST({var} AS VARCHAR), ' '), '{lvl}') AS DOUBLE) END")
                for col, lvl in ind.columns()]
    if ind.type == "distribution":
        var = _sql_str(ind.variable or "")
        return [(col, f"CASE WHEN ({where}) AND {var} IS NOT NULL THEN CAST("
                      f"{_level_text(ind.variable or '')} = '{lvl}' AS DOUBLE) END")
                for col, lvl in ind.columns()]
    return [(ind.id, f"CASE WHEN ({where}) THEN CAST(({ind.numerator}) AS DOUBLE) END")]


def check_plan_against_data(catalogue: Catalogue, plan: Plan, main: pd.DataFrame,
                            instance: pd.DataFrame | None) -> ValidationReport:
    """Every problem that would stop the computation, found before any estimate:
    unknown variables in expressions, unknown domain variables, bases selecting nobody."""
    report = ValidationReport()
    con = _connect(main, instance, catalogue)
    src = catalogue.source
    for ind_id in plan.indicator_ids():
        ind = catalogue.indicators[ind_id]
        base = catalogue.bases[ind.base]
        view = catalogue.units[base.unit].id
        for col, sql in _indicator_sql(ind, base.where):
            try:
                con.execute(f"SELECT {sql} FROM {view} LIMIT 0")
            except duckdb.Error as exc:
                report.add("IND-001", f"indicator {ind_id}: {_first_line(exc)}", file=src,
                           line=ind.line, hint="Use a variable of the instrument "
                           "(docs/variables.md) or define it under derived:.")
                break
    for base in catalogue.bases.values():
        if base.id not in {catalogue.indicators[i].base for i in plan.indicator_ids()}:
            continue
        try:
            n = con.execute(f"SELECT count(*) FROM {base.unit} WHERE {base.where}").fetchone()[0]
        except duckdb.Error as exc:
            report.add("IND-002", f"base {base.id}: {_first_line(exc)}", file=src)
            continue
        if n == 0:
            report.add("IND-003", f"base {base.id} selects nobody ({base.where})", file=src,
                       hint="Check the base's condition against the data.")
    for dom_id in plan.domain_ids():
        dom = catalogue.domains[dom_id]
        try:
            con.execute(f"SELECT {_sql_str(dom.variable)} FROM child LIMIT 0")
        except duckdb.Error:
            report.add("IND-004", f"domain {dom_id}: variable '{dom.variable}' is not in the data",
                       file=src, hint="Fix the domain's variable in the catalogue.")
    return report


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def analysis_tables(catalogue: Catalogue, plan: Plan, main: pd.DataFrame,
                    instance: pd.DataFrame | None, design: DesignSpec,
                    child_columns: list[str] = (), check: bool = True) -> AnalysisTables:
    """Evaluate every planned indicator into numeric columns, one frame per unit;
    ``child_columns`` are carried as they are into the child and caregiver frames
    (e.g. the calibration variables). ``check=False`` when the caller has just run
    :func:`check_plan_against_data` itself."""
    report = check_plan_against_data(catalogue, plan, main, instance) if check \
        else ValidationReport()
    if not report.ok:
        raise ValidationError("IND-000", f"{len(report)} problem(s) in the catalogue or plan "
                              "against the data", report)
    con = _connect(main, instance, catalogue)
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for ind_id in plan.indicator_ids():
        ind = catalogue.indicators[ind_id]
        base = catalogue.bases[ind.base]
        by_unit.setdefault(base.unit, []).extend(_indicator_sql(ind, base.where))
    design_cols = [c for c in (design.weights, design.strata, design.psu, design.fpc) if c]
    domain_sql = [f"{_level_text(d.variable)} AS {_sql_str('dom_' + d.id)}"
                  for d in (catalogue.domains[i] for i in plan.domain_ids())]
    frames, columns = {}, {}
    for unit, cols in by_unit.items():
        carried = [c for c in dict.fromkeys(child_columns) if c not in design_cols] \
            if unit in ("child", "caregiver") else []
        if unit in ("child", "instance") and KEY not in design_cols + carried:
            carried.append(KEY)  # links instances to their child (calibrated variance)
        select = ", ".join([_sql_str(c) for c in design_cols + carried] + domain_sql
                           + [f"{sql} AS {_sql_str(col)}" for col, sql in cols])
        frames[unit] = con.execute(f"SELECT {select} FROM {unit}").df()
        columns[unit] = [col for col, _ in cols]
    return AnalysisTables(frames, columns)
