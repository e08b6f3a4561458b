"""Automation: the daily schedule, the landing sensor, file partitions, freshness checks and failure alerts."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.automation.alerts import run_failure_alerts
from orchestration.defs.automation.schedules import daily_refresh_schedule
from orchestration.defs.automation.sensors import landing_files
from orchestration.defs.raw.assets import raw_key, raw_source_asset
from orchestration.defs.raw.partitions import (
    LANDING_FILE_PARTITIONS,
    RANGE_END_TAG,
    RANGE_START_TAG,
    full_refresh,
    register_file_partitions,
)
from orchestration.defs.resources import Warehouse
from shopfloor.automation import (
    FRESHNESS_WINDOWS,
    PARTITIONED_SOURCES,
    failure_record,
    file_partition_keys,
    report_run_failure,
)
from shopfloor.ingest import load_source
from shopfloor.layouts import sources
from shopfloor.runner import load_definitions
from shopfloor.settings import SettingsError, get_settings

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


ACTIVITY_HEADER = "Activity ID,Date,Campaign,Workplace ID,Worker Key,Contact ID,Activity,Result,Organizer"


def write_activity_export(landing: Path, week_end: str, numbers: range) -> Path:
    """One week of the organizing CRM's campaign activity export (the campaign_activity_export layout)."""
    year, month, day = week_end.split("-")
    path = landing / "campaign_activity" / f"activity_export_{week_end}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [f"A{n:07d},{month}/{day}/{year},sample_card_drive,W-0001,,C-{n:05d},House Visit,Contact Made,ORG-1"
            for n in numbers]
    path.write_text("\n".join([ACTIVITY_HEADER, *rows]) + "\n")
    return path


def partition_key(path: Path) -> str:
    """A time-sliced landing file's partition key: its path in the landing folder, source folder included."""
    return f"{path.parent.name}/{path.name}"


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
    with pytest.raises(SettingsError, match="SHOPFLOOR_SCHEDULE_CRON"):
        get_settings()
    monkeypatch.setenv("SHOPFLOOR_SCHEDULE_CRON", "0 6 * * *")
    monkeypatch.setenv("SHOPFLOOR_SCHEDULE_TIMEZONE", "Eastern")
    with pytest.raises(SettingsError, match="SHOPFLOOR_SCHEDULE_TIMEZONE"):
        get_settings()


def test_the_schedule_registers_new_files_and_refreshes_all_of_them_in_one_run(definitions, landing):
    graph = definitions.resolve_asset_graph()
    partitioned = {raw_key("grievances"), raw_key("campaign_activity")}
    tick = datetime(2025, 7, 1, 10, tzinfo=UTC)
    # The context opens its own instance from the ref: close it inside the test instance's scope.
    with dg.instance_for_test() as instance, dg.build_schedule_context(
        instance=instance, repository_def=definitions.get_repository_def(), scheduled_execution_time=tick
    ) as context:
        # No time-sliced file yet: the partitioned assets are left out, everything else is refreshed.
        request = definitions.get_schedule_def("daily_refresh").evaluate_tick(context).run_requests[0]
        assert set(request.asset_selection) == graph.materializable_asset_keys - partitioned
        assert RANGE_START_TAG not in request.tags

        # One folder's file is enough for a partitioned run; the other folder's asset then writes its empty tables.
        first = write_grievance_log(landing, "2025-06-29", range(1, 3))
        request = definitions.get_schedule_def("daily_refresh").evaluate_tick(context).run_requests[0]
        assert set(request.asset_selection) == graph.materializable_asset_keys
        assert request.tags[RANGE_START_TAG] == request.tags[RANGE_END_TAG] == partition_key(first)

        later = [write_grievance_log(landing, "2025-06-30", range(3, 5)),
                 write_activity_export(landing, "2025-07-06", range(1, 4))]
        request = definitions.get_schedule_def("daily_refresh").evaluate_tick(context).run_requests[0]
        assert set(request.asset_selection) == graph.materializable_asset_keys
        registered = instance.get_dynamic_partitions(LANDING_FILE_PARTITIONS.name)
        # Keys stay in the order they were added: the range from the first to the last is every file.
        assert registered == [partition_key(first), *sorted(partition_key(path) for path in later)]
        assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == (registered[0], registered[-1])


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


