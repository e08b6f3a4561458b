"""One blocking contract check per raw table: a failed Great Expectations suite stops everything downstream."""

import dagster as dg

from orchestration.defs.raw.assets import raw_key
from orchestration.defs.resources import Warehouse
from shopfloor.layouts import sources
from shopfloor.settings import get_settings


def contract_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(table),
        name="contract",
        blocking=True,
        description=f"`raw.{table}` meets its data contract, the suite in expectations/{table}.json. "
        "JSON and HTML results are written under the validations folder.",
    )
    def contract(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        from shopfloor.contracts import validate_table

        with warehouse.connect() as con:
            result = validate_table(con, table, get_settings().validations_dir, context.run.run_id)
        metadata = result.metadata()
        for result_file in ("result_json", "data_docs_html"):
            if result_file in metadata:
                metadata[result_file] = dg.MetadataValue.path(metadata[result_file])
        return dg.AssetCheckResult(passed=result.success, metadata=metadata)

    return contract


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[contract_check(table) for tables in sources().values() for table in tables])
