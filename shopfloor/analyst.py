"""The analyst copy: a separate DuckDB file holding the marts, rewritten whole after each successful run.

DuckDB allows one writing process per file, and dbt fails at once if anyone else holds the warehouse open,
even read-only. So analysts never open the warehouse: they open this copy, read-only, and the pipeline never
waits for them. The copy is written to a temporary file in the same folder and renamed over the old one
(os.replace, atomic on POSIX): a reader with the old copy open keeps reading the old file (its inode lives
until the last reader closes it), and a new connection sees the new copy.

Only the schemas in ANALYST_SCHEMAS are copied, never raw, staging or intermediate, which hold names,
addresses and birth dates. Before writing, every copied column is checked against a denylist of personal
columns; a match stops the publication and the previous copy stays in place.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from shopfloor.file_modes import share_with_group

# Schemas analysts may read. Never "published": its lists carry workers' names and contact details.
ANALYST_SCHEMAS = ("marts",)
# The copy is written in an older storage format: DuckDB 2.0's own (storage version 69) cannot be opened by
# DuckDB 1.x, which is what the duckdb-cli package on PyPI (1.5) and many SQL IDEs' JDBC drivers still ship.
ANALYST_STORAGE_VERSION = "v1.2.0"
# Where the copy records which run produced it and when: one row, in the copy's main schema.
PUBLICATION_TABLE = "publication"

# Columns that carry a person's name, home or mailing address, contact details, birth date or government
# id, as named in the sources (union roll, NC and Ohio voter files) and their cleaned forms. Booleans such
# as has_email or has_phone only say whether a value exists and are allowed.
PERSONAL_COLUMN_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        r"(first|middle|last|full|given|family|maiden|nick|sur|supervisor|contact)_?name",
        r"name_(prefix|prefx|suffix)",
        r"street",
        r"mail_?addr",
        r"residential_address",
        r"phone",
        r"e_?mail",
        r"birth_?date|date_of_birth|^dob$",
        r"(^|_)ssn($|_)|drivers_lic",
    )
)
# Reviewed exceptions: the street address of a workplace comes from public OSHA and NLRB records and is what
# organizers look workplaces up by; it is not a person's address.
WORKPLACE_ADDRESS_COLUMNS = frozenset({("marts", "dim_workplaces", "street_address")})


class PersonalDataError(RuntimeError):
    """A table headed for the analyst copy has a column that looks like a person's name, address or contact."""


@dataclass(frozen=True)
class AnalystCopy:
    path: Path
    tables: dict[str, int]  # "schema.table" -> rows
    bytes: int


def is_personal_column(schema: str, table: str, column: str, data_type: str) -> bool:
    if data_type == "BOOLEAN" or (schema, table, column) in WORKPLACE_ADDRESS_COLUMNS:
        return False
    name = column.lower()
    return any(pattern.search(name) for pattern in PERSONAL_COLUMN_PATTERNS)


def analyst_relations(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = ANALYST_SCHEMAS) -> list[tuple[str, str]]:
    """(schema, name) of the tables and views of the connection's own database in the analyst schemas."""
    placeholders = ", ".join("?" for _ in schemas)
    return con.execute(
        f"""
        select schema_name, table_name from duckdb_tables()
        where database_name = current_database() and schema_name in ({placeholders})
        union all
        select schema_name, view_name from duckdb_views()
        where database_name = current_database() and not internal and schema_name in ({placeholders})
        order by 1, 2
        """,
        [*schemas, *schemas],
    ).fetchall()


def personal_columns(con: duckdb.DuckDBPyConnection, relations: list[tuple[str, str]]) -> list[str]:
    """"schema.table.column" of every column of the relations that the denylist calls personal."""
    found = []
    for schema, table in relations:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() and table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
        found += [
            f"{schema}.{table}.{column}"
            for column, data_type in columns
            if is_personal_column(schema, table, column, data_type)
        ]
    return found


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def publish_analyst_copy(
    con: duckdb.DuckDBPyConnection, destination: Path, run_id: str, schemas: tuple[str, ...] = ANALYST_SCHEMAS,
    analysts_group: str | None = None,
) -> AnalystCopy:
    """Copy the analyst schemas of the warehouse `con` is connected to into a new file, then swap it in; the copy
    is owner-only, or readable by `analysts_group` too.

    `con` is the pipeline's own (writing) connection: the copy is made by attaching the new file to it, so
    no second process ever opens the warehouse.
    """
    relations = analyst_relations(con, schemas)
    if not relations:
        raise ValueError(f"The warehouse has no table in schemas {', '.join(schemas)}: nothing to publish.")
    personal = personal_columns(con, relations)
    if personal:
        raise PersonalDataError(
            "Not published: these columns look like personal data and analysts must not get them: "
            + ", ".join(personal)
            + ". Drop them from the model, or review and add them to shopfloor.analyst.WORKPLACE_ADDRESS_COLUMNS."
        )

    destination.parent.mkdir(parents=True, exist_ok=True)
    # Same folder as the destination, so the rename stays on one filesystem and is atomic.
    temporary = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    # Left by a publisher that died mid-copy. Only one can run at a time: it holds the warehouse's write lock.
    for leftover in destination.parent.glob(f".{destination.name}.*.tmp"):
        _remove(leftover)
    alias = "analyst_copy"
    tables: dict[str, int] = {}
    con.execute(
        f"attach {duckdb_string(str(temporary))} as {alias} (storage_version '{ANALYST_STORAGE_VERSION}')"
    )
    try:
        for schema in sorted({schema for schema, _ in relations}):
            con.execute(f"create schema {alias}.{_quote(schema)}")
        for schema, table in relations:
            name = f"{_quote(schema)}.{_quote(table)}"
            con.execute(f"create table {alias}.{name} as select * from {name}")
            tables[f"{schema}.{table}"] = con.execute(f"select count(*) from {alias}.{name}").fetchone()[0]
        con.execute(
            f"create table {alias}.main.{PUBLICATION_TABLE} as "
            "select ?::varchar as dagster_run_id, ?::timestamptz as published_at, ?::varchar as source_warehouse",
            [run_id, datetime.now(UTC), con.execute("select current_database()").fetchone()[0]],
        )
        # Write everything into the file itself: the rename moves the file, not a write-ahead log beside it.
        con.execute(f"checkpoint {alias}")
    except BaseException:
        con.execute(f"detach {alias}")
        _remove(temporary)
        raise
    con.execute(f"detach {alias}")
    if analysts_group is not None:
        share_with_group(temporary, analysts_group)
    os.replace(temporary, destination)
    return AnalystCopy(path=destination, tables=tables, bytes=destination.stat().st_size)


def duckdb_string(value: str) -> str:
    """A SQL string literal (ATTACH takes no bound parameters)."""
    return "'" + value.replace("'", "''") + "'"
