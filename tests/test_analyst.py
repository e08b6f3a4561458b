"""The analyst copy: what it holds, what it must never hold, and that a reader holding it never blocks a run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from shopfloor.analyst import (
    ANALYST_SCHEMAS,
    ANALYST_STORAGE_VERSION,
    PUBLICATION_TABLE,
    PersonalDataError,
    is_personal_column,
    publish_analyst_copy,
)
from shopfloor.sample.world import LAST_DAY
from shopfloor.settings import get_settings

# Person columns the sources really carry (union roll and voter files): the denylist must catch each of them.
SOURCE_PERSON_COLUMNS = [
    "first_name", "middle_name", "last_name", "name_suffix", "birth_date", "street_address", "phone", "email",
    "res_street_address", "mail_addr1", "full_phone_number", "drivers_lic", "first_name_std", "last_name_std",
    "street_name_std", "supervisor_name", "residential_address1", "date_of_birth",
]


def _tables(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in names}


def test_published_after_the_sample_run_with_the_marts_and_nothing_else(sample_env):
    assert sample_env.run_succeeded, "the sample run failed, so no analyst copy was published"
    copy = get_settings().analyst_warehouse
    assert copy == sample_env.warehouse.parent / "analyst.duckdb"
    published = _tables(copy)
    warehouse = {
        name: rows for name, rows in _tables(sample_env.warehouse).items() if name.split(".")[0] in ANALYST_SCHEMAS
    }
    assert any(name.startswith("marts.dim_") for name in warehouse)
    assert any(name.startswith("marts.fct_") for name in warehouse)
    # Every mart with its rows, plus the one-row publication record; no raw, staging or intermediate table.
    assert published == {**warehouse, f"main.{PUBLICATION_TABLE}": 1}
    with duckdb.connect(str(copy), read_only=True) as con:
        # The session's second run (the experiments' analysis) rebuilt campaign marts, so it published last.
        (published_by,) = con.execute(f"select dagster_run_id from {PUBLICATION_TABLE}").fetchone()
        assert published_by == sample_env.analysis_run_id
        # Readable by DuckDB 1.2 and later, not only by the 2.0 that wrote it.
        tags = con.execute("select tags from duckdb_databases() where database_name = current_database()").fetchone()[0]
        assert tags["storage_version"] == f"{ANALYST_STORAGE_VERSION}+"
    assert not list(copy.parent.glob(f".{copy.name}.*")), "a temporary copy was left behind"


def test_no_personal_column_reaches_analysts(sample_env):
    with duckdb.connect(str(get_settings().analyst_warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns"
        ).fetchall()
    assert len(columns) > 50
    assert [c for c in columns if is_personal_column(*c)] == []
    person_keys = {table: column for _, table, column, _ in columns if column == "member_key"}
    assert "dim_members" in person_keys


@pytest.mark.parametrize("column", SOURCE_PERSON_COLUMNS)
def test_denylist_catches_the_sources_person_columns(column):
    assert is_personal_column("marts", "some_mart", column, "VARCHAR")


@pytest.mark.parametrize("column", ["member_key", "employer_name", "worksite_name", "union_name", "zip5", "birth_year"])
def test_denylist_lets_pseudonymous_and_workplace_columns_through(column):
    assert not is_personal_column("marts", "some_mart", column, "VARCHAR")


def test_a_personal_column_stops_publication_and_keeps_the_previous_copy(tmp_path):
    destination = tmp_path / "analyst.duckdb"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema marts; create table marts.dim_people as select 'k1' as member_key")
        publish_analyst_copy(con, destination, run_id="first")
        con.execute("create table marts.leaky as select 'Ada' as first_name")
        with pytest.raises(PersonalDataError, match="marts.leaky.first_name"):
            publish_analyst_copy(con, destination, run_id="second")
    assert _tables(destination) == {"marts.dim_people": 1, f"main.{PUBLICATION_TABLE}": 1}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["analyst.duckdb", "warehouse.duckdb"]


# An analyst in another process: opens the copy read-only, reads, waits for a line on stdin, reads again through
# the same connection, then opens a new connection.
HOLDING_READER = textwrap.dedent(
    """
    import sys, duckdb
    path = sys.argv[1]
    query = "select (select dagster_run_id from publication), (select count(*) from marts.dim_members)"
    held = duckdb.connect(path, read_only=True)
    print(*held.execute(query).fetchone(), flush=True)
    sys.stdin.readline()
    print(*held.execute(query).fetchone(), flush=True)
    held.close()
    print(*duckdb.connect(path, read_only=True).execute(query).fetchone(), flush=True)
    """
)


def test_a_reader_holding_the_copy_open_does_not_block_a_run(sample_env):
    from shopfloor.runner import run_assets

    copy = get_settings().analyst_warehouse
    assert copy.exists(), "no analyst copy to hold open: the sample run did not publish one"
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLDING_READER, str(copy)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        before_run_id, before_rows = reader.stdout.readline().split()
        # Reload the raw tables (already-loaded files are skipped) and publish a new copy, while the reader holds
        # the old one open.
        assert run_assets("group:raw or group:analyst", as_of=LAST_DAY)
        reader.stdin.write("\n")
        reader.stdin.flush()
        held_run_id, held_rows = reader.stdout.readline().split()
        fresh_run_id, fresh_rows = reader.stdout.readline().split()
        assert reader.wait(timeout=30) == 0, reader.stderr.read()
    finally:
        if reader.poll() is None:
            reader.kill()
    assert (held_run_id, held_rows) == (before_run_id, before_rows)
    assert fresh_run_id != before_run_id and fresh_rows == before_rows
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute(f"select dagster_run_id from {PUBLICATION_TABLE}").fetchone()[0] == fresh_run_id
