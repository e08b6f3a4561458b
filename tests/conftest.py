"""Shared fixtures. `sample_env` builds one sample warehouse per test session; tests only read it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


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


@pytest.fixture(scope="session")
def sample_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleEnv]:
    """Small sample data (seed 42) generated and run through every asset once, in a temporary folder.

    SHOPFLOOR_LANDING_DIR, SHOPFLOOR_WAREHOUSE and DAGSTER_HOME point there for the whole session.
    """
    import dagster as dg

    from shopfloor.runner import run_assets
    from shopfloor.sample import generate
    from shopfloor.settings import get_settings

    root = tmp_path_factory.mktemp("sample_env")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SHOPFLOOR_LANDING_DIR", str(root / "landing"))
        env.setenv("SHOPFLOOR_WAREHOUSE", str(root / "warehouse.duckdb"))
        env.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        env.setenv("SHOPFLOOR_MODELS_DIR", str(root / "models"))
        env.setenv("SHOPFLOOR_PUBLISH_DIR", str(root / "published"))
        # run_assets sets these too; setting them here first means they are restored after the session.
        env.setenv("DAGSTER_DISABLE_TELEMETRY", "1")
        env.setenv("DO_NOT_TRACK", "1")
        settings = get_settings()
        generate(scale="small", seed=42, out=settings.landing_dir)
        succeeded = run_assets(None)
        with dg.DagsterInstance.get() as instance:
            run_id = instance.get_runs(limit=1)[0].run_id
        yield SampleEnv(
            landing_dir=settings.landing_dir,
            warehouse=settings.warehouse,
            dagster_home=settings.dagster_home,
            models_dir=settings.models_dir,
            publish_dir=settings.publish_dir,
            validations_dir=settings.validations_dir,
            run_id=run_id,
            run_succeeded=succeeded,
        )
