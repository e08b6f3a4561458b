"""xlsx files: read with python-calamine, typed in Python row by row, inserted in Arrow batches.

Only the first sheet is read (detect.first_sheet says why holding its cells is acceptable).
`_source_line` and the rejects' `line` are sheet row numbers, as Excel shows them.
A cell that does not convert to its column's type rejects the row (one reject per bad cell, like DuckDB).
Dates: real Excel dates, Excel serial numbers, or text in the layout's dateformat (ISO without one).
Rows whose cells are all empty carry no data and are passed over; blank text cells are NULL, as in CSV.
calamine gives '' for an empty cell and a float for every number (32 is 32.0): both are handled below.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice

import duckdb
import pyarrow as pa

from .detect import first_sheet, open_workbook, sheet_rows
from .errors import IngestError
from .plan import FileLoad
from .tables import quote_ident

BATCH_ROWS = 10_000
INTEGER_RANGES = {
    "TINYINT": 2**7,
    "SMALLINT": 2**15,
    "INTEGER": 2**31,
    "BIGINT": 2**63,
}
EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial day numbers run from 1 (1900-01-01) to 2958465 (9999-12-31).
EXCEL_LAST_SERIAL = 2_958_465
DECIMAL_TYPE = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")
INTEGER_TEXT = re.compile(r"^[+-]?\d+$")


def to_text(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def to_integer(value: object, kind: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is a boolean, not {kind}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and INTEGER_TEXT.match(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValueError(f"could not convert {value!r} to {kind}")
    bound = INTEGER_RANGES[kind]
    if not -bound <= value < bound:
        raise ValueError(f"{value} is out of range for {kind}")
    return value


def to_date(value: object, dateformat: str | None) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value <= EXCEL_LAST_SERIAL:
        return EXCEL_EPOCH + timedelta(days=int(value))
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), dateformat or "%Y-%m-%d").date()
        except ValueError:
            pass
    raise ValueError(f"could not convert {value!r} to DATE")


def to_decimal(value: object, precision: int, scale: int) -> Decimal:
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"could not convert {value!r} to DECIMAL({precision},{scale})")
    number = number.quantize(Decimal(1).scaleb(-scale))
    if len(number.as_tuple().digits) > precision:
        raise ValueError(f"{value!r} does not fit DECIMAL({precision},{scale})")
    return number


def column_converter(kind: str, dateformat: str | None):
    """(Python converter raising ValueError, Arrow type) for a DuckDB column type."""
    kind = kind.upper()
    if kind == "VARCHAR":
        return to_text, pa.string()
    if kind in INTEGER_RANGES:
        return (lambda value: to_integer(value, kind)), pa.int64()
    if kind == "DATE":
        return (lambda value: to_date(value, dateformat)), pa.date32()
    if decimal := DECIMAL_TYPE.match(kind):
        precision, scale = int(decimal[1]), int(decimal[2])
        return (lambda value: to_decimal(value, precision, scale)), pa.decimal128(precision, scale)
    raise IngestError(f"xlsx typing does not support column type {kind}")


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def land_xlsx(con: duckdb.DuckDBPyConnection, file: FileLoad, relation: str) -> int:
    """Insert the sheet's rows below the header into relation; reject rows with unconvertible cells."""
    layout = file.layout
    columns = file.file_columns()
    converters = [(name, *column_converter(kind, layout.dateformat)) for name, kind in columns.items()]
    width = len(converters)
    batch = RowBatch(con, file, relation, converters)
    workbook = open_workbook(file.path, file.source_file)
    try:
        sheet = first_sheet(workbook, file.source_file)
    finally:
        workbook.close()
    rows = islice(sheet_rows(sheet), layout.header_row, None)
    for sheet_row, cells in enumerate(rows, start=layout.header_row + 1):
        if all(is_blank(value) for value in cells):
            continue
        values, problems = [], []
        for index, (name, convert, _) in enumerate(converters):
            value = cells[index] if index < len(cells) else None
            try:
                values.append(None if is_blank(value) else convert(value))
            except ValueError as error:
                problems.append((name, f"CAST: {error}"))
        if any(not is_blank(value) for value in cells[width:]):
            problems.append((None, f"TOO MANY COLUMNS: a value right of the header's {width} columns"))
        if problems:
            batch.reject(sheet_row, problems, cells)
        else:
            batch.add(sheet_row, values)
    batch.flush()
    return batch.inserted


class RowBatch:
    """Rows and rejects waiting to go to DuckDB as one Arrow table each."""

    def __init__(self, con, file: FileLoad, relation: str, converters) -> None:
        self.con, self.file, self.relation, self.converters = con, file, relation, converters
        self.lines: list[int] = []
        self.values: list[list] = [[] for _ in converters]
        self.rejects: list[tuple[int, str | None, str, str]] = []
        self.inserted = 0

    def add(self, line: int, values: list) -> None:
        self.lines.append(line)
        for column, value in zip(self.values, values):
            column.append(value)
        if len(self.lines) >= BATCH_ROWS:
            self.flush()

    def reject(self, line: int, problems: list[tuple[str | None, str]], cells: list) -> None:
        record = "\t".join("" if is_blank(value) else to_text(value) for value in cells)
        self.rejects.extend((line, column, reason, record) for column, reason in problems)
        if len(self.rejects) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        file = self.file
        if self.lines:
            names = [name for name, _, _ in self.converters]
            arrays = [pa.array(column, type=kind) for column, (_, _, kind) in zip(self.values, self.converters)]
            rows = pa.table([*arrays, pa.array(self.lines, type=pa.int64())], names=[*names, "_sheet_row"])
            target = ", ".join(quote_ident(name) for name in names)
            self.con.register("xlsx_rows", rows)
            self.inserted += self.con.execute(
                f"INSERT INTO {self.relation} ({target}, _source_file, _source_line, _file_sha256, _load_id, "
                f"_loaded_at) SELECT {target}, {file.lineage_sql('_sheet_row')} FROM xlsx_rows"
            ).fetchall()[0][0]
            self.con.unregister("xlsx_rows")
            self.lines = []
            self.values = [[] for _ in self.converters]
        if self.rejects:
            line, column, reason, record = zip(*self.rejects)
            rejects = pa.table({"line": pa.array(line, pa.int64()), "column_name": pa.array(column, pa.string()),
                                "reason": pa.array(reason, pa.string()), "raw_record": pa.array(record, pa.string())})
            self.con.register("xlsx_rejects", rejects)
            self.con.execute(
                f"INSERT INTO {file.rejects} SELECT ?, line, column_name, reason, raw_record, ?, ? FROM xlsx_rejects",
                [file.source_file, file.load_id, file.loaded_at],
            )
            self.con.unregister("xlsx_rejects")
            self.rejects = []
