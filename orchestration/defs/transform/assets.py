"""Every dbt model and seed as an asset, every dbt test as an asset check.

Asset keys are [<schema>, <name>] (["staging", "stg_osha__inspections"], ["marts", "dim_members"]), like the
raw tables' ["raw", <table>]; dbt sources map to the raw assets through `meta.dagster.asset_key` in the
_<source>__sources.yml files. Groups are the schemas: staging (with the code-table seeds), intermediate, marts.

Two steps run `dbt build` on the selected models: shopfloor_dbt_models (everything but the models tagged
after_resolution) and shopfloor_dbt_after_resolution (those, once the Python resolution assets have written
their tables). The raw assets have closed their DuckDB connection before dbt starts (they run earlier in the
same process, and DuckDB allows one writer per file).
"""

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from unittest.mock import patch

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.as_of import run_as_of
from orchestration.defs.resources import Warehouse
from orchestration.defs.transform.column_metadata import (
    column_lineage,
    column_lineage_markdown,
    column_schema,
    compiled_sql_path,
    relation_columns,
)
from orchestration.defs.transform.project import DBT_EXECUTABLE, DBT_TRACKING_OFF, ensure_manifest, shopfloor_dbt
from shopfloor.layouts import sources
from shopfloor.public_defaults import PublicDefaultError, refuse_public_salt
from shopfloor.settings import get_settings

OWNERS = ["team:data"]

# dagster-dbt gives every invocation its own target/<asset>-<run>-<hash>/ folder and never removes it. Runs here
# write to target/runs/<run id>-<step>/ instead, removed when the run succeeds; a failed run's folder (dbt.log,
# compiled SQL) stays for debugging until `make clean`.
RUNS_TARGET_DIR = shopfloor_dbt.project_dir / shopfloor_dbt.target_path / "runs"


class ShopfloorDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return OWNERS


def _dbt_step(name: str, select: str, exclude: str | None) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=MANIFEST,
        project=shopfloor_dbt,
        name=name,
        select=select,
        exclude=exclude,
        dagster_dbt_translator=ShopfloorDbtTranslator(),
    )
    def build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse) -> Iterator[Any]:
        # The person keys are made here: a run launched from the UI or the schedule stops before any is public.
        try:
            refuse_public_salt(get_settings())
        except PublicDefaultError as error:
            raise dg.Failure(description=str(error)) from error
        _ensure_raw_tables(warehouse)
        # profiles.yml reads the warehouse from SHOPFLOOR_WAREHOUSE: give dbt the file the raw assets wrote, as
        # an absolute path (a relative one would resolve against dbt's working directory, dbt_project/).
        dbt_env = {
            **DBT_TRACKING_OFF,
            "SHOPFLOOR_WAREHOUSE": str(Path(warehouse.path).resolve()),
            "SHOPFLOOR_MEMORY_LIMIT": get_settings().memory_limit,
            # When a run selects some models only, dbt's default (eager) also runs tests that compare them with
            # models outside the selection, which may not exist yet: run a test only if all its models are
            # selected or upstream of the selection.
            "DBT_INDIRECT_SELECTION": "buildable",
        }
        run_target = RUNS_TARGET_DIR / f"{context.run.run_id}-{name}"
        # The run's as-of date is the one every point-in-time model describes (macros/point_in_time/as_of_date.sql).
        dbt_vars = json.dumps({"as_of_date": run_as_of(context).isoformat()})
        events, failure = [], None
        # dagster-dbt hands os.environ to dbt: set these while dbt runs, then restore them.
        with patch.dict(os.environ, dbt_env):
            try:
                events.extend(dbt.cli(["build", "--vars", dbt_vars], context=context, target_path=run_target).stream())
            except Exception as error:  # report what dbt did build, then fail the step
                failure = error
        yield from _with_table_metadata(context, events, warehouse, run_target)
        if failure:
            raise failure
        shutil.rmtree(run_target, ignore_errors=True)

    return build


