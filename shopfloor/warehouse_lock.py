"""Open the warehouse for writing, waiting while another process holds it.

DuckDB lets one process write a file, or several read it, never both: an analyst's notebook or a BI tool with the
warehouse open, even read-only, locks a run out. A run waits for it with exponential backoff (stamina) for up to
SHOPFLOOR_WAREHOUSE_WAIT_SECONDS, says which program holds the file, and only then fails, naming it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import duckdb
import stamina

# DuckDB names the holder in its lock error: 'Conflicting lock is held in /usr/bin/python3.11 (PID 20808)'.
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
FIRST_WAIT_SECONDS = 1.0
LONGEST_WAIT_SECONDS = 30.0


class WarehouseHeldError(RuntimeError):
    """Another process holds the warehouse; `holder` names its program and PID as far as DuckDB tells."""

    def __init__(self, path: Path, holder: str, waited_seconds: float | None = None) -> None:
        self.path = path
        self.holder = holder
        waited = "" if waited_seconds is None else f" after waiting {waited_seconds:.0f} s"
        super().__init__(
            f"The warehouse {path} is held by {holder}{waited}. Shopfloor writes it from one process at a time: "
            "close that session (an analyst can read the analyst copy instead), or raise "
            "SHOPFLOOR_WAREHOUSE_WAIT_SECONDS."
        )


def lock_holder(error: duckdb.Error) -> str | None:
    """'<program> (PID <n>)' of the process holding the file, 'another process' if DuckDB does not say, or None
    when the error is not a lock conflict."""
    text = str(error)
    if "lock" not in text.lower():
        return None
    match = _HOLDER.search(text)
    if not match:
        return "another process"
    return f"{Path(match['program']).name} (PID {match['pid']})"


def _connect_once(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as error:
        holder = lock_holder(error)
        if holder is None:
            raise
        raise WarehouseHeldError(path, holder) from error


def connect_when_free(path: Path, *, wait_seconds: float, log: logging.Logger) -> duckdb.DuckDBPyConnection:
    """A writing connection to `path`, retried with backoff while another process holds the file; after
    `wait_seconds` in all, WarehouseHeldError naming the holder. Each wait is logged with the holder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if wait_seconds <= 0:
        return _connect_once(path)
    waited = 0.0
    attempts = stamina.retry_context(
        on=WarehouseHeldError, attempts=None, timeout=wait_seconds, wait_initial=FIRST_WAIT_SECONDS,
        wait_max=LONGEST_WAIT_SECONDS, wait_jitter=FIRST_WAIT_SECONDS,
    )
    try:
        for attempt in attempts:
            with attempt:
                try:
                    return _connect_once(path)
                except WarehouseHeldError as held:
                    log.warning(
                        "The warehouse is held by %s: waiting %.0f s before trying again (%.0f s waited of %s s).",
                        held.holder, attempt.next_wait, waited, wait_seconds,
                    )
                    waited += attempt.next_wait
                    raise
    except WarehouseHeldError as held:
        raise WarehouseHeldError(path, held.holder, waited) from held
