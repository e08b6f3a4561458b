"""The layout registry (config/layouts.yaml plus config/column_mappings/*.yaml), loaded as typed objects.

The generator writes these layouts and the raw loader detects and lands them, so both read this one module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from shopfloor.settings import CONFIG_DIR


def snake_case(header: str) -> str:
    """'States & Territories' -> 'states_territories', 'Voting Unit (Unit A)' -> 'voting_unit_unit_a'."""
    return re.sub(r"[^0-9a-z]+", "_", header.strip().lower()).strip("_")


@dataclass(frozen=True)
class WideColumns:
    pattern: str
    table: str
    key: str


@dataclass(frozen=True)
class Layout:
    name: str
    source: str
    table: str
    format: str
    columns: tuple[str, ...]
    optional: frozenset[str] = frozenset()
    rename: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    keys: tuple[str, ...] = ()
    delimiter: str = ","
    quote: str = '"'
    header_row: int = 1
    dateformat: str | None = None
    wide_columns: WideColumns | None = None
    # xlsx_sections: a row holding this cell is a section's header; sheets whose name matches skip_sheets hold none
    section_marker: str | None = None
    skip_sheets: str | None = None
    # xml: the element that is one row; its child elements are the columns
    row_tag: str | None = None

    def raw_name(self, header: str) -> str:
        return self.rename.get(header, snake_case(header))

    @property
    def raw_columns(self) -> list[str]:
        return [self.raw_name(h) for h in self.columns]

    @property
    def required(self) -> list[str]:
        return [h for h in self.columns if h not in self.optional]

    def type_of(self, raw_column: str) -> str:
        return self.types.get(raw_column, "VARCHAR")


# Fields a format cannot be read without.
FORMAT_FIELDS = {"xlsx_sections": "section_marker", "xml": "row_tag"}


def _parse(name: str, spec: dict) -> Layout:
    needed = FORMAT_FIELDS.get(spec["format"])
    if needed and not spec.get(needed):
        raise ValueError(f"layout {name!r}: format {spec['format']} needs {needed}")
    wide = spec.get("wide_columns")
    return Layout(
        name=name,
        source=spec["source"],
        table=spec["table"],
        format=spec["format"],
        columns=tuple(spec["columns"]),
        optional=frozenset(spec.get("optional", ())),
        rename=dict(spec.get("rename", {})),
        types=dict(spec.get("types", {})),
        keys=tuple(spec.get("keys", ())),
        delimiter=spec.get("delimiter", ","),
        quote=spec.get("quote", '"'),
        header_row=int(spec.get("header_row", 1)),
        dateformat=spec.get("dateformat"),
        wide_columns=WideColumns(**wide) if wide else None,
        section_marker=spec.get("section_marker"),
        skip_sheets=spec.get("skip_sheets"),
        row_tag=spec.get("row_tag"),
    )


@cache
def load_registry(config_dir: Path = CONFIG_DIR) -> dict[str, Layout]:
    """Every layout by name: the built-in ones and each union's column mapping."""
    files = [config_dir / "layouts.yaml", *sorted((config_dir / "column_mappings").glob("*.yaml"))]
    registry: dict[str, Layout] = {}
    for path in files:
        for name, spec in (yaml.safe_load(path.read_text()) or {}).get("layouts", {}).items():
            if name in registry:
                raise ValueError(f"{path}: layout {name!r} is defined twice")
            registry[name] = _parse(name, spec)
    return registry


def layouts_for_source(source: str, config_dir: Path = CONFIG_DIR) -> list[Layout]:
    return [layout for layout in load_registry(config_dir).values() if layout.source == source]


def sources(config_dir: Path = CONFIG_DIR) -> dict[str, list[str]]:
    """Landing folder -> the raw tables its files land in (wide-column tables included)."""
    result: dict[str, list[str]] = {}
    for layout in load_registry(config_dir).values():
        tables = result.setdefault(layout.source, [])
        for table in (layout.table, layout.wide_columns.table if layout.wide_columns else None):
            if table and table not in tables:
                tables.append(table)
    return result


def tables_loaded_with(table: str, config_dir: Path = CONFIG_DIR) -> list[str]:
    """The raw tables whose file loads (raw._loads.table_name) also fill `table`: itself, and the table of each
    layout that unpivots its wide columns into it (Ohio's voter file fills ohio_voter_history)."""
    feeding = {layout.table for layout in load_registry(config_dir).values()
               if layout.wide_columns and layout.wide_columns.table == table}
    return sorted(feeding | {table})
