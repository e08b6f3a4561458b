"""Shared fixtures. `sample_env` builds one sample warehouse per test session; tests only read it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from work_folder import point_shopfloor_at


@dataclass(frozen=True)
class SampleEnv:
    landing_dir: Path
    warehouse: Path
    dagster_home: Path
    models_dir: Path
    publish_dir: Path
    validations_dir: Path
    run_id: str
    run_succeeded: bool
    # The experiments read as of the day after the drive ends, in a second run (as `shopfloor demo` does).
    analysis_run_id: str
    analysis_run_succeeded: bool


@pytest.fixture(scope="session")
def sample_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleEnv]:
    """Small sample data (seed 42) generated and run through every asset once, in a temporary folder.

    SHOPFLOOR_LANDING_DIR, SHOPFLOOR_WAREHOUSE and DAGSTER_HOME point there for the whole session. The landing
    folder also holds campaign activity simulated on the experiment assignments (_land_campaign_activity), so the
    one session run loads every source, experiments' outcomes included.
    """
    import dagster as dg

    from shopfloor.experiments.demo import ACTIVITY_SELECTION, analysis_date
    from shopfloor.runner import run_assets
    from shopfloor.sample import generate
    from shopfloor.sample.truth import sample_as_of
    from shopfloor.settings import get_settings

    root = tmp_path_factory.mktemp("sample_env")
    with pytest.MonkeyPatch.context() as env:
        point_shopfloor_at(env, root)
        # run_assets sets these too; setting them here first means they are restored after the session.
        env.setenv("DAGSTER_DISABLE_TELEMETRY", "1")
        env.setenv("DO_NOT_TRACK", "1")
        settings = get_settings()
        generate(scale="small", seed=42, out=settings.landing_dir)
        _land_campaign_activity(root, env)
        succeeded = run_assets(None, as_of=sample_as_of(settings.landing_dir))
        with dg.DagsterInstance.get() as instance:
            run_id = instance.get_runs(limit=1)[0].run_id
        analysis_succeeded = run_assets(f"({ACTIVITY_SELECTION}) and not group:raw", as_of=analysis_date())
        with dg.DagsterInstance.get() as instance:
            analysis_run_id = instance.get_runs(limit=1)[0].run_id
        yield SampleEnv(
            landing_dir=settings.landing_dir,
            warehouse=settings.warehouse,
            dagster_home=settings.dagster_home,
            models_dir=settings.models_dir,
            publish_dir=settings.publish_dir,
            validations_dir=settings.validations_dir,
            run_id=run_id,
            run_succeeded=succeeded,
            analysis_run_id=analysis_run_id,
            analysis_run_succeeded=analysis_succeeded,
        )


def _land_campaign_activity(root: Path, env: pytest.MonkeyPatch) -> None:
    """Organizers act on the experiment assignments, so their activity exists only after a run has assigned units.

    A first run, into a scratch warehouse and DAGSTER_HOME, materializes what the assignments need; the activity
    simulated from its assignments lands in the session's landing folder. The session run then loads it with every
    other source: assignment is reproducible from the seed, so that run gives every unit the same arm. (A second,
    downstream-only run in the session instance would leave raw/campaign_activity's first materialization out of
    step with its table, which the session-run tests compare.)
    """
    from shopfloor.runner import run_assets
    from shopfloor.sample.campaign import simulate_campaign_activity
    from shopfloor.sample.truth import sample_as_of
    from shopfloor.settings import get_settings

    scratch = root / "assignment_run"
    session = {name: os.environ[name] for name in ("SHOPFLOOR_WAREHOUSE", "DAGSTER_HOME", "SHOPFLOOR_PUBLISH_DIR")}
    env.setenv("SHOPFLOOR_WAREHOUSE", str(scratch / "warehouse.duckdb"))
    env.setenv("DAGSTER_HOME", str(scratch / "dagster_home"))
    env.setenv("SHOPFLOOR_PUBLISH_DIR", str(scratch / "published"))
    # Raw sources load whole (one multi-asset per landing folder), so all of group raw comes along.
    as_of = sample_as_of(get_settings().landing_dir)
    assert run_assets("+key:experiments/assignments or group:raw", as_of=as_of), "the run that assigns the units failed"
    simulate_campaign_activity(get_settings().warehouse, get_settings().landing_dir, seed=42)
    for name, value in session.items():
        env.setenv(name, value)
