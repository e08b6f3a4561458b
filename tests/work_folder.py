"""Point Shopfloor's settings at a folder of its own, for tests that build a warehouse apart from the user's; and
declare the fixtures that build one, so every test using them is marked `warehouse` (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

# Names of the fixtures that build a warehouse (the session's sample_env among them).
WAREHOUSE_FIXTURES: set[str] = set()


def builds_warehouse(fixture_function):
    """Declare, beneath @pytest.fixture, a fixture that builds a warehouse: `make check` leaves out its tests."""
    WAREHOUSE_FIXTURES.add(fixture_function.__name__)
    return fixture_function


def point_shopfloor_at(env: pytest.MonkeyPatch, root: Path) -> None:
    """Landing folder, warehouse, Dagster home, models store and published lists all under `root`."""
    env.setenv("SHOPFLOOR_LANDING_DIR", str(root / "landing"))
    env.setenv("SHOPFLOOR_WAREHOUSE", str(root / "warehouse.duckdb"))
    env.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    env.setenv("SHOPFLOOR_MODELS_DIR", str(root / "models"))
    env.setenv("SHOPFLOOR_PUBLISH_DIR", str(root / "published"))
