"""The landing sensor: a new or replaced file in a landing folder requests a run of that folder's raw assets
and everything downstream of them; in a time-sliced folder (grievances, campaign activity), a run per file, of that
file's partition.

It reads file sizes and modification times only, never the warehouse, so it cannot collide with a run that
holds DuckDB's write lock. The cursor keeps each file's (size, mtime_ns); a run key derived from the same
signatures means the same file is never requested twice, even if the cursor is reset.
"""

import time

import dagster as dg

from orchestration.defs.raw.assets import RAW_GROUP, raw_key
from orchestration.defs.raw.partitions import LANDING_FILE_PARTITIONS
from shopfloor.automation import (
    PARTITIONED_SOURCES,
    changed_files,
    decode_cursor,
    encode_cursor,
    landing_signatures,
    run_key,
)
from shopfloor.layouts import sources
from shopfloor.settings import get_settings

SENSOR_INTERVAL_SECONDS = 60


@dg.sensor(
    name="landing_files",
    target=dg.AssetSelection.groups(RAW_GROUP).downstream(),
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Request a run when a file lands in (or is replaced in) a landing folder: that folder's raw assets "
    "and everything downstream. Files modified in the last SHOPFLOOR_LANDING_SETTLE_SECONDS (default 60) wait.",
)
def landing_files(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    source_tables = sources()
    settings = get_settings()
    current = landing_signatures(settings.landing_dir, list(source_tables))
    changed, remembered = changed_files(
        decode_cursor(context.cursor), current, settled_before=time.time() - settings.landing_settle_seconds
    )
    if context.cursor is None:
        # First look ever: files already here are the daily refresh's (or `shopfloor run`'s) to load; asking for a
        # run per folder now would rebuild everything downstream once per folder. Register their partitions only.
        return dg.SensorResult(
            skip_reason=f"Recorded {len(remembered)} landing files as the baseline.",
            cursor=encode_cursor(remembered),
            dynamic_partitions_requests=_new_partitions(context, changed),
        )
    graph = context.repository_def.asset_graph
    run_requests = []
    for source, files in changed.items():
        raw_keys = [raw_key(table) for table in source_tables[source]]
        selection = sorted(dg.AssetSelection.assets(*raw_keys).downstream().resolve(graph))
        tags = {"shopfloor/launched_by": "landing_sensor", "shopfloor/landing_folder": source}
        if source not in PARTITIONED_SOURCES:
            run_requests.append(dg.RunRequest(run_key(source, files, remembered), asset_selection=selection, tags=tags))
            continue
        # One run per file of a partitioned source: that file's partition (its path in the landing folder, as
        # `changed` lists it) of this folder's raw assets, and what is downstream of them. The other time-sliced
        # folders' raw assets share the partitions but are not selected: this file is nothing to them.
        run_requests.extend(
            dg.RunRequest(run_key(source, [file], remembered), asset_selection=selection, partition_key=file, tags=tags)
            for file in files
        )
    cursor = encode_cursor(remembered)
    if not run_requests:
        return dg.SensorResult(skip_reason=f"No new settled file among {len(current)} landing files.", cursor=cursor)
    context.log.info(f"{sum(map(len, changed.values()))} new or replaced files in {len(changed)} landing folders.")
    return dg.SensorResult(
        run_requests=run_requests, dynamic_partitions_requests=_new_partitions(context, changed), cursor=cursor
    )


def _new_partitions(
    context: dg.SensorEvaluationContext, changed: dict[str, list[str]]
) -> list[dg.AddDynamicPartitionsRequest]:
    new_keys = [
        file for source, files in sorted(changed.items()) if source in PARTITIONED_SOURCES for file in files
        if not context.instance.has_dynamic_partition(LANDING_FILE_PARTITIONS.name, file)
    ]
    return [LANDING_FILE_PARTITIONS.build_add_request(new_keys)] if new_keys else []


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[landing_files])
