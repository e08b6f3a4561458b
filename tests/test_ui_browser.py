"""The Dagster UI in a real browser: `shopfloor ui` against the session's sample instance, driven by headless Chromium.

Checks that the asset lineage shows every asset group the definitions have, that a mart's page shows where its
columns come from, and that a materialization launched from an asset's page runs to success. Saves the lineage as
docs/ui-asset-graph.png.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopfloor.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = PROJECT_ROOT / "docs" / "ui-asset-graph.png"
# Cheap to run (copies the marts into the analyst file, well under a second) and touches nothing analysts lack.
ASSET_TO_LAUNCH = ["analyst", "analyst_warehouse"]
# Chromium as root in a machine with no outside network: no sandbox, and no background calls home.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# A mart whose page must show column lineage (a table of each column's upstream columns, from the sample run).
MART_WITH_LINEAGE = ["marts", "mart_workplaces"]
UI_START_TIMEOUT_S = 120
RUN_TIMEOUT_S = 180


def _require_chromium() -> None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing = "the playwright Python package: pip install -e '.[test]'"
    else:
        missing = "" if CHROMIUM.exists() else "Chromium: apt-get install chromium chromium-driver"
    if not missing:
        return
    message = f"Real-browser test needs {missing} (scripts/ci_services.sh installs Chromium in CI)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + UI_START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, f"`shopfloor ui` exited with code {server.returncode}"
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"the Dagster UI did not answer at {url} within {UI_START_TIMEOUT_S} s")


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.fixture(scope="module")
def ui_url(sample_env) -> Iterator[str]:
    """`shopfloor ui` (dagster dev: webserver, daemon, code server) in its own process group on a free port."""
    _require_chromium()
    port = _free_port()
    shopfloor = Path(sys.executable).with_name("shopfloor")
    # The environment already points SHOPFLOOR_* and DAGSTER_HOME at the sample env (see conftest).
    server = subprocess.Popen(
        [str(shopfloor), "ui", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, server)
        yield url
    finally:
        # `shopfloor ui` starts `dagster dev` in a process group of its own and forwards SIGTERM to it; should that
        # group outlive it, kill the group too, so no webserver, daemon or run is left holding the sample env.
        dagster_groups = _children(server.pid)
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        for group in dagster_groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture()
def page(ui_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            # The first page load waits for the code server to load the definitions (dbt manifest and all).
            page.set_default_timeout(90_000)
            yield page
        finally:
            browser.close()


def _group_names() -> set[str]:
    from shopfloor.runner import load_definitions

    graph = load_definitions().resolve_asset_graph()
    return {graph.get(key).group_name for key in graph.get_all_asset_keys()}


def test_asset_lineage_shows_every_group(ui_url, page):
    groups = _group_names()
    assert {"raw", "staging", "marts", "analyst"} <= groups
    page.goto(f"{ui_url}/asset-groups")
    graph = page.locator("foreignObject")  # the lineage graph's nodes; the asset tree beside it is plain HTML
    for group in sorted(groups):
        graph.get_by_text(group, exact=True).first.wait_for()
    page.wait_for_timeout(1000)  # let the edges finish drawing
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000


def test_a_marts_page_shows_where_its_columns_come_from(ui_url, page):
    import dagster as dg

    key = dg.AssetKey(MART_WITH_LINEAGE)
    with dg.DagsterInstance.get() as instance:
        metadata = instance.get_latest_materialization_event(key).asset_materialization.metadata
    deps_by_column = metadata["dagster/column_lineage"].lineage.deps_by_column
    column, deps = next((column, deps) for column, deps in deps_by_column.items() if deps)
    page.goto(f"{ui_url}/assets/{'/'.join(MART_WITH_LINEAGE)}")
    lineage_row = page.locator("tr", has=page.get_by_text("column_lineage", exact=True))
    lineage_row.first.wait_for()
    show = lineage_row.get_by_text("[Show Markdown]")
    if show.count():  # long values open in a dialog
        show.first.click()
    # One row of the table: the column, and an upstream column it is computed from.
    upstream = f"{deps[0].asset_key.to_user_string()}.{deps[0].column_name}"
    page.locator("tr").filter(has=page.get_by_text(column, exact=True)).filter(
        has=page.get_by_text(upstream, exact=True)).first.wait_for()


def test_materialization_launched_from_the_page_succeeds(ui_url, page):
    import dagster as dg

    key = dg.AssetKey(ASSET_TO_LAUNCH)
    with dg.DagsterInstance.get() as instance:
        runs_before = {run.run_id for run in instance.get_runs()}
        page.goto(f"{ui_url}/assets/{'/'.join(ASSET_TO_LAUNCH)}")
        page.locator("button").filter(has_text=re.compile(r"^\s*Materialize\s*$")).first.click()
        # Dagster asks to confirm when an upstream asset was never materialized; the sample run built them all.
        confirm = page.get_by_role("button", name="Confirm")
        deadline = time.monotonic() + 60
        launched = []
        while not launched and time.monotonic() < deadline:
            if confirm.is_visible():
                confirm.click()
            launched = [run for run in instance.get_runs() if run.run_id not in runs_before and key in (run.asset_selection or ())]
            time.sleep(0.5)
        assert launched, "no run of the asset appeared in the instance after clicking Materialize"
        run_id = launched[0].run_id
        assert launched[0].tags.get("dagster/from_ui") == "true"

        deadline = time.monotonic() + RUN_TIMEOUT_S
        while not (run := instance.get_run_by_id(run_id)).is_finished and time.monotonic() < deadline:
            time.sleep(1)
        assert run.status == dg.DagsterRunStatus.SUCCESS, f"run {run_id} ended {run.status}"

    page.goto(f"{ui_url}/runs/{run_id}")
    page.get_by_text("Success", exact=True).first.wait_for()
