"""Reads, from the Dagster instance, the latest evaluation of every blocking check upstream of the lists."""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

from shopfloor.publish.gating import CheckState, blocking_failures


def _whole_asset_graph(context: dg.AssetExecutionContext):
    """The graph of the job the run executes part of: a run of some assets executes a subset of the job, whose own
    graph keeps only the selected assets' checks."""
    job = context.job_def
    if job.asset_selection_data is not None:
        job = job.asset_selection_data.parent_job_def
    return job.asset_layer.asset_graph


def upstream_blocking_check_states(context: dg.AssetExecutionContext,
                                   keys: Iterable[dg.AssetKey]) -> list[CheckState]:
    graph = _whole_asset_graph(context)
    upstream = set().union(*(graph.get_ancestor_asset_keys(key) for key in keys))
    check_keys = sorted(
        (key for key in graph.get_check_keys_for_assets(upstream) if graph.get_check_spec(key).blocking),
        key=lambda key: key.to_user_string(),
    )
    records = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    states = []
    for check_key in check_keys:
        record = records.get(check_key)
        evaluation = record.evaluation if record else None
        states.append(CheckState(
            check=check_key.to_user_string(),
            status=record.status.value if record else None,
            passed=evaluation.passed if evaluation else None,
            warn_only=bool(evaluation and evaluation.severity == dg.AssetCheckSeverity.WARN),
            run_id=record.run_id if record else None,
        ))
    return states


def require_upstream_checks_passed(context: dg.AssetExecutionContext, keys: Iterable[dg.AssetKey]) -> int:
    """The number of blocking checks verified; dg.Failure naming those that stop publishing."""
    states = upstream_blocking_check_states(context, keys)
    failures = blocking_failures(states)
    if failures:
        raise dg.Failure(
            description=f"Not published: {len(failures)} upstream blocking check(s) did not pass. Fix the data "
            "or re-run the checks; the last publication stays in place.\n" + "\n".join(failures),
            metadata={"blocking_checks": len(states), "not_passed": len(failures)},
        )
    return len(states)
