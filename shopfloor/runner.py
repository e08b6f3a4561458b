"""Run the Dagster code location from the command line: in-process runs, the demo, the UI.

Every run is recorded in DAGSTER_HOME, so `shopfloor ui` shows what `shopfloor run` did.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from shopfloor.as_of import as_of_tags
from shopfloor.public_defaults import refuse_open_ui, refuse_public_salt
from shopfloor.settings import CONFIG_DIR, PROJECT_ROOT, get_settings

if TYPE_CHECKING:
    import dagster as dg

DAGSTER_YAML_TEMPLATE = CONFIG_DIR / "dagster.yaml"
WORKSPACE_FILE = PROJECT_ROOT / "workspace.yaml"
# A failed step's error in the run summary is cut here; the full text is in the run's log and the UI.
MAX_ERROR_LINES = 6
# How long `shopfloor ui` lets `dagster dev` stop after Ctrl+C or SIGTERM before it kills the process group: its
# webserver and daemon can hang in shutdown when a run the daemon launched is interrupted with them (Dagster's own
# tests terminate, wait, then kill: dagster-io/dagster#29165).
UI_SHUTDOWN_GRACE_SECONDS = 20


class SelectionError(ValueError):
    """An asset selection that is not valid Dagster syntax, matches nothing, or splits a multi-asset."""


def _silence_dagster_beta_warnings() -> None:
    # Dagster marks parts of its own selection API as beta; those notices are not actionable here.
    from dagster import BetaWarning, PreviewWarning

    warnings.filterwarnings("ignore", category=BetaWarning)
    warnings.filterwarnings("ignore", category=PreviewWarning)


def ensure_dagster_home() -> Path:
    """Create DAGSTER_HOME with Shopfloor's dagster.yaml (no telemetry, SQLite, one run at a time)."""
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    os.environ["DO_NOT_TRACK"] = "1"
    home = get_settings().dagster_home
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    instance_yaml = home / "dagster.yaml"
    template = DAGSTER_YAML_TEMPLATE.read_text()
    if not instance_yaml.exists() or instance_yaml.read_text() != template:
        instance_yaml.write_text(template)
    return home


def load_definitions() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs()


def resolve_selection(definitions: dg.Definitions, selection: str) -> set[dg.AssetKey]:
    """Asset keys a Dagster selection string picks, e.g. 'group:raw', 'key:raw/members+', 'tag:pii'."""
    import dagster as dg

    graph = definitions.resolve_asset_graph()
    try:
        keys = dg.AssetSelection.from_string(selection).resolve(graph)
    except dg.DagsterError as error:
        raise SelectionError(f"{selection!r} is not a valid asset selection: {error}") from error
    if not keys:
        raise SelectionError(f"{selection!r} matches no asset. Try 'group:raw' or 'key:raw/members+'.")
    for assets_def in graph.assets_defs:
        produced = set(assets_def.keys)
        if not assets_def.can_subset and keys & produced and not produced <= keys:
            together = ", ".join(sorted(key.to_user_string() for key in produced))
            raise SelectionError(
                f"{selection!r} selects part of {assets_def.node_def.name}, whose assets are built together: "
                f"select all of {together}."
            )
    return keys


def run_assets(selection: str | None, *, as_of: date) -> bool:
    """Materialize the selected assets (None: all) and their checks in this process, as of `as_of` (the run tag
    every step reads); True if the run succeeded. PublicDefaultError before anything runs if the person-key salt
    is public and the landing folder is not a generated sample."""
    ensure_dagster_home()
    # New files are made owner-only by the code location, which sets the umask as load_definitions imports it, and
    # the warehouse resource tightens what it finds looser as the run starts.
    _silence_dagster_beta_warnings()
    import dagster as dg

    from orchestration.defs.raw.partitions import full_refresh

    definitions = load_definitions()
    graph = definitions.resolve_asset_graph()
    keys = resolve_selection(definitions, selection) if selection else graph.materializable_asset_keys
    refuse_public_salt(get_settings())
    job = definitions.resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.get() as instance:
        # Sources partitioned by landing file (grievances, campaign activity) load all their files in this same run.
        try:
            asset_keys, partition_tags = full_refresh(graph, instance, get_settings().landing_dir, keys)
        except ValueError as error:
            raise SelectionError(str(error)) from error
        result = job.execute_in_process(
            instance=instance,
            asset_selection=asset_keys,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            tags={"shopfloor/launched_by": "cli", **as_of_tags(as_of), **partition_tags},
        )
    _print_run_summary(result, as_of)
    return result.success


