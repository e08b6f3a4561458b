"""Which tactic for which workplace, learned from a finished experiment: the `experiments.recommended_tactics` table.

1. The experiment's units (baseline covariates, arm, outcome) are split at random, within each arm, into 70% for
   training and 30% held out (seeded by the experiment's seed, so a re-run gives the same split). The units of an
   experiment are contemporaneous and their covariates are recorded at assignment, before any treatment, so a
   random split is the honest one here.
2. A T-learner (uplift.TLearner) fitted on the training units predicts each held-out unit's uplift per arm; the
   held-out Qini coefficient and AUUC per arm (uplift.evaluate_uplift) say whether its ranking beats random.
3. Refitted on all units, it scores the experiment's current eligible population. An arm whose held-out Qini
   coefficient is not above zero shows no heterogeneity the model can find: every workplace gets that arm's
   average effect (difference in means) instead of the model's noise.
4. Personalizing must pay: on the held-out units, the value of the per-unit policy (policy_value, the mean outcome
   had each unit been given its recommended arm) must beat giving everyone the arm with the best average effect
   on the training units. Otherwise every workplace gets the arms' average effects, i.e. that one best arm.
   (`experiments.uplift_policy` records both values.)
5. recommended_tactic is the arm with the largest expected uplift, or 'none' when no arm is expected to help;
   expected_uplift is that arm's uplift (0 for 'none'), in the outcome's units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from shopfloor.experiments.config import CONTROL_ARM, ExperimentConfig
from shopfloor.experiments.outcomes import unit_outcomes
from shopfloor.experiments.results import adjustment_covariates
from shopfloor.experiments.store import SCHEMA, eligible_population, ensure_schema, experiment_units
from shopfloor.experiments.uplift import TLearner, default_model, default_regressor, evaluate_uplift

RECOMMENDED_TACTICS = f"{SCHEMA}.recommended_tactics"
UPLIFT_EVALUATION = f"{SCHEMA}.uplift_evaluation"
UPLIFT_POLICY = f"{SCHEMA}.uplift_policy"
# The shared contract: the publishing lists join these columns.
RECOMMENDATION_COLUMNS = ["workplace_id", "recommended_tactic", "expected_uplift", "experiment"]
EVALUATION_COLUMNS = ["experiment", "arm", "auuc", "auuc_random", "qini_coefficient", "n_units", "uplift_source"]
POLICY_COLUMNS = ["experiment", "personalized_value", "single_arm", "single_arm_value", "is_personalized"]
NO_TACTIC = "none"
HELD_OUT_SHARE = 0.3

_DDL = f"""
create table if not exists {RECOMMENDED_TACTICS} (
    workplace_id varchar not null, recommended_tactic varchar not null, expected_uplift double not null,
    experiment varchar not null, primary key (experiment, workplace_id)
);
create table if not exists {UPLIFT_EVALUATION} (
    experiment varchar not null, arm varchar not null, auuc double, auuc_random double, qini_coefficient double,
    n_units integer, uplift_source varchar not null
);
create table if not exists {UPLIFT_POLICY} (
    experiment varchar not null, personalized_value double, single_arm varchar not null, single_arm_value double,
    is_personalized boolean not null
);
"""


@dataclass(frozen=True)
class TacticRecommendations:
    experiment: str
    status: str  # "ok" or why there are no recommendations
    recommendations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RECOMMENDATION_COLUMNS))
    evaluation: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EVALUATION_COLUMNS))
    policy: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=POLICY_COLUMNS))


def held_out_mask(arms: pd.Series, seed: int, share: float = HELD_OUT_SHARE) -> np.ndarray:
    """A seeded random share of each arm's units, in unit_key order so the split ignores row order."""
    rng = np.random.default_rng(seed)
    held_out = np.zeros(len(arms), dtype=bool)
    for arm in sorted(set(arms)):
        positions = np.flatnonzero(arms.to_numpy() == arm)
        chosen = rng.choice(positions, size=int(round(share * len(positions))), replace=False)
        held_out[chosen] = True
    return held_out


