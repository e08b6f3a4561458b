"""Gating: publishing refuses unless the latest evaluation of every upstream blocking check passed.

The Dagster tests run a small graph (an upstream asset with a blocking check, a publisher behind it that calls the
same gate as the published assets) against a throwaway instance: the check fails in one run, and a later run that
selects only the publisher is refused.
"""

from pathlib import Path

import dagster as dg

from orchestration.defs.published.gating import require_upstream_checks_passed
from shopfloor.publish.gating import CheckState, blocking_failures

UPSTREAM = dg.AssetKey(["marts", "upstream"])
PUBLISHED = dg.AssetKey(["published", "list"])


def test_only_passed_or_warned_checks_let_publishing_through():
    states = [
        CheckState("marts/a:ok", "SUCCEEDED", passed=True, run_id="r1"),
        CheckState("raw/b:contract", "FAILED", passed=False, warn_only=True, run_id="r1"),
        CheckState("marts/c:unique", "FAILED", passed=False, run_id="r2"),
        CheckState("marts/d:not_null", None),
        CheckState("marts/e:planned", "PLANNED", run_id="r3"),
    ]
    assert blocking_failures(states) == [
        "marts/c:unique: failed in run r2",
        "marts/d:not_null: never evaluated",
        "marts/e:planned: did not finish in run r3",
    ]
    assert blocking_failures(states[:2]) == []


def _definitions(verdict: Path) -> dg.Definitions:
    """An upstream asset whose blocking check reads its verdict ('pass', 'fail', 'warn') from a file."""

    @dg.asset(key=UPSTREAM)
    def upstream() -> None:
        return None

    @dg.asset_check(asset=UPSTREAM, name="contract", blocking=True)
    def contract() -> dg.AssetCheckResult:
        outcome = verdict.read_text()
        return dg.AssetCheckResult(
            passed=outcome == "pass",
            severity=dg.AssetCheckSeverity.WARN if outcome == "warn" else dg.AssetCheckSeverity.ERROR,
        )

    @dg.asset(key=PUBLISHED, deps=[UPSTREAM])
    def published(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        checked = require_upstream_checks_passed(context, [PUBLISHED])
        return dg.MaterializeResult(metadata={"checks": checked})

    return dg.Definitions(assets=[upstream, published], asset_checks=[contract])


def _run(definitions: dg.Definitions, instance: dg.DagsterInstance, *keys: dg.AssetKey) -> dg.ExecuteInProcessResult:
    return definitions.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, asset_selection=list(keys), raise_on_error=False
    )


def _refusal(result: dg.ExecuteInProcessResult) -> str:
    [failure] = [event for event in result.all_events if event.is_step_failure]
    return failure.step_failure_data.user_failure_data.description


def test_publishing_is_refused_after_a_failed_blocking_check(tmp_path):
    verdict = tmp_path / "verdict"
    definitions = _definitions(verdict)
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home), set_dagster_home=False) as instance:
        # Never evaluated: a fresh instance knows nothing about the upstream data.
        refused = _run(definitions, instance, PUBLISHED)
        assert not refused.success and "marts/upstream:contract: never evaluated" in _refusal(refused)

        verdict.write_text("fail")
        # In the same run the failed blocking check already stops the publisher.
        both = _run(definitions, instance, UPSTREAM, PUBLISHED)
        assert not both.success
        assert not [e for e in both.get_asset_materialization_events() if e.asset_key == PUBLISHED]
        # A later run that selects only the publisher is refused by the gate.
        refused = _run(definitions, instance, PUBLISHED)
        assert not refused.success
        assert "marts/upstream:contract: failed in run" in _refusal(refused)

        verdict.write_text("warn")
        _run(definitions, instance, UPSTREAM)
        warned = _run(definitions, instance, PUBLISHED)
        assert warned.success

        verdict.write_text("pass")
        _run(definitions, instance, UPSTREAM)
        allowed = _run(definitions, instance, PUBLISHED)
        assert allowed.success
        [event] = allowed.get_asset_materialization_events()
        assert event.materialization.metadata["checks"].value == 1


def test_the_published_assets_sit_behind_scores_contacts_and_suppression():
    from shopfloor.runner import load_definitions

    graph = load_definitions().resolve_asset_graph()
    for key in (["published", "target_workplaces"], ["published", "leader_candidates"]):
        node = graph.get(dg.AssetKey(key))
        assert node.group_name == "published" and node.owners == ["team:data"] and node.description
        parents = {parent.to_user_string() for parent in node.parent_keys}
        assert {"models/workplace_scores", "models/worker_scores", "experiments/assignments",
                "experiments/recommended_tactics", "intermediate/int_worker_contacts",
                "staging/stg_suppression__entries"} <= parents
    # Lists name workers: the analyst copy must never depend on (and so copy) them.
    analyst = graph.get(dg.AssetKey(["analyst", "analyst_warehouse"]))
    assert not any(parent.path[0] == "published" for parent in analyst.parent_keys)
