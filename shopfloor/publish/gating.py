"""Gating: publish only when the latest evaluation of every upstream blocking check passed.

Within one Dagster run a failed blocking check already stops everything downstream. A run that selects only the
published assets re-runs no upstream check, so the publisher also reads the latest recorded evaluation of each
blocking check on every asset upstream of the lists, and refuses when one failed, never ran, or never finished.
A check that failed with WARN severity (an unfed raw table) does not block, as in Dagster itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CheckState:
    check: str  # "asset/key:check_name"
    status: str | None  # the latest execution's status (SUCCEEDED, FAILED, PLANNED); None: never evaluated
    passed: bool | None = None
    warn_only: bool = False  # failed with WARN severity
    run_id: str | None = None


def blocking_failures(states: Iterable[CheckState]) -> list[str]:
    """One line per check that stops publishing, sorted; empty when publishing may go ahead."""
    failures = []
    for state in states:
        if state.status is None:
            failures.append(f"{state.check}: never evaluated")
        elif state.status == "PLANNED" or state.passed is None:
            failures.append(f"{state.check}: did not finish in run {state.run_id}")
        elif not state.passed and not state.warn_only:
            failures.append(f"{state.check}: failed in run {state.run_id}")
    return sorted(failures)
