"""Experiments in the warehouse, on small in-memory DuckDB warehouses: stable assignment as the population changes,
outcomes from the activity fact, results, tactics, the report, the blocking balance check and the simulator."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import stat
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.defs.experiments.assets import ASSIGNMENTS, RESULTS, build_assets
from orchestration.defs.resources import Warehouse
from shopfloor.experiments.config import EXPERIMENTS_DIR, load_experiment
from shopfloor.experiments.report import report_inputs, write_report
from shopfloor.experiments.results import experiment_results, read_results, write_results
from shopfloor.experiments.store import (
    ASSIGNMENTS as ASSIGNMENTS_TABLE,
)
from shopfloor.experiments.store import (
    PopulationError,
    assign_experiment,
    eligible_population,
    experiment_units,
    population_tables,
    read_assignments,
)
from shopfloor.experiments.tactics import (
    NO_TACTIC,
    learn_tactics,
    policy_value,
    recommend,
    tactic_recommendations,
)
from shopfloor.sample.campaign import planted_effect_check, simulate_experiment, weekly_exports
from shopfloor.sample.world import LAST_DAY

SAMPLE = load_experiment(EXPERIMENTS_DIR / "sample_card_drive.yaml")
AS_OF = LAST_DAY


def with_population(sql: str, **changes) -> object:
    return dataclasses.replace(SAMPLE, eligible_population=sql, **changes)


def workplaces(n: int, seed: int, prefix: str = "W") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "workplace_id": [f"{prefix}{i:05d}" for i in range(n)],
        "as_of_date": AS_OF,
        "state": rng.choice(["NC", "OH"], n),
        "naics_sector": rng.choice(["31", "62", None], n),
        "workplace_size": rng.integers(20, 400, n),
        "osha_serious_willful_repeat_violations_5y": rng.poisson(1.5, n),
        "nlrb_petitions": rng.poisson(0.3, n).astype(float),
        "is_represented": False,
    })


def warehouse_with(frame: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    replace_population(con, frame)
    return con


def replace_population(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    con.register("population_frame", frame)
    con.execute("create or replace table marts.mart_workplaces as select * from population_frame")
    con.unregister("population_frame")


# --- population and stable assignment in the warehouse ----------------------------------------------------------------


def test_population_query_is_parsed_for_its_tables_and_must_be_one_select():
    assert population_tables(SAMPLE) == [("marts", "mart_workplaces")]
    joined = with_population("with w as (select * from marts.a join staging.b using (id)) select * from w")
    assert population_tables(joined) == [("marts", "a"), ("staging", "b")]
    assert population_tables(with_population("target_workplaces")) == [("published", "target_workplaces")]
    for bad in ("delete from marts.mart_workplaces", "select 1; select 2"):
        with pytest.raises(PopulationError, match="sample_card_drive: eligible_population is not a single SELECT"):
            population_tables(with_population(bad))


def test_population_errors_name_the_experiment_and_column():
    con = warehouse_with(workplaces(50, seed=1))
    with pytest.raises(PopulationError, match="sample_card_drive: eligible_population returns no column naics_sector"):
        eligible_population(con, with_population("select workplace_id, state, workplace_size, "
                                                 "osha_serious_willful_repeat_violations_5y, nlrb_petitions "
                                                 "from marts.mart_workplaces"), AS_OF)
    with pytest.raises(PopulationError, match="returns a unit_key twice"):
        eligible_population(con, with_population("select * from marts.mart_workplaces union all "
                                                 "select * from marts.mart_workplaces"), AS_OF)
    with pytest.raises(PopulationError, match="covariate.*state are not numbers"):
        eligible_population(con, dataclasses.replace(SAMPLE, covariates=("state",)), AS_OF)
    with pytest.raises(PopulationError, match="eligible_population failed"):
        eligible_population(con, with_population("select * from marts.no_such_table"), AS_OF)
    # A published list is read as is; its workplace_id names the units.
    con.execute("create schema published")
    con.execute("create table published.target_workplaces as select * from marts.mart_workplaces limit 10")
    assert list(eligible_population(con, with_population("target_workplaces"), AS_OF).units["unit_key"])[:2] == [
        "W00000", "W00001"]


def test_assignment_in_the_warehouse_is_stable_as_the_population_changes():
    first_population = workplaces(400, seed=2)
    con = warehouse_with(first_population)
    first = assign_experiment(con, SAMPLE, AS_OF)
    assert (first.newly_assigned, first.total_assigned, first.as_of, first.closed) == (400, 400, AS_OF, False)
    stored = read_assignments(con, SAMPLE.name)
    assert list(stored.columns) == ["experiment", "unit", "unit_key", "arm", "block_key", "assigned_on"]
    assert (stored["assigned_on"] == AS_OF).all() and (stored["unit"] == "workplace").all()
    assert stored["block_key"].str.contains("naics_sector=missing").any()
    types = dict(con.execute("select column_name, data_type from information_schema.columns "
                             "where table_schema = 'experiments' and table_name = 'assignments'").fetchall())
    assert types == {"experiment": "VARCHAR", "unit": "VARCHAR", "unit_key": "VARCHAR", "arm": "VARCHAR",
                     "block_key": "VARCHAR", "assigned_on": "DATE"}

    # Re-run on the same population: nothing new. A second warehouse from the same population: the same arms.
    assert assign_experiment(con, SAMPLE, AS_OF).newly_assigned == 0
    other = warehouse_with(first_population.sample(frac=1, random_state=5))
    assign_experiment(other, SAMPLE, AS_OF)
    pd.testing.assert_frame_equal(read_assignments(other, SAMPLE.name), stored)

    # A month later: 50 units are gone from the mart, 120 are new, and one has grown past the 500-worker limit.
    later = pd.concat([first_population.iloc[50:], workplaces(120, seed=3, prefix="N")], ignore_index=True)
    later["as_of_date"] = dt.date(2025, 7, 31)
    later.loc[later["workplace_id"] == "W00100", "workplace_size"] = 5000
    replace_population(con, later)
    update = assign_experiment(con, SAMPLE, dt.date(2025, 7, 31))
    assert (update.newly_assigned, update.total_assigned, update.eligible) == (120, 520, 469)
    after = read_assignments(con, SAMPLE.name)
    pd.testing.assert_frame_equal(after[after["unit_key"].str.startswith("W")].reset_index(drop=True), stored)
    assert (after.loc[after["unit_key"].str.startswith("N"), "assigned_on"] == dt.date(2025, 7, 31)).all()
    # The baseline is what the unit looked like when assigned, not what it looks like now.
    size = experiment_units(con, SAMPLE).set_index("unit_key").loc["W00100", "workplace_size"]
    assert size == first_population.set_index("workplace_id").loc["W00100", "workplace_size"]

    # Past the end date the experiment is closed: newcomers are not assigned, nobody is removed.
    closed = pd.concat([later, workplaces(30, seed=4, prefix="X")], ignore_index=True)
    closed["as_of_date"] = dt.date(2025, 11, 30)
    replace_population(con, closed)
    update = assign_experiment(con, SAMPLE, dt.date(2025, 11, 30))
    assert update.closed and update.newly_assigned == 0 and update.total_assigned == 520


# --- outcomes, results, tactics and report ----------------------------------------------------------------------------


def add_activity(con: duckdb.DuckDBPyConnection, config, seed: int = 0) -> dict:
    """The simulator's activity for the experiment's units, shaped as marts.fct_campaign_activity; the truth."""
    units = experiment_units(con, config).assign(
        osha_hazard=lambda f: np.random.default_rng(seed).exponential(1.0, len(f)),
        worker_voter_participation=0.3,
    )
    simulated = simulate_experiment(units, config, seed)
    activity = simulated.activity
    codes = {"House Visit": "house_visit", "Phone Call": "phone", "1:1 Conversation": "coworker_one_on_one",
             "Card Signed": "card_signed"}
    fact = pd.DataFrame({
        "activity_id": activity["Activity ID"],
        "activity_on": pd.to_datetime(activity["Date"]).dt.date,
        "experiment": activity["Campaign"],
        "workplace_id": activity["Workplace ID"],
        "worker_key": None,
        "activity_type": activity["Activity"].map(codes),
        "is_contact_attempt": activity["Activity"] != "Card Signed",
        "is_contact_made": activity["Result"] == "Contact Made",
        "is_card_signed": activity["Activity"] == "Card Signed",
    })
    con.execute("create schema if not exists marts")
    con.register("fact_frame", fact)
    con.execute("create or replace table marts.fct_campaign_activity as select * from fact_frame")
    con.unregister("fact_frame")
    return simulated.truth


def test_no_activity_yet_is_reported_as_no_outcomes(tmp_path: Path):
    con = warehouse_with(workplaces(200, seed=6))
    assign_experiment(con, SAMPLE, AS_OF)
    analysis = experiment_results(con, SAMPLE, as_of=dt.date(2025, 8, 1))
    assert analysis.status == "no outcomes yet" and analysis.results.empty
    write_results(con, analysis, dt.date(2025, 8, 1))
    assert read_results(con, SAMPLE.name)["result_status"]["status"].tolist() == ["no outcomes yet"]
    assert tactic_recommendations(con, SAMPLE, as_of=dt.date(2025, 8, 1)).status.startswith("not finished")
    written = write_report(report_inputs(con, SAMPLE), tmp_path)
    assert "**No outcomes yet.**" in written.markdown_path.read_text() and written.plot_path is None


def test_results_cover_the_planted_effects_and_the_report_is_written(tmp_path: Path):
    con = warehouse_with(workplaces(1200, seed=7))
    assign_experiment(con, SAMPLE, AS_OF)
    truth = add_activity(con, SAMPLE)
    analysis = experiment_results(con, SAMPLE, as_of=dt.date(2025, 12, 1))
    assert analysis.status == "ok" and analysis.is_finished and analysis.notes == []
    assert set(analysis.results["method"]) == {"difference_in_means", "lin_adjusted", "blocked_size_weighted",
                                               "blocked_precision_weighted", "cace"}
    assert set(analysis.blocks["arm"]) == set(SAMPLE.treatment_arms)
    check = planted_effect_check(analysis.results, truth)
    assert len(check) == 9 and check["inside"].all(), check
    summary = analysis.summary.set_index("arm")
    assert summary.loc["control", "contacted_share"] == 0
    assert summary.loc["coworker_one_on_one", "contacted_share"] > 0.6
    write_results(con, analysis, dt.date(2025, 12, 1))

    recommendations = tactic_recommendations(con, SAMPLE, as_of=dt.date(2025, 12, 1))
    assert recommendations.status == "ok"
    assert set(recommendations.evaluation["arm"]) == set(SAMPLE.treatment_arms)
    frame = recommendations.recommendations
    assert list(frame.columns) == ["workplace_id", "recommended_tactic", "expected_uplift", "experiment"]
    assert len(frame) == 1200 and set(frame["recommended_tactic"]) <= {*SAMPLE.treatment_arms, NO_TACTIC}

    written = write_report(report_inputs(con, SAMPLE), tmp_path)
    text = written.markdown_path.read_text()
    assert "![Effects with 95% intervals](effects.png)" in text and "| house_visit | difference in means |" in text
    assert "state=NC\\|naics_sector=31" in text  # a block key's pipe does not split its table cell
    assert written.plot_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "data:image/png;base64," in written.inline_markdown
    for path in (written.markdown_path, written.plot_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(written.markdown_path.parent.glob(".*")), "a temporary file was left behind"


def test_contact_in_control_drops_the_complier_effect_with_a_note():
    con = warehouse_with(workplaces(300, seed=8))
    assign_experiment(con, SAMPLE, AS_OF)
    add_activity(con, SAMPLE)
    control_unit = con.execute(f"select unit_key from {ASSIGNMENTS_TABLE} where arm = 'control' limit 1").fetchone()[0]
    con.execute("insert into marts.fct_campaign_activity values ('X1', date '2025-08-01', 'sample_card_drive', ?, "
                "null, 'phone', true, true, false)", [control_unit])
    analysis = experiment_results(con, SAMPLE, as_of=dt.date(2025, 12, 1))
    assert "cace" not in set(analysis.results["method"])
    assert analysis.notes == ["control units were contacted, so no complier effect (CACE) is reported"]


def test_uplift_learns_a_planted_heterogeneous_share_effect():
    """House visits lift the card share by 0.08 at small workplaces only, phone calls by 0.05 at large ones only;
    the 'noise' covariate carries nothing (and some of it is missing)."""
    rng = np.random.default_rng(31)
    n = 4000
    units = pd.DataFrame({
        "unit_key": [f"W{i:05d}" for i in range(n)],
        "workplace_size": rng.integers(20, 400, n).astype(float),
        "noise": rng.normal(size=n),
        "arm": rng.choice(["house_visit", "phone", "control"], n),
    })
    units.loc[rng.random(n) < 0.05, "noise"] = np.nan  # imputed, with a missing flag
    small = units["workplace_size"] < 120
    units["outcome"] = (0.1 + 0.03 * rng.normal(size=n) + 0.08 * ((units["arm"] == "house_visit") & small)
                        + 0.05 * ((units["arm"] == "phone") & ~small))
    population = units[["unit_key", "workplace_size", "noise"]].iloc[:1000]
    model = learn_tactics(units, population, ["workplace_size", "noise"], seed=3, binary_outcome=False)
    uplift, evaluation = model.uplift, model.evaluation.set_index("arm")
    assert (evaluation["qini_coefficient"] > 0).all() and (evaluation["uplift_source"] == "t_learner").all()
    # Held out, the personalized policy beats any one tactic for everyone.
    assert model.policy["is_personalized"]
    assert model.policy["personalized_value"] > model.policy["single_arm_value"] + 0.01
    truly_small = small.iloc[:1000].to_numpy()
    assert uplift.loc[truly_small, "house_visit"].mean() == pytest.approx(0.08, abs=0.015)
    assert uplift.loc[~truly_small, "phone"].mean() == pytest.approx(0.05, abs=0.015)
    recommended = recommend(uplift).set_index("workplace_id")["recommended_tactic"].to_numpy()
    truth = np.where(truly_small, "house_visit", "phone")
    assert (recommended == truth).mean() > 0.95


def test_policy_value_by_hand_and_the_fallback_to_one_arm_without_heterogeneity():
    arms = pd.Series(["a", "a", "control", "control", "control", "control"])
    outcome = pd.Series([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    # Policy: a for the first three units, control for the rest. Followed by units 0, 1 (a, share 1/3) and 3, 4, 5
    # (control, share 2/3): weights 3, 3, 1.5, 1.5, 1.5 -> (3 + 1.5) / 10.5.
    policy = pd.Series(["a", "a", "a", "control", "control", "control"])
    assert policy_value(arms, outcome, policy) == pytest.approx(4.5 / 10.5)

    # A constant effect of 0.05 for house visits and nothing else to learn: everyone gets house visits.
    rng = np.random.default_rng(5)
    n = 3000
    units = pd.DataFrame({"unit_key": [f"W{i:05d}" for i in range(n)], "x": rng.normal(size=n),
                          "arm": rng.choice(["house_visit", "phone", "control"], n)})
    units["outcome"] = 0.1 + 0.05 * (units["arm"] == "house_visit") + 0.05 * rng.normal(size=n)
    model = learn_tactics(units, units[["unit_key", "x"]], ["x"], seed=1, binary_outcome=False)
    assert not model.policy["is_personalized"]
    recommended = recommend(model.uplift)
    assert (recommended["recommended_tactic"] == "house_visit").all()
    assert recommended["expected_uplift"].nunique() == 1
    assert recommended["expected_uplift"].iloc[0] == pytest.approx(0.05, abs=0.01)


# --- Dagster: the balance check blocks the analysis -------------------------------------------------------------------


def test_gross_imbalance_fails_the_blocking_check_and_stops_the_analysis(tmp_path: Path):
    """A broken assignment (the biggest workplaces all in house_visit) already in the table is caught."""
    path = tmp_path / "warehouse.duckdb"
    population = workplaces(400, seed=9)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        replace_population(con, population)
        assign_experiment(con, SAMPLE, AS_OF)
        biggest = population.nlargest(100, "workplace_size")["workplace_id"].tolist()
        con.execute(f"update {ASSIGNMENTS_TABLE} set arm = 'house_visit' where list_contains(?, unit_key)", [biggest])
    definitions = build_assets([SAMPLE])
    result = dg.materialize(
        [*definitions.assets, *definitions.asset_checks],
        selection=dg.AssetSelection.assets(ASSIGNMENTS, RESULTS),
        resources={"warehouse": Warehouse(path=str(path))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed and "workplace_size (house_visit)" in evaluation.description
    assert {event.asset_key for event in result.get_asset_materialization_events()} == {ASSIGNMENTS}


# --- the simulator ----------------------------------------------------------------------------------------------------


def test_simulated_activity_is_reproducible_and_exported_weekly_with_overlap():
    con = warehouse_with(workplaces(120, seed=10))
    assign_experiment(con, SAMPLE, AS_OF)
    units = experiment_units(con, SAMPLE).assign(osha_hazard=1.5, worker_voter_participation=0.3)
    first, again = simulate_experiment(units, SAMPLE, 42), simulate_experiment(units.sample(frac=1), SAMPLE, 42)
    pd.testing.assert_frame_equal(first.activity, again.activity)
    assert first.truth == again.truth
    other_seed = simulate_experiment(units, SAMPLE, 43).activity
    assert other_seed["Contact ID"].tolist() != first.activity["Contact ID"].tolist()
    activity = first.activity
    assert activity["Activity ID"].is_unique
    assert activity["Date"].between(SAMPLE.start_date, SAMPLE.end_date).all()
    arms = experiment_units(con, SAMPLE).set_index("unit_key")["arm"]
    attempts = activity[activity["Activity"] != "Card Signed"]
    assert (arms[attempts["Workplace ID"]] != "control").all(), "control workplaces are never contacted"
    # Every treated workplace that was reached has at least one contact made; planted ITT = contact rate x tau.
    assert first.truth["arms"]["coworker_one_on_one"]["itt"] == pytest.approx(0.8 * (0.03 + 0.12))
    exports = weekly_exports(activity)
    assert all(name.startswith("activity_export_2025-") for name in exports)
    assert sum(len(rows) for rows in exports.values()) > len(activity)  # the overlap repeats rows
    assert set(pd.concat(exports.values())["Activity ID"]) == set(activity["Activity ID"])
    assert json.loads(json.dumps(first.truth)) == first.truth  # plain JSON for _truth/experiment_effects.json
