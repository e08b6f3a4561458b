"""The win model: label logic, point-in-time features, time split, determinism and real held-out AUC."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from real_data import REAL_DATA, needs_real_data

from models.evaluation import bootstrap_auc_interval, evaluate
from models.features import add_history_features, union_affiliation
from models.nlrb_real import TRAIN_THROUGH, build_feature_frame, label_elections, read_tallies
from models.win_model import (
    FEATURE_COLUMNS,
    PRE_VOTE_NEUTRAL,
    at_filing,
    check_feature_frame,
    time_split,
    train_win_model,
)

FOIA_FILE = REAL_DATA / "nlrb" / "NLRB-2022-000194_final-Election_results_with_election_mode_Jan_2017-Nov_2021.xlsx"

# Raw columns only known after the vote (or at closing); none may shape a feature.
POST_ELECTION_COLUMNS = [
    "case_status", "case_closed_date", "closed_reason", "ballot_count_date", "tally_date", "tally_type",
    "ballots_impounded", "num_void_ballots", "votes_for_labor_org1", "votes_for_labor_org2", "votes_for_labor_org3",
    "votes_cast_against_labor_org", "num_valid_votes_counted", "num_challenged_ballots",
    "challenges_r_determinitive", "runoff_required", "union_to_certify", "bargaining_unit_determined",
]


def tally(case, tally_type="Initial", category="Single Labor Organization", date="2019-05-01", org1=0, org2=0,
          valid=10, unit="A"):
    return {
        "case_number": case, "unit_id": unit, "tally_type": tally_type, "tally_category": category,
        "tally_date": pd.Timestamp(date), "votes_for_labor_org1": org1, "votes_for_labor_org2": org2,
        "votes_for_labor_org3": 0, "num_valid_votes_counted": valid,
    }


def labels(rows) -> dict:
    elections = label_elections(pd.DataFrame(rows))
    rows = elections[["case_number", "unit_id", "won"]].itertuples(index=False)
    return {(case, unit): won for case, unit, won in rows}


def test_label_keeps_only_rc_rm_initial_tallies():
    got = labels([
        tally("01-RC-000001", org1=6, valid=10),  # majority: won
        tally("01-RM-000002", org1=5, valid=10),  # tie: not a majority
        tally("01-RD-000003", org1=2, valid=10),  # decertification: another question
        tally("01-UD-000004", org1=2, valid=10),  # deauthorization
        tally("01-RC-000005", org1=4, valid=10),
        tally("01-RC-000005", "Rerun", date="2019-09-01", org1=9, valid=10),  # a second vote never relabels
        tally("01-RC-000006", "Run-off", org1=9, valid=10),  # a run-off alone is no initial election
        tally("01-RC-000007", org1=6, org2=5, valid=13),  # two unions, neither with a majority
        tally("01-RC-000008", org1=6, valid=10, unit="B"),
        tally("01-RC-000009", org1=0, valid=0),  # nothing counted: no outcome
    ])
    assert got == {
        ("01-RC-000001", "A"): 1, ("01-RM-000002", "A"): 0, ("01-RC-000005", "A"): 0,
        ("01-RC-000007", "A"): 0, ("01-RC-000008", "B"): 1,
    }


def test_label_takes_the_final_initial_tally_of_each_election():
    got = label_elections(pd.DataFrame([
        tally("02-RC-000001", org1=4, valid=10, date="2019-05-01"),
        tally("02-RC-000001", category="Revised Single Labor Org", org1=7, valid=12, date="2019-06-01"),
        tally("02-RC-000002", category="Self Determination", org1=1, valid=4, date="2019-05-01"),
        tally("02-RC-000002", org1=12, valid=20, date="2019-05-01"),
    ]))
    assert got["won"].tolist() == [1, 1]
    assert got["event_date"].tolist() == [pd.Timestamp("2019-05-01"), pd.Timestamp("2019-06-01")]
    assert got.set_index("case_number").loc["02-RC-000002", "self_determination_vote"]


def test_history_features_only_see_the_past():
    frame = pd.DataFrame({
        "filed_date": pd.to_datetime(["2018-01-01", "2018-03-01", "2018-03-01", "2018-09-01"]),
        "event_date": pd.to_datetime(["2018-02-01", "2018-04-01", "2018-05-01", "2018-10-01"]),
        "employer_key": ["ACME", "ACME", "ACME", "ACME"],
        "union_affiliation": ["SEIU", "SEIU", "UAW", "SEIU"],
        "union_key": ["LOCAL 1", "LOCAL 1", "LOCAL 2", "LOCAL 1"],
        "won": [1, 0, 1, 1],
    })
    history = add_history_features(frame, prior_strength=1.0)
    # The two petitions filed the same day do not count each other; tallies after a filing are unseen.
    assert history["employer_prior_petitions"].tolist() == [0, 1, 1, 3]
    assert history["employer_prior_wins"].tolist() == [0, 1, 1, 2]
    assert history["union_prior_elections"].tolist() == [0, 1, 0, 2]
    # One pseudo-election at the all-union rate of earlier tallies (0.5 before any): SEIU's 1 of 2 -> 5/9.
    assert history["union_prior_win_rate"].tolist() == pytest.approx([0.5, 1.0, 1.0, (1 + 2 / 3) / 3])
    assert history["local_prior_elections"].tolist() == [0, 1, 0, 2]


def test_union_affiliation_reads_local_names():
    assert union_affiliation("1199SEIU United Healthcare Workers East") == "SEIU"
    assert union_affiliation("INTERNATIONAL BROTHERHOOD OF TEAMSTERS LOCAL 251") == "Teamsters"
    assert union_affiliation("United Food and Commercial Workers International Union, Local 7") == "UFCW"
    assert union_affiliation("Harvard Graduate Students Union-UAW") == "UAW"
    assert union_affiliation(None) == "none"


def test_evaluate_on_known_scores():
    y_true = np.array([0] * 50 + [1] * 50)
    perfect = evaluate(y_true, y_true.astype(float))
    assert perfect["roc_auc"] == 1.0 and perfect["brier"] == 0.0
    assert perfect["top_decile_lift"] == pytest.approx(2.0)
    constant = evaluate(y_true, np.full(100, 0.5))
    assert constant["roc_auc"] == 0.5 and constant["brier"] == pytest.approx(0.25)
    assert sum(row["n"] for row in constant["calibration"]) == 100
    with pytest.raises(ValueError):
        evaluate(np.ones(5), np.ones(5))
    overlapping = np.r_[np.linspace(0, 0.6, 50), np.linspace(0.4, 1, 50)]
    low, high = bootstrap_auc_interval(y_true, overlapping)
    assert low < evaluate(y_true, overlapping)["roc_auc"] < high < 1.0


@pytest.fixture(scope="module")
def real():
    tallies = read_tallies(FOIA_FILE)
    elections = label_elections(tallies)
    frame = build_feature_frame(elections)
    train, test = time_split(frame, TRAIN_THROUGH)
    return {"elections": elections, "frame": frame, "train": train, "test": test}


@needs_real_data
def test_real_elections_are_unique_rc_rm_initial(real):
    elections = real["elections"]
    assert not elections.duplicated(["case_number", "unit_id"]).any()
    assert set(elections["case_type"]) == {"RC", "RM"}
    assert set(elections["tally_type"]) == {"Initial"}
    assert 5000 < len(elections) < 6000 and 0.6 < elections["won"].mean() < 0.8


@needs_real_data
def test_time_split_has_no_overlap(real):
    train, test = real["train"], real["test"]
    assert train["event_date"].max() <= TRAIN_THROUGH < test["event_date"].min()
    assert len(train) + len(test) == len(real["frame"])


@needs_real_data
def test_feature_frame_holds_only_allowlisted_pre_vote_columns(real):
    frame = real["frame"]
    assert set(frame.columns) - {"won", "event_date"} <= set(FEATURE_COLUMNS)
    assert not set(FEATURE_COLUMNS) & set(POST_ELECTION_COLUMNS)
    with pytest.raises(ValueError, match="allowlist"):
        check_feature_frame(frame.assign(num_valid_votes_counted=1), "won", "event_date")


def test_at_filing_neutralizes_every_feature_fixed_only_before_the_vote():
    before_vote = {column for column, status in FEATURE_COLUMNS.items() if status.startswith("before the vote")}
    assert before_vote - {"eligible_voters"} == set(PRE_VOTE_NEUTRAL)
    frame = pd.DataFrame({"election_mode": ["Mail", "Manual"], "days_filing_to_election": [20.0, 90.0],
                          "unions_on_ballot": [2, 1], "self_determination_vote": [1, 0], "eligible_voters": [5, 50]})
    filed = at_filing(frame)
    assert (filed[list(PRE_VOTE_NEUTRAL)].nunique() == 1).all()
    assert filed["eligible_voters"].tolist() == [5, 50]


@needs_real_data
def test_post_election_columns_do_not_move_any_feature(real):
    elections = real["elections"]
    scrambled = elections.copy()
    rng = np.random.default_rng(0)
    for column in POST_ELECTION_COLUMNS:
        scrambled[column] = rng.permutation(scrambled[column].to_numpy())
    # The label and its date stay put: the history features may read earlier outcomes, nothing else.
    features = [column for column in FEATURE_COLUMNS if column in real["frame"].columns]
    pd.testing.assert_frame_equal(build_feature_frame(scrambled)[features], real["frame"][features])


@needs_real_data
def test_training_twice_gives_identical_predictions(real):
    train, test = real["train"], real["test"]
    first = train_win_model(train, "logistic").predict_proba(test)
    second = train_win_model(train, "logistic").predict_proba(test)
    np.testing.assert_array_equal(first, second)
    recent = train.sort_values("event_date").tail(1500)
    boosted = [train_win_model(recent, "boosting").predict_proba(test.head(300)) for _ in range(2)]
    np.testing.assert_array_equal(*boosted)


@needs_real_data
def test_real_held_out_auc_beats_the_peer_system_and_the_baseline(real):
    train, test = real["train"], real["test"]
    model = evaluate(test["won"], train_win_model(train, "logistic").predict_proba(test))
    baseline = evaluate(test["won"], train_win_model(train, "baseline").predict_proba(test))
    assert model["roc_auc"] > 0.72
    assert model["roc_auc"] > baseline["roc_auc"] + 0.1
    assert model["brier"] < baseline["brier"]
    assert model["top_decile_lift"] > 1.2
