"""Portability: the same dbt project builds on a real PostgreSQL server and its marts match DuckDB's row for row.

A throwaway server (scripts/postgres.sh: Debian's PostgreSQL, loopback, trust auth) gets the tables dbt reads as
sources, copied from the session's sample warehouse: the raw tables and the resolution tables the Python assets
write. `dbt build --target postgres` then builds every model (person matching's array-building int_person_mentions
too, through macros/cross_db) and runs every test there.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.transform.project import DBT_EXECUTABLE
from shopfloor.sample.world import LAST_DAY
from shopfloor.settings import DBT_PROJECT_DIR, PROJECT_ROOT

POSTGRES_SCRIPT = PROJECT_ROOT / "scripts" / "postgres.sh"
# The session sample run's as-of date (tests/conftest.py): the Postgres build must describe the same day.
SAMPLE_AS_OF = LAST_DAY.isoformat()
# DuckDB column types of the source tables and their PostgreSQL spelling; DECIMAL(p,s) keeps its precision.
POSTGRES_TYPES = {
    "VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "SMALLINT": "smallint", "DOUBLE": "double precision",
    "FLOAT": "real", "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}
# PostgreSQL materializes a CTE used twice and then guesses it holds one row, so it plans nested loops over the
# point-in-time feature joins (macros/point_in_time/): mart_election_training took 7 to 14 minutes that way,
# 0.2 s with nested loops off. Set for dbt's connections only, through libpq's PGOPTIONS.
POSTGRES_SESSION_OPTIONS = "-c enable_nestloop=off"


def _require_postgres() -> None:
    if glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return
    message = "PostgreSQL server binaries not found: apt-get install postgresql (scripts/ci_services.sh does it in CI)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, str]]:
    """A running server; yields the SHOPFLOOR_PG_* settings the dbt profile reads."""
    _require_postgres()
    # Under /tmp itself: as root the server runs as user postgres, who cannot enter pytest's private tmp_path.
    data_dir = tempfile.mkdtemp(prefix="shopfloor-pg-", dir="/tmp")
    port = _free_port()
    subprocess.run([str(POSTGRES_SCRIPT), "start", data_dir, str(port)], check=True, capture_output=True, text=True)
    try:
        yield {
            "SHOPFLOOR_PG_HOST": "127.0.0.1", "SHOPFLOOR_PG_PORT": str(port), "SHOPFLOOR_PG_USER": "shopfloor",
            "SHOPFLOOR_PG_PASSWORD": "", "SHOPFLOOR_PG_DBNAME": "shopfloor",
        }
    finally:
        subprocess.run([str(POSTGRES_SCRIPT), "stop", data_dir], check=False, capture_output=True)
        shutil.rmtree(data_dir, ignore_errors=True)


def _connect(settings: dict[str, str]):
    import psycopg2

    return psycopg2.connect(
        host=settings["SHOPFLOOR_PG_HOST"], port=settings["SHOPFLOOR_PG_PORT"],
        user=settings["SHOPFLOOR_PG_USER"], dbname=settings["SHOPFLOOR_PG_DBNAME"],
    )


def _postgres_type(duckdb_type: str) -> str:
    if re.fullmatch(r"DECIMAL\(\d+,\d+\)", duckdb_type):
        return duckdb_type.replace("DECIMAL", "numeric")
    return POSTGRES_TYPES[duckdb_type]


def dbt_sources() -> list[tuple[str, str]]:
    """(schema, table) of every source the dbt project reads, from its manifest."""
    from orchestration.defs.transform.project import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text())
    return sorted({(source["schema"], source["identifier"]) for source in manifest["sources"].values()})


def copy_sources_to_postgres(warehouse: Path, settings: dict[str, str], scratch: Path) -> dict[str, int]:
    """Create each dbt source table in PostgreSQL with the warehouse's columns and copy its rows as CSV."""
    copied = {}
    with duckdb.connect(str(warehouse), read_only=True) as source, _connect(settings) as target:
        cursor = target.cursor()
        for schema, table in dbt_sources():
            columns = source.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            assert columns, f"source {schema}.{table} is not in the sample warehouse"
            cursor.execute(f'create schema if not exists "{schema}"')
            ddl = ", ".join(f'"{name}" {_postgres_type(data_type)}' for name, data_type in columns)
            cursor.execute(f'create table "{schema}"."{table}" ({ddl})')
            # DuckDB writes NULL as an empty field and an empty string as "": PostgreSQL's CSV reads them the same.
            csv_file = scratch / f"{schema}.{table}.csv"
            source.execute(f"copy \"{schema}\".\"{table}\" to '{csv_file}' (format csv, header)")
            with csv_file.open() as rows:
                cursor.copy_expert(f'copy "{schema}"."{table}" from stdin with (format csv, header)', rows)
            copied[f"{schema}.{table}"] = cursor.rowcount
    return copied


