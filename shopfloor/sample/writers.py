"""File writers: delimited text through pyarrow (chunked, byte-deterministic) and xlsx through openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from shopfloor.layouts import Layout

FIXED_ZIP_TIME = (2025, 6, 30, 0, 0, 0)


def fmt_dates(day_dates: np.ndarray, fmt: str, missing: np.ndarray | None = None) -> pa.Array:
    """datetime64[D] -> strings in `fmt`; rows flagged `missing` become empty."""
    text = pc.strftime(pa.array(day_dates.astype("datetime64[D]")), format=fmt)
    if missing is not None:
        text = pc.if_else(pa.array(missing), "", text)
    return text


def text(values) -> pa.Array:
    """Anything array-like -> a pyarrow string array."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.cast(pa.string())
    arr = np.asarray(values)
    if arr.dtype.kind in "iuf":
        return pa.array(arr).cast(pa.string())
    if arr.dtype.kind == "b":
        return pa.array(np.where(arr, "Y", "N"))
    return pa.array(arr.astype(str))


def join(*parts, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*[p if isinstance(p, (pa.Array, str)) else text(p) for p in parts], sep)


class DelimitedWriter:
    """Writes one layout's file chunk by chunk with exactly the layout's headers, delimiter and quoting.

    quote_all quotes every field, empties included (NC style); otherwise empties are written as NULL (nothing).
    """

    def __init__(self, path: Path, layout: Layout, *, quote_all: bool = False, encoding: str = "utf-8",
                 extra_columns: tuple[str, ...] = ()):
        self.path = path
        self.columns = list(layout.columns) + list(extra_columns)
        self.quote_all = quote_all
        self.encoding = encoding
        self.options = pacsv.WriteOptions(delimiter=layout.delimiter, include_header=False,
                                          quoting_style="all_valid" if quote_all else "needed")
        self.rows = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(path, "wb")
        header = layout.delimiter.join(f'"{c}"' for c in self.columns) + "\n"
        self.file.write(header.encode(encoding))

    def write(self, columns: Mapping[str, object]) -> None:
        missing = set(self.columns) - set(columns)
        if missing:
            raise ValueError(f"{self.path.name}: no values for {sorted(missing)}")
        arrays = []
        for name in self.columns:
            arr = text(columns[name])
            arr = pc.fill_null(arr, "") if self.quote_all else pc.if_else(pc.equal(arr, ""), None, arr)
            arrays.append(arr)
        table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, self.options)
        data = buffer.getvalue()
        if self.encoding != "utf-8":
            data = data.decode("utf-8").encode(self.encoding)
        self.file.write(data)
        self.rows += table.num_rows

    def close(self) -> int:
        self.file.close()
        return self.rows


def write_delimited(path: Path, layout: Layout, columns: Mapping[str, object], **kwargs) -> int:
    writer = DelimitedWriter(path, layout, **kwargs)
    writer.write(columns)
    return writer.close()


def write_xlsx(path: Path, layout: Layout, rows: Iterable[Iterable], title_rows: tuple[str, ...] = ()) -> int:
    """Header on layout.header_row (title rows above it), real Excel dates, byte-identical for identical input."""
    from openpyxl import Workbook

    if len(title_rows) != layout.header_row - 1:
        raise ValueError(f"{layout.name}: header on row {layout.header_row} needs {layout.header_row - 1} title rows")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    for title in title_rows:
        sheet.append([title] if title else [])
    sheet.append(list(layout.columns))
    count = 0
    for row in rows:
        sheet.append(list(row))
        count += 1
    fixed = dt.datetime(*FIXED_ZIP_TIME)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    _freeze_zip(path)
    return count


def _freeze_zip(path: Path) -> None:
    """openpyxl stamps the save time into the zip entries and docProps/core.xml; pin both."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-06-30T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME), data,
                            compress_type=zipfile.ZIP_DEFLATED)


def excel_date(day_dates: np.ndarray) -> list[dt.date | None]:
    return [None if np.isnat(d) else d.astype(dt.date) for d in day_dates.astype("datetime64[D]")]
