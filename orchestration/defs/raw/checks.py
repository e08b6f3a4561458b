"""One blocking contract check per raw table: a failed Great Expectations suite stops everything downstream.

A table no file has ever fed (Ohio tables for a North Carolina union) is not judged against its suite: the
check fails with WARN severity, which shows in the UI but does not block, since an unused source is no defect.
"""

import dagster as dg

from orchestration.defs.raw.assets import raw_key
from orchestration.defs.resources import Warehouse
from shopfloor.layouts import sources, tables_loaded_with
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
            loaded_with = tables_loaded_with(table)
            files_loaded = con.execute(
                "select count(*) from raw._loads where status = 'loaded' and table_name in "
                f"({', '.join('?' for _ in loaded_with)})",
                loaded_with,
            ).fetchone()[0]
            if files_loaded == 0:
                return dg.AssetCheckResult(
                    passed=False,
                    severity=dg.AssetCheckSeverity.WARN,
                    description=f"No file has landed for raw.{table} yet; its contract was not evaluated.",
                    metadata={"files_loaded": 0},
                )
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
