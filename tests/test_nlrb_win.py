"""The win model at filing (models/nlrb_win.py) on generated rows shaped like marts.mart_nlrb_win_features:
the horizon, neutral missing values, reasons and metrics. The same code on the real elections:
tests/test_nlrb_win_real.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models import nlrb_win
from models.evaluation import bootstrap_auc_interval, evaluate

HISTORY_GROUPS = ("nation", "region", "state", "affiliation", "affiliation_recent", "local", "employer")
AFFILIATIONS = ["SEIU", "IBT", "UFCW", "CWA"]
HORIZON = pd.Timestamp("2016-09-30")


def generated_elections(rows: int = 1200, seed: int = 7) -> pd.DataFrame:
    """Elections filed 2010-2017 whose outcome leans on unit size and affiliation, with pending ones at the end."""
    rng = np.random.default_rng(seed)
    filed = pd.Timestamp("2010-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 8 * 365, rows)), unit="D")
    size = rng.integers(2, 400, rows)
    affiliation = rng.choice(AFFILIATIONS, rows)
    lean = 3.0 - 0.9 * np.log(size) + np.where(affiliation == "SEIU", 1.2, 0.0)
    won = rng.random(rows) < 1 / (1 + np.exp(-lean))
    elections = pd.DataFrame(
        {
            "election_key": [f"{index:02d}-RC-{100000 + index}/-" for index in range(rows)],
            "case_number": [f"{index % 30 + 1:02d}-RC-{100000 + index}" for index in range(rows)],
            "case_type_code": "RC",
            "case_name": rng.choice(["Acme Hospital", "Best Security", "Cargo Transport", "Delta Foods"], rows),
            "state": rng.choice(["NY", "CA", "OH", "TX"], rows),
            "nlrb_region": rng.choice(["02", "21", "08", "16"], rows),
            "naics_sector": rng.choice(["62", "56", None], rows),
            "eligible_voters": size,
            "union_affiliation": affiliation,
            "filed_on": filed,
            "is_filed_on_estimated": False,
            "election_date": filed + pd.Timedelta(days=40),
            "outcome_known_on": filed + pd.Timedelta(days=50),
            "union_won": won,
            "union_won_basis": "certification",
            "is_employer_petition": False,
            "election_mode": rng.choice(["Manual", "Mail", None], rows),
            "unions_on_ballot": rng.choice([1, 1, 1, 2], rows),
            "days_filing_to_election": rng.integers(20, 90, rows),
            "employer_prior_petitions": rng.integers(0, 4, rows),
            "employer_petitions_past_year": rng.integers(0, 2, rows),
        }
    )
    # The affiliation's record carries its planted lean, as a real record would; the other records are noise.
    record_rate = np.where(affiliation == "SEIU", 0.75, 0.55)
    for group in HISTORY_GROUPS:
        count = rng.integers(0, 200, rows)
        elections[f"{group}_prior_elections"] = count
        elections[f"{group}_prior_wins"] = rng.binomial(count, record_rate if group.startswith("affiliation") else 0.6)
    elections["election_fiscal_year"] = elections["election_date"].dt.year + (elections["election_date"].dt.month >= 10)
    pending = elections["filed_on"] > pd.Timestamp("2017-06-01")
    elections = elections.astype({"union_won": object, "union_won_basis": object})
    elections.loc[pending, ["union_won", "outcome_known_on", "union_won_basis"]] = None
    return elections


@pytest.fixture(scope="module")
def elections() -> pd.DataFrame:
    return generated_elections()


def test_a_missing_or_rare_category_is_all_zeros_not_a_category_of_its_own():
    training = pd.DataFrame({"union_affiliation": ["SEIU"] * 12 + ["IBT"] * 12 + [None] * 30 + ["Rare"] * 3})
    encoder = nlrb_win.NeutralOneHot(min_frequency=10).fit(training)
    assert encoder.categories_ == [["IBT", "SEIU"]]
    encoded = encoder.transform(pd.DataFrame({"union_affiliation": [None, "Rare", "Never seen", "SEIU"]})).toarray()
    assert encoded.tolist() == [[0, 0], [0, 0], [0, 0], [0, 1]]
    never_filled = nlrb_win.NeutralOneHot().fit(pd.DataFrame({"election_mode": [None] * 20}))
    assert never_filled.transform(pd.DataFrame({"election_mode": ["Mail", None]})).toarray().tolist() == [[0], [0]]


def test_an_unknown_affiliation_scores_as_one_never_seen(elections):
    model = nlrb_win.train(elections, HORIZON)
    election = elections.iloc[[100]]
    unknown = election.assign(union_affiliation=None)
    # A new affiliation has no record before its first election: its counts in the mart are zero.
    unseen = election.assign(union_affiliation="A union no one saw", **dict.fromkeys(nlrb_win.AFFILIATION_COUNTS, 0))
    assert model.predict_proba(unknown) == pytest.approx(model.predict_proba(unseen))
    features = nlrb_win.feature_frame(unknown).iloc[0]
    assert features["affiliation_edge"] == features["affiliation_recent_edge"] == 0.0


def test_nothing_after_the_horizon_trains_or_tunes_the_model(elections):
    later = (elections["outcome_known_on"] > HORIZON) | (elections["election_date"] > HORIZON)
    assert later.sum() > 50
    flipped = elections.copy()
    flipped.loc[later & flipped["union_won"].notna(), "union_won"] = ~flipped.loc[
        later & flipped["union_won"].notna(), "union_won"
    ].astype(bool)
    original, retrained = nlrb_win.train(elections, HORIZON), nlrb_win.train(flipped, HORIZON)
    assert original.trained_rows == retrained.trained_rows == int((~later & elections["union_won"].notna()).sum())
    assert original.regularization == retrained.regularization
    assert original.predict_proba(elections) == pytest.approx(retrained.predict_proba(elections))


@pytest.mark.parametrize("variant", nlrb_win.VARIANTS)
def test_pending_petitions_and_later_elections_are_scored_with_three_reasons(elections, variant):
    model = nlrb_win.train(elections, HORIZON, variant)
    to_score = elections[nlrb_win.to_score(elections, HORIZON)]
    assert to_score["union_won"].isna().any() and to_score["union_won"].notna().any()
    scored = nlrb_win.score(model, to_score)
    assert len(scored) == len(to_score)
    assert scored["win_probability"].between(0, 1, inclusive="neither").all()
    reasons = scored[["reason_1", "reason_2", "reason_3"]]
    assert reasons.map(lambda reason: reason.startswith(("for: ", "against: "))).all().all()
    assert (reasons.nunique(axis=1) == 3).all(), "each reason tells a different fact"


def test_too_few_elections_to_choose_settings_is_said_plainly(elections):
    early = elections[elections["filed_on"] < pd.Timestamp("2011-03-01")]
    with pytest.raises(ValueError, match="too few decided elections to choose settings"):
        nlrb_win.train(early.assign(union_won=True), HORIZON)


def test_rolling_origin_trains_each_year_only_on_outcomes_public_before_it(elections):
    table, scored = nlrb_win.rolling_origin(elections, range(2015, 2017), bootstrap_draws=50)
    for row in table.itertuples():
        year_start = nlrb_win.fiscal_year_start(row.test_year)
        assert row.trained_on == int((elections["outcome_known_on"] < year_start).sum())
        assert row.elections == int(
            (elections["election_fiscal_year"].eq(row.test_year) & elections["union_won"].notna()).sum()
        )
        low, high = row.at_filing_auc_interval
        assert low < row.at_filing_auc < high
    assert set(scored["election_fiscal_year"]) == {2015, 2016}
    for variant in nlrb_win.VARIANTS:
        assert (table[f"{variant}_brier"] < table["base_rate_brier"]).all(), "the planted signal beats the base rate"


def test_at_filing_reads_nothing_fixed_after_filing(elections):
    """Changing the mode, the delay and the ballot moves the at-election score only."""
    models = {variant: nlrb_win.train(elections, HORIZON, variant) for variant in nlrb_win.VARIANTS}
    changed = elections.assign(election_mode="Mail", days_filing_to_election=400, unions_on_ballot=3)
    assert models["at_filing"].predict_proba(changed) == pytest.approx(models["at_filing"].predict_proba(elections))
    assert models["at_election"].predict_proba(changed) != pytest.approx(
        models["at_election"].predict_proba(elections)
    )


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
