"""Where things live. Every path comes from the environment, with defaults under ./data."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = PROJECT_ROOT / "config"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# Also the default of SHOPFLOOR_MEMORY_LIMIT in dbt_project/profiles.yml.
DEFAULT_MEMORY_LIMIT = "3GB"


def _path(var: str, default: str) -> Path:
    return Path(os.environ.get(var) or default).expanduser().resolve()


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    dagster_home: Path
    models_dir: Path
    publish_dir: Path
    # DuckDB's memory_limit for the assets' warehouse connections, splink's scratch database and dbt, e.g. "3GB":
    # DuckDB spills to disk beyond it. The default keeps the whole run under 6 GB (docs/performance.md).
    memory_limit: str

    @property
    def data_dir(self) -> Path:
        """Folder for run artefacts (validation results, reports) kept beside the warehouse."""
        return self.warehouse.parent

    @property
    def validations_dir(self) -> Path:
        return self.data_dir / "validations"


def get_settings() -> Settings:
    """Read the environment now (not at import), so tests and the CLI can point it elsewhere."""
    return Settings(
        landing_dir=_path("SHOPFLOOR_LANDING_DIR", "data/landing"),
        warehouse=_path("SHOPFLOOR_WAREHOUSE", "data/warehouse.duckdb"),
        dagster_home=_path("DAGSTER_HOME", "data/dagster_home"),
        models_dir=_path("SHOPFLOOR_MODELS_DIR", "data/models"),
        publish_dir=_path("SHOPFLOOR_PUBLISH_DIR", "data/published"),
        memory_limit=os.environ.get("SHOPFLOOR_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT,
    )
