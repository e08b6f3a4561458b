"""Plain logic behind the schedule, the landing-folder sensor, file partitions, freshness and failure alerts.

orchestration/defs/automation/ wires these into Dagster; tests call them without Dagster.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from shopfloor.settings import get_settings

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 5

# How long each landing folder may go without a new file before its raw tables count as stale.
FRESHNESS_WINDOWS: dict[str, timedelta] = {
    "voter_files": timedelta(days=30),
    "osha": timedelta(days=7),
    "nlrb": timedelta(days=7),
    "membership": timedelta(days=7),
    "grievances": timedelta(days=1),
    # Organizing contacts come from an activist export organizers pull weekly; a day's slack for the copy.
    "contacts": timedelta(days=8),
    # The organizing CRM exports campaign activity weekly (experiments on tactics); a day's slack for the copy.
    "campaign_activity": timedelta(days=8),
    # A suppression list changes rarely; one untouched for a quarter deserves a look, not a stop.
    "suppression": timedelta(days=90),
}

# Landing folders whose files are time slices (a grievance log a day, a CRM activity export a week): each file is a
# partition, so one slice can be loaded, re-run or backfilled alone. They share one partitions definition (see
# orchestration/defs/raw/partitions.py), keyed by the file's path in the landing folder, folder included.
PARTITIONED_SOURCES = frozenset({"grievances", "campaign_activity"})

# (size in bytes, mtime in nanoseconds): cheap to read, and it changes whenever a file is replaced or rewritten.
FileSignature = tuple[int, int]


def landing_signatures(landing_dir: Path, source_names: list[str]) -> dict[str, FileSignature]:
    """Signature of every loadable file under the given landing folders, keyed by path relative to landing_dir.

    Only file metadata is read, never the warehouse (a run may be holding its write lock).
    """
    from shopfloor.ingest.loader import landing_files

    signatures = {}
    for source in source_names:
        folder = landing_dir / source
        if not folder.is_dir():
            continue
        for path in landing_files(folder):
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed between the listing and the stat
                continue
            signatures[path.relative_to(landing_dir).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return signatures


def changed_files(
    previous: Mapping[str, FileSignature], current: Mapping[str, FileSignature], settled_before: float
) -> tuple[dict[str, list[str]], dict[str, FileSignature]]:
    """Files new or rewritten since previous, grouped by landing folder, and the signatures to remember.

    A changed file modified after settled_before (a Unix time) may still be being copied in: it is neither
    reported nor remembered, so a later look reports it once it has settled. Removed files are forgotten.
    """
    changed: dict[str, list[str]] = {}
    remembered: dict[str, FileSignature] = {}
    for relative, signature in sorted(current.items()):
        known = previous.get(relative)
        if known == signature:
            remembered[relative] = signature
        elif signature[1] / 1e9 > settled_before:
            if known is not None:
                remembered[relative] = known
        else:
            remembered[relative] = signature
            changed.setdefault(relative.split("/", 1)[0], []).append(relative)
    return changed, remembered


def run_key(source: str, files: list[str], signatures: Mapping[str, FileSignature]) -> str:
    """The same files with the same signatures give the same key, so Dagster never requests them twice."""
    digest = hashlib.sha256(json.dumps([[f, *signatures[f]] for f in sorted(files)]).encode()).hexdigest()
    return f"landing:{source}:{digest[:24]}"


def encode_cursor(signatures: Mapping[str, FileSignature]) -> str:
    return json.dumps({relative: list(signature) for relative, signature in sorted(signatures.items())})


def decode_cursor(cursor: str | None) -> dict[str, FileSignature]:
    return {relative: (size, mtime) for relative, (size, mtime) in json.loads(cursor or "{}").items()}


def file_partition_keys(landing_dir: Path, source: str) -> list[str]:
    """One partition per loadable file of a time-sliced landing folder: its path inside the landing folder, the
    source folder included (e.g. 'grievances/grievance_log_2026-11-27.csv'), in name (so date) order.

    The same form as landing_signatures' keys, so the sensor's file names are partition keys as they are.
    """
    from shopfloor.ingest.loader import landing_files

    folder = landing_dir / source
    if not folder.is_dir():
        return []
    return [path.relative_to(landing_dir).as_posix() for path in landing_files(folder)]


def source_partition_keys(partition_keys: Iterable[str], source: str) -> list[str]:
    """The partition keys that are files of landing folder `source`: the only ones its raw asset loads.

    Every time-sliced source shares one partitions definition (one run can hold only one), so a run's
    partitions can include other folders' files; for this source those are no-ops.
    """
    return [key for key in partition_keys if key.startswith(f"{source}/")]


def last_new_data_at(con, table: str) -> float | None:
    """Unix time a file last brought new content into raw.<table> (None if none has), from raw._loads.

    A wide-column table (ohio_voter_history) is fed by the files of its parent table, so those count too.
    """
    from shopfloor.layouts import load_registry

    feeding = sorted({table} | {
        layout.table for layout in load_registry().values()
        if layout.wide_columns and layout.wide_columns.table == table
    })
    placeholders = ", ".join("?" for _ in feeding)
    (finished_at,) = con.execute(
        f"select max(finished_at) from raw._loads where status = 'loaded' and table_name in ({placeholders})",
        feeding,
    ).fetchone()
    if finished_at is None:
        return None
    # raw._loads keeps UTC without a zone.
    return finished_at.replace(tzinfo=ZoneInfo("UTC")).timestamp()


def failure_log_path() -> Path:
    return get_settings().data_dir / "logs" / "run_failures.jsonl"


def failure_record(run_id: str, job_name: str, failed_at: float, failed_steps: list[str],
                   error_classes: list[str]) -> dict:
    """What an alert says about a failed run: ids, names of steps and error classes, never data values
    (error messages can quote rows, so they stay in the run's log)."""
    return {
        "event": "run_failure",
        "run_id": run_id,
        "job": job_name,
        "failed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(failed_at)),
        "failed_steps": sorted(set(failed_steps)),
        "error_classes": sorted(set(error_classes)),
    }


def root_error_class(error) -> str:
    """Class name of the innermost cause of a Dagster SerializableErrorInfo: the error user code raised."""
    while error.cause is not None:
        error = error.cause
    return error.cls_name


def report_run_failure(record: dict, log_path: Path, webhook_url: str | None,
                       timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> bool:
    """Append record to log_path as one JSON line; POST it to webhook_url if given.

    Returns whether the webhook accepted it (False without a webhook). A webhook that fails or times out is
    logged and otherwise ignored: alerting must never fail the sensor that reports the failure.
    """
    line = json.dumps(record, sort_keys=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    if not webhook_url:
        return False
    request = urllib.request.Request(
        webhook_url, data=line.encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        log.warning("run failure alert not delivered to the webhook: %s", type(error).__name__)
        return False
