"""Set-based fix-ups run inside a file's transaction, after its rows have landed in a relation."""

from __future__ import annotations

import duckdb

from .plan import FileLoad
from .tables import quote_ident


def renumber_after_rejects(
    con: duckdb.DuckDBPyConnection, relation: str, file: FileLoad, reject_lines_sql: str
) -> None:
    """Turn provisional lines (accepted ordinal + 1) into record lines by skipping the rejected ones.

    With rejected lines L_1 < L_2 < ..., the j-th rejected record has (L_j - 1) - j accepted records before
    it; call that its gap. Accepted record k (provisional line k + 1) sits after every rejected record whose
    gap is below k, so its line is k + 1 + #{j : gap_j < k}. The gaps never decrease, so an ASOF join finds
    that count for every row without pairing rows with rejects.
    """
    shifts = f"line_shifts_{file.load_id}"
    con.execute(
        f"CREATE TEMP TABLE {shifts} AS SELECT gap, max(j) AS shift FROM ("
        f"  SELECT (line - 1) - row_number() OVER (ORDER BY line) AS gap, row_number() OVER (ORDER BY line) AS j"
        f"  FROM ({reject_lines_sql})) GROUP BY gap"
    )
    if con.execute(f"SELECT count(*) FROM {shifts}").fetchall()[0][0]:
        con.execute(
            f"UPDATE {relation} SET _source_line = moved.line FROM ("
            f"  SELECT landed._source_line AS provisional, landed._source_line + s.shift AS line"
            f"  FROM (SELECT _source_line FROM {relation} WHERE _load_id = ?) landed"
            f"  ASOF JOIN {shifts} s ON landed._source_line - 1 > s.gap) moved "
            f"WHERE {relation}._load_id = ? AND {relation}._source_line = moved.provisional",
            [file.load_id, file.load_id],
        )
    con.execute(f"DROP TABLE {shifts}")


def reject_duplicate_keys(con: duckdb.DuckDBPyConnection, relation: str, file: FileLoad) -> int:
    """Move every row whose layout key repeats an earlier line of the same file to the rejects; return how many.

    The first occurrence stays. Rows with a NULL in the key are not duplicates of anything. raw_record is
    the row's values joined by the layout's delimiter (the original text is not kept for accepted rows).
    """
    columns = file.file_columns()
    keys = list(file.layout.keys)
    # A key column the file lacks (an optional one) is NULL throughout: nothing can repeat.
    if not keys or any(key not in columns for key in keys):
        return 0
    duplicates = f"duplicate_keys_{file.load_id}"
    key_list = ", ".join(quote_ident(k) for k in keys)
    con.execute(
        f"CREATE TEMP TABLE {duplicates} AS SELECT _source_line, first_line FROM ("
        f"  SELECT _source_line, min(_source_line) OVER (PARTITION BY {key_list}) AS first_line"
        f"  FROM {relation} WHERE _load_id = ? AND {' AND '.join(f'{quote_ident(k)} IS NOT NULL' for k in keys)}"
        f") WHERE _source_line > first_line",
        [file.load_id],
    )
    count = con.execute(f"SELECT count(*) FROM {duplicates}").fetchall()[0][0]
    if count:
        record = ", ".join(f"coalesce(CAST(r.{quote_ident(c)} AS VARCHAR), '')" for c in columns)
        con.execute(
            f"INSERT INTO {file.rejects} "
            f"SELECT ?, r._source_line, ?, 'duplicate key (' || ? || ') of line ' || d.first_line, "
            f"  concat_ws(?, {record}), ?, ? "
            f"FROM {relation} r JOIN {duplicates} d USING (_source_line) WHERE r._load_id = ?",
            [file.source_file, ", ".join(keys), ", ".join(keys), file.layout.delimiter, file.load_id,
             file.loaded_at, file.load_id],
        )
        con.execute(
            f"DELETE FROM {relation} WHERE _load_id = ? AND _source_line IN (SELECT _source_line FROM {duplicates})",
            [file.load_id],
        )
    con.execute(f"DROP TABLE {duplicates}")
    return count


def split_wide(con: duckdb.DuckDBPyConnection, stage: str, file: FileLoad, fixed_columns: list[str]) -> tuple[int, int]:
    """Ohio: fixed columns to raw.<table>, the non-empty election columns unpivoted to the history table.

    Returns (rows into the main table, rows into the history table).
    """
    lineage = "_source_file, _source_line, _file_sha256, _load_id, _loaded_at"
    fixed = ", ".join(quote_ident(c) for c in fixed_columns)
    main_rows = con.execute(
        f"INSERT INTO raw.{quote_ident(file.table)} ({fixed}, {lineage}) SELECT {fixed}, {lineage} FROM {stage}"
    ).fetchall()[0][0]
    if not file.match.wide:
        return main_rows, 0
    wide = file.layout.wide_columns
    key = quote_ident(wide.key)
    elections = ", ".join(quote_ident(h) for h in file.match.wide)
    history_rows = con.execute(
        f"INSERT INTO raw.{quote_ident(wide.table)} "
        f"({key}, election_column, election_type, election_date, value, {lineage}) "
        f"SELECT {key}, election_column, split_part(election_column, '-', 1), "
        f"  CAST(strptime(split_part(election_column, '-', 2), '%m/%d/%Y') AS DATE), value, {lineage} "
        f"FROM (UNPIVOT (SELECT {key}, {elections}, {lineage} FROM {stage}) "
        f"  ON {elections} INTO NAME election_column VALUE value) "
        f"WHERE trim(value) <> ''"
    ).fetchall()[0][0]
    return main_rows, history_rows
