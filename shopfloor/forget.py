"""Act on a deletion request: forget people by their pseudonymous person key.

`shopfloor forget --person-key K` (or a file of keys) finds the keys linked to each (a member's voter
registration), puts every key on the suppression list as forgotten, so that staging leaves their rows out of
every model built from now on and a re-landed file cannot bring them back, and deletes their rows from the raw
tables (dbt operation forget_raw_rows), and removes every day's published lists that name them (a day can be
rebuilt point-in-time with `shopfloor run --as-of`). The command then runs the pipeline, which rebuilds the
marts, scores, the day's lists and the analyst copy without them. Each removal is recorded in `forgotten.jsonl`
beside the warehouse: when, how many keys, raw rows per table and publications, never whose.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from shopfloor.dbt_cli import run_dbt
from shopfloor.layouts import load_registry
from shopfloor.runner import raw_row_counts
from shopfloor.settings import Settings

PERSON_KEY = re.compile(r"^[0-9a-f]{32}$")
SUPPRESSION_LAYOUT = "suppression_list"
FORGOTTEN_REASON = "forgotten on request"
RECORD_FILE = "forgotten.jsonl"


class ForgetError(ValueError):
    """A key that is not a person key, or nothing to forget."""


@dataclass(frozen=True)
class Forgetting:
    forgotten_at: str
    keys_asked: int
    linked_keys: int
    raw_rows_deleted: dict[str, int]
    publications_removed: list[str]
    suppression_file: str


def read_keys(keys: Iterable[str], keys_file: Path | None) -> list[str]:
    """The keys given, and those of a file (one per line, blank lines and #-comments ignored), checked."""
    listed = [key.strip().lower() for key in keys]
    if keys_file is not None:
        for line in keys_file.read_text().splitlines():
            text = line.split("#", 1)[0].strip().lower()
            if text:
                listed.append(text)
    if not listed:
        raise ForgetError("no person key given: pass --person-key or --keys-file")
    bad = sum(1 for key in listed if not PERSON_KEY.match(key))
    if bad:
        raise ForgetError(f"{bad} of {len(listed)} keys are not person keys (32 hexadecimal characters, as the "
                          "lists' worker_key and the marts' member_key show them)")
    return sorted(set(listed))


def linked_keys(con: duckdb.DuckDBPyConnection, keys: list[str]) -> list[str]:
    """Keys of the voter registrations person resolution linked to these workers, members or contacts
    (intermediate.int_worker_voter_registrations; none before the first run has built it)."""
    try:
        links = con.table("intermediate.int_worker_voter_registrations")
    except duckdb.CatalogException:
        return []
    worker = duckdb.ColumnExpression("worker_key").isin(*(duckdb.ConstantExpression(key) for key in keys))
    linked = links.filter(worker).project("voter_key")
    return sorted({key for (key,) in linked.fetchall()} - set(keys))


def write_suppression_entries(landing_dir: Path, keys: list[str], on: date, stamp: str) -> Path:
    """A suppression file of the keys alone (no name, no member number), in the suppression list's layout."""
    columns = load_registry()[SUPPRESSION_LAYOUT].columns
    folder = landing_dir / "suppression"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"forgotten_{stamp}.csv"
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        for key in keys:
            writer.writerow({"person_key": key, "reason": FORGOTTEN_REASON, "added_on": on.isoformat()})
    return path


def remove_publications_naming(publish_dir: Path, keys: list[str]) -> list[str]:
    """Delete each day's published folder whose lists carry one of the keys; the days removed, oldest first."""
    removed = []
    folders = sorted(publish_dir.iterdir()) if publish_dir.is_dir() else []
    for folder in folders:
        if folder.is_symlink() or not folder.is_dir() or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", folder.name):
            continue
        if any(key in path.read_text() for path in folder.glob("*.csv") for key in keys):
            shutil.rmtree(folder)
            removed.append(folder.name)
    return removed


def forget(keys: list[str], settings: Settings, *, today: date) -> Forgetting:
    """Put the keys and their linked keys on the suppression list, delete their raw rows and the published lists
    naming them, record the removal (the caller then rebuilds)."""
    if not settings.warehouse.exists():
        raise ForgetError(f"no warehouse at {settings.warehouse}: run the pipeline first (the keys come from it)")
    now = datetime.now(UTC)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        linked = linked_keys(con, keys)
    before = raw_row_counts(settings.warehouse)
    every_key = sorted(set(keys) | set(linked))
    entries = write_suppression_entries(settings.landing_dir, every_key, today, now.strftime("%Y%m%dT%H%M%S%f"))
    with tempfile.TemporaryDirectory(prefix="shopfloor-forget-") as work:
        run_dbt(["run-operation", "forget_raw_rows", "--args", json.dumps({"keys": every_key})],
                settings.warehouse, Path(work))
    after = raw_row_counts(settings.warehouse)
    publications = remove_publications_naming(settings.publish_dir, every_key)
    record = Forgetting(
        forgotten_at=now.isoformat(timespec="seconds"),
        keys_asked=len(keys),
        linked_keys=len(linked),
        raw_rows_deleted={table: before[table] - after[table] for table in sorted(before)
                          if before[table] != after.get(table, 0)},
        publications_removed=publications,
        suppression_file=entries.name,
    )
    with (settings.data_dir / RECORD_FILE).open("a") as log:
        log.write(json.dumps(asdict(record)) + "\n")
    return record
