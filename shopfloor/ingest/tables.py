"""The raw schema: one table per layout table, its rejects table, the wide-column tables and raw._loads."""

from __future__ import annotations

import duckdb

from shopfloor.layouts import Layout, layouts_for_source

# Every timestamp the loader writes is UTC (TIMESTAMP without zone, so dbt and pandas read it unchanged).
LINEAGE_COLUMNS = {
    "_source_file": "VARCHAR",
    "_source_line": "BIGINT",
    "_file_sha256": "VARCHAR",
    "_load_id": "VARCHAR",
    "_loaded_at": "TIMESTAMP",
}

REJECT_COLUMNS = {
    "source_file": "VARCHAR",
    "line": "BIGINT",
    "column_name": "VARCHAR",
    "reason": "VARCHAR",
    "raw_record": "VARCHAR",
    "load_id": "VARCHAR",
    "rejected_at": "TIMESTAMP",
}

# Where a row of a sectioned workbook (format xlsx_sections) sat: its sheet and its section's header row.
SECTION_COLUMNS = {
    "_sheet_name": "VARCHAR",
    "_section_header_line": "BIGINT",
}

LOADS_COLUMNS = {
    "load_id": "VARCHAR",
    "source": "VARCHAR",
    "table_name": "VARCHAR",
    "layout": "VARCHAR",
    "source_file": "VARCHAR",
    "file_sha256": "VARCHAR",
    "file_bytes": "BIGINT",
    "encoding": "VARCHAR",
    "rows_loaded": "BIGINT",
    "rows_rejected": "BIGINT",
    "started_at": "TIMESTAMP",
    "finished_at": "TIMESTAMP",
    "status": "VARCHAR",
}


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def rejects_table(table: str) -> str:
    return f"{table}__rejected"


def wide_table_columns(layout: Layout) -> dict[str, str]:
    """Ohio's one-column-per-election history, one row per voter and election with a value."""
    key = layout.wide_columns.key
    return {
        key: layout.type_of(key),
        "election_column": "VARCHAR",
        "election_type": "VARCHAR",
        "election_date": "DATE",
        "value": "VARCHAR",
    }


def source_tables(source: str) -> dict[str, dict[str, str]]:
    """Raw table -> {column: type}: the union of the raw columns of every layout landing in it, in order.

    Two layouts giving one column different types is a registry error, not something to guess about.
    """
    tables: dict[str, dict[str, str]] = {}
    for layout in layouts_for_source(source):
        columns = tables.setdefault(layout.table, {})
        for column in layout.raw_columns:
            wanted = layout.type_of(column)
            if columns.setdefault(column, wanted) != wanted:
                raise ValueError(
                    f"layout {layout.name}: raw.{layout.table}.{column} is {wanted} here but "
                    f"{columns[column]} in another layout of that table"
                )
        if layout.format == "xlsx_sections":
            columns.update(SECTION_COLUMNS)
        if layout.wide_columns:
            tables[layout.wide_columns.table] = wide_table_columns(layout)
    return tables


def ensure_table(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> None:
    """Create raw.<table>, or add the columns a registry change brought (never drop or retype any)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS raw.{quote_ident(table)} ("
        + ", ".join(f"{quote_ident(name)} {kind}" for name, kind in columns.items())
        + ")"
    )
    existing = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'raw' AND table_name = ?",
            [table],
        ).fetchall()
    }
    for name, kind in columns.items():
        if name not in existing:
            con.execute(f"ALTER TABLE raw.{quote_ident(table)} ADD COLUMN {quote_ident(name)} {kind}")


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, dict[str, str]]:
    """All tables a source's files land in; returns their data columns (lineage excluded)."""
    tables = source_tables(source)
    con.execute("BEGIN")
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        ensure_table(con, "_loads", LOADS_COLUMNS)
        for table, columns in tables.items():
            ensure_table(con, table, {**columns, **LINEAGE_COLUMNS})
            ensure_table(con, rejects_table(table), REJECT_COLUMNS)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return tables