def marts_row_counts_duckdb(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
        return {name: con.execute(f'select count(*) from marts."{name}"').fetchone()[0] for (name,) in tables}


def marts_row_counts_postgres(settings: dict[str, str]) -> dict[str, int]:
    with _connect(settings) as con:
        cursor = con.cursor()
        cursor.execute("select table_name from information_schema.tables where table_schema = 'marts'")
        counts = {}
        for (name,) in cursor.fetchall():
            cursor.execute(f'select count(*) from marts."{name}"')
            counts[name] = cursor.fetchone()[0]
        return counts


def _failed_nodes(target: Path) -> list[str]:
    """"<node>: <database error>" for every model or test that errored or failed, from dbt's run_results.json."""
    run_results = target / "run_results.json"
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text())["results"]
    return [
        f"{result['unique_id']}: {' '.join((result['message'] or '').split())}"
        for result in results
        if result["status"] in ("error", "fail")
    ]


def marts_built_as_of_another_day(warehouse: Path, as_of: str) -> dict[str, str]:
    """Marts whose as_of_date column is not `as_of`, with the date they describe."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        dated = con.execute(
            "select table_name from information_schema.columns where table_schema = 'marts' "
            "and column_name = 'as_of_date'"
        ).fetchall()
        described = {
            name: [str(day) for (day,) in con.execute(f"select distinct as_of_date from marts.{name}").fetchall()]
            for (name,) in dated
        }
    return {name: days[0] for name, days in described.items() if days and days != [as_of]}


def _dbt_on_postgres(postgres: dict[str, str], tmp_path: Path, as_of: str, *command: str):
    return subprocess.run(
        [str(DBT_EXECUTABLE), *command, "--target", "postgres", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), "--vars", f"{{as_of_date: '{as_of}'}}"],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
        env={
            **os.environ, **postgres, "PGOPTIONS": POSTGRES_SESSION_OPTIONS,
            "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
    )


def test_dbt_builds_on_postgres_with_the_same_marts(sample_env, postgres, tmp_path):
    assert sample_env.run_succeeded, "the sample run failed: its warehouse is no reference for the marts"
    copied = copy_sources_to_postgres(sample_env.warehouse, postgres, tmp_path)
    assert copied["raw.members"] > 0 and copied["raw.organizing_contacts"] > 0
    assert copied["resolution.worker_voter_links"] > 0

    result = _dbt_on_postgres(postgres, tmp_path, SAMPLE_AS_OF, "build")
    assert result.returncode == 0, "dbt build --target postgres failed:\n" + "\n".join(
        _failed_nodes(tmp_path / "target") or result.stdout.splitlines()[-40:]
    )
    # The session's second run (the experiments' analysis) rebuilt the marts downstream of campaign activity as of
    # its own, later date: rebuild those on Postgres as of the same date.
    for mart, as_of in marts_built_as_of_another_day(sample_env.warehouse, SAMPLE_AS_OF).items():
        rebuilt = _dbt_on_postgres(postgres, tmp_path, as_of, "run", "--select", mart)
        assert rebuilt.returncode == 0, f"dbt run --select {mart} on postgres failed:\n{rebuilt.stdout[-2000:]}"

    duckdb_counts = marts_row_counts_duckdb(sample_env.warehouse)
    assert duckdb_counts and all(duckdb_counts.values())
    assert marts_row_counts_postgres(postgres) == duckdb_counts
