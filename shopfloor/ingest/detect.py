"""Which layout a landing file is in, decided from its header alone."""

from __future__ import annotations

import csv
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from shopfloor.layouts import Layout, layouts_for_source

from .errors import IngestError, LayoutError

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
# A legacy .xls (BIFF8) sheet holds at most 65,536 rows of 256 columns: no grid of it can pass MAX_SHEET_CELLS.
XLS_MAX_CELLS = 65_536 * 256
# XML files, bare or as the one XML file of a zip (shopfloor.ingest.xml).
XML_SUFFIXES = frozenset({".xml", ".zip"})
# A header longer than this is not a header: stop reading instead of pulling a huge file into memory.
MAX_HEADER_BYTES = 1 << 20
# How many column names an error message lists before summarising the rest.
MAX_LISTED_COLUMNS = 8
# What a truncated or damaged workbook raises: calamine wraps its zip and XML failures in CalamineError; zipfile,
# sizing the grid, raises the others (RuntimeError: an encrypted part or a compression method it lacks).
CORRUPT_XLSX_ERRORS = (CalamineError, zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError)
# calamine holds a sheet as one dense grid from its first to its last used cell, 32 bytes a cell: a 5 KB file
# with values in A1 and XFD1048576 would ask for 550 GB and abort the process. A full-height sheet (Excel's
# 1,048,576 rows) as wide as the widest layout (34 columns) is 36M cells, 1.1 GB: allow that, refuse beyond.
MAX_SHEET_CELLS = 40_000_000
SCAN_CHUNK_BYTES = 1 << 20
# Quick check: cells as Excel and the usual writers put them (<c r="AB12"), none right of column AL (38) nor
# below row 1,049,999, cannot span more than NEAR_CELLS_BOUND < MAX_SHEET_CELLS.
NEAR_CELLS_BOUND = 38 * 1_049_999
PLAIN_CELL = b'<c r="'
FAR_PLAIN_CELL = re.compile(
    rb'<c r="(?:[A-Z]{3}|[B-Z][A-Z]|A[M-Z]|[A-Z]+(?:\d{8}|[2-9]\d{6}|1[1-9]\d{5}|10[5-9]\d{4}))', re.IGNORECASE)
# How a cell tag can start; any ":c" (a prefixed <x:c>, or rare text) sends the part to the exact sizing.
CELL_TAG_STARTS = (b"<c ", b"<c>", b"<c/", b"<c\t", b"<c\n", b"<c\r", b":c")
# Otherwise the grid is sized exactly. Tags may carry a namespace prefix (<x:c>); XML allows r = 'A1' too.
ROW_TAG = re.compile(rb"<(?:\w+:)?row\b")
ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr\s*=\s*[\"'](\d+)")
CELL_POSITION = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr\s*=\s*[\"']([A-Za-z]+)(\d+)")
CELL_WITHOUT_POSITION = re.compile(rb"<(?:\w+:)?c(?=[\s/>])(?![^>]*\sr\s*=)")


def is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in XLSX_SUFFIXES


def is_xml(path: Path) -> bool:
    return path.suffix.lower() in XML_SUFFIXES


def display_name(path: Path, source: str) -> str:
    """The path from the source folder down ('osha/violations.csv'), for messages that must name the file."""
    parts = path.parts
    if source in parts:
        start = len(parts) - 1 - parts[::-1].index(source)
        return "/".join(parts[start:])
    return f"{source}/{path.name}"


def open_workbook(path: Path, shown_as: str) -> CalamineWorkbook:
    """The workbook through python-calamine; a truncated or non-xlsx file becomes an IngestError naming it."""
    try:
        return CalamineWorkbook.from_path(path)
    except CORRUPT_XLSX_ERRORS as error:
        raise corrupt_workbook(shown_as, error) from None


def corrupt_workbook(shown_as: str, error: Exception) -> IngestError:
    return IngestError(f"{shown_as}: not a readable xlsx workbook (truncated or corrupt: {error})")


def first_sheet(workbook: CalamineWorkbook, shown_as: str) -> CalamineSheet:
    """The first sheet's cells, parsed whole into memory by calamine (it has no streaming reader).

    That is bounded: Excel caps a sheet at 1,048,576 rows, a grid past MAX_SHEET_CELLS is refused before calamine
    builds it, and iter_rows hands rows to Python one at a time, so no Python object per cell is ever held.
    """
    if not workbook.sheet_names:
        raise IngestError(f"{shown_as}: the workbook has no sheet")
    try:
        refuse_oversized_grid(Path(workbook.path), shown_as)
        return workbook.get_sheet_by_index(0)
    except CORRUPT_XLSX_ERRORS as error:
        raise corrupt_workbook(shown_as, error) from None


def refuse_oversized_grid(path: Path, shown_as: str) -> None:
    """An IngestError before calamine builds a sheet's grid, if any sheet's would pass MAX_SHEET_CELLS."""
    cells = largest_grid_cells(path)
    if cells > MAX_SHEET_CELLS:
        raise IngestError(
            f"{shown_as}: a sheet spans {cells:,} cells from its first to its last used cell, more than the "
            f"{MAX_SHEET_CELLS:,} the loader holds in memory"
        )


