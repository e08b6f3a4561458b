"""Shared fixtures. `sample_env` builds one sample warehouse per test session; tests only read it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from work_folder import WAREHOUSE_FIXTURES, builds_warehouse, point_shopfloor_at


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
    # Organizers' activity on the first run's assignments, and what it feeds, in a second run as of the day after
    # the drive ends (as `shopfloor demo` does).
    analysis_run_id: str
    analysis_run_succeeded: bool


# Tests build warehouses from handmade rows, which are not a generated sample: runs on them need a salt other than
# the public default (shopfloor.public_defaults). The sample run goes without one, as `shopfloor demo` does.
TEST_PERSON_KEY_SALT = "tests-only-salt-not-secret"


@pytest.fixture(scope="session", autouse=True)
def person_key_salt() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SHOPFLOOR_PERSON_KEY_SALT", TEST_PERSON_KEY_SALT)
        yield TEST_PERSON_KEY_SALT


@pytest.fixture
def con(tmp_path: Path):
    """A fresh DuckDB warehouse of the test's own, for the raw loader's tests (some modules define their own)."""
    import duckdb

    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """The test's landing folder (not created: write_layout_file and the like make its source folders)."""
    return tmp_path / "landing"


# The session-scoped warehouses: the sample's, and the real NLRB history's (several modules read each).
SESSION_WAREHOUSES = ("sample_env", "nlrb_history_warehouse")


@pytest.fixture(scope="session")
@builds_warehouse
def nlrb_history_warehouse(tmp_path_factory: pytest.TempPathFactory):
    """Every real NLRB file loaded and built up to the win model's features: (warehouse, load report, counts)."""
    from real_data import REAL_DATA

    from shopfloor import nlrb_history

    work = tmp_path_factory.mktemp("nlrb_history")
    warehouse, report = nlrb_history.build(REAL_DATA, work)
    return warehouse, report, nlrb_history.count(warehouse, report, work)


# tryfirst: pytest-xdist reads the xdist_group marks in a hook of its own.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses, directly or through another fixture, a fixture declared with @builds_warehouse is
    marked `warehouse`, so `make check` can leave them all out.

    Under pytest-xdist (`make test` runs `-n 2 --dist loadgroup`) the tests on one of the session's warehouses share
    one worker, which builds it once, and every other module keeps to one worker, so its module fixtures are built
    once too."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if WAREHOUSE_FIXTURES & used:
            item.add_marker(pytest.mark.warehouse)
        shared = next((name for name in SESSION_WAREHOUSES if name in used), None)
        item.add_marker(pytest.mark.xdist_group(shared or item.module.__name__))


@pytest.fixture(scope="session")
@builds_warehouse
def sample_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleEnv]:
    """Small sample data (seed 42) generated and run through every asset once, in a temporary folder, as
    `shopfloor demo` does: one run of everything as of the sample world's last day; then organizers' activity
    simulated on the units that run assigned, and a run of what the activity feeds as of the day after the drive.

    SHOPFLOOR_LANDING_DIR, SHOPFLOOR_WAREHOUSE and DAGSTER_HOME point there for the whole session.
    """
    import dagster as dg

    from shopfloor.experiments.demo import run_activity_demo
    from shopfloor.runner import run_assets
    from shopfloor.sample import generate
    from shopfloor.sample.truth import sample_as_of
    from shopfloor.settings import get_settings

    root = tmp_path_factory.mktemp("sample_env")
    with pytest.MonkeyPatch.context() as env:
        point_shopfloor_at(env, root)
        env.delenv("SHOPFLOOR_PERSON_KEY_SALT")
        # run_assets sets these too; setting them here first means they are restored after the session.
        env.setenv("DAGSTER_DISABLE_TELEMETRY", "1")
        env.setenv("DO_NOT_TRACK", "1")
        settings = get_settings()
        generate(scale="small", seed=42, out=settings.landing_dir)
        succeeded = run_assets(None, as_of=sample_as_of(settings.landing_dir))
        with dg.DagsterInstance.get() as instance:
            run_id = instance.get_runs(limit=1)[0].run_id
        analysis_succeeded = succeeded and run_activity_demo(seed=42)
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