def _print_run_summary(result: dg.ExecuteInProcessResult, as_of: date) -> None:
    import dagster as dg

    print(f"\nrun {result.run_id} as of {as_of.isoformat()}: {'SUCCESS' if result.success else 'FAILURE'}")
    # A run over several partitions (grievance files) materializes an asset once per partition: show it once.
    by_asset = {event.asset_key: event for event in result.get_asset_materialization_events()}
    for event in sorted(by_asset.values(), key=lambda e: e.asset_key.to_user_string()):
        metadata = event.materialization.metadata
        counts = "  ".join(
            f"{name.removeprefix('dagster/')}={value.value}"
            for name, value in metadata.items()
            if isinstance(value, dg.IntMetadataValue)
        )
        print(f"  {event.asset_key.to_user_string():45} {counts}")
    for event in result.all_events:
        if event.is_step_failure:
            failure = event.step_failure_data
            error = failure.error
            while error.cause is not None:
                error = error.cause
            if error.cls_name != "DagsterAssetCheckFailedError":
                # A dagster.Failure carries a description meant for people; otherwise show the root error.
                reason = failure.user_failure_data.description if failure.user_failure_data else error.message
                lines = [line for line in reason.strip().splitlines() if line.strip()]
                print(f"  step {event.step_key} failed: {lines[0]}")
                for line in lines[1:MAX_ERROR_LINES]:
                    print(f"    {line.strip()}")
                if len(lines) > MAX_ERROR_LINES:
                    print(f"    ... {len(lines) - MAX_ERROR_LINES} more lines in the run's log")
    evaluations = result.get_asset_check_evaluations()
    failed = sorted((e for e in evaluations if not e.passed), key=lambda e: e.asset_check_key.to_user_string())
    warned = [e for e in failed if e.severity == dg.AssetCheckSeverity.WARN]
    print(f"checks: {len(evaluations) - len(failed)} passed, {len(warned)} warned, {len(failed) - len(warned)} failed")
    for evaluation in failed:
        label = "WARNED" if evaluation.severity == dg.AssetCheckSeverity.WARN else "FAILED"
        description = f": {evaluation.description}" if evaluation.description else ""
        print(f"  {label} {evaluation.asset_check_key.to_user_string()}{description}")
        # Contract checks list each failed expectation by type, column and count of rows, never values.
        failures = evaluation.metadata.get("failed_expectations")
        for failure in failures.value if failures else []:
            print(f"    {failure['expectation']} on {failure['column']}: {failure['unexpected_count']} rows")


def _has_landing_files(landing_dir: Path) -> bool:
    return landing_dir.is_dir() and any(path.is_file() for path in landing_dir.rglob("*"))


def raw_row_counts(warehouse: Path) -> dict[str, int]:
    """Rows per raw table in the warehouse (tables not built yet are left out)."""
    import duckdb

    from shopfloor.layouts import sources

    if not warehouse.exists():
        return {}
    counts = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        listed = con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
        existing = {name for (name,) in listed}
        for tables in sources().values():
            for table in tables:
                if table in existing:
                    counts[table] = con.execute(f'select count(*) from raw."{table}"').fetchone()[0]
    return counts


def demo(seed: int = 42) -> bool:
    """Generate small sample data if the landing folder is empty, run everything, simulate the organizers'
    activity on the experiment assignments and run what it feeds, say where things are. A generated sample is
    run as of its world's last day; other files as of today."""
    from shopfloor.as_of import today_where_the_union_is
    from shopfloor.publish.files import latest_publication
    from shopfloor.sample.truth import sample_as_of

    settings = get_settings()
    if _has_landing_files(settings.landing_dir):
        print(f"Using the files already in {settings.landing_dir}")
    else:
        from shopfloor.sample import generate

        print(f"Generating small sample data (seed {seed}) in {settings.landing_dir}")
        generate(scale="small", seed=seed, out=settings.landing_dir)
    as_of = sample_as_of(settings.landing_dir) or today_where_the_union_is(settings.schedule_timezone)
    succeeded = run_assets(None, as_of=as_of)
    if succeeded:
        # Organizers act on the assignments this run made: simulate their activity, then run what it feeds.
        from shopfloor.experiments.demo import run_activity_demo

        succeeded = run_activity_demo(seed)
    print(
        f"\nlanding folder      {settings.landing_dir}\n"
        f"warehouse           {settings.warehouse}\n"
        f"validation results  {settings.validations_dir}\n"
        f"DAGSTER_HOME        {settings.dagster_home}\n"
        f"published lists     {latest_publication(settings.publish_dir) or 'none (see the run summary)'}\n"
        "Dagster UI          `shopfloor ui` (or `make ui`), then open http://127.0.0.1:3000\n"
    )
    counts = raw_row_counts(settings.warehouse)
    print(f"{'raw table':32} {'rows':>10}")
    for table, rows in counts.items():
        print(f"{table:32} {rows:>10,}")
    return succeeded


def start_ui(host: str = "127.0.0.1", port: int = 3000) -> int:
    """Run `dagster dev` (webserver and daemon, so schedules and sensors run) until it exits; its exit code.
    PublicDefaultError if `host` is beyond loopback and no authenticating proxy is configured."""
    settings = get_settings()
    refuse_open_ui(host, settings)
    ensure_dagster_home()
    env = {
        **os.environ,
        # The code server resolves paths itself: hand it absolute ones so it sees what the CLI sees.
        "SHOPFLOOR_LANDING_DIR": str(settings.landing_dir),
        "SHOPFLOOR_WAREHOUSE": str(settings.warehouse),
        "DAGSTER_HOME": str(settings.dagster_home),
    }
    dagster = Path(sys.executable).with_name("dagster")
    command = [
        str(dagster) if dagster.exists() else "dagster",
        *("dev", "-h", host, "-p", str(port), "-w", str(WORKSPACE_FILE)),
    ]
    print(f"Starting the Dagster UI on http://{host}:{port} (DAGSTER_HOME {settings.dagster_home}); Ctrl+C stops it.")
    # Its own process group: `dagster dev` ignores signals when started in the background of a shell, so
    # this process forwards Ctrl+C and SIGTERM to the whole group (webserver, daemon, code server).
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, start_new_session=True)

    stop_requested_at: list[float] = []

    def signal_group(signum: int) -> None:
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass

    def forward(signum: int, _frame: object) -> None:
        stop_requested_at.append(time.monotonic())
        signal_group(signum)

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                return process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                if stop_requested_at and time.monotonic() - stop_requested_at[0] > UI_SHUTDOWN_GRACE_SECONDS:
                    print(f"dagster dev did not stop within {UI_SHUTDOWN_GRACE_SECONDS} s: killing it.", file=sys.stderr)
                    signal_group(signal.SIGKILL)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
