"""The Dagster code location: what it defines, what a run records, and how a failed contract stops a run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from orchestration.defs.raw.assets import raw_key, raw_source_asset
from orchestration.defs.raw.checks import contract_check
from orchestration.defs.resources import Warehouse
from shopfloor.ingest.tables import ensure_raw_schema
from shopfloor.layouts import sources
from shopfloor.runner import load_definitions, raw_row_counts
from shopfloor.settings import PROJECT_ROOT

RAW_TABLES = [table for tables in sources().values() for table in tables]
# The flow of the data, in order: every asset's group is one of these, and is also the first part of its key.
FLOW_GROUPS = ["raw", "staging", "intermediate", "resolution", "marts", "models", "experiments", "published", "analyst"]
# dagster-dbt's stand-in when a dbt model or seed has no description of its own.
DBT_PLACEHOLDER_DESCRIPTION = re.compile(r"^dbt (model|seed|snapshot) \w+(\n|$)")


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


def test_asset_groups_follow_the_flow_and_match_the_key_prefix():
    graph = load_definitions().resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).group_name == key.path[0], key.to_user_string()
        assert key.path[0] in FLOW_GROUPS, key.to_user_string()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {"raw", "staging", "intermediate", "resolution", "marts", "analyst"} <= groups
    # A folder of orchestration/defs/ named after a group of the flow holds that group's assets.
    defs_folder = PROJECT_ROOT / "orchestration" / "defs"
    assert {group for group in FLOW_GROUPS if (defs_folder / group).is_dir()} <= groups


def test_every_asset_has_a_description_owners_and_kinds():
    graph = load_definitions().resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = key.to_user_string()
        assert node.description and node.description.strip(), name
        assert not DBT_PLACEHOLDER_DESCRIPTION.match(node.description), f"{name}: describe it in its dbt YAML"
        assert node.owners == ["team:data"], name
        assert node.kinds, name


def _recorded_in_dagster_home(run_id: str) -> tuple[dg.DagsterRun, dict[dg.AssetKey, dict], list]:
    """The run, its materializations' metadata by asset and its check evaluations, from the instance's event log."""
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(run_id)
        materialized = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        checked = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    materializations = {record.asset_key: record.asset_materialization.metadata for record in materialized.records}
    evaluations = [record.event_log_entry.dagster_event.event_specific_data for record in checked.records]
    return run, materializations, evaluations


def _recorded_by_the_session(sample_env) -> tuple[dict[dg.AssetKey, dict], dict[dg.AssetCheckKey, object]]:
    """The last materialization of each asset and the last evaluation of each check over the session's two runs: the
    second (organizers' activity and what it feeds, as of a later date) rebuilt some of what the first built, and the
    warehouse holds what it wrote."""
    _, materializations, evaluations = _recorded_in_dagster_home(sample_env.run_id)
    _, rebuilt, reevaluated = _recorded_in_dagster_home(sample_env.analysis_run_id)
    checks = {evaluation.asset_check_key: evaluation for evaluation in [*evaluations, *reevaluated]}
    return {**materializations, **rebuilt}, checks


def test_sample_run_succeeded_and_is_recorded_in_dagster_home(sample_env):
    assert sample_env.run_succeeded
    with dg.DagsterInstance.get() as instance:
        assert Path(instance.root_directory) == sample_env.dagster_home
    run, _, _ = _recorded_in_dagster_home(sample_env.run_id)
    assert run.status == dg.DagsterRunStatus.SUCCESS


def test_sample_run_materialized_every_raw_table_with_its_counts(sample_env):
    materializations, _ = _recorded_by_the_session(sample_env)
    counts = raw_row_counts(sample_env.warehouse)
    assert sorted(counts) == sorted(RAW_TABLES)
    for table in RAW_TABLES:
        metadata = materializations[raw_key(table)]
        assert metadata["dagster/row_count"].value == counts[table]
        assert "_source_file" in {column.name for column in metadata["dagster/column_schema"].schema.columns}
        if counts[table]:
            assert metadata["rows_loaded"].value == counts[table]
    # Every source the sample writes fills at least one of its tables.
    for source, tables in sources().items():
        assert any(counts[table] for table in tables), f"nothing landed from {source}/"


def test_sample_run_judged_every_fed_raw_table_by_its_contract_and_warned_on_unfed_ones(sample_env):
    _, evaluations = _recorded_by_the_session(sample_env)
    contracts = {key.asset_key: e for key, e in evaluations.items() if key.name == "contract"}
    assert set(contracts) == {raw_key(table) for table in RAW_TABLES}
    counts = raw_row_counts(sample_env.warehouse)
    for table in RAW_TABLES:
        evaluation = contracts[raw_key(table)]
        if counts[table]:
            assert evaluation.passed, (table, {k: v.value for k, v in evaluation.metadata.items()})
            assert Path(evaluation.metadata["result_json"].value).is_file()
            assert Path(evaluation.metadata["data_docs_html"].value).is_file()
        else:
            assert not evaluation.passed
            assert evaluation.severity == dg.AssetCheckSeverity.WARN
            assert evaluation.metadata["files_loaded"].value == 0


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
        # One row of NULLs, recorded as a loaded file: the suite requires member_id.
        with warehouse.connect() as con:
            ensure_raw_schema(con, "membership")
            con.execute("insert into raw.members (_source_file) values ('members.csv')")
            con.execute("insert into raw._loads (table_name, source_file, status) values ('members', 'members.csv', 'loaded')")

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


def test_a_source_without_files_materializes_its_empty_tables_and_warns(scratch_warehouse):
    result = dg.materialize(
        [raw_source_asset("grievances", ["grievances"]), contract_check("grievances")],
        resources={"warehouse": scratch_warehouse},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    [materialization] = result.get_asset_materialization_events()
    assert materialization.materialization.metadata["dagster/row_count"].value == 0
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN


def test_sample_run_recorded_the_row_count_of_every_dbt_model(sample_env):
    materializations, _ = _recorded_by_the_session(sample_env)
    dbt_models = {key: metadata for key, metadata in materializations.items()
                  if key.path[0] in {"staging", "intermediate", "marts"}}
    assert {key.path[0] for key in dbt_models} == {"staging", "intermediate", "marts"}
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        for key, metadata in dbt_models.items():
            schema, relation = key.path
            (rows,) = con.execute(f'select count(*) from "{schema}"."{relation}"').fetchone()
            assert metadata["dagster/row_count"].value == rows, key
    assert dbt_models[dg.AssetKey(["marts", "mart_workplaces"])]["dagster/row_count"].value > 0


def _personal_values(warehouse: Path) -> tuple[set[str], set[str]]:
    """The sample people's full names, street addresses and e-mails (lower case), and their phone numbers as digits,
    as the member roll, the organizing contacts and the voter file landed them."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        texts = con.execute("""
            select first_name || ' ' || last_name from raw.members union select street_address from raw.members
            union select email from raw.members
            union select first_name || ' ' || last_name from raw.organizing_contacts
            union select street_address from raw.organizing_contacts union select email from raw.organizing_contacts
            union select first_name || ' ' || last_name from raw.ncvoter union select res_street_address from raw.ncvoter
        """).fetchall()
        phones = con.execute("""
            select phone from raw.members union select phone from raw.organizing_contacts
            union select full_phone_number from raw.ncvoter
        """).fetchall()
    return (
        {" ".join(_words(text)) for (text,) in texts if text},
        {digits for (phone,) in phones if phone and len(digits := re.sub(r"\D", "", phone)) >= 10},
    )


def _words(text: str) -> list[str]:
    """Lower-case words; e-mails, hyphenated names and unit numbers stay whole, and trailing punctuation goes."""
    return [word.strip(".'-") for word in re.findall(r"[\w@.'#-]+", text.lower())]


def _personal_values_in(text: str, names_and_addresses: set[str], phones: set[str]) -> set[str]:
    """Which of the values appear in the text as whole words (a name inside a longer word does not count)."""
    words = _words(text)
    by_first_word: dict[str, list[list[str]]] = {}
    for value in names_and_addresses:
        value_words = value.split()
        by_first_word.setdefault(value_words[0], []).append(value_words)
    found = {
        " ".join(value_words)
        for start, word in enumerate(words)
        for value_words in by_first_word.get(word, [])
        if words[start:start + len(value_words)] == value_words
    }
    written_phones = {re.sub(r"\D", "", phone) for phone in re.findall(r"\(?\d{3}\)?[-. ]?\d{3}[-. ]?\d{4}", text)}
    return found | (phones & written_phones)


def _strings(value) -> str:
    """Every string inside a JSON value, keys too, one a line (JSON escapes decoded: accented names read as written)."""
    if isinstance(value, dict):
        return "\n".join(f"{key}\n{_strings(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "\n".join(_strings(item) for item in value)
    return value if isinstance(value, str) else ""


def test_no_persons_name_address_or_phone_reaches_dagster_metadata_or_logs(sample_env):
    from dagster._serdes import serialize_value

    names_and_addresses, phones = _personal_values(sample_env.warehouse)
    some_name = min(names_and_addresses)
    assert _personal_values_in(f"matched {some_name.title()}.", names_and_addresses, phones) == {some_name}
    with dg.DagsterInstance.get() as instance:
        # Every event of every run: materialization and check metadata, observations, log lines, step errors.
        entries = [entry for run in instance.get_runs() for entry in instance.all_logs(run.run_id)]
    recorded = "\n".join(_strings(json.loads(serialize_value(entry))) for entry in entries)
    assert "dagster/column_lineage" in recorded  # the scan reads the metadata the UI shows
    assert _personal_values_in(recorded, names_and_addresses, phones) == set()
