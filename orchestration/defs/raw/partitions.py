"""File partitions for landing folders whose files are time slices (shopfloor.automation.PARTITIONED_SOURCES).

Each landing file is one partition of its source's raw asset, so one day's file can be loaded, re-run or
backfilled alone. The partitions are dynamic: the landing sensor, the daily schedule and `shopfloor run`
register every file they find before they ask for a run.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from shopfloor.automation import PARTITIONED_SOURCES, file_partition_keys

if TYPE_CHECKING:
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

LANDING_FILE_PARTITIONS: dict[str, dg.DynamicPartitionsDefinition] = {
    source: dg.DynamicPartitionsDefinition(name=f"{source}_files") for source in sorted(PARTITIONED_SOURCES)
}
# Dagster's tags for a single run over a range of partitions (what a single-run backfill uses).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def register_file_partitions(instance: dg.DagsterInstance, landing_dir: Path) -> dict[str, list[str]]:
    """Add a partition for every landing file not registered yet; every partition key by partitions name."""
    registered = {}
    for source, partitions_def in LANDING_FILE_PARTITIONS.items():
        known = instance.get_dynamic_partitions(partitions_def.name)
        new = sorted(set(file_partition_keys(landing_dir, source)) - set(known))
        if new:
            instance.add_dynamic_partitions(partitions_def.name, new)
        registered[partitions_def.name] = [*known, *new]
    return registered


def full_refresh(
    asset_graph: AssetGraph,
    instance: dg.DagsterInstance,
    landing_dir: Path,
    keys: Collection[dg.AssetKey],
) -> tuple[list[dg.AssetKey], dict[str, str]]:
    """The asset selection and run tags that refresh `keys` in one run: every file partition at once.

    A run holds one partitions definition, so one partitioned source at most can be refreshed this way; a
    partitioned asset with no file yet is left out (a partitioned run needs a partition).
    """
    registered = register_file_partitions(instance, landing_dir)
    partitioned = {key: asset_graph.get(key).partitions_def for key in keys if asset_graph.get(key).partitions_def}
    with_files = sorted({partitions.name for partitions in partitioned.values() if registered[partitions.name]})
    if len(with_files) > 1:
        raise ValueError(
            f"one run cannot load two partitioned sources ({', '.join(with_files)}): select one at a time"
        )
    selected = sorted(key for key in keys if key not in partitioned or partitioned[key].name in with_files)
    if not with_files:
        return selected, {}
    partition_keys = registered[with_files[0]]
    return selected, {RANGE_START_TAG: partition_keys[0], RANGE_END_TAG: partition_keys[-1]}