def _with_table_metadata(
    context: dg.AssetExecutionContext, events: list, warehouse: Warehouse, run_target: Path
) -> Iterator[Any]:
    """dbt's events, each materialization with its relation's row count, column schema and column lineage.
    dbt holds the DuckDB file while it builds, so these are read once it has exited, over our one connection
    (see column_metadata.py); the UI then shows the step's results together."""
    if not any(isinstance(event, (dg.Output, dg.AssetMaterialization)) for event in events):
        yield from events  # dbt built nothing (it may have failed before writing its manifest)
        return
    # The manifest of this very invocation: the compiled SQL beside it is what the lineage is traced from.
    manifest = json.loads((run_target / "manifest.json").read_text())
    translator = ShopfloorDbtTranslator()
    with warehouse.connect() as con:
        columns_by_relation = relation_columns(con)
        for event in events:
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
            elif isinstance(event, dg.AssetMaterialization):
                key = event.asset_key
            else:
                yield event
                continue
            schema, relation = key.path
            (rows,) = con.execute(f'select count(*) from "{schema}"."{relation}"').fetchone()
            node = manifest["nodes"][event.metadata["unique_id"].value]
            metadata = {
                "dagster/row_count": dg.MetadataValue.int(rows),
                "dagster/column_schema": column_schema(node, columns_by_relation.get((schema, relation), {})),
            }
            if node["resource_type"] == "model":
                metadata.update(_lineage_metadata(context, node, manifest, columns_by_relation, run_target, translator))
            yield event.with_metadata({**event.metadata, **metadata})


def _lineage_metadata(
    context: dg.AssetExecutionContext,
    node: Mapping[str, Any],
    manifest: Mapping[str, Any],
    columns_by_relation: Mapping[tuple[str, str], dict[str, str]],
    run_target: Path,
    translator: DagsterDbtTranslator,
) -> dict[str, Any]:
    """The model's column lineage for Dagster+ and the API, and the same as a table for the OSS UI to show."""
    try:
        sql = compiled_sql_path(run_target, node).read_text()
        lineage = column_lineage(node, manifest, columns_by_relation, sql, translator, shopfloor_dbt)
    except Exception as error:  # lineage is documentation: SQL that sqlglot cannot trace must not fail a build
        context.log.warning(f"No column lineage for {node['unique_id']}: {type(error).__name__}: {error}")
        return {}
    return {"dagster/column_lineage": lineage, "column_lineage": dg.MetadataValue.md(column_lineage_markdown(lineage))}


def _has_models_tagged(tag: str) -> bool:
    nodes = json.loads(MANIFEST.read_text())["nodes"].values()
    return any(node["resource_type"] == "model" and tag in node["tags"] for node in nodes)


MANIFEST = ensure_manifest()
# Models reading tables that Python assets write from dbt's output (person and employer resolution) carry this
# tag: a second dbt step builds them after those assets, since one dbt step cannot sit on both sides of them.
AFTER_RESOLUTION_TAG = "after_resolution"

shopfloor_dbt_models = _dbt_step("shopfloor_dbt_models", "fqn:*", f"tag:{AFTER_RESOLUTION_TAG}")
shopfloor_dbt_after_resolution = (
    _dbt_step("shopfloor_dbt_after_resolution", f"tag:{AFTER_RESOLUTION_TAG}", None)
    if _has_models_tagged(AFTER_RESOLUTION_TAG)
    else None
)


def _ensure_raw_tables(warehouse: Warehouse) -> None:
    """Create the raw tables no file has fed yet (the loader's own DDL), so that a source the union does not
    use yet is an empty source to dbt rather than a missing relation. The connection closes before dbt opens
    the file."""
    from shopfloor.ingest.tables import ensure_raw_schema

    with warehouse.connect() as con:
        for source in sources():
            ensure_raw_schema(con, source)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[step for step in (shopfloor_dbt_models, shopfloor_dbt_after_resolution) if step is not None],
        resources={"dbt": DbtCliResource(project_dir=shopfloor_dbt, dbt_executable=str(DBT_EXECUTABLE))},
    )
