"""An experiment's effects from the warehouse: outcomes per unit, then every arm against control.

experiment_results() gathers one experiment's analysis; write_results() replaces its rows in
experiments.results (one row per arm and method, analysis.analyze_experiment), experiments.block_results
(per-block differences), experiments.arm_summary (counts, contact and outcome per arm) and
experiments.result_status (whether there was anything to analyze, and whether the experiment has ended).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from shopfloor.experiments.analysis import analyze_experiment, blocked_estimates
from shopfloor.experiments.config import CONTROL_ARM, ExperimentConfig
from shopfloor.experiments.outcomes import Outcomes, unit_outcomes
from shopfloor.experiments.store import SCHEMA, ensure_schema, experiment_units

RESULTS = f"{SCHEMA}.results"
BLOCK_RESULTS = f"{SCHEMA}.block_results"
ARM_SUMMARY = f"{SCHEMA}.arm_summary"
RESULT_STATUS = f"{SCHEMA}.result_status"

RESULT_COLUMNS = ["experiment", "outcome", "arm", "method", "estimate", "se", "ci_low", "ci_high", "p_value", "p_holm",
                  "ci_low_bonferroni", "ci_high_bonferroni", "n_arm", "n_control", "blocks_used", "share_contacted"]
BLOCK_COLUMNS = ["experiment", "arm", "block_key", "estimate", "se", "n_arm", "n_control"]
SUMMARY_COLUMNS = ["experiment", "arm", "units", "contacted_share", "attempts_per_unit", "cards", "mean_outcome"]

_DDL = f"""
create table if not exists {RESULTS} (
    experiment varchar not null, outcome varchar not null, arm varchar not null, method varchar not null,
    estimate double, se double, ci_low double, ci_high double, p_value double, p_holm double,
    ci_low_bonferroni double, ci_high_bonferroni double, n_arm integer, n_control integer,
    blocks_used integer, share_contacted double
);
create table if not exists {BLOCK_RESULTS} (
    experiment varchar not null, arm varchar not null, block_key varchar not null,
    estimate double, se double, n_arm integer, n_control integer
);
create table if not exists {ARM_SUMMARY} (
    experiment varchar not null, arm varchar not null, units integer, contacted_share double,
    attempts_per_unit double, cards integer, mean_outcome double
);
create table if not exists {RESULT_STATUS} (
    experiment varchar not null, status varchar not null, is_finished boolean not null, activity_rows integer,
    units_analyzed integer, units_without_size integer, notes varchar, computed_on date not null
);
"""


def adjustment_covariates(
    frame: pd.DataFrame, covariates: list[str] | tuple[str, ...]
) -> tuple[pd.DataFrame, list[str]]:
    """Covariates ready for adjustment: a missing value becomes the mean, with a 0/1 `<name>_missing` column beside
    it (Lin's estimator and the boosted trees take no missing values). Returns the frame and the column names."""
    frame = frame.copy()
    names = []
    for name in covariates:
        if name not in frame.columns:
            continue
        values = frame[name].astype(float)
        if values.isna().all():
            continue
        if values.isna().any():
            frame[f"{name}_missing"] = values.isna().astype(float)
            names.append(f"{name}_missing")
        frame[name] = values.fillna(values.mean())
        names.append(name)
    return frame, names


@dataclass(frozen=True)
class ExperimentResults:
    config: ExperimentConfig
    status: str
    is_finished: bool
    outcomes: Outcomes
    results: pd.DataFrame
    blocks: pd.DataFrame
    summary: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _arm_summary(config: ExperimentConfig, units: pd.DataFrame, outcomes: Outcomes) -> pd.DataFrame:
    analyzed = outcomes.units
    rows = []
    for arm in config.arms:
        assigned = units[units["arm"] == arm]
        members = analyzed[analyzed["arm"] == arm] if len(analyzed) else analyzed
        rows.append({
            "experiment": config.name,
            "arm": arm,
            "units": len(assigned),
            "contacted_share": float(members["contacted"].mean()) if len(members) else np.nan,
            "attempts_per_unit": float(members["attempts"].mean()) if len(members) else np.nan,
            "cards": int(members["cards"].sum()) if len(members) else 0,
            "mean_outcome": float(members["outcome"].mean()) if len(members) else np.nan,
        })
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def experiment_results(con: duckdb.DuckDBPyConnection, config: ExperimentConfig, as_of: dt.date) -> ExperimentResults:
    is_finished = as_of > config.end_date
    units = experiment_units(con, config)
    empty_results = pd.DataFrame(columns=RESULT_COLUMNS)
    empty_blocks = pd.DataFrame(columns=BLOCK_COLUMNS)
    if units.empty:
        outcomes = Outcomes(status="no units assigned yet", units=units, activity_rows=0)
        return ExperimentResults(config, outcomes.status, is_finished, outcomes, empty_results, empty_blocks,
                                 _arm_summary(config, units, outcomes))
    outcomes = unit_outcomes(con, config, units)
    summary = _arm_summary(config, units, outcomes)
    if outcomes.status != "ok":
        return ExperimentResults(config, outcomes.status, is_finished, outcomes, empty_results, empty_blocks, summary)

    notes = []
    frame, covariates = adjustment_covariates(outcomes.units, config.covariates)
    contacted = "contacted"
    if frame.loc[frame["arm"] == CONTROL_ARM, "contacted"].any():
        # The CACE here assumes control is never contacted; with contact in control it would be biased.
        contacted = None
        notes.append("control units were contacted, so no complier effect (CACE) is reported")
    arms_present = set(frame["arm"])
    if CONTROL_ARM not in arms_present or len(arms_present) < 2:
        return ExperimentResults(config, "no comparison possible: an arm has no unit with an outcome", is_finished,
                                 outcomes, empty_results, empty_blocks, summary, notes)
    results = analyze_experiment(frame, "outcome", covariates=covariates, contacted=contacted)
    results.insert(0, "outcome", config.primary_outcome)
    results.insert(0, "experiment", config.name)
    results = results.reindex(columns=RESULT_COLUMNS)
    per_block = [blocked_estimates(frame, "outcome", arm)[0] for arm in sorted(arms_present - {CONTROL_ARM})]
    per_block = [block for block in per_block if len(block)]
    block_frame = (
        pd.concat(per_block, ignore_index=True).assign(experiment=config.name) if per_block else empty_blocks
    )
    if outcomes.units_without_size:
        notes.append(f"{outcomes.units_without_size} units have no recorded workplace size and are left out")
    if not is_finished:
        notes.append(f"interim: the experiment runs until {config.end_date}")
    return ExperimentResults(config, "ok", is_finished, outcomes, results, block_frame[BLOCK_COLUMNS], summary, notes)


def _replace(con: duckdb.DuckDBPyConnection, table: str, experiment: str, frame: pd.DataFrame, columns: list[str]):
    con.execute(f"delete from {table} where experiment = ?", [experiment])
    if len(frame):
        con.register("replacement_rows", frame[columns])
        con.execute(f"insert into {table} ({', '.join(columns)}) select {', '.join(columns)} from replacement_rows")
        con.unregister("replacement_rows")


def write_results(con: duckdb.DuckDBPyConnection, analysis: ExperimentResults, as_of: dt.date) -> None:
    """Replace the experiment's rows in the four result tables, in one transaction."""
    ensure_schema(con)
    con.execute(_DDL)
    name = analysis.config.name
    status = pd.DataFrame([{
        "experiment": name,
        "status": analysis.status,
        "is_finished": analysis.is_finished,
        "activity_rows": analysis.outcomes.activity_rows,
        "units_analyzed": len(analysis.outcomes.units),
        "units_without_size": analysis.outcomes.units_without_size,
        "notes": "; ".join(analysis.notes),
        "computed_on": as_of,
    }])
    con.execute("begin transaction")
    try:
        _replace(con, RESULTS, name, analysis.results, RESULT_COLUMNS)
        _replace(con, BLOCK_RESULTS, name, analysis.blocks, BLOCK_COLUMNS)
        _replace(con, ARM_SUMMARY, name, analysis.summary, SUMMARY_COLUMNS)
        _replace(con, RESULT_STATUS, name, status, list(status.columns))
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def read_results(con: duckdb.DuckDBPyConnection, experiment: str) -> dict[str, pd.DataFrame]:
    """The four result tables' rows of one experiment (empty frames before the first analysis)."""
    ensure_schema(con)
    con.execute(_DDL)
    return {
        table.split(".")[1]: con.execute(f"select * from {table} where experiment = ?", [experiment]).df()
        for table in (RESULTS, BLOCK_RESULTS, ARM_SUMMARY, RESULT_STATUS)
    }
