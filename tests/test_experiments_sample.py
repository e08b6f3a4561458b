"""The sample experiment end to end, on the session's sample warehouse: its units were assigned, organizers'
activity was simulated on those assignments (tests/conftest.py), and the session run analyzed it."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.defs.experiments.assets import ASSIGNMENTS, RECOMMENDED_TACTICS, report_key
from orchestration.defs.raw.assets import raw_key
from shopfloor.cli import main
from shopfloor.experiments.config import EXPERIMENTS_DIR, load_experiment
from shopfloor.experiments.demo import analysis_date
from shopfloor.experiments.store import assign_experiment, eligible_population, read_assignments
from shopfloor.sample.campaign import EFFECTS_FILE, planted_effect_check
from shopfloor.sample.contract import check_landing
from shopfloor.sample.truth import sample_as_of

CONFIG = load_experiment(EXPERIMENTS_DIR / "sample_card_drive.yaml")


@pytest.fixture(scope="module")
def warehouse(sample_env) -> duckdb.DuckDBPyConnection:
    assert sample_env.run_succeeded, "the sample run failed"
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        yield con


def _materialization(run_id: str, key: dg.AssetKey) -> dict:
    with dg.DagsterInstance.get() as instance:
        records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    [metadata] = [record.asset_materialization.metadata for record in records if record.asset_key == key]
    return metadata


def test_every_eligible_workplace_is_assigned_once_with_the_contract_columns(warehouse):
    assignments = read_assignments(warehouse, CONFIG.name)
    eligible = eligible_population(warehouse, CONFIG, analysis_date()).units
    assert len(assignments) == len(eligible) > 500
    assert set(assignments["unit_key"]) == set(eligible["unit_key"])
    counts = assignments["arm"].value_counts()
    assert set(counts.index) == set(CONFIG.arms) and counts.max() - counts.min() <= counts.sum() * 0.02
    assert (assignments["assigned_on"] == eligible["as_of_date"].max().date()).all()


def test_rerunning_the_assignment_changes_nothing(sample_env, tmp_path: Path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_env.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        before = read_assignments(con, CONFIG.name)
        assert assign_experiment(con, CONFIG, sample_as_of(sample_env.landing_dir)).newly_assigned == 0
        pd.testing.assert_frame_equal(read_assignments(con, CONFIG.name), before)


def test_the_activity_was_simulated_on_these_very_assignments(warehouse, sample_env):
    """Organizers worked the arms the session run assigned: every contact attempt is the tactic its workplace drew,
    and no workplace outside the assignment appears."""
    mismatched = warehouse.execute("""
        select count(*) from marts.fct_campaign_activity as activity
        join experiments.assignments as assignments on assignments.unit_key = activity.workplace_id
        where activity.is_contact_attempt and activity.activity_type <> assignments.arm
    """).fetchone()[0]
    unassigned = warehouse.execute("""
        select count(*) from marts.fct_campaign_activity
        where workplace_id not in (select unit_key from experiments.assignments)
    """).fetchone()[0]
    (attempted,) = warehouse.execute(
        "select count(distinct workplace_id) from marts.fct_campaign_activity where is_contact_attempt"
    ).fetchone()
    assert (mismatched, unassigned) == (0, 0) and attempted > 100
    assert check_landing(sample_env.landing_dir) == []


def test_campaign_activity_met_its_contract_and_overlapping_exports_are_counted_once(warehouse, sample_env):
    with dg.DagsterInstance.get() as instance:
        # The balance check runs with the assignment, in the first run; the activity's contract in the second.
        evaluations = {
            record.event_log_entry.dagster_event.event_specific_data.asset_check_key:
                record.event_log_entry.dagster_event.event_specific_data
            for run_id in (sample_env.run_id, sample_env.analysis_run_id)
            for record in instance.get_records_for_run(
                run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
        }
    assert evaluations[dg.AssetCheckKey(raw_key("campaign_activity"), "contract")].passed
    assert evaluations[dg.AssetCheckKey(ASSIGNMENTS, "balance")].passed
    raw, distinct, fact = warehouse.execute("""
        select (select count(*) from raw.campaign_activity),
               (select count(distinct activity_id) from raw.campaign_activity),
               (select count(*) from marts.fct_campaign_activity)
    """).fetchone()
    assert raw > distinct == fact > 0


def test_the_planted_effects_lie_inside_the_reported_intervals(warehouse, sample_env):
    truth = json.loads((sample_env.landing_dir / "_truth" / EFFECTS_FILE).read_text())[CONFIG.name]
    results = warehouse.execute("select * from experiments.results where experiment = ?", [CONFIG.name]).df()
    check = planted_effect_check(results, truth)
    assert len(check) == 3 * len(CONFIG.treatment_arms)
    assert check["inside"].all(), check
    status = warehouse.execute("select status, is_finished from experiments.result_status").fetchall()
    assert status == [("ok", True)]


def test_recommended_tactics_follow_the_contract(warehouse):
    tactics = warehouse.execute("select * from experiments.recommended_tactics").df()
    assert list(tactics.columns) == ["workplace_id", "recommended_tactic", "expected_uplift", "experiment"]
    eligible = eligible_population(warehouse, CONFIG, analysis_date()).units
    assert set(tactics["workplace_id"]) == set(eligible["unit_key"]) and tactics["workplace_id"].is_unique
    assert set(tactics["recommended_tactic"]) <= {*CONFIG.treatment_arms, "none"}
    assert (tactics["expected_uplift"] >= 0).all()
    evaluation = warehouse.execute("select * from experiments.uplift_evaluation").df()
    assert set(evaluation["arm"]) == set(CONFIG.treatment_arms)
    assert evaluation["uplift_source"].isin(["t_learner", "average_effect"]).all()
    assert (evaluation["n_units"] > 0.25 * len(eligible) / len(CONFIG.arms)).all()


def test_the_report_is_published_and_shown_in_dagster(sample_env):
    folder = sample_env.publish_dir / "experiments" / CONFIG.name
    report, plot = folder / "report.md", folder / "effects.png"
    text = report.read_text()
    assert "## Effects" in text and "![Effects with 95% intervals](effects.png)" in text
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert {stat.S_IMODE(path.stat().st_mode) for path in (report, plot)} == {0o600}
    metadata = _materialization(sample_env.analysis_run_id, report_key(CONFIG))
    assert metadata["report_path"].value == str(report)
    assert "data:image/png;base64," in metadata["report"].value
    assert _materialization(sample_env.analysis_run_id, RECOMMENDED_TACTICS)[f"{CONFIG.name}.status"].value == "ok"


def test_sample_activity_command_needs_a_generated_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["sample-activity", "--landing", str(tmp_path)]) == 2
    assert "holds no sample truth" in capsys.readouterr().err
