"""Raw tables: one multi-asset per landing source folder, one asset per raw table it feeds.

A source's files are detected and loaded together (shopfloor.ingest.load_source), so a source's tables
materialize together. Every table of the source is materialized on every run, even one no file has fed yet
(Ohio tables for a North Carolina union, say): it exists, empty, so dbt's staging views always have a relation
to read, and its contract check warns instead of blocking (see checks.py).
"""

import dagster as dg
import duckdb

from orchestration.defs.raw.partitions import LANDING_FILE_PARTITIONS
from orchestration.defs.resources import Warehouse
from shopfloor.automation import PARTITIONED_SOURCES
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


def _describe_partitions(source: str) -> str:
    description = f" Partitioned by landing file, key `{source}/<file name>`: a partition loads that file only."
    others = ", ".join(f"`{other}/`" for other in sorted(PARTITIONED_SOURCES - {source}))
    if others:
        description += (
            f" The partitions also list the files of {others}, which share the partitions definition so that one run "
            "can refresh every time-sliced folder; a partition of another folder's file loads nothing here."
        )
    return description


def table_schema(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dg.TableSchema:
    """Column names and types only, from DuckDB's catalog."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return dg.TableSchema(columns=[dg.TableColumn(name=name, type=data_type) for name, data_type in rows])


def raw_source_asset(
    source: str, tables: list[str], partitions_def: dg.DynamicPartitionsDefinition | None = None
) -> dg.AssetsDefinition:
    """With partitions_def (one partition per time-sliced landing file, see partitions.py) a run loads the files
    among its partitions that are in this source's folder, and nothing for the other folders' files."""

    @dg.multi_asset(
        name=f"raw_{source}",
        description=f"Load the landing folder `{source}/` into schema raw.",
        specs=[
            dg.AssetSpec(
                raw_key(table),
                description=_describe(source, table) + (_describe_partitions(source) if partitions_def else ""),
                group_name=RAW_GROUP,
                kinds={"duckdb"},
                owners=OWNERS,
            )
            for table in tables
        ],
        partitions_def=partitions_def,
        # A backfill of many files is one run, not a run per file.
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
    )
    def load(context: dg.AssetExecutionContext, warehouse: Warehouse):
        from shopfloor.automation import last_new_data_at, source_partition_keys
        from shopfloor.ingest import load_source
        from shopfloor.ingest.loader import landing_files
        from shopfloor.ingest.tables import ensure_raw_schema

        landing_dir = get_settings().landing_dir
        folder = landing_dir / source
        with warehouse.connect() as con:
            has_files = folder.is_dir() and bool(landing_files(folder))
            only_files = None
            if partitions_def:
                own_keys = source_partition_keys(context.partition_keys, source)
                only_files = [landing_dir / key for key in own_keys]
                if has_files and len(own_keys) < len(context.partition_keys):
                    context.log.info(f"{len(context.partition_keys) - len(own_keys)} of this run's "
                                     f"{len(context.partition_keys)} file partitions are other landing folders' files: "
                                     f"nothing to load for them into {source}'s tables.")
            if has_files and only_files != []:
                report = load_source(con, source, landing_dir, only_files)
                counts_by_table = {name: counts.metadata() for name, counts in report.tables.items()}
            else:
                if not has_files:
                    context.log.warning(
                        f"Landing folder {source}/ has no files: its {len(tables)} raw tables are unchanged."
                    )
                ensure_raw_schema(con, source)
                counts_by_table = {}
            for table in tables:
                total_rows = con.execute(f'select count(*) from raw."{table}"').fetchone()[0]
                # Freshness checks read this: when new content last arrived, not when the run last looked.
                new_data_at = last_new_data_at(con, table)
                freshness = {} if new_data_at is None else {
                    "dagster/last_updated_timestamp": dg.MetadataValue.timestamp(new_data_at)
                }
                yield dg.MaterializeResult(
                    asset_key=raw_key(table),
                    metadata={
                        **{name: dg.MetadataValue.int(value) for name, value in counts_by_table.get(table, {}).items()},
                        "dagster/row_count": dg.MetadataValue.int(total_rows),
                        "dagster/column_schema": table_schema(con, "raw", table),
                        **freshness,
                    },
                )

    return load


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[
            raw_source_asset(source, tables, LANDING_FILE_PARTITIONS if source in PARTITIONED_SOURCES else None)
            for source, tables in sources().items()
        ]
    )
