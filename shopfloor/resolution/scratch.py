"""The private DuckDB that splink works in, kept apart from the warehouse so its scratch tables never land there,
and the way rows move between the two: through Parquet files, never through Python."""

from __future__ import annotations

import math
import os
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from shopfloor.settings import get_settings, size_in_bytes

if TYPE_CHECKING:
    from splink import SettingsCreator
    from splink.internals.splink_dataframe import SplinkDataFrame

# splink's work per step, whatever the scale. An EM session blocked on more pairs than EM_MAX_PAIRS trains on a
# seeded sample of the records that blocks about that many (estimated from a probe of EM_PROBE_SAMPLE of them);
# the medium samples block fewer and train on all. Prediction runs in slices of about PAIRS_PER_PREDICT_CHUNK
# blocked pairs, counted on PAIR_COUNT_SAMPLE of the records, so that splink's pair tables stay small.
EM_MAX_PAIRS = 1e7
EM_PROBE_SAMPLE = 0.1
PAIRS_PER_PREDICT_CHUNK = 2e6
PAIR_COUNT_SAMPLE = 0.1
# DuckDB's guidance for joins and aggregations is 1-4 GB per thread: fewer threads than cores when the budget
# is small, so that each still has room to work before it spills.
MEMORY_PER_THREAD_BYTES = 1 << 30
def spill_dir() -> Path:
    """Where the scratch database spills and rows are exchanged. DuckDB's default spill folder for an in-memory
    database is ./.tmp of whatever directory the run started in (34 GB there at state scale)."""
    folder = get_settings().data_dir / "tmp" / "resolution"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def scratch_database() -> duckdb.DuckDBPyConnection:
    """An in-memory database held to SHOPFLOOR_MEMORY_LIMIT: beyond it DuckDB evicts table blocks and spills
    operators to spill_dir(), so splink's tables at state scale cost disk, not RAM."""
    memory_limit = get_settings().memory_limit
    threads = max(1, min(os.cpu_count() or 1, size_in_bytes(memory_limit) // MEMORY_PER_THREAD_BYTES))
    return duckdb.connect(config={"memory_limit": memory_limit, "threads": threads,
                                  "temp_directory": str(spill_dir())})


@contextmanager
def _exchange_file() -> Iterator[Path]:
    path = spill_dir() / f"exchange-{uuid.uuid4().hex}.parquet"
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _sql_text(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def copy_to_scratch(con: duckdb.DuckDBPyConnection, scratch: duckdb.DuckDBPyConnection, query: str, table: str,
                    *, order_by: str | None = None) -> int:
    """Create scratch table `table` from `query` run on `con` (the warehouse); return its row count. `con` only
    streams the rows out: the sort (order_by) happens in scratch, under its memory limit."""
    with _exchange_file() as path:
        (rows,) = con.execute(f"copy ({query}) to {_sql_text(path)} (format parquet)").fetchall()[0]
        order = f" order by {order_by}" if order_by else ""
        scratch.execute(f"create table {table} as select * from read_parquet({_sql_text(path)}){order}")
    return rows


def copy_from_scratch(rows: duckdb.DuckDBPyRelation, con: duckdb.DuckDBPyConnection, table: str) -> None:
    """(Re)write table `table` of `con` (the warehouse) with `rows`, a relation on scratch, in their order."""
    with _exchange_file() as path:
        rows.write_parquet(str(path))
        con.execute(f"create or replace table {table} as select * from read_parquet({_sql_text(path)})")


def prediction_chunks(inputs: SplinkDataFrame | list[SplinkDataFrame], settings: SettingsCreator) -> tuple[int, int]:
    """(slices, estimated blocked pairs): how many slices of left-hand records to predict in so that each blocks
    about PAIRS_PER_PREDICT_CHUNK pairs."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    with warnings.catch_warnings():
        # On small inputs splink warns that the sampled count is rough: it only sizes the slices here.
        warnings.filterwarnings("ignore", message="The sampled blocking analysis estimate")
        counts = count_comparisons_from_blocking_rules(
            inputs, blocking_rules=settings.blocking_rules_to_generate_predictions, link_type=settings.link_type,
            unique_id_column_name=settings.unique_id_column_name, record_sample_proportion=PAIR_COUNT_SAMPLE)
    estimated = counts[-1]["cumulative_comparison_count"]
    return max(1, math.ceil(estimated / PAIRS_PER_PREDICT_CHUNK)), estimated
