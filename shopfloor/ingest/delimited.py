"""Delimited files: DuckDB's own CSV reader, typed, with its rejects captured line by line.

What `_source_line` (and the rejects' `line`) means: the record's position in the file counted the way
DuckDB's CSV reader counts it, the header being line 1 and each following *record* one more. A quoted
field spanning several physical lines still counts as one, so the number equals the text-editor line only
when no field holds a line break. DuckDB's store_rejects reports `line` on this same scale, so a loaded row
and a rejected row of one file never share a number.
Known limit: DuckDB skips a blank line between records without producing a row, yet counts it in a
reject's `line`; accepted rows after such a blank line are numbered one low per blank line. Exports do not
write blank lines between records, and nothing is lost either way.
"""

from __future__ import annotations

import duckdb

from .plan import FileLoad
from .postprocess import renumber_after_rejects
from .tables import quote_ident, quote_literal


def read_csv_sql(file: FileLoad, rejects_name: str, scan_name: str) -> str:
    """read_csv over the file with every option explicit: no sniffing, so the layout alone decides."""
    layout = file.layout
    columns = ", ".join(f"{quote_literal(name)}: {quote_literal(kind)}" for name, kind in file.file_columns().items())
    options = [
        "header = true",
        "auto_detect = false",
        f"columns = {{{columns}}}",
        f"delim = {quote_literal(layout.delimiter)}",
        f"quote = {quote_literal(layout.quote)}",
        f"escape = {quote_literal(layout.quote)}",
        f"encoding = {quote_literal(file.facts.encoding)}",
        "strict_mode = true",
        "store_rejects = true",
        f"rejects_table = {quote_literal(rejects_name)}",
        f"rejects_scan = {quote_literal(scan_name)}",
    ]
    if layout.dateformat:
        options.append(f"dateformat = {quote_literal(layout.dateformat)}")
    return f"read_csv({quote_literal(str(file.path))}, {', '.join(options)}) WITH ORDINALITY"


def land_delimited(con: duckdb.DuckDBPyConnection, file: FileLoad, relation: str, create: bool) -> int:
    """Insert the file's accepted records into relation (or create it, for a staging table); return how many.

    One INSERT ... SELECT FROM read_csv per file, so DuckDB streams the file and Python holds no rows.
    Rejected records go to the file's rejects table; afterwards the accepted rows are renumbered so that
    `_source_line` skips the lines DuckDB rejected (ordinality counts accepted records only).
    """
    rejects_name = f"csv_rejects_{file.load_id}"
    scan_name = f"csv_scans_{file.load_id}"
    columns = list(file.file_columns())
    select = (
        f"SELECT {', '.join(quote_ident(c) for c in columns)}, {file.lineage_sql('ordinality + 1')} "
        f"FROM {read_csv_sql(file, rejects_name, scan_name)}"
    )
    if create:
        con.execute(f"CREATE TEMP TABLE {relation} AS {select}")
        inserted = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
    else:
        target_columns = ", ".join(quote_ident(c) for c in columns)
        inserted = con.execute(
            f"INSERT INTO {relation} ({target_columns}, _source_file, _source_line, _file_sha256, _load_id, "
            f"_loaded_at) {select}"
        ).fetchall()[0][0]
    con.execute(
        f"INSERT INTO {file.rejects} "
        "SELECT ?, line, column_name, error_type || ': ' || error_message, csv_line, ?, ? "
        f"FROM {rejects_name}",
        [file.source_file, file.load_id, file.loaded_at],
    )
    renumber_after_rejects(con, relation, file, f"SELECT DISTINCT line FROM {rejects_name}")
    con.execute(f"DROP TABLE {rejects_name}")
    con.execute(f"DROP TABLE {scan_name}")
    return inserted
