"""Settings fit for generated data only are refused for real files: the public person-key salt, and the UI
listening beyond loopback with no authenticating proxy (shopfloor.public_defaults)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopfloor.cli import main
from shopfloor.public_defaults import (
    PUBLIC_PERSON_KEY_SALT,
    PublicDefaultError,
    is_loopback,
    refuse_open_ui,
    refuse_public_salt,
)
from shopfloor.settings import get_settings

SECRET_SALT = "kX3v9-QpW2rT7yLm4sZb"


@pytest.fixture
def real_landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A landing folder holding a (made-up) member roll that was not written by `shopfloor sample`."""
    landing = tmp_path / "landing"
    (landing / "membership").mkdir(parents=True)
    (landing / "membership" / "roll.csv").write_text("member_id\n1\n")
    monkeypatch.setenv("SHOPFLOOR_LANDING_DIR", str(landing))
    monkeypatch.setenv("SHOPFLOOR_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.delenv("SHOPFLOOR_PERSON_KEY_SALT", raising=False)
    return landing


@pytest.mark.parametrize("salt", [None, PUBLIC_PERSON_KEY_SALT, "short-secret"])
def test_real_files_with_a_missing_public_or_short_salt_are_refused(
    salt: str | None, real_landing: Path, monkeypatch: pytest.MonkeyPatch
):
    if salt is not None:
        monkeypatch.setenv("SHOPFLOOR_PERSON_KEY_SALT", salt)
    with pytest.raises(PublicDefaultError, match=r"^SHOPFLOOR_PERSON_KEY_SALT (is unset or the public|is shorter)"):
        refuse_public_salt(get_settings())


def test_a_secret_salt_or_a_generated_sample_is_accepted(real_landing: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SHOPFLOOR_PERSON_KEY_SALT", SECRET_SALT)
    refuse_public_salt(get_settings())
    monkeypatch.delenv("SHOPFLOOR_PERSON_KEY_SALT")
    (real_landing / "_truth").mkdir()
    (real_landing / "_truth" / "rules.json").write_text("{}")
    refuse_public_salt(get_settings())


def test_a_run_on_real_files_without_a_salt_stops_before_anything_is_written(
    real_landing: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["run"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("shopfloor run: SHOPFLOOR_PERSON_KEY_SALT is unset or the public default")
    assert "secrets.token_urlsafe" in error and "Traceback" not in error
    assert not (real_landing.parent / "warehouse.duckdb").exists()


def test_a_run_launched_from_the_ui_fails_at_the_dbt_step_with_the_message(real_landing: Path):
    """The UI and the schedule launch runs without the CLI: the dbt step, which makes the person keys, refuses."""
    import dagster as dg

    from orchestration.defs.transform.assets import shopfloor_dbt_models
    from shopfloor.runner import load_definitions

    definitions = load_definitions()
    result = dg.materialize(
        [shopfloor_dbt_models],
        resources={name: definitions.resources[name] for name in ("dbt", "warehouse")},
        raise_on_error=False,
        tags={"shopfloor/as_of": "2025-06-30"},
    )
    assert not result.success
    failure = next(event for event in result.all_events if event.is_step_failure)
    assert failure.step_failure_data.user_failure_data.description.startswith("SHOPFLOOR_PERSON_KEY_SALT is unset")
    assert not (real_landing.parent / "warehouse.duckdb").exists()


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True), ("LOCALHOST", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("shopfloor.local", False),
])
def test_loopback_is_told_from_every_other_address(host: str, loopback: bool):
    assert is_loopback(host) is loopback


def test_the_ui_beyond_loopback_needs_an_authenticating_proxy(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.delenv("SHOPFLOOR_UI_AUTH_PROXY", raising=False)
    assert main(["ui", "--host", "0.0.0.0", "--port", "1"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("shopfloor ui: The Dagster UI has no login") and "Traceback" not in error
    monkeypatch.setenv("SHOPFLOOR_UI_AUTH_PROXY", "https://shopfloor.example.org")
    refuse_open_ui("0.0.0.0", get_settings())
