"""Resolution within a memory budget (shopfloor.resolution.scratch): the scratch database's limits, and, on the
session's small sample, that predicting in slices changes no result and that EM on a sample of the pairs still
meets the quality targets. The state-scale figures are bench/transform.py's (docs/performance.md)."""

from __future__ import annotations

import duckdb
import pytest

from shopfloor.resolution import scratch
from shopfloor.resolution.employers import CLUSTERS_TABLE, resolve_employers
from shopfloor.resolution.evaluation import employer_resolution_quality
from shopfloor.resolution.persons import LINKS_TABLE, link_workers_to_voters

TARGET_F1 = 0.95
TARGET_PRECISION = 0.97


def test_scratch_database_holds_to_the_memory_budget(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOPFLOOR_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("SHOPFLOOR_MEMORY_LIMIT", "512MB")
    with scratch.scratch_database() as con:
        settings = dict(con.execute("select name, value from duckdb_settings() "
                                    "where name in ('memory_limit', 'threads', 'temp_directory')").fetchall())
    assert settings["memory_limit"] in ("488.2 MiB", "488.2MiB")
    # Under a GiB of budget: one thread, so it is not split further.
    assert settings["threads"] == "1"
    assert settings["temp_directory"] == str(tmp_path / "tmp" / "resolution")
    monkeypatch.setenv("SHOPFLOOR_MEMORY_LIMIT", "lots")
    with pytest.raises(ValueError, match="SHOPFLOOR_MEMORY_LIMIT"):
        scratch.scratch_database()


def _copy_of(warehouse: duckdb.DuckDBPyConnection, table: str) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding `table` of the session warehouse, to resolve without touching it."""
    con = duckdb.connect()
    con.register("source_rows", warehouse.sql(f"select * from {table}").to_arrow_table())
    con.execute(f"create schema {table.split('.')[0]}")
    con.execute(f"create table {table} as select * from source_rows")
    con.unregister("source_rows")
    return con


@pytest.fixture(scope="module")
def session_warehouse(sample_env):
    con = duckdb.connect(str(sample_env.warehouse), read_only=True)
    yield con
    con.close()


def test_employer_clusters_do_not_depend_on_the_prediction_slices(session_warehouse, monkeypatch):
    written = session_warehouse.sql(f"select * from {CLUSTERS_TABLE} order by mention_id").fetchall()
    con = _copy_of(session_warehouse, "intermediate.int_employer_mentions")
    monkeypatch.setattr(scratch, "PAIRS_PER_PREDICT_CHUNK", 2_000)
    resolve_employers(con)
    assert con.sql(f"select * from {CLUSTERS_TABLE} order by mention_id").fetchall() == written


def test_person_links_do_not_depend_on_the_prediction_slices(session_warehouse, monkeypatch):
    # The last digits of a weight depend on the order DuckDB sums in.
    links = (f"select * replace (round(match_weight, 6) as match_weight, round(match_probability, 9) as "
             f"match_probability) from {LINKS_TABLE} order by all")
    written = session_warehouse.sql(links).fetchall()
    con = _copy_of(session_warehouse, "intermediate.int_person_mentions")
    monkeypatch.setattr(scratch, "PAIRS_PER_PREDICT_CHUNK", 500)
    link_workers_to_voters(con)
    assert con.sql(links).fetchall() == written


def test_em_on_a_sample_of_the_pairs_meets_the_targets(session_warehouse, sample_env, monkeypatch):
    """At state scale EM sees a sample of the blocked pairs; here the sample is forced on the small data."""
    import shopfloor.resolution.employers as employers

    con = _copy_of(session_warehouse, "intermediate.int_employer_mentions")
    monkeypatch.setattr(employers, "EM_MAX_PAIRS", 20_000)
    resolve_employers(con)
    quality = employer_resolution_quality(con, sample_env.landing_dir / "_truth")
    for level in ("workplaces", "employers"):
        assert quality[level]["precision"] >= TARGET_PRECISION, (level, quality[level])
        assert quality[level]["f1"] >= TARGET_F1, (level, quality[level])