def policy_value(arms: pd.Series, outcome: pd.Series, policy: pd.Series) -> float:
    """Mean outcome had every unit been given the policy's arm, from randomized units (Hajek): the units whose
    assigned arm is the policy's, each weighted by 1 / its arm's share. NaN when no unit followed the policy."""
    arms, outcome, policy = (pd.Series(np.asarray(v)) for v in (arms, outcome, policy))
    follows = (arms == policy).to_numpy()
    if not follows.any():
        return float("nan")
    weights = (1 / arms.map(arms.value_counts(normalize=True))).to_numpy()[follows]
    return float(np.sum(weights * outcome.to_numpy(float)[follows]) / np.sum(weights))


@dataclass(frozen=True)
class TacticModel:
    uplift: pd.DataFrame  # per population unit (index unit_key), one column per treatment arm
    evaluation: pd.DataFrame  # held-out Qini and AUUC per arm, and where its uplift comes from
    policy: dict  # held-out value of the personalized policy and of the best single arm; which one is used


def _average_effects(units: pd.DataFrame, arms: list[str]) -> dict[str, float]:
    control = units.loc[units["arm"] == CONTROL_ARM, "outcome"].mean()
    return {arm: units.loc[units["arm"] == arm, "outcome"].mean() - control for arm in arms}


def _policy(uplift: pd.DataFrame) -> pd.Series:
    return recommend(uplift)["recommended_tactic"].replace(NO_TACTIC, CONTROL_ARM).set_axis(uplift.index)


def learn_tactics(
    units: pd.DataFrame, population: pd.DataFrame, covariates: list[str], seed: int, binary_outcome: bool
) -> TacticModel:
    """Uplift per arm for every unit of `population`, learned from the experiment's `units` (module docstring).

    `units` has unit_key, arm, outcome and the covariates; `population` has unit_key and the covariates.
    """
    units = units.sort_values("unit_key").reset_index(drop=True)
    prepared, features = adjustment_covariates(units, covariates)
    factory = default_model if binary_outcome else default_regressor
    held_out = held_out_mask(units["arm"], seed)
    train, test = prepared[~held_out], prepared[held_out]
    learner = TLearner(factory).fit(train[features], train["outcome"], train["arm"])
    test_uplift = learner.uplift(test[features])
    evaluation = evaluate_uplift(test_uplift, test["outcome"], test["arm"])

    # The population's covariates, imputed with the experiment units' means, flags named as in training.
    scored = population[["unit_key"]].copy()
    for name in covariates:
        values = population[name].astype(float) if name in population.columns else pd.Series(np.nan, population.index)
        if f"{name}_missing" in features:
            scored[f"{name}_missing"] = values.isna().astype(float)
        scored[name] = values.fillna(units[name].astype(float).mean())
    uplift = TLearner(factory).fit(prepared[features], prepared["outcome"], prepared["arm"]).uplift(scored[features])
    uplift.index = scored["unit_key"].to_numpy()

    arms = list(uplift.columns)
    train_effects, all_effects = _average_effects(train, arms), _average_effects(units, arms)
    sources = {}
    for row in evaluation.itertuples():
        ranks = row.qini_coefficient > 0
        sources[row.arm] = "t_learner" if ranks else "average_effect"
        if not ranks:
            test_uplift[row.arm] = train_effects[row.arm]
            uplift[row.arm] = all_effects[row.arm]
    evaluation["uplift_source"] = evaluation["arm"].map(sources)

    # Personalizing must beat giving everyone the single best arm (chosen on the training units) on held-out units.
    # With no arm ranking units, the two policies are one and only rounding could tell their values apart.
    single_arm = max(train_effects, key=train_effects.get) if max(train_effects.values()) > 0 else CONTROL_ARM
    personalized_value = policy_value(test["arm"], test["outcome"], _policy(test_uplift))
    single_value = float(test.loc[test["arm"] == single_arm, "outcome"].mean())
    personalized = "t_learner" in sources.values() and bool(personalized_value > single_value)
    if not personalized:
        for arm in arms:
            uplift[arm] = all_effects[arm]
            evaluation.loc[evaluation["arm"] == arm, "uplift_source"] = "average_effect"
    policy = {"personalized_value": personalized_value, "single_arm": single_arm, "single_arm_value": single_value,
              "is_personalized": personalized}
    return TacticModel(uplift=uplift, evaluation=evaluation, policy=policy)


