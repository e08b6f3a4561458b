"""The win model at filing on twenty years of real NLRB elections (the session's nlrb_history_warehouse): history
counted only from what was public before each filing, recounted here by hand; one rolling origin; the pending
petitions and the elections after the training horizon scored."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from real_data import needs_real_data

from models import nlrb_win

pytestmark = needs_real_data
HORIZON = pd.Timestamp("2021-11-30")


@pytest.fixture(scope="module")
def elections(nlrb_history_warehouse) -> pd.DataFrame:
    warehouse, _, _ = nlrb_history_warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return nlrb_win.load_elections(con)


@pytest.fixture(scope="module")
def placed_in_time(nlrb_history_warehouse) -> pd.DataFrame:
    warehouse, _, _ = nlrb_history_warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        placed = con.table("intermediate.int_nlrb_elections_at_filing").df()
    for column in ("filed_on", "outcome_known_on"):
        placed[column] = pd.to_datetime(placed[column])
    return placed


def test_every_rc_and_rm_election_of_the_fact_is_a_row(nlrb_history_warehouse, elections):
    warehouse, _, _ = nlrb_history_warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (facts,) = con.execute(
            "select count(*) from marts.fct_nlrb_election_outcomes where case_type_code in ('RC', 'RM')"
        ).fetchone()
    assert len(elections) == facts
    assert elections["election_fiscal_year"].between(1999, 2021).sum() > 35_000
    estimated = elections[elections["is_filed_on_estimated"]]
    assert estimated["election_fiscal_year"].between(2011, 2016).mean() > 0.9, "the reports without filing dates"
    assert (estimated["filed_on"] < estimated["election_date"]).all()


@pytest.mark.parametrize("group, key", [("employer", "employer_key"), ("affiliation", "union_affiliation"),
                                        ("local", "union_local")])
def test_history_counts_what_was_public_before_the_filing_day_and_nothing_later(
    elections, placed_in_time, group, key
):
    """Recounted with pandas, for a sample of elections at keys that have history."""
    decided = placed_in_time[placed_in_time["union_won"].notna() & placed_in_time[key].notna()]
    keyed = placed_in_time[placed_in_time[key].isin(decided[key]) & placed_in_time["filed_on"].notna()]
    sample = keyed.sample(300, random_state=1)
    counted = elections.set_index("election_key")
    for election in sample.itertuples():
        earlier = decided[decided[key].eq(getattr(election, key)) & (decided["outcome_known_on"] < election.filed_on)]
        row = counted.loc[election.election_key]
        assert row[f"{group}_prior_elections"] == len(earlier), election.election_key
        assert row[f"{group}_prior_wins"] == int(earlier["union_won"].astype(bool).sum()), election.election_key


def test_a_rolling_origin_year_beats_the_base_rate(elections):
    table, scored = nlrb_win.rolling_origin(elections, range(2021, 2022), bootstrap_draws=100)
    year = table.iloc[0]
    assert year["elections"] > 900
    assert year["trained_on"] == int(
        nlrb_win.trainable(elections, nlrb_win.fiscal_year_start(2021) - pd.Timedelta(days=1)).sum()
    )
    for variant in nlrb_win.VARIANTS:
        auc, (low, high) = year[f"{variant}_auc"], year[f"{variant}_auc_interval"]
        assert year[f"{variant}_brier"] < year["base_rate_brier"]
        assert 0.5 < low < auc < high
    assert len(scored) == year["elections"]


def test_pending_petitions_and_elections_after_the_horizon_are_scored_never_trained_on(elections):
    model = nlrb_win.train(elections, HORIZON)
    to_score = elections[nlrb_win.to_score(elections, HORIZON)]
    after_horizon = to_score["election_date"] > HORIZON
    assert after_horizon.sum() > 100, "the Recent Election Results export runs into 2023"
    assert to_score["union_won"].isna().sum() > 0
    assert model.trained_rows == int(nlrb_win.trainable(elections, HORIZON).sum())
    scored = nlrb_win.score(model, to_score)
    assert np.isfinite(scored["win_probability"]).all()
    assert scored["win_probability"].between(0, 1, inclusive="neither").all()
    assert scored[["reason_1", "reason_2", "reason_3"]].ne("").all().all()
