"""Each assigned unit's outcome and whether it was contacted, from the campaign activity and the NLRB elections.

- cards_signed, workplace units: the share of the workplace's workers who signed an authorization card between the
  start and end dates, cards counted once per worker, over the workplace size recorded when it was assigned.
- cards_signed, worker units: 1 if the worker signed a card in the window, else 0.
- election_won, workplace units: 1 if the union won an NLRB election at the workplace in the window, else 0.
- contacted: 1 if an organizer's attempt for this experiment reached someone at the unit in the window. A unit
  with attempts that all failed (not home, no answer, wrong number) is assigned but not contacted: the CACE.

A unit with no activity at all counts as 0 cards and not contacted: the log records what organizers did, and
absence is the outcome. When the log holds nothing in the window yet, there are no outcomes to analyze.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from shopfloor.experiments.config import ExperimentConfig

ACTIVITY = "marts.fct_campaign_activity"
ELECTIONS = "marts.fct_nlrb_elections"
WORKPLACE_LINKS = "marts.workplace_links"
SIZE_VARIABLE = "workplace_size"
NO_OUTCOMES = "no outcomes yet"


@dataclass(frozen=True)
class Outcomes:
    status: str  # "ok", or why there is nothing to analyze
    units: pd.DataFrame  # the experiment's units with outcome, contacted, attempts, cards (empty unless ok)
    activity_rows: int  # activity rows in the experiment window
    units_without_size: int = 0  # workplace units left out: no size recorded, so no card share


def _table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    return con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchone()[0] > 0


def _window(config: ExperimentConfig) -> list:
    return [config.start_date, config.end_date]


def _activity_by_unit(con: duckdb.DuckDBPyConnection, config: ExperimentConfig) -> tuple[pd.DataFrame, int]:
    key = "workplace_id" if config.unit == "workplace" else "worker_key"
    rows = con.execute(
        f"select count(*) from {ACTIVITY} where activity_on between ? and ?", _window(config)
    ).fetchone()[0]
    per_unit = con.execute(
        f"""
        select {key} as unit_key,
               count(*) filter (where is_contact_attempt and experiment = ?) as attempts,
               count(*) filter (where is_contact_made and experiment = ?) as contacts,
               count(*) filter (where is_card_signed) as cards
        from {ACTIVITY}
        where activity_on between ? and ? and {key} is not null
        group by all
        """,
        [config.name, config.name, *_window(config)],
    ).df()
    return per_unit, rows


def _elections_won(con: duckdb.DuckDBPyConnection, config: ExperimentConfig) -> pd.DataFrame:
    return con.execute(
        f"""
        select links.workplace_id as unit_key, bool_or(coalesce(elections.union_won, false)) as won
        from {ELECTIONS} as elections
        join {WORKPLACE_LINKS} as links using (source_system, source_record_id)
        where elections.election_date between ? and ?
        group by all
        """,
        _window(config),
    ).df()


def unit_outcomes(con: duckdb.DuckDBPyConnection, config: ExperimentConfig, units: pd.DataFrame) -> Outcomes:
    """`units` is store.experiment_units(con, config). Adds outcome, contacted, attempts and cards columns."""
    empty = units.iloc[0:0]
    if config.primary_outcome == "election_won" and config.unit != "workplace":
        raise ValueError(f"experiment {config.name}: election_won is measured per workplace, not per {config.unit}")
    if not _table_exists(con, ACTIVITY):
        return Outcomes(status=NO_OUTCOMES, units=empty, activity_rows=0)
    activity, rows = _activity_by_unit(con, config)
    if rows == 0:
        return Outcomes(status=NO_OUTCOMES, units=empty, activity_rows=0)

    frame = units.merge(activity, on="unit_key", how="left")
    for column in ("attempts", "contacts", "cards"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame["contacted"] = (frame["contacts"] > 0).astype(int)
    without_size = 0
    if config.primary_outcome == "election_won":
        won = _elections_won(con, config)
        frame = frame.merge(won, on="unit_key", how="left")
        frame["outcome"] = frame["won"].fillna(False).astype(int)
        frame = frame.drop(columns="won")
    elif config.unit == "worker":
        frame["outcome"] = (frame["cards"] > 0).astype(int)
    else:
        if SIZE_VARIABLE not in frame.columns:
            raise ValueError(
                f"experiment {config.name}: cards_signed per workplace needs the population query to return "
                f"{SIZE_VARIABLE} (the share's denominator)"
            )
        size = frame[SIZE_VARIABLE]
        usable = size.notna() & (size > 0)
        without_size = int((~usable).sum())
        frame = frame[usable].copy()
        # More cards than the recorded size means the size was an undercount: the share tops out at everyone.
        frame["outcome"] = np.minimum(frame["cards"] / frame[SIZE_VARIABLE], 1.0)
    return Outcomes(status="ok", units=frame.reset_index(drop=True), activity_rows=rows,
                    units_without_size=without_size)
