"""A run waits for an analyst's session holding the warehouse, names it, and fails naming it only after the
configured wait (shopfloor.warehouse_lock, orchestration's Warehouse resource)."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from work_folder import builds_warehouse, point_shopfloor_at

from shopfloor.warehouse_lock import WarehouseHeldError, connect_when_free, lock_holder

HOLDER = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold(warehouse: Path, seconds: float) -> subprocess.Popen:
    """A read-only DuckDB session in another process, as an analyst's notebook keeps one; returns once it holds."""
    if not warehouse.exists():
        duckdb.connect(str(warehouse)).close()
    reader = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "holding"
    return reader


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen]]:
    warehouse = tmp_path / "warehouse.duckdb"
    reader = hold(warehouse, 4)
    yield warehouse, reader
    reader.kill()
    reader.wait()


def test_the_lock_error_names_the_holding_program_and_pid(held):
    warehouse, reader = held
    with pytest.raises(duckdb.IOException) as error:
        duckdb.connect(str(warehouse))
    assert lock_holder(error.value) == f"{Path(sys.executable).resolve().name} (PID {reader.pid})"
    assert lock_holder(duckdb.IOException("IO Error: No such file or directory")) is None


def test_a_writer_waits_with_backoff_until_the_reader_lets_go(held, caplog: pytest.LogCaptureFixture):
    warehouse, reader = held
    started = time.monotonic()
    with caplog.at_level(logging.WARNING), connect_when_free(
        warehouse, wait_seconds=60, log=logging.getLogger("test")
    ) as con:
        con.execute("create table written as select 1 as one")
    assert reader.poll() is not None, "the writer got in only after the reader closed"
    assert time.monotonic() - started < 30
    waits = [record.getMessage() for record in caplog.records]
    assert waits and all(f"(PID {reader.pid})" in message for message in waits)
    assert len(waits) < 8, "backoff, not a busy loop"


def test_after_the_wait_the_failure_names_the_holder(held):
    warehouse, reader = held
    with pytest.raises(WarehouseHeldError, match=rf"is held by .+ \(PID {reader.pid}\) after waiting \d+ s\."):
        connect_when_free(warehouse, wait_seconds=1, log=logging.getLogger("test"))
    with pytest.raises(WarehouseHeldError, match=rf"is held by .+ \(PID {reader.pid}\)\. "):
        connect_when_free(warehouse, wait_seconds=0, log=logging.getLogger("test"))


@pytest.fixture
@builds_warehouse
def raw_run_while_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The sample's raw loads run while an analyst's read-only session holds the warehouse for 30 s."""
    import dagster as dg

    from shopfloor.runner import run_assets
    from shopfloor.sample import generate
    from shopfloor.sample.truth import sample_as_of
    from shopfloor.settings import get_settings

    point_shopfloor_at(monkeypatch, tmp_path)
    monkeypatch.setenv("SHOPFLOOR_WAREHOUSE_WAIT_SECONDS", "120")
    settings = get_settings()
    generate(scale="small", seed=7, out=settings.landing_dir)
    reader = hold(settings.warehouse, 30)
    try:
        succeeded = run_assets("group:raw", as_of=sample_as_of(settings.landing_dir))
    finally:
        reader.kill()
        reader.wait()
    with dg.DagsterInstance.get() as instance:
        run_id = instance.get_runs(limit=1)[0].run_id
        messages = [entry.user_message for entry in instance.all_logs(run_id)]
    return succeeded, reader.pid, messages, settings.warehouse


def test_a_run_succeeds_while_a_read_only_session_holds_the_warehouse_for_30_s(raw_run_while_held):
    succeeded, holder_pid, messages, warehouse = raw_run_while_held
    assert succeeded
    waits = [message for message in messages if "The warehouse is held by" in message]
    assert waits and f"(PID {holder_pid})" in waits[0], "the run's log names the holder"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.osha_inspection").fetchone()[0] > 0
