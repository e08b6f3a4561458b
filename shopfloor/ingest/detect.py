"""Which layout a landing file is in, decided from its header alone."""

from __future__ import annotations

import csv
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from xml.etree import ElementTree
from datetime import date, datetime
from pathlib import Path

from shopfloor.layouts import Layout, layouts_for_source

from .errors import IngestError, LayoutError

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
# A header longer than this is not a header: stop reading instead of pulling a huge file into memory.
MAX_HEADER_BYTES = 1 << 20
# How many column names an error message lists before summarising the rest.
MAX_LISTED_COLUMNS = 8
# What openpyxl lets through from a truncated or damaged workbook, at open or while streaming rows.
CORRUPT_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, KeyError, EOFError, OSError)


def is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in XLSX_SUFFIXES


def display_name(path: Path, source: str) -> str:
    """The path from the source folder down ('osha/violations.csv'), for messages that must name the file."""
    parts = path.parts
    if source in parts:
        start = len(parts) - 1 - parts[::-1].index(source)
        return "/".join(parts[start:])
    return f"{source}/{path.name}"


def open_workbook(path: Path, shown_as: str):
    """openpyxl in read-only streaming mode; a truncated or non-xlsx file becomes an IngestError naming it."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (*CORRUPT_XLSX_ERRORS, InvalidFileException) as error:
        raise corrupt_workbook(shown_as, error) from None


def corrupt_workbook(shown_as: str, error: Exception) -> IngestError:
    return IngestError(f"{shown_as}: not a readable xlsx workbook (truncated or corrupt: {error})")


def first_sheet(workbook, shown_as: str):
    if not workbook.worksheets:
        raise IngestError(f"{shown_as}: the workbook has no sheet")
    return workbook.worksheets[0]


def xlsx_cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_xlsx_header(path: Path, header_row: int, shown_as: str) -> list[str]:
    workbook = open_workbook(path, shown_as)
    try:
        rows = first_sheet(workbook, shown_as).iter_rows(min_row=header_row, max_row=header_row, values_only=True)
        cells = [xlsx_cell_text(value) for value in next(rows, ())]
    except CORRUPT_XLSX_ERRORS as error:
        raise corrupt_workbook(shown_as, error) from None
    finally:
        workbook.close()
    # Sheets often report blank cells past the last header; they are not columns.
    while cells and not cells[-1]:
        cells.pop()
    return cells


def decode_header_line(raw: bytes) -> str:
    """The header line as text: UTF-8 (BOM dropped) when valid, else Latin-1, which decodes any byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_delimited_header(path: Path, delimiter: str, quote: str) -> list[str]:
    with path.open("rb") as handle:
        raw = handle.readline(MAX_HEADER_BYTES)
    line = decode_header_line(raw).rstrip("\r\n")
    if not line:
        return []
    return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter, quotechar=quote))]


def read_header(path: Path, layout: Layout, shown_as: str) -> list[str]:
    if layout.format == "xlsx":
        return read_xlsx_header(path, layout.header_row, shown_as)
    return read_delimited_header(path, layout.delimiter, layout.quote)


def election_of_wide_column(header: str) -> tuple[str, date]:
    """'GENERAL-11/08/2022' -> ('GENERAL', 2022-11-08). Ohio writes election dates as MM/DD/YYYY."""
    election_type, _, when = header.partition("-")
    return election_type, datetime.strptime(when, "%m/%d/%Y").date()


