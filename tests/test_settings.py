"""One settings module: every environment variable is read in shopfloor/settings.py, and the README, --help and
dbt's fallbacks all agree with its one definition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shopfloor.cli import build_parser
from shopfloor.settings import (
    DBT_PROJECT_DIR,
    PROJECT_ROOT,
    VARIABLES,
    SettingsError,
    configuration_table,
    get_settings,
)

PYTHON_FOLDERS = ("shopfloor", "orchestration", "models")
# A read of the environment: .get, getenv, or a subscript that is not assigned to.
ENVIRONMENT_READ = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=)")
DBT_ENV_VAR = re.compile(r"env_var\('(\w+)'(?:,\s*'([^']*)')?\)")


def test_the_environment_is_read_only_in_the_settings_module():
    readers = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for folder in PYTHON_FOLDERS
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if path != PROJECT_ROOT / "shopfloor" / "settings.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ENVIRONMENT_READ.search(line)
    ]
    assert readers == []


def test_the_readme_configuration_table_is_the_settings_definition():
    assert configuration_table() in (PROJECT_ROOT / "README.md").read_text()


def test_shopfloor_help_lists_every_variable_with_its_default():
    epilog = build_parser().format_help()
    for variable in VARIABLES:
        assert re.search(rf"{variable.name}\s+default: ", epilog), variable.name


def test_dbt_falls_back_on_the_settings_defaults():
    defaults = {variable.name: variable.default for variable in VARIABLES}
    seen = set()
    for name in ("profiles.yml", "dbt_project.yml"):
        for variable, fallback in DBT_ENV_VAR.findall((DBT_PROJECT_DIR / name).read_text()):
            assert variable in defaults, f"{name} reads {variable}, which shopfloor/settings.py does not define"
            if variable == "SHOPFLOOR_WAREHOUSE":
                # dbt resolves its fallback against dbt_project/, Shopfloor against the project root.
                assert (DBT_PROJECT_DIR / fallback).resolve() == PROJECT_ROOT / defaults[variable]
            else:
                assert fallback == defaults[variable], variable
            seen.add(variable)
    assert seen == {variable.name for variable in VARIABLES if variable.read_by == "dbt"} | {
        "SHOPFLOOR_WAREHOUSE", "SHOPFLOOR_MEMORY_LIMIT", "SHOPFLOOR_PERSON_KEY_SALT"}


def test_defaults_apply_when_unset_or_empty(monkeypatch, tmp_path: Path):
    for variable in VARIABLES:
        monkeypatch.delenv(variable.name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHOPFLOOR_MEMORY_LIMIT", "")
    settings = get_settings()
    assert settings.warehouse == tmp_path / "data" / "warehouse.duckdb"
    assert settings.analyst_warehouse == tmp_path / "data" / "analyst.duckdb"
    assert (settings.memory_limit, settings.schedule_cron, settings.schedule_timezone) == (
        "3GB", "0 6 * * *", "America/New_York")
    assert (settings.model_min_auc, settings.model_min_gain_over_baseline, settings.model_auc_tolerance) == (
        0.6, 0.0, 0.01)
    assert settings.landing_settle_seconds == 60 and settings.alert_webhook_url is None
    monkeypatch.setenv("SHOPFLOOR_ANALYST_WAREHOUSE", str(tmp_path / "copy.duckdb"))
    assert get_settings().analyst_warehouse == tmp_path / "copy.duckdb"


@pytest.mark.parametrize(
    ("name", "value"),
    [("SHOPFLOOR_MEMORY_LIMIT", "lots"), ("SHOPFLOOR_LANDING_SETTLE_SECONDS", "-5"),
     ("SHOPFLOOR_LANDING_SETTLE_SECONDS", "a minute"), ("SHOPFLOOR_MODEL_MIN_AUC", "high"),
     ("SHOPFLOOR_SCHEDULE_CRON", "every morning"), ("SHOPFLOOR_SCHEDULE_TIMEZONE", "Eastern")],
)
def test_an_unusable_value_fails_naming_the_variable(monkeypatch, name: str, value: str):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=rf"^{name}={value!r}: "):
        get_settings()
