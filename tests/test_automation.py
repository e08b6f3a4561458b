"""Automation: the daily schedule, the landing sensor, file partitions, freshness checks and failure alerts."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.automation.alerts import run_failure_alerts
from orchestration.defs.automation.schedules import daily_refresh_schedule
from orchestration.defs.automation.sensors import landing_files
from orchestration.defs.raw.assets import raw_key
from orchestration.defs.raw.partitions import RANGE_END_TAG, RANGE_START_TAG, full_refresh
from shopfloor.automation import (
    FRESHNESS_WINDOWS,
    failure_record,
    file_partition_keys,
    report_run_failure,
    schedule_settings,
)
from shopfloor.ingest import load_source
from shopfloor.layouts import sources
from shopfloor.runner import load_definitions

GRIEVANCE_HEADER = ('"Grievance No","Member #","Employer","Worksite","Supervisor","Article","Category","Date Filed",'
                    '"Incident Date","Step","Status","Outcome","Settlement ($)","Description"')


def grievance_row(number: int) -> str:
    return (f'"G-2025-{number:04d}","611082","Summit Fabrics","Poplar location","Pat Doe","Art. 14 Wages","pay",'
            '"06/29/2025","06/28/2025","Step 1","Open",,,"Shorted hours"')


def write_grievance_log(landing: Path, day: str, numbers: range) -> Path:
    path = landing / "grievances" / f"grievance_log_{day}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([GRIEVANCE_HEADER, *(grievance_row(n) for n in numbers)]) + "\n")
    return path


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return load_definitions()


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty landing folder; the warehouse path points at a file that must never be created here."""
    monkeypatch.setenv("SHOPFLOOR_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("SHOPFLOOR_WAREHOUSE", str(tmp_path / "data" / "warehouse.duckdb"))
    monkeypatch.setenv("SHOPFLOOR_LANDING_SETTLE_SECONDS", "0")
    (tmp_path / "landing").mkdir()
    return tmp_path / "landing"


def test_daily_refresh_runs_every_asset_in_process_at_the_configured_time(definitions, monkeypatch):
    schedule = definitions.get_schedule_def("daily_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 * * *", "America/New_York")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    job = definitions.resolve_job_def("refresh_all")
    assert job.executor_def.name == "in_process"
    assert job.asset_layer.selected_asset_keys == definitions.resolve_asset_graph().materializable_asset_keys

    monkeypatch.setenv("SHOPFLOOR_SCHEDULE_CRON", "30 2 * * 1-5")
    monkeypatch.setenv("SHOPFLOOR_SCHEDULE_TIMEZONE", "America/Chicago")
    moved = daily_refresh_schedule()
    assert (moved.cron_schedule, moved.execution_timezone) == ("30 2 * * 1-5", "America/Chicago")
    monkeypatch.setenv("SHOPFLOOR_SCHEDULE_CRON", "every morning")
    with pytest.raises(ValueError, match="SHOPFLOOR_SCHEDULE_CRON"):
        schedule_settings()
    monkeypatch.setenv("SHOPFLOOR_SCHEDULE_CRON", "0 6 * * *")
    monkeypatch.setenv("SHOPFLOOR_SCHEDULE_TIMEZONE", "Eastern")
    with pytest.raises(ValueError, match="SHOPFLOOR_SCHEDULE_TIMEZONE"):
        schedule_settings()


def test_the_schedule_registers_new_files_and_refreshes_all_of_them_in_one_run(definitions, landing):
    graph = definitions.resolve_asset_graph()
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, repository_def=definitions.get_repository_def())
        # No grievance file yet: the partitioned asset is left out, everything else is refreshed.
        request = definitions.get_schedule_def("daily_refresh").evaluate_tick(context).run_requests[0]
        assert set(request.asset_selection) == graph.materializable_asset_keys - {raw_key("grievances")}
        assert RANGE_START_TAG not in request.tags

        write_grievance_log(landing, "2025-06-29", range(1, 3))
        write_grievance_log(landing, "2025-06-30", range(3, 5))
        request = definitions.get_schedule_def("daily_refresh").evaluate_tick(context).run_requests[0]
        assert set(request.asset_selection) == graph.materializable_asset_keys
        assert request.tags[RANGE_START_TAG] == "grievance_log_2025-06-29.csv"
        assert request.tags[RANGE_END_TAG] == "grievance_log_2025-06-30.csv"
        assert instance.get_dynamic_partitions("grievances_files") == file_partition_keys(landing, "grievances")


