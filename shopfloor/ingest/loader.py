"""load_source: every file of a landing folder into schema raw, one transaction per file."""

from __future__ import annotations

import difflib
import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from shopfloor.layouts import layouts_for_source, sources

from .delimited import land_delimited
from .detect import HeaderMatch, file_format, match_file
from .errors import IngestError, LayoutError
from .files import FileFacts, file_facts
from .plan import FileLoad
from .postprocess import reject_duplicate_keys, split_wide
from .report import FileLoadOutcome, SourceLoadReport, TableLoadReport
from .sections import land_xlsx_sections
from .tables import LOADS_COLUMNS, ensure_raw_schema, quote_ident, rejects_table
from .xlsx import land_xlsx
from .xml import land_xml

log = logging.getLogger(__name__)

# Folder names under a source folder that never hold files to load: the generator's answer keys.
IGNORED_FOLDERS = frozenset({"_truth"})
# Hidden files, and the lock files Office leaves beside a workbook someone has open ('~$roll.xlsx').
IGNORED_PREFIXES = (".", "~$")


@dataclass(frozen=True)
class _PlannedFile:
    path: Path
    source_file: str
    facts: FileFacts
    table: str
    match: HeaderMatch | None  # None for a 0-byte file: there is no header to match


def landing_files(folder: Path) -> list[Path]:
    """Files under folder, recursively and sorted, skipping hidden files/folders, lock files and `_truth`."""
    found = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and not any(p.startswith(IGNORED_PREFIXES) or p in IGNORED_FOLDERS for p in parts):
            found.append(path)
    return found


def table_for_empty_file(path: Path, source: str) -> str:
    """A 0-byte file has no header to detect a layout from; its reject row goes to the source's only table,
    or else to the table whose name is closest to the file name (e.g. osha_violation for violations.csv)."""
    tables = sorted({layout.table for layout in layouts_for_source(source)})
    stem = path.stem.lower()
    return max(tables, key=lambda table: difflib.SequenceMatcher(None, stem, table).ratio())


def plan_source(folder: Path, source: str, landing_dir: Path,
                only_files: Collection[Path] | None = None) -> tuple[list[_PlannedFile], list[IngestError]]:
    """Hash and header-check every file first, so a header no layout fits fails the source before anything loads.

    Returns the files to load and the errors of files that cannot be read at all (truncated, corrupt, in the wrong
    encoding): those fail alone, and the other files still load.
    """
    planned, errors = [], []
    wanted = None if only_files is None else {Path(path).resolve() for path in only_files}
    for path in landing_files(folder):
        if wanted is not None and path.resolve() not in wanted:
            continue
        source_file = path.relative_to(landing_dir).as_posix()
        try:
            facts = file_facts(path, file_format(path))
            if facts.size == 0:
                planned.append(_PlannedFile(path, source_file, facts, table_for_empty_file(path, source), None))
                continue
            match = match_file(path, source)
            planned.append(_PlannedFile(path, source_file, facts, match.layout.table, match))
        except IngestError as error:
            errors.append(error)
    if any(isinstance(error, LayoutError) for error in errors):
        message = "\n".join(str(error) for error in errors)
        raise (LayoutError if all(isinstance(e, LayoutError) for e in errors) else IngestError)(
            f"{source}: {len(errors)} file(s) cannot be loaded, nothing was loaded:\n{message}"
            if len(errors) > 1 else message
        )
    return planned, errors


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _already_loaded(con: duckdb.DuckDBPyConnection, planned: _PlannedFile) -> bool:
    """Same content already landed in the same table. Empty files all share one hash, so they also match by name."""
    return con.execute(
        "SELECT count(*) FROM raw._loads WHERE table_name = ? AND file_sha256 = ? "
        "AND (status = 'loaded' OR (status = 'empty' AND source_file = ?))",
        [planned.table, planned.facts.sha256, planned.source_file],
    ).fetchall()[0][0] > 0


