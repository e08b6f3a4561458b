"""File partitions for landing folders whose files are time slices (shopfloor.automation.PARTITIONED_SOURCES).

Each landing file is one partition, so one day's grievance log or one week's campaign activity export can be
loaded, re-run or backfilled alone. The partitions are dynamic: the landing sensor, the daily schedule and
`shopfloor run` register every file they find before they ask for a run.

All time-sliced sources share ONE partitions definition, keyed by the file's path in the landing folder with its
source folder ('grievances/grievance_log_2026-11-27.csv', 'campaign_activity/activity_export_2026-11-29.csv'),
because a Dagster run holds one partitions definition: a full refresh must load every source in one run, and
per-source definitions would need a run each. The price: each partitioned raw asset lists the other folders' files
among its partitions (the folder in the key tells them apart), and a run of such a partition loads nothing for it
(shopfloor.automation.source_partition_keys). Multi-partitions (source x file) would list the same foreign cells,
and partition mappings only relate an upstream asset to a downstream one, never two assets in one run.

Instances from before the shared definition keep their per-source `grievances_files` partitions; nothing reads
them any more.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from shopfloor.automation import PARTITIONED_SOURCES, file_partition_keys

if TYPE_CHECKING:
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

LANDING_FILE_PARTITIONS = dg.DynamicPartitionsDefinition(name="time_sliced_files")
# Dagster's tags for a single run over a range of partitions (what a single-run backfill uses).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def register_file_partitions(instance: dg.DagsterInstance, landing_dir: Path) -> list[str]:
    """Add a partition for every time-sliced landing file not registered yet; every registered key, in the order
    they were added (the order Dagster's partition ranges follow)."""
    known = instance.get_dynamic_partitions(LANDING_FILE_PARTITIONS.name)
    found = [key for source in sorted(PARTITIONED_SOURCES) for key in file_partition_keys(landing_dir, source)]
    new = sorted(set(found) - set(known))
    if new:
        instance.add_dynamic_partitions(LANDING_FILE_PARTITIONS.name, new)
    return [*known, *new]


def full_refresh(
    asset_graph: AssetGraph,
    instance: dg.DagsterInstance,
    landing_dir: Path,
    keys: Collection[dg.AssetKey],
) -> tuple[list[dg.AssetKey], dict[str, str]]:
    """The asset selection and run tags that refresh `keys` in one run: every file partition at once.

    The run covers the range from the first registered file to the last, so every partitioned raw asset in `keys`
    loads its own folder's files in this one run (a folder with no file yet just gets its empty tables). With no
    file registered at all the partitioned assets are left out: a partitioned run needs a partition.
    """
    partition_keys = register_file_partitions(instance, landing_dir)
    partitioned = {key: asset_graph.get(key).partitions_def for key in keys if asset_graph.get(key).partitions_def}
    foreign = sorted(key.to_user_string() for key, partitions in partitioned.items()
                     if partitions != LANDING_FILE_PARTITIONS)
    if foreign:
        raise ValueError(
            f"one run holds one partitions definition, and {', '.join(foreign)} is not partitioned by landing file: "
            "select it in a run of its own"
        )
    if not partitioned or not partition_keys:
        return sorted(key for key in keys if key not in partitioned), {}
    return sorted(keys), {RANGE_START_TAG: partition_keys[0], RANGE_END_TAG: partition_keys[-1]}
