"""The `shopfloor` command line: help texts and a readable error for a bad asset selection."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from shopfloor.cli import main
from shopfloor.runner import UI_SHUTDOWN_GRACE_SECONDS
from shopfloor.settings import PROJECT_ROOT

SUBCOMMANDS = ["sample", "run", "demo", "ui", "forget"]


def test_installed_command_prints_help():
    command = shutil.which("shopfloor") or str(Path(__file__).resolve().parents[1] / ".venv/bin/shopfloor")
    completed = subprocess.run([command, "--help"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0
    for subcommand in SUBCOMMANDS:
        assert subcommand in completed.stdout


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_subcommand_help_exits_zero(subcommand: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_info:
        main([subcommand, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: shopfloor {subcommand}" in capsys.readouterr().out


@pytest.fixture
def scratch_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOPFLOOR_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("SHOPFLOOR_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DAGSTER_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    return tmp_path


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ("group:raw and (", "is not a valid asset selection"),
        ("group:no_such_group", "matches no asset"),
        ("key:raw/ncvoter", "select all of raw/ncvhis, raw/ncvoter"),
    ],
)
def test_run_rejects_a_bad_selection_readably(
    selection: str, message: str, scratch_paths: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["run", "--select", selection]) == 2
    error = capsys.readouterr().err
    assert error.startswith("shopfloor run: ")
    assert message in error
    assert "Traceback" not in error
    assert not (scratch_paths / "warehouse.duckdb").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, body: dict | None = None, headers: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _wait_for(url: str, process: subprocess.Popen, headers: dict | None = None) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            _get(url, headers=headers)
            return
        except urllib.error.HTTPError:
            raise
        except OSError:
            assert process.poll() is None, f"{process.args[0]} exited before serving"
            assert time.monotonic() < deadline, f"{url} did not answer within 120 s"
            time.sleep(1)


WORKSPACE_QUERY = {"query": "{ workspaceOrError { ... on Workspace { locationEntries { name "
                   "locationOrLoadError { __typename } } } } }"}


@contextmanager
def _running_ui() -> Iterator[str]:
    """`shopfloor ui` on a free loopback port until the block ends (then SIGTERM); yields its base URL."""
    port = _free_port()
    command = shutil.which("shopfloor") or str(Path(__file__).resolve().parents[1] / ".venv/bin/shopfloor")
    ui = subprocess.Popen([command, "ui", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/server_info", ui)
        yield base
    finally:
        ui.send_signal(signal.SIGTERM)
        # dagster dev stops, or is killed after the grace period (a run it launched at start can hang its shutdown).
        ui.wait(timeout=UI_SHUTDOWN_GRACE_SECONDS + 30)


def test_ui_serves_the_code_location_and_stops_on_sigterm(scratch_paths: Path):
    with _running_ui() as base:
        workspace = _get(f"{base}/graphql", WORKSPACE_QUERY)
        [location] = workspace["data"]["workspaceOrError"]["locationEntries"]
        assert location == {"name": "shopfloor", "locationOrLoadError": {"__typename": "RepositoryLocation"}}
    with pytest.raises(OSError):
        _get(f"{base}/server_info")


@pytest.mark.skipif(shutil.which("caddy") is None, reason="Caddy is installed by scripts/ci_services.sh")
def test_the_documented_proxy_asks_for_a_login_then_serves_the_ui(scratch_paths: Path):
    caddy = shutil.which("caddy")
    password = "correct horse battery staple"
    hashed = subprocess.run([caddy, "hash-password", "--plaintext", password], capture_output=True, text=True,
                            check=True).stdout.strip()
    proxy_port = _free_port()
    with _running_ui() as base:
        environment = {
            "PATH": os.environ["PATH"], "HOME": str(scratch_paths), "XDG_DATA_HOME": str(scratch_paths / "caddy"),
            "XDG_CONFIG_HOME": str(scratch_paths / "caddy"),
            # Plain HTTP on loopback for the test; production gives a public name and Caddy serves TLS.
            "SHOPFLOOR_PROXY_SITE": f"http://127.0.0.1:{proxy_port}", "SHOPFLOOR_UI_USER": "organizer",
            "SHOPFLOOR_UI_PASSWORD_HASH": hashed, "SHOPFLOOR_UI_UPSTREAM": base.removeprefix("http://"),
        }
        proxy = subprocess.Popen([caddy, "run", "--config", str(PROJECT_ROOT / "config" / "ui_proxy.Caddyfile"),
                                  "--adapter", "caddyfile"], env=environment,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        proxied = f"http://127.0.0.1:{proxy_port}"
        try:
            with pytest.raises(urllib.error.HTTPError) as refused:
                _wait_for(f"{proxied}/server_info", proxy)
            assert refused.value.code == 401
            login = {"Authorization": "Basic " + base64.b64encode(f"organizer:{password}".encode()).decode()}
            wrong = {"Authorization": "Basic " + base64.b64encode(b"organizer:guess").decode()}
            with pytest.raises(urllib.error.HTTPError) as refused:
                _get(f"{proxied}/server_info", headers=wrong)
            assert refused.value.code == 401
            workspace = _get(f"{proxied}/graphql", WORKSPACE_QUERY, headers=login)
            [location] = workspace["data"]["workspaceOrError"]["locationEntries"]
            assert location["name"] == "shopfloor"
        finally:
            proxy.terminate()
            proxy.wait(timeout=30)


def test_power_prints_the_minimum_detectable_effect_and_the_units_needed(capsys: pytest.CaptureFixture[str]):
    assert main(["power", "--n", "800", "--arms", "4", "--base-rate", "0.3"]) == 0
    assert "minimum detectable effect: 0.1337" in capsys.readouterr().out
    assert main(["power", "--effect", "0.1", "--base-rate", "0.5"]) == 0
    # The textbook two-proportion example: 0.5 -> 0.6 needs 385 per group at alpha 0.05, power 0.8.
    assert "385" in capsys.readouterr().out