def recommend(uplift: pd.DataFrame) -> pd.DataFrame:
    """workplace_id, recommended_tactic, expected_uplift from per-unit uplift (index: unit_key)."""
    best = uplift.max(axis=1)
    helps = best > 0
    return pd.DataFrame({
        "workplace_id": uplift.index.astype(str),
        "recommended_tactic": np.where(helps, uplift.idxmax(axis=1), NO_TACTIC),
        "expected_uplift": np.where(helps, best, 0.0).astype(float),
    })


def tactic_recommendations(
    con: duckdb.DuckDBPyConnection, config: ExperimentConfig, as_of: dt.date
) -> TacticRecommendations:
    if config.unit != "workplace":
        return TacticRecommendations(
            config.name, "recommendations are per workplace; this experiment randomizes workers"
        )
    if as_of <= config.end_date:
        return TacticRecommendations(config.name, f"not finished: the experiment runs until {config.end_date}")
    units = experiment_units(con, config)
    outcomes = unit_outcomes(con, config, units) if len(units) else None
    if outcomes is None or outcomes.status != "ok":
        return TacticRecommendations(config.name, outcomes.status if outcomes else "no units assigned yet")
    covariates = [c for c in config.covariates if c in outcomes.units.columns]
    if not covariates:
        return TacticRecommendations(config.name, "no covariates declared to learn from")
    population = eligible_population(con, config, as_of).units
    binary = config.primary_outcome == "election_won"
    try:
        model = learn_tactics(outcomes.units, population, covariates, config.seed, binary)
    except ValueError as error:  # an arm too small or with a single outcome value
        return TacticRecommendations(config.name, f"no uplift model: {error}")
    recommendations = recommend(model.uplift).assign(experiment=config.name)
    evaluation = model.evaluation.assign(experiment=config.name)
    policy = pd.DataFrame([{"experiment": config.name, **model.policy}])
    return TacticRecommendations(config.name, "ok", recommendations[RECOMMENDATION_COLUMNS],
                                 evaluation[EVALUATION_COLUMNS], policy[POLICY_COLUMNS])


def write_recommendations(con: duckdb.DuckDBPyConnection, recommendations: TacticRecommendations) -> None:
    """Replace the experiment's rows in experiments.recommended_tactics, .uplift_evaluation and .uplift_policy."""
    ensure_schema(con)
    con.execute(_DDL)
    con.execute("begin transaction")
    try:
        for table, frame in ((RECOMMENDED_TACTICS, recommendations.recommendations),
                             (UPLIFT_EVALUATION, recommendations.evaluation),
                             (UPLIFT_POLICY, recommendations.policy)):
            con.execute(f"delete from {table} where experiment = ?", [recommendations.experiment])
            if len(frame):
                con.register("replacement_rows", frame)
                columns = ", ".join(frame.columns)
                con.execute(f"insert into {table} ({columns}) select {columns} from replacement_rows")
                con.unregister("replacement_rows")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The tables exist (empty) before any experiment has finished: the publishing lists join them regardless."""
    ensure_schema(con)
    con.execute(_DDL)


def remove_undeclared(con: duckdb.DuckDBPyConnection, declared: list[str]) -> int:
    """Drop recommendations of experiments no longer declared, so the lists never carry an orphaned tactic."""
    ensure_tables(con)
    undeclared = "not list_contains(?::varchar[], experiment)"
    removed = con.execute(f"select count(*) from {RECOMMENDED_TACTICS} where {undeclared}", [declared]).fetchone()[0]
    for table in (RECOMMENDED_TACTICS, UPLIFT_EVALUATION, UPLIFT_POLICY):
        con.execute(f"delete from {table} where {undeclared}", [declared])
    return removed
