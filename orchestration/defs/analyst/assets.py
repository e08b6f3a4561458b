"""The analyst copy as the last asset of the graph: it depends on every marts asset, so it runs after them.

The marts are found when the definitions load, in the other folders of orchestration/defs/ (dbt models in
group marts, and any Python asset whose key starts with an analyst schema), so a new mart needs no edit here.
"""

from pathlib import Path

import dagster as dg

from orchestration.defs.resources import Warehouse
from shopfloor.settings import get_settings

ANALYST_GROUP = "analyst"
OWNERS = ["team:data"]


def analyst_upstream_keys(definitions: list[dg.Definitions]) -> list[dg.AssetKey]:
    """Keys of the assets the analyst copy holds: group marts, or a key under an analyst schema."""
    from shopfloor.analyst import ANALYST_SCHEMAS

    # The specs themselves, not resolve_all_asset_specs(): these partial definitions lack the shared resources.
    specs = [
        spec
        for defs in definitions
        for asset in defs.assets or []
        for spec in (asset.specs if isinstance(asset, dg.AssetsDefinition) else [asset])
        if isinstance(spec, dg.AssetSpec)
    ]
    return sorted(
        {spec.key for spec in specs if spec.group_name in ANALYST_SCHEMAS or spec.key.path[0] in ANALYST_SCHEMAS},
        key=lambda key: key.to_user_string(),
    )


def analyst_warehouse_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=["analyst", "analyst_warehouse"],
        deps=upstream,
        group_name=ANALYST_GROUP,
        kinds={"duckdb"},
        owners=OWNERS,
        description=(
            "A read-only copy of the marts for analysts (SHOPFLOOR_ANALYST_WAREHOUSE, default "
            "data/analyst.duckdb; docs/analysts.md). Rewritten whole and swapped in atomically after the marts, "
            "so readers never hold the warehouse and never block a run. Pseudonymous person keys only: a column "
            "that looks like a name, address, phone, e-mail or birth date stops the publication."
        ),
    )
    def analyst_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        from shopfloor.analyst import publish_analyst_copy

        with warehouse.connect() as con:
            settings = get_settings()
            copy = publish_analyst_copy(con, settings.analyst_warehouse, context.run.run_id,
                                        analysts_group=settings.analysts_group)
        context.log.info(f"Published {len(copy.tables)} tables to {copy.path} ({copy.bytes:,} bytes).")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(copy.path)),
                "tables": dg.MetadataValue.int(len(copy.tables)),
                "rows": dg.MetadataValue.json(copy.tables),
                "bytes": dg.MetadataValue.int(copy.bytes),
            }
        )

    return analyst_warehouse


@dg.definitions
def defs(context: dg.ComponentLoadContext) -> dg.Definitions:
    own_folder = Path(__file__).parent
    siblings = [
        path
        for path in sorted(own_folder.parent.iterdir())
        if path != own_folder and not path.name.startswith("__") and (path.is_dir() or path.suffix == ".py")
    ]
    # Built once and cached by Dagster's component tree: asking for them here costs nothing more.
    upstream = analyst_upstream_keys([context.build_defs(path) for path in siblings])
    return dg.Definitions(assets=[analyst_warehouse_asset(upstream)])