def _record_load(con: duckdb.DuckDBPyConnection, source: str, planned: _PlannedFile, outcome: FileLoadOutcome,
                 started_at: datetime) -> None:
    values = {
        "load_id": outcome.load_id,
        "source": source,
        "table_name": planned.table,
        "layout": outcome.layout,
        "source_file": planned.source_file,
        "file_sha256": planned.facts.sha256,
        "file_bytes": planned.facts.size,
        "encoding": outcome.encoding,
        "rows_loaded": outcome.rows_loaded,
        "rows_rejected": outcome.rows_rejected,
        "started_at": started_at,
        "finished_at": _now(),
        "status": outcome.status,
    }
    con.execute(
        f"INSERT INTO raw._loads ({', '.join(LOADS_COLUMNS)}) VALUES ({', '.join('?' for _ in LOADS_COLUMNS)})",
        [values[column] for column in LOADS_COLUMNS],
    )


def _land_rows(con: duckdb.DuckDBPyConnection, file: FileLoad) -> tuple[int, int]:
    """Rows into the file's table (and the wide-column table). Returns (main rows, wide rows)."""
    table = f"raw.{quote_ident(file.table)}"
    if file.layout.wide_columns:
        # Ohio: one read into a staging table, then split; reading the file twice could disagree on rejects.
        stage = f"wide_stage_{file.load_id}"
        land_delimited(con, file, stage, create=True)
        reject_duplicate_keys(con, stage, file)
        fixed = [c for c in file.file_columns() if c not in file.match.wide]
        main_rows, wide_rows = split_wide(con, stage, file, fixed)
        con.execute(f"DROP TABLE {stage}")
        return main_rows, wide_rows
    readers = {"xlsx": land_xlsx, "xlsx_sections": land_xlsx_sections, "xml": land_xml}
    if file.layout.format in readers:
        inserted = readers[file.layout.format](con, file, table)
    else:
        inserted = land_delimited(con, file, table, create=False)
    return inserted - reject_duplicate_keys(con, table, file), 0


def _load_file(con: duckdb.DuckDBPyConnection, source: str, planned: _PlannedFile) -> tuple[FileLoadOutcome, int]:
    """One file in one transaction. Returns its outcome and the rows it put into a wide-column table."""
    started_at = _now()
    load_id = uuid.uuid4().hex
    outcome = FileLoadOutcome(
        source_file=planned.source_file, table=planned.table,
        layout=planned.match.layout.name if planned.match else None, status="loaded",
        file_sha256=planned.facts.sha256, encoding=planned.facts.encoding if planned.match else None,
        rows_loaded=0, rows_rejected=0, load_id=load_id,
    )
    con.execute("BEGIN")
    try:
        wide_rows = 0
        if planned.match is None:
            con.execute(
                f"INSERT INTO raw.{quote_ident(rejects_table(planned.table))} "
                "VALUES (?, 0, NULL, 'empty file', '', ?, ?)",
                [planned.source_file, load_id, started_at],
            )
            outcome = replace(outcome, status="empty", rows_rejected=1)
        else:
            file = FileLoad(planned.path, planned.source_file, planned.match, planned.facts, load_id, started_at)
            rows, wide_rows = _land_rows(con, file)
            # A sectioned workbook's line numbers restart on every sheet; its records name the sheet.
            rejected = con.execute(
                f"SELECT count(DISTINCT (line, raw_record)) FROM {file.rejects} WHERE load_id = ?", [load_id]
            ).fetchall()[0][0]
            outcome = replace(outcome, rows_loaded=rows, rows_rejected=rejected)
        _record_load(con, source, planned, outcome, started_at)
        con.execute("COMMIT")
    except BaseException as error:
        con.execute("ROLLBACK")
        if not isinstance(error, Exception):  # Ctrl-C and friends: roll back, record nothing, stop.
            raise
        failed = replace(outcome, status="failed", rows_loaded=0, rows_rejected=0)
        _record_load(con, source, planned, failed, started_at)
        if isinstance(error, IngestError):
            raise
        raise IngestError(f"{planned.source_file}: load failed and was rolled back: {error}") from error
    return outcome, wide_rows


