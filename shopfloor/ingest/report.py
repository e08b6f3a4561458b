"""What a load did, per file and per raw table. Counts only: no row content, no names."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FileLoadOutcome:
    """One landing file. status: 'loaded', 'empty' (0 bytes) or 'skipped' (same sha256 already in the table)."""

    source_file: str
    table: str
    layout: str | None
    status: str
    file_sha256: str
    encoding: str | None
    rows_loaded: int
    rows_rejected: int
    load_id: str | None


@dataclass
class TableLoadReport:
    """One raw table after a source load. total_rows_in_table and rejected_total count every load so far."""

    table: str
    files_loaded: int = 0
    files_skipped_already_loaded: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    total_rows_in_table: int = 0
    rejected_total: int = 0

    def metadata(self) -> dict[str, int]:
        return {
            "files_loaded": self.files_loaded,
            "files_skipped_already_loaded": self.files_skipped_already_loaded,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "total_rows_in_table": self.total_rows_in_table,
            "rejected_total": self.rejected_total,
        }


@dataclass
class SourceLoadReport:
    source: str
    tables: dict[str, TableLoadReport] = field(default_factory=dict)
    files: list[FileLoadOutcome] = field(default_factory=list)

    def dagster_metadata(self) -> dict[str, dict[str, int]]:
        """Per raw table (e.g. 'raw.ncvoter'), plain int counts that Dagster shows as MetadataValue ints."""
        return {f"raw.{name}": report.metadata() for name, report in self.tables.items()}
