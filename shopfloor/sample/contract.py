"""The landing-folder contract between this generator and the raw loader.

Every file the generator writes under OUT/<source>/ must be readable by DuckDB read_csv with its layout's delimiter,
quote, header and dateformat (xlsx: by openpyxl with the header on the layout's header_row), carry exactly the
layout's columns in order, and parse every typed column. check_landing() proves it and returns the problems found.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from shopfloor.layouts import Layout, load_registry

ENCODINGS = {"ncvoter_2022": "latin-1", "ncvoter_pre2022": "latin-1", "ncvhis": "latin-1"}


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _duckdb_type(layout: Layout, header: str) -> str:
    return layout.type_of(layout.raw_name(header))


def _check_delimited(path: Path, layout: Layout) -> tuple[list[str], int]:
    import duckdb

    encoding = ENCODINGS.get(layout.name, "utf-8")
    with open(path, encoding=encoding, newline="") as handle:
        header = handle.readline().rstrip("\n").split(layout.delimiter)
    header = [h.strip(layout.quote) for h in header]
    expected = list(layout.columns)
    extra = header[len(expected):]
    problems = []
    if header[: len(expected)] != expected:
        problems.append(f"{path.name}: header differs from layout {layout.name}")
    pattern = layout.wide_columns.pattern if layout.wide_columns else None
    if extra and not (pattern and all(re.match(pattern, h) for h in extra)):
        problems.append(f"{path.name}: unexpected columns {extra[:5]}")
    columns = {h: _duckdb_type(layout, h) if h in expected else "VARCHAR" for h in header}
    spec = ", ".join(f"{_sql_text(h)}: {_sql_text(t)}" for h, t in columns.items())
    options = (f"delim={_sql_text(layout.delimiter)}, quote={_sql_text(layout.quote)}, header=true, "
               f"columns={{{spec}}}, encoding={_sql_text(encoding)}, strict_mode=true, auto_detect=false")
    if layout.dateformat:
        options += f", dateformat={_sql_text(layout.dateformat)}"
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    try:
        # count(COLUMNS(*)) makes DuckDB parse every typed value (count(*) alone would skip the columns),
        # streaming, so a statewide file never has to fit in memory.
        rows = connection.execute(f"SELECT count(*), count(COLUMNS(*)) FROM read_csv({_sql_text(str(path))}, "
                                  f"{options})").fetchone()[0]
    except duckdb.Error as error:
        return problems + [f"{path.name}: DuckDB cannot read it as {layout.name}: {str(error).splitlines()[0]}"], -1
    finally:
        connection.close()
    return problems, rows


def _check_xlsx(path: Path, layout: Layout) -> tuple[list[str], int]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(min_row=layout.header_row, values_only=True)
    header = [h for h in next(rows) if h is not None]
    problems = [] if header == list(layout.columns) else [f"{path.name}: header differs from layout {layout.name}"]
    date_columns = [i for i, h in enumerate(layout.columns) if _duckdb_type(layout, h) == "DATE"]
    count = 0
    for row in rows:
        count += 1
        for i in date_columns:
            if row[i] is not None and not hasattr(row[i], "year"):
                problems.append(f"{path.name}: row {count} column {layout.columns[i]!r} is not an Excel date")
                break
    workbook.close()
    return problems, count


def check_landing(out: Path) -> list[str]:
    """Problems with the landing folder `out` (empty list: the contract holds)."""
    out = Path(out)
    manifest = json.loads((out / "_truth" / "manifest.json").read_text())
    registry = load_registry()
    problems = []
    on_disk = {str(p.relative_to(out)) for p in out.glob("*/*") if p.is_file() and not p.parts[-2].startswith("_")}
    for stray in sorted(on_disk - manifest.keys()):
        problems.append(f"{stray}: not in the manifest")
    for relative, entry in manifest.items():
        layout = registry[entry["layout"]]
        path = out / relative
        if path.parent.name != layout.source:
            problems.append(f"{relative}: layout {layout.name} belongs in {layout.source}/")
        check = _check_xlsx if layout.format == "xlsx" else _check_delimited
        found, rows = check(path, layout)
        problems += found
        if rows >= 0 and rows != entry["rows"]:
            problems.append(f"{relative}: {rows} rows read, {entry['rows']} written")
    return problems