def largest_grid_cells(path: Path) -> int:
    """At least as many cells as calamine's grid of any sheet in the file holds, read without building one.

    Every part of the zip is scanned, not just the first sheet's, so no renamed part escapes the check.
    """
    if path.suffix.lower() == ".xls":
        return XLS_MAX_CELLS
    # Layout detection and then the load open each file: scan it once unless it changed in between.
    stat = path.stat()
    return _largest_grid_cells(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _largest_grid_cells(path: Path, size: int, modified_ns: int) -> int:
    with zipfile.ZipFile(path) as archive:
        return max((_grid_cells_bound(archive, part) for part in archive.namelist()), default=0)


def _tag_chunks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's XML in chunks that each end after a complete tag; nothing for a part that is not XML."""
    tail = b""
    with archive.open(part) as xml:
        chunk = xml.read(SCAN_CHUNK_BYTES)
        if not chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return  # an image, a VBA project: calamine reads no cells from it
        while chunk:
            chunk = tail + chunk
            cut = chunk.rfind(b">") + 1
            yield chunk[:cut]
            # After the last complete tag come text, which holds no cell, then at most the start of the next tag.
            opening = chunk.find(b"<", cut)
            tail = chunk[opening:] if opening >= 0 else b""
            if len(tail) > SCAN_CHUNK_BYTES:
                raise zipfile.BadZipFile(f"{part} has a tag over {SCAN_CHUNK_BYTES:,} bytes")
            chunk = xml.read(SCAN_CHUNK_BYTES)


def _grid_cells_bound(archive: zipfile.ZipFile, part: str) -> int:
    if all(_only_near_plain_cells(chunk) for chunk in _tag_chunks(archive, part)):
        return NEAR_CELLS_BOUND
    last_row = last_column = unnumbered_rows = most_unplaced_cells = unplaced_in_row = 0
    for chunk in _tag_chunks(archive, part):
        # A cell with r is placed by it; a row or cell without one sits one past the one before.
        numbered = ROW_NUMBER.findall(chunk)
        in_rows = ROW_TAG.split(chunk)
        unnumbered_rows += len(in_rows) - 1 - len(numbered)
        positions = CELL_POSITION.findall(chunk)
        last_row = max([last_row, *map(int, numbered), *(int(row) for _, row in positions)])
        last_column = max([last_column, *map(column_number, {column for column, _ in positions})])
        for starts_row, text in enumerate(in_rows):
            if starts_row:
                unplaced_in_row = 0
            unplaced_in_row += len(CELL_WITHOUT_POSITION.findall(text))
            most_unplaced_cells = max(most_unplaced_cells, unplaced_in_row)
    return (last_row + unnumbered_rows) * (last_column + most_unplaced_cells)


def _only_near_plain_cells(chunk: bytes) -> bool:
    every_cell = sum(chunk.count(start) for start in CELL_TAG_STARTS)
    return chunk.count(PLAIN_CELL) == every_cell and not FAR_PLAIN_CELL.search(chunk)


def column_number(letters: bytes) -> int:
    """b"A" -> 1, b"AB" -> 28."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def sheet_rows(sheet: CalamineSheet) -> Iterator[list]:
    """Every row from sheet row 1 on, each cell in its sheet column.

    calamine's rows start at row 1 but at the first used column: put back the empty columns it left out.
    """
    start = sheet.start
    if start is None:
        return iter(())
    left_of_data = [""] * start[1]
    return (left_of_data + row for row in sheet.iter_rows()) if left_of_data else sheet.iter_rows()


def xlsx_cell_text(value: object) -> str:
    # calamine reads every number as a float: a header typed as 2022 is "2022", not "2022.0".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx_header(path: Path, header_row: int, shown_as: str) -> list[str]:
    workbook = open_workbook(path, shown_as)
    try:
        header = next(islice(sheet_rows(first_sheet(workbook, shown_as)), header_row - 1, None), [])
    finally:
        workbook.close()
    cells = [xlsx_cell_text(value) for value in header]
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


def file_format(path: Path) -> str:
    """The family of layout formats a file can be in, from its name: xlsx, xml or delimited."""
    if is_xlsx(path):
        return "xlsx"
    return "xml" if is_xml(path) else "delimited"


def layout_family(layout: Layout) -> str:
    return "xlsx" if layout.format == "xlsx_sections" else layout.format


def how_read(layout: Layout) -> tuple:
    """What decides the header a layout reads from a file: layouts that agree on it share one read."""
    if layout.format == "xlsx":
        return ("xlsx", layout.header_row)
    if layout.format == "xlsx_sections":
        return ("xlsx_sections", layout.section_marker, layout.skip_sheets)
    if layout.format == "xml":
        return ("xml", layout.row_tag)
    return ("delimited", layout.delimiter, layout.quote)


def read_header(path: Path, layout: Layout, shown_as: str) -> list[str]:
    if layout.format == "xlsx":
        return read_xlsx_header(path, layout.header_row, shown_as)
    if layout.format == "xlsx_sections":
        from .sections import read_first_section_header

        return read_first_section_header(path, layout, shown_as)
    if layout.format == "xml":
        from .xml import read_xml_header

        return read_xml_header(path, layout.row_tag, shown_as)
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
    wanted_format = file_format(path)
    candidates = [layout for layout in layouts if layout_family(layout) == wanted_format]
    expected = ", ".join(layout.name for layout in layouts)
    if not candidates:
        raise LayoutError(
            f"{shown_as}: unknown layout: folder {source}/ takes no {wanted_format} files "
            f"(expected layouts: {expected})"
        )

    headers: dict[tuple, list[str]] = {}
    matches = []
    for layout in candidates:
        if how_read(layout) not in headers:
            headers[how_read(layout)] = read_header(path, layout, shown_as)
        matches.append(match_header(layout, headers[how_read(layout)]))
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
