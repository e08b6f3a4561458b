"""Experiments: declaration, blocked assignment, balance, power, estimators (by simulation) and uplift."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import norm

from shopfloor.experiments import (
    ExperimentConfigError,
    TLearner,
    analyze_experiment,
    assign_units,
    balance_table,
    blocked_estimates,
    check_balance,
    complier_effect,
    evaluate_uplift,
    holm_adjust,
    lin_estimate,
    load_experiment,
    load_experiments,
    neyman_difference,
    qini_curve,
)
from shopfloor.experiments.config import EXPERIMENTS_DIR
from shopfloor.experiments.power import main as power_main
from shopfloor.experiments.power import minimum_detectable_effect, sample_size_per_arm

SAMPLE = EXPERIMENTS_DIR / "sample_card_drive.yaml"
START = dt.date(2027, 1, 11)


@pytest.fixture(scope="module")
def config():
    return load_experiment(SAMPLE)


def eligible_units(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "unit_key": [f"W{i:05d}" for i in range(n)],
            "state": rng.choice(["NC", "OH"], n),
            "naics_sector": rng.choice(["31", "44", "62"], n, p=[0.5, 0.3, 0.2]),
            "workplace_size": rng.lognormal(4, 0.6, n).round(),
            "osha_serious_willful_repeat_violations_5y": rng.poisson(1.5, n),
            "nlrb_petitions": rng.poisson(0.3, n),
        }
    )


# --- declaration ---------------------------------------------------------------------------------------------------


def test_sample_experiment_loads(config):
    assert config.name == "sample_card_drive" and config.unit == "workplace"
    assert config.treatment_arms == ["house_visit", "phone", "coworker_one_on_one"]
    assert config.blocking == ("state", "naics_sector") and config.start_date < config.end_date
    assert "sample_card_drive" in load_experiments()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"arms": {"house_visit": 0.5, "control": 0.4}}, "arms", "sum to 0.9"),
        ({"arms": {"house_visit": 0.5, "phone": 0.5}}, "arms", "'control' arm"),
        ({"arms": {"House Visit": 0.5, "control": 0.5}}, "arms", "not a valid arm name"),
        ({"arms": {"house_visit": 1.5, "control": -0.5}}, "arms.house_visit", "between 0 and 1"),
        ({"end_date": "2025-07-01"}, "end_date", "not after start_date"),
        ({"start_date": "soon"}, "start_date", "not a date"),
        ({"unit": "county"}, "unit", "workplace, worker"),
        ({"primary_outcome": "vibes"}, "primary_outcome", "cards_signed, election_won"),
        ({"name": "other_name"}, "name", "must match the file name"),
        ({"blocking": ["state", "State!"]}, "blocking", "not a valid name"),
        ({"seed": "abc"}, "seed", "non-negative integer"),
        ({"seed": None}, "seed", "is required"),
        ({"arm": {}}, "arm", "not a known field"),
    ],
)
def test_invalid_declarations_name_file_and_field(tmp_path: Path, change, field, message):
    raw = yaml.safe_load(SAMPLE.read_text()) | change
    path = tmp_path / "sample_card_drive.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ExperimentConfigError) as error:
        load_experiment(path)
    assert error.value.field == field
    assert str(path) in str(error.value) and f"'{field}'" in str(error.value) and message in str(error.value)


# --- assignment ----------------------------------------------------------------------------------------------------


def test_assignment_is_reproducible_and_order_free(config):
    units = eligible_units(600)
    first = assign_units(units, config, START)
    again = assign_units(units.sample(frac=1, random_state=3), config, START)
    assert list(first.columns) == ["experiment", "unit", "unit_key", "arm", "block_key", "assigned_on"]
    assert len(first) == 600 and first["unit_key"].is_unique
    pd.testing.assert_frame_equal(first.sort_values("unit_key"), again.sort_values("unit_key"))
    other_seed = assign_units(units, type(config)(**{**config.__dict__, "seed": config.seed + 1}), START)
    arms, other_arms = (f.set_index("unit_key")["arm"].sort_index() for f in (first, other_seed))
    assert (arms != other_arms).mean() > 0.5


def assert_shares_within_one(assignments: pd.DataFrame, shares: dict[str, float]):
    counts = assignments.groupby(["block_key", "arm"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(shares), fill_value=0)
    expected = np.outer(counts.sum(axis=1), list(shares.values()))
    assert (np.abs(counts.to_numpy() - expected) < 1 + 1e-9).all(), counts


def test_shares_hold_within_every_block(config):
    assignments = assign_units(eligible_units(601, seed=1), config, START)
    assert assignments["block_key"].nunique() == 6
    assert assignments["block_key"].str.match(r"^state=(NC|OH)\|naics_sector=(31|44|62)$").all()
    assert_shares_within_one(assignments, config.arms)
    uneven = type(config)(**{**config.__dict__, "arms": {"house_visit": 0.5, "phone": 0.3, "control": 0.2}})
    assert_shares_within_one(assign_units(eligible_units(457, seed=2), uneven, START), uneven.arms)


def test_assignment_is_stable_as_the_population_changes(config):
    units = eligible_units(500)
    first = assign_units(units, config, START)
    later = dt.date(2027, 2, 1)
    # Some units drop out, new ones arrive: nobody already assigned moves, newcomers fill blocks toward the shares.
    changed = pd.concat([units.iloc[60:], eligible_units(700, seed=9).iloc[500:]], ignore_index=True)
    changed["unit_key"] = changed["unit_key"].where(changed.index < 440, "N" + changed["unit_key"].str[1:])
    second = assign_units(changed, config, later, previous=first)
    pd.testing.assert_frame_equal(second.iloc[: len(first)], first)
    new = second.iloc[len(first) :]
    assert len(new) == 200 and (new["assigned_on"] == later).all() and second["unit_key"].is_unique
    assert_shares_within_one(second, config.arms)
    # Re-running with nothing new changes nothing; re-running the same wave gives the same newcomers' arms.
    pd.testing.assert_frame_equal(assign_units(changed, config, later, previous=second), second)
    pd.testing.assert_frame_equal(assign_units(changed, config, later, previous=first), second)


def test_newcomers_rebalance_a_block_left_uneven(config):
    units = eligible_units(400, seed=4).assign(state="NC", naics_sector="31")
    first = assign_units(units, config, START)
    # 60 control records deleted (say, on a privacy request): the block is short of control, so the
    # next 40 arrivals all go to control and the 30 after them bring every arm back within 1 of its share.
    uneven = first.drop(first.index[first["arm"] == "control"][:60]).reset_index(drop=True)
    arrivals = eligible_units(70, seed=5).assign(state="NC", naics_sector="31", unit_key=lambda f: "N" + f["unit_key"])
    second = assign_units(arrivals.iloc[:40], config, START, previous=uneven)
    assert (second.iloc[len(uneven) :]["arm"] == "control").all()
    third = assign_units(arrivals, config, START, previous=second)
    assert_shares_within_one(third, config.arms)


# --- balance -------------------------------------------------------------------------------------------------------


def test_balance_table_and_check(config):
    units = eligible_units(2000, seed=6)
    joined = assign_units(units, config, START).merge(units, on="unit_key")
    table = balance_table(joined, config.covariates + ("naics_sector",))
    assert set(table["arm"]) == set(config.treatment_arms)
    assert {"workplace_size", "naics_sector=31"} <= set(table["covariate"])
    row = table[(table["arm"] == "phone") & (table["covariate"] == "workplace_size")].iloc[0]
    phone, control = joined[joined["arm"] == "phone"], joined[joined["arm"] == "control"]
    pooled = np.sqrt((phone["workplace_size"].var() + control["workplace_size"].var()) / 2)
    assert row["smd"] == pytest.approx((phone["workplace_size"].mean() - control["workplace_size"].mean()) / pooled)
    assert check_balance(table).passed

    # A deliberately broken assignment: the biggest workplaces all get house visits.
    rigged = joined.copy()
    rigged.loc[rigged["workplace_size"].rank(ascending=False) <= 500, "arm"] = "house_visit"
    result = check_balance(balance_table(rigged, config.covariates))
    assert not result.passed and result.max_abs_smd > 0.25
    assert set(result.failures["covariate"]) == {"workplace_size"} and "|SMD| > 0.25" in result.description
    assert check_balance(balance_table(rigged, config.covariates), threshold=5).passed


# --- estimators ----------------------------------------------------------------------------------------------------


def test_neyman_interval_covers_and_is_unbiased():
    rng = np.random.default_rng(2027)
    simulations, n, effect = 2000, 200, 0.4
    untreated = rng.normal(0, 1, (simulations, n)) + rng.exponential(1, (simulations, n))
    treated_potential = untreated + effect
    # Complete randomization: half of each simulated population to treatment.
    order = np.argsort(rng.random((simulations, n)), axis=1)
    rows = np.arange(simulations)[:, None]
    y_t, y_c = treated_potential[rows, order[:, : n // 2]], untreated[rows, order[:, n // 2 :]]
    estimate, se = neyman_difference(y_t, y_c)
    covered = np.abs(estimate - effect) <= norm.ppf(0.975) * se
    assert 0.93 <= covered.mean() <= 0.97, covered.mean()
    monte_carlo_se = estimate.std(ddof=1) / np.sqrt(simulations)
    assert abs(estimate.mean() - effect) < 3 * monte_carlo_se


def test_lin_adjustment_is_unbiased_and_more_precise():
    rng = np.random.default_rng(7)
    simulations, n, effect = 300, 200, 0.5
    lin, lin_se, plain_se = np.empty(simulations), np.empty(simulations), np.empty(simulations)
    for s in range(simulations):
        x = rng.normal(size=(n, 2))
        treated = rng.permutation(n) < n // 2
        # Effect varies with x[:, 0] around its mean, so the interactions matter too.
        y = 2 * x[:, 0] - x[:, 1] + treated * (effect + 0.5 * x[:, 0]) + rng.normal(size=n)
        lin[s], lin_se[s] = lin_estimate(y, treated, x)
        plain_se[s] = neyman_difference(y[treated], y[~treated])[1]
    assert abs(lin.mean() - effect) < 3 * lin.std(ddof=1) / np.sqrt(simulations)
    assert lin_se.mean() < 0.5 * plain_se.mean()
    # HC2 SE tracks the estimator's actual spread.
    assert lin_se.mean() == pytest.approx(lin.std(ddof=1), rel=0.15)


def test_complier_effect_on_a_constructed_case():
    # 10 treated (6 contacted), 10 control. Compliers would sign at 0.2 without contact, 0.7 with it.
    treated = np.repeat([True, False], 10)
    contacted = np.r_[np.ones(6), np.zeros(4), np.zeros(10)]
    outcome = np.r_[[1, 1, 1, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0, 0, 0, 0]].astype(float)
    cace, se, share = complier_effect(outcome, treated, contacted)
    assert share == 0.6 and cace == pytest.approx((0.4 - 0.1) / 0.6)
    assert se > 0

    rng = np.random.default_rng(11)
    n, complier_share, complier_effect_true = 20_000, 0.4, 0.25
    complier = rng.random(n) < complier_share
    baseline = np.where(complier, 0.2, 0.35)
    treated = rng.permutation(n) < n // 2
    contacted = treated & complier
    outcome = (rng.random(n) < baseline + contacted * complier_effect_true).astype(float)
    cace, se, share = complier_effect(outcome, treated, contacted)
    assert abs(cace - complier_effect_true) < 3 * se and se < 0.04
    with pytest.raises(ValueError, match="one-sided"):
        complier_effect(outcome, treated, contacted | ~treated)


def test_holm_adjustment():
    np.testing.assert_allclose(holm_adjust(np.array([0.01, 0.04, 0.03, 0.5])), [0.04, 0.09, 0.09, 0.5])


def test_analysis_table_per_arm_and_method(config):
    rng = np.random.default_rng(3)
    units = eligible_units(4000, seed=3)
    frame = assign_units(units, config, START).merge(units, on="unit_key")
    effects = {"house_visit": 0.15, "phone": 0.0, "coworker_one_on_one": 0.08, "control": 0.0}
    base = 0.2 + 0.1 * (frame["osha_serious_willful_repeat_violations_5y"] > 1)
    frame["contacted"] = (frame["arm"] != "control") & (rng.random(len(frame)) < 0.7)
    lift = frame["arm"].map(effects) * frame["contacted"] / 0.7
    frame["cards_signed"] = (rng.random(len(frame)) < base + lift).astype(int)

    results = analyze_experiment(frame, "cards_signed", covariates=config.covariates, contacted="contacted")
    methods = {"difference_in_means", "lin_adjusted", "blocked_size_weighted", "blocked_precision_weighted", "cace"}
    assert set(results["method"]) == methods and len(results) == 15
    by = results.set_index(["arm", "method"])
    for arm, effect in effects.items():
        if arm != "control":
            row = by.loc[(arm, "difference_in_means")]
            assert abs(row["estimate"] - effect) < 3 * row["se"]
            assert row["ci_low_bonferroni"] < row["ci_low"] < row["estimate"] < row["ci_high"]
            assert row["ci_high"] < row["ci_high_bonferroni"]
    assert by.loc[("house_visit", "difference_in_means"), "p_holm"] < 0.01
    assert by.loc[("phone", "difference_in_means"), "p_holm"] >= by.loc[("phone", "difference_in_means"), "p_value"]
    assert by.loc[("house_visit", "cace"), "estimate"] == pytest.approx(
        by.loc[("house_visit", "difference_in_means"), "estimate"] / by.loc[("house_visit", "cace"), "share_contacted"]
    )
    per_block, combined = blocked_estimates(frame, "cards_signed", "house_visit")
    assert len(per_block) == 6 and combined["blocked_size_weighted"][2] == 6


# --- power ---------------------------------------------------------------------------------------------------------


def test_power_matches_the_textbook_formula(capsys):
    z = norm.ppf(0.975) + norm.ppf(0.8)
    textbook = z**2 * (0.5 * 0.5 + 0.6 * 0.4) / 0.1**2
    assert textbook == pytest.approx(384.6, abs=0.1)
    assert sample_size_per_arm(0.1, 0.5) == 385
    # Bonferroni over 3 treatment arms: alpha / 3 per comparison.
    z_bonferroni = norm.ppf(1 - 0.05 / 6) + norm.ppf(0.8)
    assert sample_size_per_arm(0.1, 0.5, arms=4, bonferroni=True) == int(np.ceil(z_bonferroni**2 * 0.49 / 0.01))
    # 385 per arm detects 0.1 from 0.5: the MDE of 770 units is just under 0.1.
    assert minimum_detectable_effect(770, 2, 0.5) == pytest.approx(0.1, abs=0.0005)

    assert power_main(["--n", "800", "--arms", "4", "--base-rate", "0.3"]) == 0
    assert "minimum detectable effect: 0.1337" in capsys.readouterr().out
    assert power_main(["--effect", "0.1", "--base-rate", "0.5", "--arms", "2"]) == 0
    assert "units needed: 770 (385 per arm)" in capsys.readouterr().out


@pytest.mark.parametrize("n_total", [400, 800, 3000, 12_000])
@pytest.mark.parametrize(("arms", "base_rate", "bonferroni"), [(2, 0.3, False), (4, 0.1, True), (3, 0.6, False)])
def test_power_round_trips(n_total, arms, base_rate, bonferroni):
    mde = minimum_detectable_effect(n_total, arms, base_rate, bonferroni=bonferroni)
    per_arm = sample_size_per_arm(mde, base_rate, arms, bonferroni=bonferroni)
    assert per_arm * arms == pytest.approx(n_total, rel=0.01)


# --- uplift --------------------------------------------------------------------------------------------------------


def planted_heterogeneity(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """House visits work only where x > 0, phone only where x < 0."""
    frame = pd.DataFrame({"x": rng.uniform(-1, 1, n), "noise": rng.normal(size=n)})
    frame["arm"] = rng.choice(["house_visit", "phone", "control"], n)
    lift = np.where(frame["arm"] == "house_visit", 0.3 * (frame["x"] > 0), 0.0)
    lift += np.where(frame["arm"] == "phone", 0.3 * (frame["x"] < 0), 0.0)
    frame["cards_signed"] = (rng.random(n) < 0.25 + lift).astype(int)
    return frame


def test_t_learner_recommends_the_planted_tactic():
    rng = np.random.default_rng(21)
    train, held_out = planted_heterogeneity(6000, rng), planted_heterogeneity(3000, rng)
    learner = TLearner().fit(train[["x", "noise"]], train["cards_signed"], train["arm"])
    uplift = learner.uplift(held_out[["x", "noise"]])
    assert list(uplift.columns) == ["house_visit", "phone"]
    recommended = learner.recommend(held_out[["x", "noise"]])
    truth = np.where(held_out["x"] > 0, "house_visit", "phone")
    assert (recommended == truth).mean() > 0.8

    # Against the best possible ranking (the true uplift) and a random one, on the same held-out units.
    observed = held_out["cards_signed"], held_out["arm"]
    scores = evaluate_uplift(uplift, *observed).set_index("arm")
    true_uplift = pd.DataFrame({"house_visit": held_out["x"] > 0, "phone": held_out["x"] < 0}).astype(float)
    oracle = evaluate_uplift(true_uplift, *observed).set_index("arm")
    random_scores = pd.DataFrame(rng.random(uplift.shape), columns=uplift.columns, index=uplift.index)
    shuffled = evaluate_uplift(random_scores, *observed).set_index("arm")
    assert (scores["qini_coefficient"] > 0.75 * oracle["qini_coefficient"]).all(), (scores, oracle)
    assert (scores["auuc"] > shuffled["auuc"] + 0.5 * oracle["qini_coefficient"]).all(), (scores, shuffled)


def test_qini_curve_by_hand():
    # Sorted by score: T1 C0 T0 C1.
    curve = qini_curve(np.array([4, 3, 2, 1]), np.array([1, 0, 0, 1]), np.array([1, 0, 1, 0], dtype=bool))
    np.testing.assert_allclose(curve["qini"], [0, 1, 1, 1, 1 - 1 * 2 / 2])
