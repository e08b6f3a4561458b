"""XML files (format xml): one element per row, its child elements the columns; bare or as the one XML file of a zip.

Streamed with ElementTree.iterparse: each row element is typed, handed to an Arrow batch and cleared, so a file
is never held whole (the NLRB's CATS files are 110 MB of UTF-16 each). The parser reads the encoding from the
byte-order mark or the XML declaration, as the XML standard says.
`_source_line` and the rejects' `line` are the row element's ordinal in the file (1 = the first row element):
such exports put every row on one text line, so a text line number would not find a row.
A child element with xsi:nil="true", or holding only spaces, is NULL. Values keep their padding; staging trims.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

import duckdb

from .errors import IngestError
from .plan import FileLoad
from .xlsx import RowBatch, column_converter, is_blank

NIL_ATTRIBUTE = "{http://www.w3.org/2001/XMLSchema-instance}nil"
# What a damaged zip raises while its member is read.
CORRUPT_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)


@contextmanager
def open_xml(path: Path, shown_as: str) -> Iterator[BinaryIO]:
    """The XML bytes of path: the file itself, or the one .xml member of a zip (an XSL beside it is ignored)."""
    if path.suffix.lower() != ".zip":
        with path.open("rb") as stream:
            yield stream
        return
    try:
        archive = zipfile.ZipFile(path)
    except CORRUPT_ZIP_ERRORS as error:
        raise IngestError(f"{shown_as}: not a readable zip archive ({error})") from None
    with archive:
        members = [name for name in archive.namelist() if name.lower().endswith(".xml")]
        if len(members) != 1:
            raise IngestError(f"{shown_as}: the zip holds {len(members)} XML files ({', '.join(members) or 'none'}); "
                              "the loader reads a zip holding exactly one")
        with archive.open(members[0]) as stream:
            yield stream


def xml_rows(stream: BinaryIO, row_tag: str, shown_as: str) -> Iterator[tuple[int, list[tuple[str, str | None]]]]:
    """(ordinal, [(child tag, text or None), ...]) for each row element, in file order."""
    ordinal = 0
    root = None
    try:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            if root is None:
                root = element
            if event == "end" and element.tag == row_tag:
                ordinal += 1
                yield ordinal, [
                    (child.tag, None if child.get(NIL_ATTRIBUTE) == "true" or is_blank(child.text) else child.text)
                    for child in element
                ]
                root.clear()  # rows already handed on are dropped, so memory stays flat
    except ElementTree.ParseError as error:
        line, column = error.position
        raise IngestError(
            f"{shown_as}: not well-formed XML at line {line}, column {column}, after row {ordinal} "
            f"({error.msg.split(':')[0]}): a truncated file, one not in the encoding it declares, or broken markup"
        ) from None
    except CORRUPT_ZIP_ERRORS as error:
        raise IngestError(f"{shown_as}: the zip is damaged after row {ordinal} ({error})") from None


def read_xml_header(path: Path, row_tag: str, shown_as: str) -> list[str]:
    """The child tags of the first row element, in order: the file's columns."""
    with open_xml(path, shown_as) as stream:
        for _, row in xml_rows(stream, row_tag, shown_as):
            return [tag for tag, _ in row]
    return []


def land_xml(con: duckdb.DuckDBPyConnection, file: FileLoad, relation: str) -> int:
    """Insert every row element into relation; reject rows with unconvertible values, unknown or repeated fields."""
    layout = file.layout
    by_tag = {header: layout.raw_name(header) for header in layout.columns}
    converters = [(name, *column_converter(layout.type_of(name), layout.dateformat)) for name in by_tag.values()]
    batch = RowBatch(con, file, relation, converters)
    with open_xml(file.path, file.source_file) as stream:
        for ordinal, fields in xml_rows(stream, layout.row_tag, file.source_file):
            row = dict(fields)
            values, problems = [], []
            for header, (name, convert, _) in zip(by_tag, converters, strict=True):
                value = row.get(header)
                try:
                    values.append(None if value is None else convert(value))
                except ValueError as error:
                    problems.append((name, f"CAST: {error}"))
            problems += [(tag, f"UNKNOWN FIELD: <{tag}> is no column of layout {layout.name}")
                         for tag in row if tag not in by_tag]
            if len(row) < len(fields):
                problems.append((None, "DUPLICATED FIELD: a child element appears twice in the row"))
            if problems:
                batch.reject(ordinal, problems, [f"{tag}={value or ''}" for tag, value in fields])
            else:
                batch.add(ordinal, values)
    batch.flush()
    return batch.inserted