def test_a_partition_run_loads_only_its_own_file(landing):
    first = write_grievance_log(landing, "2025-06-29", range(1, 3))
    second = write_grievance_log(landing, "2025-06-30", range(3, 6))
    with duckdb.connect() as con:
        report = load_source(con, "grievances", landing, only_files=[second])
        assert [outcome.source_file for outcome in report.files] == ["grievances/" + second.name]
        assert report.tables["grievances"].total_rows_in_table == 3
        # Re-running the same partition loads nothing twice.
        again = load_source(con, "grievances", landing, only_files=[second])
        assert [outcome.status for outcome in again.files] == ["skipped"]
        load_source(con, "grievances", landing, only_files=[first])
        assert con.execute("select count(*) from raw.grievances").fetchone()[0] == 5


def test_full_refresh_leaves_out_a_partitioned_source_without_files(definitions, landing):
    graph = definitions.resolve_asset_graph()
    keys = {raw_key("grievances"), raw_key("members")}
    with dg.instance_for_test() as instance:
        selected, tags = full_refresh(graph, instance, landing, keys)
        assert (selected, tags) == ([raw_key("members")], {})


def _evaluate(definitions: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=definitions)
    return landing_files(context)


def test_landing_sensor_requests_a_new_files_source_and_everything_downstream(definitions, landing):
    graph = definitions.resolve_asset_graph()
    osha_keys = [raw_key(table) for table in sources()["osha"]]
    downstream = dg.AssetSelection.assets(*osha_keys).downstream().resolve(graph)
    assert len(downstream) > len(osha_keys), "something should read the OSHA tables"
    with dg.instance_for_test() as instance:
        first = _evaluate(definitions, instance, None)
        assert first.skip_reason is not None and not first.run_requests

        inspection = landing / "osha" / "osha_inspection.csv"
        inspection.parent.mkdir()
        inspection.write_text("activity_nr,estab_name\n1,Acme\n")
        found = _evaluate(definitions, instance, first.cursor)
        [request] = found.run_requests
        assert set(request.asset_selection) == downstream
        assert request.partition_key is None
        assert found.cursor != first.cursor

        unchanged = _evaluate(definitions, instance, found.cursor)
        assert unchanged.skip_reason is not None and not unchanged.run_requests
        assert unchanged.cursor == found.cursor

        inspection.write_text("activity_nr,estab_name\n1,Acme\n2,Globex\n")
        [replaced] = _evaluate(definitions, instance, unchanged.cursor).run_requests
        assert replaced.run_key != request.run_key
    assert not Path(os.environ["SHOPFLOOR_WAREHOUSE"]).exists(), "the sensor must never open the warehouse"


def test_landing_sensor_requests_one_partition_per_new_grievance_file(definitions, landing, monkeypatch):
    with dg.instance_for_test() as instance:
        first = write_grievance_log(landing, "2025-06-28", range(90, 91))
        baseline = _evaluate(definitions, instance, None)
        # Files already there on the first look are the daily refresh's: partitions registered, no run.
        assert not baseline.run_requests
        [registered] = baseline.dynamic_partitions_requests
        assert list(registered.partition_keys) == [first.name]
        instance.add_dynamic_partitions(registered.partitions_def_name, list(registered.partition_keys))

        write_grievance_log(landing, "2025-06-29", range(1, 3))
        write_grievance_log(landing, "2025-06-30", range(3, 5))
        result = _evaluate(definitions, instance, baseline.cursor)
        assert sorted(request.partition_key for request in result.run_requests) == [
            "grievance_log_2025-06-29.csv", "grievance_log_2025-06-30.csv"]
        [added] = result.dynamic_partitions_requests
        assert (added.partitions_def_name, list(added.partition_keys)) == (
            "grievances_files", ["grievance_log_2025-06-29.csv", "grievance_log_2025-06-30.csv"])
        assert all(raw_key("grievances") in request.asset_selection for request in result.run_requests)
        instance.add_dynamic_partitions(added.partitions_def_name, list(added.partition_keys))  # as the daemon does

        # A file still being written (modified within the settle time) waits for a later tick.
        monkeypatch.setenv("SHOPFLOOR_LANDING_SETTLE_SECONDS", "600")
        write_grievance_log(landing, "2025-07-01", range(5, 6))
        write_grievance_log(landing, "2025-06-30", range(3, 9))  # a known file being rewritten
        waiting = _evaluate(definitions, instance, result.cursor)
        assert not waiting.run_requests and waiting.cursor == result.cursor

        monkeypatch.setenv("SHOPFLOOR_LANDING_SETTLE_SECONDS", "0")
        settled = _evaluate(definitions, instance, waiting.cursor)
        assert sorted(request.partition_key for request in settled.run_requests) == [
            "grievance_log_2025-06-30.csv", "grievance_log_2025-07-01.csv"]
        [added] = settled.dynamic_partitions_requests
        assert list(added.partition_keys) == ["grievance_log_2025-07-01.csv"]


