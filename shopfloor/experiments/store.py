"""The experiments schema of the warehouse: eligible populations, stable assignments and their baselines.

Tables written here (schema experiments; docs/experiments.md):
- assignments (shared contract): experiment, unit, unit_key, arm, block_key, assigned_on. Append-only: a run inserts
  rows for units not assigned before and never updates or deletes one, so a unit keeps its arm for good, also
  after it leaves the eligible population.
- baseline: experiment, unit_key, variable, value. Every numeric column the population query returned for a unit
  when it was assigned. Balance, covariate adjustment, uplift features and the card-share denominator read these
  pre-treatment values, never today's marts, which the treatment itself may have moved (petitions filed, say).
- balance: the balance table of each experiment's covariates (balance.balance_table), rewritten every run.

The experiment's clock is the run's as-of date (shopfloor/as_of.py): `assigned_on` is the as-of date of the run that
assigned the unit. Once the run's date is past the end date the experiment is closed and no unit joins it any more.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from shopfloor.experiments.assignment import ASSIGNMENT_COLUMNS, assign_units
from shopfloor.experiments.balance import balance_table
from shopfloor.experiments.config import ExperimentConfig

SCHEMA = "experiments"
ASSIGNMENTS = f"{SCHEMA}.assignments"
BASELINE = f"{SCHEMA}.baseline"
BALANCE = f"{SCHEMA}.balance"
# The column a published list or a mart names each kind of unit by, when the query does not say `as unit_key`.
UNIT_KEY_COLUMNS = {"workplace": "workplace_id", "worker": "worker_key"}
PUBLISHED_SCHEMA = "published"
_LIST_NAME = re.compile(r"^(?:published\.)?([a-z][a-z0-9_]*)$")

_DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {ASSIGNMENTS} (
    experiment varchar not null,
    unit varchar not null,
    unit_key varchar not null,
    arm varchar not null,
    block_key varchar not null,
    assigned_on date not null,
    primary key (experiment, unit_key)
);
create table if not exists {BASELINE} (
    experiment varchar not null,
    unit_key varchar not null,
    variable varchar not null,
    value double,
    primary key (experiment, unit_key, variable)
);
create table if not exists {BALANCE} (
    experiment varchar not null,
    covariate varchar not null,
    arm varchar not null,
    mean_arm double,
    mean_control double,
    smd double,
    n_arm integer,
    n_control integer
);
"""


class PopulationError(ValueError):
    """An experiment's eligible population cannot be read as declared; the message names the experiment."""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_DDL)


def _population_sql(config: ExperimentConfig) -> str:
    listed = _LIST_NAME.match(config.eligible_population)
    if listed:
        return f'select * from {PUBLISHED_SCHEMA}."{listed.group(1)}"'
    return config.eligible_population


