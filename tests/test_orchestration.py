"""The Dagster code location: what it defines, what a run records, and how a failed contract stops a run."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml

from orchestration.defs.raw.assets import raw_key, raw_source_asset
from orchestration.defs.raw.checks import contract_check
from orchestration.defs.resources import Warehouse
from shopfloor.contracts import registry_columns
from shopfloor.layouts import sources
from shopfloor.runner import load_definitions, raw_row_counts

RAW_TABLES = [table for tables in sources().values() for table in tables]


def test_every_raw_table_is_an_asset_with_a_blocking_contract_check():
    definitions = load_definitions()
    graph = definitions.resolve_asset_graph()
    check_specs = {spec.key: spec for checks in definitions.asset_checks for spec in checks.check_specs}
    for table in RAW_TABLES:
        node = graph.get(raw_key(table))
        assert node.group_name == "raw"
        assert "duckdb" in node.kinds
        assert node.owners == ["team:data"]
        assert f"raw.{table}" in node.description
        contract = check_specs[dg.AssetCheckKey(raw_key(table), "contract")]
        assert contract.blocking
    assert definitions.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"


def _recorded_in_dagster_home(run_id: str) -> tuple[dg.DagsterRun, dict[dg.AssetKey, dict], list]:
    """The run, its materializations' metadata by asset and its check evaluations, from the instance's event log."""
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(run_id)
        materialized = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        checked = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    materializations = {record.asset_key: record.asset_materialization.metadata for record in materialized.records}
    evaluations = [record.event_log_entry.dagster_event.event_specific_data for record in checked.records]
    return run, materializations, evaluations


def test_sample_run_succeeded_and_is_recorded_in_dagster_home(sample_env):
    assert sample_env.run_succeeded
    with dg.DagsterInstance.get() as instance:
        assert Path(instance.root_directory) == sample_env.dagster_home
    run, _, _ = _recorded_in_dagster_home(sample_env.run_id)
    assert run.status == dg.DagsterRunStatus.SUCCESS


def test_sample_run_materialized_raw_tables_with_their_counts(sample_env):
    _, materializations, _ = _recorded_in_dagster_home(sample_env.run_id)
    counts = raw_row_counts(sample_env.warehouse)
    assert sorted(counts) == sorted(RAW_TABLES)
    for source, tables in sources().items():
        materialized = [table for table in tables if raw_key(table) in materializations]
        assert materialized, f"nothing from landing folder {source}/ was materialized"
    for table in RAW_TABLES:
        metadata = materializations.get(raw_key(table))
        if metadata is None:
            # Only a table no sample file feeds may be left out, and then it must be empty.
            assert counts[table] == 0
            continue
        assert counts[table] > 0
        assert metadata["dagster/row_count"].value == counts[table]
        assert metadata["rows_loaded"].value == counts[table]
        assert "_source_file" in {column.name for column in metadata["dagster/column_schema"].schema.columns}


def test_sample_run_recorded_a_passing_contract_for_every_materialized_raw_table(sample_env):
    _, materializations, evaluations = _recorded_in_dagster_home(sample_env.run_id)
    contracts = {e.asset_check_key.asset_key: e for e in evaluations if e.asset_check_key.name == "contract"}
    assert set(contracts) == {key for key in materializations if key.path[0] == "raw"}
    for evaluation in contracts.values():
        assert evaluation.passed, evaluation.metadata["failed_expectations"].value
        assert Path(evaluation.metadata["result_json"].value).is_file()
        assert Path(evaluation.metadata["data_docs_html"].value).is_file()


def test_dagster_home_config_disables_telemetry_and_queues_one_run_at_a_time(sample_env):
    config = yaml.safe_load((sample_env.dagster_home / "dagster.yaml").read_text())
    assert config["telemetry"]["enabled"] is False
    with dg.DagsterInstance.get() as instance:
        assert not instance.telemetry_enabled
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


@pytest.fixture
def scratch_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    monkeypatch.setenv("SHOPFLOOR_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("SHOPFLOOR_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    return Warehouse(path=str(tmp_path / "warehouse.duckdb"))


def test_a_failed_contract_blocks_everything_downstream(scratch_warehouse):
    @dg.asset(key=raw_key("members"))
    def members_without_member_ids(warehouse: Warehouse) -> None:
        # Every column the layouts give raw.members, in one row of NULLs: the suite requires member_id.
        columns = ", ".join(f'NULL::VARCHAR AS "{column}"' for column in sorted(registry_columns("members")))
        with warehouse.connect() as con:
            con.execute(f"create schema raw; create table raw.members as select {columns}")

    @dg.asset(deps=[raw_key("members")])
    def downstream_of_members() -> None:
        pass

    result = dg.materialize(
        [members_without_member_ids, contract_check("members"), downstream_of_members],
        resources={"warehouse": scratch_warehouse},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    failed = {(f["expectation"], f["column"]) for f in evaluation.metadata["failed_expectations"].value}
    assert ("expect_column_values_to_not_be_null", "member_id") in failed
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == {raw_key("members")}
    assert not result.success


def test_a_source_without_files_records_nothing(scratch_warehouse):
    result = dg.materialize(
        [raw_source_asset("grievances", ["grievances"]), contract_check("grievances")],
        resources={"warehouse": scratch_warehouse},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    assert result.get_asset_materialization_events() == []
    assert result.get_asset_check_evaluations() == []
