"""Raw tables: one multi-asset per landing source folder, one asset per raw table it feeds.

A source's files are detected and loaded together (shopfloor.ingest.load_source), so a source's tables
materialize together. A source folder that is missing or holds no loadable file loads nothing and records
no materialization: the run logs a warning and skips the tables' contract checks, and Dagster skips the
downstream steps that depend on those tables alone. Likewise a table that received no file and holds no
rows (e.g. Ohio tables when only North Carolina files landed) is not materialized.
"""

import dagster as dg
import duckdb

from orchestration.defs.resources import Warehouse
from shopfloor.layouts import load_registry, sources
from shopfloor.settings import get_settings

RAW_GROUP = "raw"
OWNERS = ["team:data"]


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def _describe(source: str, table: str) -> str:
    layouts = [layout for layout in load_registry().values() if layout.source == source]
    direct = [f"`{layout.name}` ({layout.format})" for layout in layouts if layout.table == table]
    wide = [layout for layout in layouts if layout.wide_columns and layout.wide_columns.table == table]
    if direct:
        fed_by = f"rows of the files in the landing folder `{source}/` whose header matches layout {' or '.join(direct)}"
    else:
        fed_by = " and ".join(
            f"the columns matching `{layout.wide_columns.pattern}` of `{layout.name}` files in the landing folder "
            f"`{source}/`, unpivoted to one row per `{layout.wide_columns.key}` and column"
            for layout in wide
        )
    return f"`raw.{table}`: {fed_by}. Values that do not parse go to `raw.{table}__rejected` with file, line and reason."


def table_schema(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dg.TableSchema:
    """Column names and types only, from DuckDB's catalog."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return dg.TableSchema(columns=[dg.TableColumn(name=name, type=data_type) for name, data_type in rows])


def raw_source_asset(source: str, tables: list[str]) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"raw_{source}",
        description=f"Load the landing folder `{source}/` into schema raw.",
        specs=[
            dg.AssetSpec(
                raw_key(table),
                description=_describe(source, table),
                group_name=RAW_GROUP,
                kinds={"duckdb"},
                owners=OWNERS,
                skippable=True,
            )
            for table in tables
        ],
    )
    def load(context: dg.AssetExecutionContext, warehouse: Warehouse):
        from shopfloor.ingest import load_source
        from shopfloor.ingest.loader import landing_files

        landing_dir = get_settings().landing_dir
        folder = landing_dir / source
        if not folder.is_dir() or not landing_files(folder):
            context.log.warning(f"Landing folder {source}/ has no files: nothing loaded, {len(tables)} tables skipped.")
            return
        with warehouse.connect() as con:
            report = load_source(con, source, landing_dir)
            for table in tables:
                counts = report.tables[table]
                if counts.files_loaded + counts.files_skipped_already_loaded == 0 and counts.total_rows_in_table == 0:
                    context.log.warning(f"No file in {source}/ feeds raw.{table}, which is empty: not materialized.")
                    continue
                yield dg.MaterializeResult(
                    asset_key=raw_key(table),
                    metadata={
                        **{name: dg.MetadataValue.int(value) for name, value in counts.metadata().items()},
                        "dagster/row_count": dg.MetadataValue.int(counts.total_rows_in_table),
                        "dagster/column_schema": table_schema(con, "raw", table),
                    },
                )

    return load


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[raw_source_asset(source, tables) for source, tables in sources().items()])
