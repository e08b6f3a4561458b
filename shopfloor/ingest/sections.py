"""Sectioned workbooks (format xlsx_sections): tables one below the other or one per sheet, each under its own header.

The NLRB's yearly election reports hold one table per ballot (one, two or three unions, deauthorization votes),
whose columns after the first union differ: read under one header, the second union's votes land in the
"Stipulated / Consent / Directed" column. So every section is read by the names of its own header:
- a row holding the layout's section_marker cell ("Case Number") is a section's header, checked against the layout
  like any file's header (a missing required or unknown column fails the file, naming sheet and row);
- a row with one filled cell at most ("Rows 1 - 886 (All Rows)", a section title) ends the section;
- a row with more, outside any section, is rejected: its columns cannot be told;
- sheets whose name matches skip_sheets (the summary) hold no rows to load; any other sheet must hold a section.
Rows land with their sheet (`_sheet_name`) and their section's header row (`_section_header_line`); `_source_line`
is the row within its sheet, as Excel shows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineSheet

from shopfloor.layouts import Layout

from .detect import (
    CORRUPT_XLSX_ERRORS,
    corrupt_workbook,
    match_header,
    open_workbook,
    refuse_oversized_grid,
    sheet_rows,
    xlsx_cell_text,
)
from .errors import IngestError, LayoutError
from .plan import FileLoad
from .xlsx import RowBatch, column_converter, is_blank

SECTION_TITLE_MAX_CELLS = 1


def section_sheets(path: Path, layout: Layout, shown_as: str) -> Iterator[tuple[str, CalamineSheet]]:
    """(name, cells) of each sheet that holds sections, in workbook order."""
    workbook = open_workbook(path, shown_as)
    try:
        refuse_oversized_grid(path, shown_as)
        skip = re.compile(layout.skip_sheets) if layout.skip_sheets else None
        for index, name in enumerate(workbook.sheet_names):
            if skip is None or not skip.search(name):
                yield name, workbook.get_sheet_by_index(index)
    except CORRUPT_XLSX_ERRORS as error:
        raise corrupt_workbook(shown_as, error) from None
    finally:
        workbook.close()


def header_cells(cells: list) -> list[str]:
    texts = [xlsx_cell_text(value) for value in cells]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def read_first_section_header(path: Path, layout: Layout, shown_as: str) -> list[str]:
    """The first section header of the workbook (what layout detection compares), or [] if there is none."""
    for _, sheet in section_sheets(path, layout, shown_as):
        for cells in sheet_rows(sheet):
            if layout.section_marker in header_cells(cells):
                return header_cells(cells)
    return []


def land_xlsx_sections(con: duckdb.DuckDBPyConnection, file: FileLoad, relation: str) -> int:
    """Insert the rows of every section into relation; reject rows outside a section or with unconvertible cells."""
    layout = file.layout
    raw_columns = layout.raw_columns
    converters = [(name, *column_converter(layout.type_of(name), layout.dateformat)) for name in raw_columns]
    section_columns = [("_sheet_name", str, pa.string()), ("_section_header_line", int, pa.int64())]
    batch = RowBatch(con, file, relation, converters + section_columns)
    for sheet_name, sheet in section_sheets(file.path, layout, file.source_file):
        place = f"{file.source_file}, sheet {sheet_name!r}"
        header_line, positions, width, sections = None, {}, 0, 0
        for line, cells in enumerate(sheet_rows(sheet), start=1):
            filled = sum(not is_blank(value) for value in cells)
            if filled == 0:
                continue
            header = header_cells(cells)
            if layout.section_marker in header:
                positions, width = _section_positions(layout, header, f"{place}, section header at row {line}")
                header_line, sections = line, sections + 1
                continue
            if filled <= SECTION_TITLE_MAX_CELLS:
                header_line = None
                continue
            record = [sheet_name, *cells]
            if header_line is None:
                batch.reject(line, [(None, f"OUTSIDE A SECTION: sheet {sheet_name!r} has no header row above this "
                                           "row since the last title row, so its columns cannot be told")], record)
                continue
            values, problems = [None] * len(raw_columns), []
            for index, value in enumerate(cells):
                if is_blank(value):
                    continue
                if index not in positions:
                    where = "right of the header" if index >= width else "under a blank header cell"
                    problems.append((None, f"TOO MANY COLUMNS: a value {where} of the section at row {header_line}"))
                    continue
                column = positions[index]
                try:
                    values[column] = converters[column][1](value)
                except ValueError as error:
                    problems.append((raw_columns[column], f"CAST: {error}"))
            if problems:
                batch.reject(line, [(name, f"sheet {sheet_name!r}: {reason}") for name, reason in problems], record)
            else:
                batch.add(line, [*values, sheet_name, header_line])
        if sections == 0:
            raise IngestError(f"{place}: no section header (no row holds a {layout.section_marker!r} cell), so no "
                              f"row of the sheet can be read; a sheet that holds none must match the layout's skip_sheets")
    batch.flush()
    return batch.inserted


def _section_positions(layout: Layout, header: list[str], where: str) -> tuple[dict[int, int], int]:
    """{sheet column index: layout column index} for one section's header, after checking it like a file header."""
    problems = match_header(layout, [cell for cell in header if cell]).problems()
    if problems:
        raise LayoutError(f"{where} (layout {layout.name}): {problems}")
    columns = {name: index for index, name in enumerate(layout.columns)}
    return {position: columns[cell] for position, cell in enumerate(header) if cell}, len(header)

