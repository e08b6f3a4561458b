"""The private DuckDB that splink works in, kept apart from the warehouse so its scratch tables never land there."""

import duckdb

from shopfloor.settings import get_settings


def scratch_database() -> duckdb.DuckDBPyConnection:
    """An in-memory database that spills under the data folder: DuckDB's default spill folder is ./.tmp of
    whatever directory the run started in (34 GB there at state scale)."""
    spill_dir = get_settings().data_dir / "tmp" / "resolution"
    spill_dir.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(config={"temp_directory": str(spill_dir)})
