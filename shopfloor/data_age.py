"""How old each source's newest record is on the run's as-of date, and which sources are too old to publish on.

marts.source_data_dates (dbt) measures the ages; config/sources.yaml sets each source's limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import yaml

from shopfloor.settings import CONFIG_DIR

SOURCES_CONFIG = CONFIG_DIR / "sources.yaml"
SOURCE_DATA_DATES = "marts.source_data_dates"


class DataAgeConfigError(ValueError):
    """config/sources.yaml's limits are not a mapping of source to a whole number of days."""


@dataclass(frozen=True)
class SourceAge:
    source: str
    newest_record_on: date
    data_age_days: int


def load_age_limits(path: Path = SOURCES_CONFIG) -> dict[str, int]:
    limits = (yaml.safe_load(path.read_text()) or {}).get("max_data_age_days") or {}
    if not isinstance(limits, dict):
        raise DataAgeConfigError(f"{path}: max_data_age_days must map each source to a number of days")
    for source, days in limits.items():
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise DataAgeConfigError(f"{path}: max_data_age_days.{source} must be a whole number of days >= 0, "
                                     f"not {days!r}")
    return limits


def earliest_record_on(warehouse: Path) -> date | None:
    """The oldest record of any source in the warehouse, as the last run measured it; None when there is no
    warehouse or no measure yet, or a run holds the warehouse (that run then decides)."""
    if not warehouse.exists():
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(f"select min(oldest_record_on) from {SOURCE_DATA_DATES}").fetchone()[0]
    except (duckdb.IOException, duckdb.CatalogException, duckdb.BinderException):
        return None


def read_source_ages(con: duckdb.DuckDBPyConnection) -> list[SourceAge]:
    rows = con.execute(
        f"select source_name, newest_record_on, data_age_days from {SOURCE_DATA_DATES} order by source_name"
    ).fetchall()
    return [SourceAge(source, newest, age) for source, newest, age in rows]


def too_old(ages: list[SourceAge], limits: dict[str, int]) -> list[str]:
    """One line per source whose newest record is older than its limit."""
    return [
        f"{age.source}: newest record {age.newest_record_on.isoformat()}, {age.data_age_days} days old "
        f"(limit {limits[age.source]} days)"
        for age in ages
        if age.source in limits and age.data_age_days > limits[age.source]
    ]