def _loaded_files(warehouse: Path) -> dict[str, list[str]]:
    """raw._loads: the files loaded into each table, by table."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select table_name, list(source_file order by source_file) from raw._loads "
                           "where status = 'loaded' group by table_name").fetchall()
    return dict(rows)


def test_one_campaign_week_is_rerun_alone_and_other_folders_partitions_load_nothing(landing, tmp_path):
    assert PARTITIONED_SOURCES == {"grievances", "campaign_activity"} and PARTITIONED_SOURCES <= set(sources())
    week_one = write_activity_export(landing, "2025-07-06", range(1, 4))
    week_two = write_activity_export(landing, "2025-07-13", range(4, 6))
    grievance_log = write_grievance_log(landing, "2025-06-30", range(1, 3))
    raw_campaign_activity = raw_source_asset("campaign_activity", sources()["campaign_activity"],
                                             LANDING_FILE_PARTITIONS)
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    with dg.instance_for_test() as instance:
        register_file_partitions(instance, landing)

        def materialize(partition: str) -> dict:
            result = dg.materialize([raw_campaign_activity], partition_key=partition, instance=instance,
                                    resources={"warehouse": Warehouse(path=str(warehouse))})
            [event] = result.get_asset_materialization_events()
            assert event.partition == partition
            return {name: value.value for name, value in event.materialization.metadata.items()
                    if isinstance(value, dg.IntMetadataValue)}

        loaded = materialize(partition_key(week_two))
        assert _loaded_files(warehouse) == {"campaign_activity": [partition_key(week_two)]}
        assert (loaded["files_loaded"], loaded["rows_loaded"], loaded["dagster/row_count"]) == (1, 2, 2)

        # Re-running the week finds it in raw._loads: nothing is loaded twice.
        rerun = materialize(partition_key(week_two))
        assert (rerun["files_loaded"], rerun["files_skipped_already_loaded"], rerun["dagster/row_count"]) == (0, 1, 2)
        assert _loaded_files(warehouse) == {"campaign_activity": [partition_key(week_two)]}

        # A grievance log shares the partitions definition but is no file of campaign_activity/: a no-op here.
        materialize(partition_key(grievance_log))
        assert _loaded_files(warehouse) == {"campaign_activity": [partition_key(week_two)]}

        assert materialize(partition_key(week_one))["dagster/row_count"] == 5
        assert _loaded_files(warehouse) == {"campaign_activity": [partition_key(week_one), partition_key(week_two)]}


def test_a_full_refresh_loads_both_partitioned_sources_in_one_run(definitions, landing, tmp_path):
    grievance_logs = [write_grievance_log(landing, "2025-06-29", range(1, 3)),
                      write_grievance_log(landing, "2025-06-30", range(3, 6))]
    activity_exports = [write_activity_export(landing, "2025-07-06", range(1, 4))]
    keys = {raw_key("grievances"), raw_key("campaign_activity")}
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    with dg.instance_for_test() as instance:
        selected, tags = full_refresh(definitions.resolve_asset_graph(), instance, landing, keys)
        assert set(selected) == keys
        result = dg.materialize(
            [raw_source_asset(source, sources()[source], LANDING_FILE_PARTITIONS) for source in PARTITIONED_SOURCES],
            instance=instance, tags=tags, resources={"warehouse": Warehouse(path=str(warehouse))},
        )
    assert result.success
    assert _loaded_files(warehouse) == {
        "grievances": [partition_key(path) for path in grievance_logs],
        "campaign_activity": [partition_key(path) for path in activity_exports],
    }
    # Each asset records every partition of the range, its own folder's files and (as no-ops) the other's.
    every_file = {partition_key(path) for path in [*grievance_logs, *activity_exports]}
    for key in keys:
        assert {event.partition for event in result.get_asset_materialization_events() if event.asset_key == key} \
            == every_file


def test_full_refresh_leaves_out_partitioned_sources_without_files_and_refuses_other_partitions(definitions, landing):
    graph = definitions.resolve_asset_graph()
    keys = {raw_key("grievances"), raw_key("campaign_activity"), raw_key("members")}
    with dg.instance_for_test() as instance:
        selected, tags = full_refresh(graph, instance, landing, keys)
        assert (selected, tags) == ([raw_key("members")], {})
        # Files registered, but a selection with nothing partitioned gets no partition range.
        write_grievance_log(landing, "2025-06-30", range(1, 3))
        assert full_refresh(graph, instance, landing, {raw_key("members")}) == ([raw_key("members")], {})

        @dg.asset(partitions_def=dg.DailyPartitionsDefinition(start_date="2025-01-01"))
        def daily_summary() -> None:
            pass

        with pytest.raises(ValueError, match="daily_summary"):
            full_refresh(dg.Definitions(assets=[daily_summary]).resolve_asset_graph(), instance, landing,
                         {daily_summary.key})


def test_partitions_registered_before_the_shared_definition_are_ignored(landing):
    grievance_log = write_grievance_log(landing, "2025-06-30", range(1, 3))
    with dg.instance_for_test() as instance:
        # Before campaign activity was partitioned, grievance logs had a definition of their own, keyed by file name.
        instance.add_dynamic_partitions("grievances_files", [grievance_log.name])
        assert register_file_partitions(instance, landing) == [partition_key(grievance_log)]
        assert instance.get_dynamic_partitions("grievances_files") == [grievance_log.name]


def _evaluate(definitions: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    with dg.build_sensor_context(instance=instance, cursor=cursor, definitions=definitions) as context:
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
        assert list(registered.partition_keys) == [partition_key(first)]
        instance.add_dynamic_partitions(registered.partitions_def_name, list(registered.partition_keys))

        days = [write_grievance_log(landing, "2025-06-29", range(1, 3)),
                write_grievance_log(landing, "2025-06-30", range(3, 5))]
        result = _evaluate(definitions, instance, baseline.cursor)
        assert sorted(request.partition_key for request in result.run_requests) == [partition_key(d) for d in days]
        [added] = result.dynamic_partitions_requests
        assert (added.partitions_def_name, list(added.partition_keys)) == (
            LANDING_FILE_PARTITIONS.name, [partition_key(d) for d in days])
        assert all(raw_key("grievances") in request.asset_selection for request in result.run_requests)
        instance.add_dynamic_partitions(added.partitions_def_name, list(added.partition_keys))  # as the daemon does

        # A file still being written (modified within the settle time) waits for a later tick.
        monkeypatch.setenv("SHOPFLOOR_LANDING_SETTLE_SECONDS", "600")
        new_day = write_grievance_log(landing, "2025-07-01", range(5, 6))
        write_grievance_log(landing, "2025-06-30", range(3, 9))  # a known file being rewritten
        waiting = _evaluate(definitions, instance, result.cursor)
        assert not waiting.run_requests and waiting.cursor == result.cursor

        monkeypatch.setenv("SHOPFLOOR_LANDING_SETTLE_SECONDS", "0")
        settled = _evaluate(definitions, instance, waiting.cursor)
        assert sorted(request.partition_key for request in settled.run_requests) == [
            partition_key(days[1]), partition_key(new_day)]
        [added] = settled.dynamic_partitions_requests
        assert list(added.partition_keys) == [partition_key(new_day)]


def test_landing_sensor_requests_a_run_of_just_the_new_campaign_week(definitions, landing):
    graph = definitions.resolve_asset_graph()
    with dg.instance_for_test() as instance:
        write_grievance_log(landing, "2025-06-30", range(1, 3))
        write_activity_export(landing, "2025-07-06", range(1, 4))
        baseline = _evaluate(definitions, instance, None)
        for request in baseline.dynamic_partitions_requests:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))

        week = write_activity_export(landing, "2025-07-13", range(4, 6))
        result = _evaluate(definitions, instance, baseline.cursor)
        [request] = result.run_requests
        assert request.partition_key == partition_key(week)
        # Campaign activity's raw asset and what reads it; the grievance logs' asset shares the partitions but has
        # nothing to load for this file.
        assert set(request.asset_selection) == dg.AssetSelection.assets(raw_key("campaign_activity")).downstream() \
            .resolve(graph)
        assert raw_key("grievances") not in request.asset_selection
        [added] = result.dynamic_partitions_requests
        assert (added.partitions_def_name, list(added.partition_keys)) == (
            LANDING_FILE_PARTITIONS.name, [partition_key(week)])


def test_every_raw_table_has_its_sources_freshness_check(definitions):
    specs = {spec.key: spec for checks in definitions.asset_checks for spec in checks.check_specs}
    for source, tables in sources().items():
        for table in tables:
            spec = specs[dg.AssetCheckKey(raw_key(table), "freshness_check")]
            params = spec.metadata["dagster/freshness_params"].value
            assert params["lower_bound_delta_seconds"] == FRESHNESS_WINDOWS[source].total_seconds()
    freshness_sensor = definitions.get_sensor_def("freshness_checks_sensor")
    assert freshness_sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_each_sample_run_loaded_every_time_sliced_file_there_in_one_run(sample_env):
    """The session's `shopfloor run`s (runner.run_assets) found the grievance log, then, once organizers had
    worked the assignments, the campaign activity exports: each run registered what it found and loaded it all."""
    by_source = {source: file_partition_keys(sample_env.landing_dir, source) for source in PARTITIONED_SOURCES}
    assert len(by_source["grievances"]) == 1 and len(by_source["campaign_activity"]) > 1
    with dg.DagsterInstance.get() as instance:
        runs = {run_id: instance.get_run_by_id(run_id) for run_id in (sample_env.run_id, sample_env.analysis_run_id)}
        # Later tests run the pipeline again on this instance: read the session runs' own materializations.
        events = {
            run_id: [
                record.event_log_entry.asset_materialization
                for record in instance.get_records_for_run(
                    run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
                ).records
            ]
            for run_id in runs
        }
        partitions = instance.get_dynamic_partitions(LANDING_FILE_PARTITIONS.name)
    # Keys stay in the order they were registered: the first run's grievance log, then the activity exports.
    [grievance_log] = by_source["grievances"]
    assert partitions == [grievance_log, *sorted(by_source["campaign_activity"])]
    first, analysis = runs[sample_env.run_id], runs[sample_env.analysis_run_id]
    assert (first.tags[RANGE_START_TAG], first.tags[RANGE_END_TAG]) == (grievance_log, grievance_log)
    assert (analysis.tags[RANGE_START_TAG], analysis.tags[RANGE_END_TAG]) == (partitions[0], partitions[-1])
    assert {event.partition for event in events[sample_env.run_id] if event.asset_key == raw_key("grievances")} == {
        grievance_log}
    assert {event.partition for event in events[sample_env.analysis_run_id]
            if event.asset_key == raw_key("campaign_activity")} == set(partitions)
    loaded = _loaded_files(sample_env.warehouse)
    assert {source: loaded[source] for source in by_source} == by_source

    # Freshness reads when new content last arrived, from raw._loads.
    [recorded] = {event.metadata["dagster/last_updated_timestamp"].value
                  for event in events[sample_env.run_id] if event.asset_key == raw_key("grievances")}
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        (loaded_at,) = con.execute("select max(finished_at) from raw._loads where table_name = 'grievances'").fetchone()
    assert abs(recorded - loaded_at.replace(tzinfo=UTC).timestamp()) < 1


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