def test_every_raw_table_has_its_sources_freshness_check(definitions):
    specs = {spec.key: spec for checks in definitions.asset_checks for spec in checks.check_specs}
    for source, tables in sources().items():
        for table in tables:
            spec = specs[dg.AssetCheckKey(raw_key(table), "freshness_check")]
            params = spec.metadata["dagster/freshness_params"].value
            assert params["lower_bound_delta_seconds"] == FRESHNESS_WINDOWS[source].total_seconds()
    freshness_sensor = definitions.get_sensor_def("freshness_checks_sensor")
    assert freshness_sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_raw_assets_record_when_new_content_last_arrived(sample_env):
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(sample_env.run_id)
        # Later tests run the pipeline again on this instance: read the session run's own materialization.
        [event] = [
            record.event_log_entry
            for record in instance.get_records_for_run(
                sample_env.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ).records
            if record.asset_key == raw_key("grievances")
        ]
        partitions = instance.get_dynamic_partitions("grievances_files")
    assert partitions == file_partition_keys(sample_env.landing_dir, "grievances") == ["grievance_log_2025-06-30.csv"]
    assert event.asset_materialization.partition == partitions[0]
    assert (run.tags[RANGE_START_TAG], run.tags[RANGE_END_TAG]) == (partitions[0], partitions[0])
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        (loaded_at,) = con.execute("select max(finished_at) from raw._loads where table_name = 'grievances'").fetchone()
    recorded = event.asset_materialization.metadata["dagster/last_updated_timestamp"].value
    assert abs(recorded - loaded_at.replace(tzinfo=timezone.utc).timestamp()) < 1


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Webhook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook() -> str:
    """A local webhook on 127.0.0.1 that records what it receives and stops when the test ends."""
    _Webhook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/alerts"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_failure_is_logged_and_posted_to_the_webhook(tmp_path, webhook):
    log_path = tmp_path / "logs" / "run_failures.jsonl"
    record = failure_record("run-1", "refresh_all", 0.0, ["raw_osha", "raw_osha"], ["IngestError"])
    assert report_run_failure(record, log_path, webhook)
    assert _Webhook.received == [record]
    assert [json.loads(line) for line in log_path.read_text().splitlines()] == [record]
    assert record["failed_at"] == "1970-01-01T00:00:00Z" and record["failed_steps"] == ["raw_osha"]


def test_an_unreachable_webhook_is_logged_not_raised(tmp_path):
    log_path = tmp_path / "run_failures.jsonl"
    record = failure_record("run-2", "refresh_all", time.time(), [], ["Failure"])
    started = time.monotonic()
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    assert not report_run_failure(record, log_path, "http://127.0.0.1:9/alerts", timeout=1)
    assert time.monotonic() - started < 2
    assert json.loads(log_path.read_text()) == record


def test_the_failure_sensor_reports_step_and_error_class_but_no_values(tmp_path, monkeypatch, webhook):
    monkeypatch.setenv("SHOPFLOOR_WAREHOUSE", str(tmp_path / "data" / "warehouse.duckdb"))
    monkeypatch.setenv("SHOPFLOOR_ALERT_WEBHOOK_URL", webhook)

    @dg.asset
    def members_export() -> None:
        raise ValueError("member Jane Roe has no id")

    with dg.instance_for_test() as instance:
        result = dg.materialize([members_export], instance=instance, raise_on_error=False)
        failure = next(event for event in result.all_events if event.event_type == dg.DagsterEventType.RUN_FAILURE)
        context = dg.build_run_status_sensor_context(
            sensor_name="run_failure_alerts", dagster_event=failure, dagster_instance=instance,
            dagster_run=result.dagster_run,
        ).for_run_failure()
        run_failure_alerts(context)
    line = (tmp_path / "data" / "logs" / "run_failures.jsonl").read_text()
    alert = json.loads(line)
    assert alert["run_id"] == result.run_id
    assert alert["failed_steps"] == ["members_export"]
    assert alert["error_classes"] == ["ValueError"]
    assert "Jane" not in line
    assert _Webhook.received == [alert]