def population_tables(config: ExperimentConfig) -> list[tuple[str, str]]:
    """(schema, table) of every schema-qualified table the population reads, from DuckDB's own parse of the SQL.

    Refuses anything but one SELECT: the query comes from a YAML file and runs with the pipeline's write access.
    """
    sql = _population_sql(config)
    with duckdb.connect() as con:
        parsed = json.loads(con.execute("select json_serialize_sql(?)", [sql]).fetchone()[0])
    if parsed.get("error") or len(parsed.get("statements", [])) != 1:
        reason = parsed.get("error_message") or "it must be a single SELECT statement"
        raise PopulationError(f"experiment {config.name}: eligible_population is not a single SELECT: {reason}")
    tables: set[tuple[str, str]] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE" and node.get("schema_name"):
                tables.add((node["schema_name"], node["table_name"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(parsed["statements"])
    return sorted(tables)


@dataclass(frozen=True)
class Population:
    units: pd.DataFrame  # unit_key, the blocking variables and the numeric baseline variables
    as_of: dt.date


def eligible_population(con: duckdb.DuckDBPyConnection, config: ExperimentConfig, as_of: dt.date) -> Population:
    """Run the population query; check it names each unit once and has the blocking and covariate columns."""
    population_tables(config)  # a single SELECT, or a clear error before anything runs
    try:
        units = con.execute(f"select * from ({_population_sql(config)}) as eligible_population").df()
    except duckdb.Error as error:
        raise PopulationError(f"experiment {config.name}: eligible_population failed: {error}") from error
    if "unit_key" not in units.columns and UNIT_KEY_COLUMNS[config.unit] in units.columns:
        units = units.rename(columns={UNIT_KEY_COLUMNS[config.unit]: "unit_key"})
    missing = [c for c in ("unit_key", *config.blocking, *config.covariates) if c not in units.columns]
    if missing:
        raise PopulationError(
            f"experiment {config.name}: eligible_population returns no column {', '.join(missing)}"
        )
    if units["unit_key"].isna().any():
        raise PopulationError(f"experiment {config.name}: eligible_population returns a NULL unit_key")
    if units["unit_key"].duplicated().any():
        raise PopulationError(f"experiment {config.name}: eligible_population returns a unit_key twice")
    not_numeric = [c for c in config.covariates if not _is_numeric(units[c])]
    if not_numeric:
        raise PopulationError(
            f"experiment {config.name}: covariate(s) {', '.join(not_numeric)} are not numbers; "
            "put a categorical variable in blocking instead"
        )
    units["unit_key"] = units["unit_key"].astype(str)
    return Population(units=units, as_of=as_of)


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values)


def baseline_variables(units: pd.DataFrame, config: ExperimentConfig) -> list[str]:
    """Numeric columns of the population other than the key and the blocking variables (dates excluded)."""
    skip = {"unit_key", *config.blocking}
    return [c for c in units.columns if c not in skip and _is_numeric(units[c])]


@dataclass(frozen=True)
class AssignmentUpdate:
    experiment: str
    as_of: dt.date
    eligible: int
    newly_assigned: int
    total_assigned: int
    closed: bool  # the snapshot is past the end date: nobody was added
    arm_counts: dict[str, int] = field(default_factory=dict)

    def metadata(self) -> dict[str, int | str | bool]:
        return {
            "as_of": self.as_of.isoformat(),
            "eligible": self.eligible,
            "newly_assigned": self.newly_assigned,
            "total_assigned": self.total_assigned,
            "closed": self.closed,
            **{f"arm_{arm}": count for arm, count in self.arm_counts.items()},
        }


def read_assignments(con: duckdb.DuckDBPyConnection, experiment: str) -> pd.DataFrame:
    frame = con.execute(
        f"select {', '.join(ASSIGNMENT_COLUMNS)} from {ASSIGNMENTS} where experiment = ? "
        "order by assigned_on, unit_key",
        [experiment],
    ).df()
    frame["assigned_on"] = pd.to_datetime(frame["assigned_on"]).dt.date
    return frame


def assign_experiment(con: duckdb.DuckDBPyConnection, config: ExperimentConfig, as_of: dt.date) -> AssignmentUpdate:
    """Assign the units newly eligible for `config` and record their baselines, in one transaction.

    Units already assigned keep their rows untouched; the draw for the newcomers is reproducible from the seed
    (assignment.assign_units), so re-running on the same population inserts nothing.
    """
    ensure_schema(con)
    population = eligible_population(con, config, as_of)
    previous = read_assignments(con, config.name)
    closed = population.as_of > config.end_date
    if closed:
        assignments = previous
    else:
        assignments = assign_units(population.units, config, population.as_of, previous=previous)
    new = assignments.iloc[len(previous):]
    if len(new):
        variables = baseline_variables(population.units, config)
        baseline = (
            population.units.loc[population.units["unit_key"].isin(new["unit_key"]), ["unit_key", *variables]]
            .melt(id_vars="unit_key", var_name="variable", value_name="value")
            .assign(experiment=config.name, value=lambda f: pd.to_numeric(f["value"], errors="coerce").astype(float))
        )
        con.execute("begin transaction")
        try:
            con.register("new_assignments", new[ASSIGNMENT_COLUMNS])
            con.execute(f"insert into {ASSIGNMENTS} select {', '.join(ASSIGNMENT_COLUMNS)} from new_assignments")
            con.register("new_baseline", baseline)
            con.execute(f"insert into {BASELINE} select experiment, unit_key, variable, value from new_baseline")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        finally:
            con.unregister("new_assignments")
            con.unregister("new_baseline")
    return AssignmentUpdate(
        experiment=config.name,
        as_of=population.as_of,
        eligible=len(population.units),
        newly_assigned=len(new),
        total_assigned=len(assignments),
        closed=closed,
        arm_counts={arm: int((assignments["arm"] == arm).sum()) for arm in config.arms},
    )


def experiment_units(con: duckdb.DuckDBPyConnection, config: ExperimentConfig) -> pd.DataFrame:
    """Every assigned unit of the experiment with its baseline variables as columns (NaN where missing)."""
    assignments = read_assignments(con, config.name)
    baseline = con.execute(
        f"select unit_key, variable, value from {BASELINE} where experiment = ?", [config.name]
    ).df()
    if baseline.empty:
        return assignments
    wide = baseline.pivot(index="unit_key", columns="variable", values="value").reset_index()
    wide.columns.name = None
    return assignments.merge(wide, on="unit_key", how="left")


def write_balance(con: duckdb.DuckDBPyConnection, config: ExperimentConfig) -> pd.DataFrame:
    """The experiment's balance table from its baselines, replacing the previous one in experiments.balance."""
    ensure_schema(con)
    units = experiment_units(con, config)
    covariates = [c for c in config.covariates if c in units.columns]
    has_arms = units["arm"].nunique() > 1 if len(units) else False
    table = balance_table(units, covariates) if covariates and has_arms else pd.DataFrame(
        columns=["covariate", "arm", "mean_arm", "mean_control", "smd", "n_arm", "n_control"]
    )
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {BALANCE} where experiment = ?", [config.name])
        if len(table):
            con.register("balance_rows", table.assign(experiment=config.name))
            con.execute(
                f"insert into {BALANCE} select experiment, covariate, arm, mean_arm, mean_control, smd, "
                "n_arm, n_control from balance_rows"
            )
            con.unregister("balance_rows")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return table


def read_balance(con: duckdb.DuckDBPyConnection, experiment: str) -> pd.DataFrame:
    return con.execute(
        f"select covariate, arm, mean_arm, mean_control, smd, n_arm, n_control from {BALANCE} "
        "where experiment = ? order by covariate, arm",
        [experiment],
    ).df()
