"""One file's load: everything the delimited and xlsx readers need, decided before any row moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from shopfloor.layouts import Layout

from .detect import HeaderMatch
from .files import FileFacts
from .tables import quote_ident, quote_literal, rejects_table


@dataclass(frozen=True)
class FileLoad:
    path: Path
    source_file: str  # relative to the landing folder, '/'-separated
    match: HeaderMatch
    facts: FileFacts
    load_id: str
    loaded_at: datetime

    @property
    def layout(self) -> Layout:
        return self.match.layout

    @property
    def table(self) -> str:
        return self.layout.table

    @property
    def rejects(self) -> str:
        return f"raw.{quote_ident(rejects_table(self.table))}"

    def file_columns(self) -> dict[str, str]:
        """The file's columns in header order: raw name -> DuckDB type; wide columns keep their header, VARCHAR."""
        wide = set(self.match.wide)
        columns = {}
        for header in self.match.header:
            name = header if header in wide else self.layout.raw_name(header)
            columns[name] = "VARCHAR" if header in wide else self.layout.type_of(name)
        return columns

    def lineage_sql(self, line_sql: str) -> str:
        """The lineage columns as a SELECT list, in LINEAGE_COLUMNS order; line_sql computes _source_line."""
        return (
            f"{quote_literal(self.source_file)} AS _source_file, "
            f"{line_sql} AS _source_line, "
            f"{quote_literal(self.facts.sha256)} AS _file_sha256, "
            f"{quote_literal(self.load_id)} AS _load_id, "
            f"TIMESTAMP {quote_literal(self.loaded_at.isoformat(sep=' '))} AS _loaded_at"
        )
