"""The leader model: P(a worker is a steward or sits on the organizing committee), trained on the members of
marts.mart_workers and scored on every row of it.

Label: is_leader (steward or committee member) of rows from the union roll. The roll says who leads today, not
since when, so there is no label date: the split is by join cohort. Members who joined on or before the cutoff
train the model; the newest joiners (after it) are held out. That is how the model is used: to find leaders
among people the union has known for a short time (new members, and organizing contacts, who are not members).

Features stand as of the mart's as-of date. Rows without a member record (organizing contacts) have no tenure,
classification or grievances: numbers are imputed with the training median and categories read 'unknown', and
their reasons say so.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from models.linear import Feature
from models.modelling import ModelSpec

MEMBER_SOURCE = "union_roll"
DAYS_PER_YEAR = 365.25

UNION_TENURE = Feature(
    "union_tenure_years", "number", "as of: years from joining the union (the roll's join date)",
    "{value:.1f} years in the union", "not a member (union tenure unknown)",
)
LEADER_FEATURES: tuple[Feature, ...] = (
    UNION_TENURE,
    Feature(
        "tenure_years", "number", "as of: years from hire (the roll's hire date)",
        "{value:.1f} years on the job", "years on the job unknown",
    ),
    Feature("classification", "category", "as of: job classification on the roll", "job class {value}",
            "job class unknown"),
    Feature(
        "grievances_filed_total", "count", "as of: grievances the worker filed at any time before",
        "{value:,} grievance{s} filed", "grievance record unknown", zero_words="no grievances filed",
    ),
    Feature(
        "is_registered_voter", "flag", "as of: linked to a voter registration made before",
        "registered to vote", "voter registration unknown", false_words="not registered to vote",
    ),
    Feature(
        "general_elections_voted", "count", "as of: general elections voted in, of the last 4 held before",
        "voted in {value} of the last 4 general elections", "voting record unknown",
        zero_words="voted in none of the last 4 general elections", singular=True,
    ),
    Feature("age_band", "category", "as of: age band in the as-of year (birth year only)", "age {value}",
            "age unknown"),
)
LEADER_SPEC = ModelSpec(
    name="leader_model",
    title="Leader model",
    key="worker_key",
    label="is_leader",
    label_definition="members on the union roll; 1 when the member is a steward or on the organizing committee",
    starts_on="joined_on",
    known_on="joined_on",
    split_definition=(
        "by join cohort: the cutoff is the join date leaving the newest quarter of members for the test; the "
        "model trains on members who joined on or before it (the roll's flags carry no date of their own)"
    ),
    features=LEADER_FEATURES,
    baseline=(UNION_TENURE,),
    baseline_title="union tenure only (logistic on years in the union)",
    identifiers=("workplace_id",),
)

_MART_FEATURES = ", ".join(f.column for f in LEADER_FEATURES)


def _workers(con: duckdb.DuckDBPyConnection, where: str) -> pd.DataFrame:
    workers = con.execute(
        f"""
        select worker_key, member_key, workplace_id, as_of_date, source_system, is_leader, {_MART_FEATURES}
        from marts.mart_workers
        {where}
        order by worker_key
        """
    ).df()
    # The join date back from tenure (the mart keeps years to 2 decimals: within 4 days of the roll's date).
    tenure_days = (workers["union_tenure_years"].astype(float) * DAYS_PER_YEAR).round()
    workers["joined_on"] = pd.to_datetime(workers["as_of_date"]) - pd.to_timedelta(tenure_days, unit="D")
    for column in ("union_tenure_years", "tenure_years"):
        workers[column] = workers[column].astype(float)
    return workers


def load_member_frame(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, dict]:
    """The labelled rows: members on the roll with a join date; and counts of the rows left out."""
    workers = _workers(con, f"where source_system = '{MEMBER_SOURCE}'")
    dated = workers["joined_on"].notna()
    frame = workers[dated].copy()
    frame["is_leader"] = frame["is_leader"].astype(bool).astype(int)
    counts = {"members_in_mart": len(workers), "left_out_without_join_date": int((~dated).sum())}
    return frame[sorted(LEADER_SPEC.allowed_columns)].reset_index(drop=True), counts


def load_worker_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every row of mart_workers to score, members and organizing contacts alike."""
    return _workers(con, "").drop(columns=["is_leader"])