def load_source(con: duckdb.DuckDBPyConnection, source: str, landing_dir: Path,
                only_files: Collection[Path] | None = None) -> SourceLoadReport:
    """Load every file under landing_dir/<source>/ into schema raw of the connected warehouse.

    Files are found recursively (hidden files, Office lock files and `_truth` folders skipped); each one's
    layout is detected from its header and its rows land in raw.<layout table> with the lineage columns
    _source_file (relative to landing_dir), _source_line (see shopfloor.ingest.delimited / .xlsx / .sections / .xml
    for what the number means), _file_sha256, _load_id and _loaded_at. Rows that do not parse, and repeats of a layout key
    within a file, go to raw.<table>__rejected; every file gets a row in raw._loads.

    All headers are checked before any row moves (a LayoutError names every file no layout fits; a file that
    cannot be read at all fails alone and the others load). Then each
    file loads in its own transaction: a failure rolls that file back and is recorded in raw._loads as 'failed',
    the other files still load, and the failures are raised at the end (one IngestError naming each file). A file
    whose sha256 is already loaded into the same table is skipped. `con` must not be inside an open transaction.
    With only_files, just those files of the folder are checked and loaded (one partition of a source that lands in
    time slices).
    """
    known = sources()
    if source not in known:
        raise IngestError(f"unknown source {source!r}; known sources: {', '.join(known)}")
    landing_dir = Path(landing_dir)
    folder = landing_dir / source
    if not folder.is_dir():
        raise IngestError(f"{source}/: landing folder {folder} does not exist")
    tables = ensure_raw_schema(con, source)
    planned_files, failures = plan_source(folder, source, landing_dir, only_files)
    report = SourceLoadReport(source=source, tables={table: TableLoadReport(table) for table in tables})
    wide_tables = {
        layout.table: layout.wide_columns.table for layout in layouts_for_source(source) if layout.wide_columns
    }

    for number, planned in enumerate(planned_files, start=1):
        table_report = report.tables[planned.table]
        wide_report = report.tables.get(wide_tables.get(planned.table, ""))
        if _already_loaded(con, planned):
            table_report.files_skipped_already_loaded += 1
            if wide_report is not None:
                wide_report.files_skipped_already_loaded += 1
            report.files.append(FileLoadOutcome(
                source_file=planned.source_file, table=planned.table,
                layout=planned.match.layout.name if planned.match else None, status="skipped",
                file_sha256=planned.facts.sha256, encoding=planned.facts.encoding, rows_loaded=0,
                rows_rejected=0, load_id=None,
            ))
            log.info("%s file %d/%d: raw.%s already holds this file's content, skipped",
                     source, number, len(planned_files), planned.table)
            continue
        try:
            outcome, wide_rows = _load_file(con, source, planned)
        except IngestError as error:
            failures.append(error)
            log.error("%s file %d/%d failed and was rolled back; the other files go on loading",
                      source, number, len(planned_files))
            continue
        report.files.append(outcome)
        table_report.files_loaded += 1
        table_report.rows_loaded += outcome.rows_loaded
        table_report.rows_rejected += outcome.rows_rejected
        if wide_report is not None:
            wide_report.files_loaded += 1
            wide_report.rows_loaded += wide_rows
        log.info("%s file %d/%d: %d rows into raw.%s, %d rejected (%s)", source, number, len(planned_files),
                 outcome.rows_loaded, planned.table, outcome.rows_rejected, outcome.status)

    for table, table_report in report.tables.items():
        table_report.total_rows_in_table = con.execute(
            f"SELECT count(*) FROM raw.{quote_ident(table)}"
        ).fetchall()[0][0]
        table_report.rejected_total = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT load_id, line, raw_record "
            f"FROM raw.{quote_ident(rejects_table(table))})"
        ).fetchall()[0][0]
    if len(failures) == 1:
        raise failures[0]
    if failures:
        raise IngestError(f"{source}: {len(failures)} file(s) could not be loaded; the other files "
                          "loaded:\n" + "\n".join(str(error) for error in failures))
    return report