@dataclass(frozen=True)
class HeaderMatch:
    """How a file header compares with one layout. header is the file's, in order; wide its election columns."""

    layout: Layout
    header: tuple[str, ...]
    wide: tuple[str, ...]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]
    duplicated: tuple[str, ...]

    @property
    def fixed(self) -> set[str]:
        return set(self.header) - set(self.wide)

    @property
    def shared(self) -> int:
        return len(self.fixed & set(self.layout.columns))

    @property
    def similarity(self) -> float:
        union = self.fixed | set(self.layout.columns)
        return self.shared / len(union) if union else 0.0

    @property
    def recognisable(self) -> bool:
        """At least half of the layout's required columns are there: a damaged file of this layout."""
        return self.shared > 0 and self.shared * 2 >= len(self.layout.required)

    def problems(self) -> str:
        parts = []
        if self.missing:
            parts.append(f"missing required column {_listed(self.missing)}")
        if self.unexpected:
            parts.append(f"unexpected column {_listed(self.unexpected)}")
        if self.duplicated:
            parts.append(f"duplicated column {_listed(self.duplicated)}")
        return "; ".join(parts)


def _listed(columns: tuple[str, ...]) -> str:
    shown = ", ".join(repr(column) for column in columns[:MAX_LISTED_COLUMNS])
    rest = len(columns) - MAX_LISTED_COLUMNS
    return shown + (f" and {rest} more" if rest > 0 else "")


def match_header(layout: Layout, header: list[str]) -> HeaderMatch:
    wide_pattern = re.compile(layout.wide_columns.pattern) if layout.wide_columns else None
    wide = tuple(h for h in header if wide_pattern and wide_pattern.match(h))
    fixed = [h for h in header if h not in wide]
    known = set(layout.columns)
    # Two headers landing in one raw column would be as ambiguous as a repeated header.
    names = [layout.raw_name(h) if h in known else h for h in header]
    return HeaderMatch(
        layout=layout,
        header=tuple(header),
        wide=wide,
        missing=tuple(h for h in layout.required if h not in fixed),
        unexpected=tuple(h for h in fixed if h not in known),
        duplicated=tuple(sorted(name for name, seen in Counter(names).items() if seen > 1)),
    )


def detect_layout(path: Path, source: str) -> Layout:
    """The layout of `source` whose columns best overlap this file's header (for xlsx: its header_row).

    Raises LayoutError naming the file when no layout of the folder fits (with the closest layouts and
    what differs), or when the best layout lacks a required column, has an unknown or duplicated column.
    """
    return match_file(path, source).layout


def match_file(path: Path, source: str) -> HeaderMatch:
    shown_as = display_name(path, source)
    layouts = layouts_for_source(source)
    if not layouts:
        raise LayoutError(f"{shown_as}: unknown source folder {source!r}")
    wanted_format = "xlsx" if is_xlsx(path) else "delimited"
    candidates = [layout for layout in layouts if layout.format == wanted_format]
    expected = ", ".join(layout.name for layout in layouts)
    if not candidates:
        raise LayoutError(
            f"{shown_as}: unknown layout: folder {source}/ takes no {wanted_format} files "
            f"(expected layouts: {expected})"
        )

    headers: dict[tuple, list[str]] = {}
    matches = []
    for layout in candidates:
        how_read = (layout.header_row,) if wanted_format == "xlsx" else (layout.delimiter, layout.quote)
        if how_read not in headers:
            headers[how_read] = read_header(path, layout, shown_as)
        matches.append(match_header(layout, headers[how_read]))
    matches.sort(key=lambda match: match.similarity, reverse=True)
    best = matches[0]

    if not best.recognisable:
        closest = [m for m in matches[:2] if m.shared]
        detail = (
            "Closest: " + "; ".join(
                f"{m.layout.name} shares {m.shared} of {len(m.layout.columns)} columns ({m.problems()})"
                for m in closest
            )
            if closest else "It shares no column with any of them."
        )
        raise LayoutError(
            f"{shown_as}: unknown layout: the header matches no layout of folder {source}/ "
            f"(expected one of: {expected}). {detail}"
        )
    problems = best.problems()
    for header in best.wide:
        try:
            election_of_wide_column(header)
        except ValueError:
            problems = "; ".join(filter(None, [problems, f"election column {header!r} holds no valid date"]))
    if problems:
        raise LayoutError(f"{shown_as} (layout {best.layout.name}): {problems}")
    return best
