"""The dagster-dbt wiring: every dbt model and seed an asset in its schema's group, every dbt test a check,
dbt sources linked to the raw assets, and a manifest that (re)builds itself when missing or stale."""

import json
import os

import dagster as dg

from orchestration.defs.transform.project import ensure_manifest, manifest_is_current, shopfloor_dbt
from shopfloor.layouts import sources
from shopfloor.runner import load_definitions

MARTS = ["fct_osha_inspections", "fct_osha_violations", "fct_nlrb_cases", "fct_nlrb_elections", "fct_grievances",
         "dim_members"]


def _manifest() -> dict:
    return json.loads(ensure_manifest().read_text())


def test_every_model_and_seed_is_an_asset_in_its_schema_group():
    manifest = _manifest()
    graph = load_definitions().resolve_asset_graph()
    nodes = [node for node in manifest["nodes"].values()
             if node["resource_type"] in ("model", "seed") and node["package_name"] == "shopfloor"]
    assert {node["schema"] for node in nodes} == {"staging", "intermediate", "marts"}
    for node in nodes:
        asset = graph.get(dg.AssetKey([node["schema"], node["name"]]))
        assert asset.group_name == node["schema"]
        assert "dbt" in asset.kinds
    for mart in MARTS:
        assert graph.get(dg.AssetKey(["marts", mart])).group_name == "marts"


def test_every_dbt_test_on_a_model_is_an_asset_check():
    manifest = _manifest()
    check_keys = set(load_definitions().resolve_asset_graph().asset_check_keys)
    model_tests = [
        node for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node", "").startswith(("model.", "seed."))
    ]
    assert len(model_tests) > 50
    for test in model_tests:
        target = manifest["nodes"][test["attached_node"]]
        assert dg.AssetCheckKey(dg.AssetKey([target["schema"], target["name"]]), test["name"]) in check_keys


def test_staging_depends_on_the_raw_assets():
    graph = load_definitions().resolve_asset_graph()
    raw_tables = {table for tables in sources().values() for table in tables}
    staged = {key for table in raw_tables for key in graph.get(dg.AssetKey(["raw", table])).child_keys}
    assert all(key.path[0] == "staging" for key in staged)
    # Every raw table feeds at least one staging model.
    assert all(graph.get(dg.AssetKey(["raw", table])).child_keys for table in raw_tables)
    assert dg.AssetKey(["raw", "ncvoter"]) in graph.get(dg.AssetKey(["staging", "stg_ncsbe__voters"])).parent_keys


def test_manifest_is_rebuilt_when_a_project_file_is_newer():
    manifest_path = ensure_manifest()
    model = shopfloor_dbt.project_dir / "models" / "marts" / "dim_members.sql"
    older = model.stat().st_mtime - 10
    os.utime(manifest_path, (older, older))
    assert not manifest_is_current()
    ensure_manifest()
    assert manifest_is_current()
    assert "model.shopfloor.dim_members" in json.loads(manifest_path.read_text())["nodes"]


def test_models_after_resolution_are_a_second_step_downstream_of_the_resolution_assets():
    from orchestration.defs.transform.assets import shopfloor_dbt_after_resolution, shopfloor_dbt_models

    manifest = _manifest()
    tagged = {dg.AssetKey([node["schema"], node["name"]]) for node in manifest["nodes"].values()
              if node["resource_type"] == "model" and "after_resolution" in node["tags"]}
    assert not tagged & set(shopfloor_dbt_models.keys)
    if tagged:
        assert set(shopfloor_dbt_after_resolution.keys) == tagged
        graph = load_definitions().resolve_asset_graph()
        upstream = {parent for key in tagged for parent in graph.get(key).parent_keys}
        assert any(key.path[0] == "resolution" for key in upstream)


def test_marts_have_enforced_contracts_and_describe_every_column():
    nodes = [node for node in _manifest()["nodes"].values()
             if node["resource_type"] == "model" and node["name"] in MARTS]
    assert len(nodes) == len(MARTS)
    for node in nodes:
        assert node["config"]["contract"]["enforced"], node["name"]
        assert node["description"], node["name"]
        undescribed = [name for name, column in node["columns"].items() if not column["description"]]
        assert undescribed == [], node["name"]
        assert all(column["data_type"] for column in node["columns"].values()), node["name"]


def _dbt_materializations(run_id: str) -> dict[dg.AssetKey, dict]:
    """Metadata of the run's dbt materializations (models and seeds), by asset key."""
    with dg.DagsterInstance.get() as instance:
        records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    return {record.asset_key: record.asset_materialization.metadata for record in records
            if "unique_id" in record.asset_materialization.metadata}


def test_sample_run_recorded_each_dbt_models_columns_and_their_lineage(sample_env):
    import duckdb

    materializations = _dbt_materializations(sample_env.run_id)
    assert {key.path[0] for key in materializations} == {"staging", "intermediate", "marts"}
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        for key, metadata in materializations.items():
            built = [name for (name,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", key.path).fetchall()]
            assert [column.name for column in metadata["dagster/column_schema"].schema.columns] == built, key
            if metadata["unique_id"].value.startswith("model."):
                # Every column of every model is traced (to no parent column at all for a literal).
                assert set(metadata["dagster/column_lineage"].lineage.deps_by_column) == set(built), key

    def parents_of(key: list[str], column: str) -> list[dg.TableColumnDep]:
        return materializations[dg.AssetKey(key)]["dagster/column_lineage"].lineage.deps_by_column[column]

    # A mart's column traces to the dimension it was joined from, and staging traces to the raw table.
    assert dg.TableColumnDep(dg.AssetKey(["marts", "dim_workplaces"]), "workplace_id") in parents_of(
        ["marts", "mart_workplaces"], "workplace_id")
    assert parents_of(["staging", "stg_union_roll__members"], "first_name") == [
        dg.TableColumnDep(dg.AssetKey(["raw", "members"]), "first_name")]
    # The columns carry the descriptions of the model's YAML.
    mart_columns = materializations[dg.AssetKey(["marts", "mart_workplaces"])]["dagster/column_schema"].schema.columns
    assert all(column.description for column in mart_columns)
