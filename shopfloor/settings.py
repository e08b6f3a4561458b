"""Every setting Shopfloor reads from the environment, each named, typed, defaulted and explained once here.

`get_settings()` reads them all (at call time, so tests and the CLI can point them elsewhere) and checks each, so a
typo fails when the code location loads, not at 6 am. The README's configuration table and `shopfloor --help` are
made from VARIABLES; a test holds them and the defaults dbt's profiles.yml and dbt_project.yml fall back on to it.
"""

from __future__ import annotations

import grp
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = PROJECT_ROOT / "config"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


class SettingsError(ValueError):
    """An environment variable holds a value Shopfloor cannot use; the message names the variable."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | None  # None: unset unless the meaning says what stands in for it
    meaning: str
    read_by: str = "shopfloor"  # "dbt": read by dbt_project/profiles.yml or dbt_project.yml, not by Python


def _path(text: str) -> Path:
    return Path(text).expanduser().resolve()


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*$", re.IGNORECASE)
_UNIT_BYTES = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
               "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def size_in_bytes(size: str) -> int:
    """Bytes in a DuckDB-style size such as '3GB' or '512MiB'."""
    match = _SIZE.match(size)
    if not match:
        raise ValueError(f"not a size such as '3GB' or '512MB': {size!r}")
    return int(float(match[1]) * _UNIT_BYTES[match[2].upper()])


def _memory_size(text: str) -> str:
    size_in_bytes(text)
    return text.strip()


# Five fields, or an @-alias. The shape only: importing dagster's own check would put dagster's import (0.7 s)
# in front of every command; the schedule's definition still rejects a well-shaped but impossible expression.
_CRON = re.compile(r"^\s*(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|([\w*/,?#-]+\s+){4}[\w*/,?#-]+)\s*$")


def _cron(text: str) -> str:
    if not _CRON.match(text):
        raise ValueError("not a cron expression, e.g. '0 6 * * *'")
    return text.strip()


def _time_zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("not an IANA time zone, e.g. 'America/New_York'") from error
    return text


def _group(text: str) -> str:
    try:
        grp.getgrnam(text)
    except KeyError as error:
        raise ValueError("no such group on this machine") from error
    return text


def _seconds(text: str) -> int:
    seconds = int(text)
    if seconds < 0:
        raise ValueError("must be 0 or more")
    return seconds


VARIABLES: tuple[Variable, ...] = (
    Variable("SHOPFLOOR_LANDING_DIR", "data/landing",
             "landing folders, one per source (`voter_files/`, `membership/`, `osha/`, `nlrb/`, `grievances/`, "
             "`contacts/` for the organizing contacts export, `campaign_activity/` for the organizing CRM's "
             "activity, `suppression/` for people who must never be listed)"),
    Variable("SHOPFLOOR_WAREHOUSE", "data/warehouse.duckdb", "the DuckDB warehouse (one writer at a time)"),
    Variable("SHOPFLOOR_WAREHOUSE_WAIT_SECONDS", "600",
             "how long a run waits, with backoff, for another process (an analyst's session, a BI tool) to let go "
             "of the warehouse before it fails naming that process"),
    Variable("SHOPFLOOR_ANALYST_WAREHOUSE", None,
             "the analysts' read-only copy; unset: `analyst.duckdb` beside the warehouse"),
    Variable("SHOPFLOOR_ANALYSTS_GROUP", None,
             "a Unix group allowed to read the analyst copy (and nothing else); unset: owner-only like every other "
             "file"),
    Variable("SHOPFLOOR_MODELS_DIR", "data/models",
             "the model store: one folder per model and version, with metadata, model card and plots"),
    Variable("SHOPFLOOR_MODEL_MIN_AUC", "0.6",
             "the promotion gate's held-out AUC floor ([docs/models.md](docs/models.md))"),
    Variable("SHOPFLOOR_MODEL_MIN_GAIN_OVER_BASELINE", "0",
             "the held-out AUC a candidate must gain over the baseline to be promoted"),
    Variable("SHOPFLOOR_MODEL_AUC_TOLERANCE", "0.01", "how far a candidate's AUC may trail the model in use"),
    Variable("SHOPFLOOR_PUBLISH_DIR", "data/published",
             "the published lists, one owner-only folder per as-of date, `latest` pointing at the newest"),
    Variable("DAGSTER_HOME", "data/dagster_home",
             "Dagster's instance; its `dagster.yaml` (from `config/dagster.yaml`) turns telemetry off and runs one "
             "run at a time"),
    Variable("SHOPFLOOR_SCHEDULE_CRON", "0 6 * * *", "when the daily refresh runs"),
    Variable("SHOPFLOOR_SCHEDULE_TIMEZONE", "America/New_York",
             "the union's time zone: the schedule's clock, and the date a run without `--as-of` describes"),
    Variable("SHOPFLOOR_LANDING_SETTLE_SECONDS", "60",
             "how long a landed file must stay unchanged before the landing sensor loads it"),
    Variable("SHOPFLOOR_ALERT_WEBHOOK_URL", None, "where run failures are posted; unset: logged only"),
    Variable("SHOPFLOOR_MEMORY_LIMIT", "3GB",
             "DuckDB's memory cap for dbt, the assets' warehouse connections and splink's scratch database (which "
             "spills under `data/tmp/resolution/`); keeps a state-scale run under 6 GB "
             "([docs/performance.md](docs/performance.md))"),
    Variable("SHOPFLOOR_PERSON_KEY_SALT", "shopfloor-development-salt",
             "salt of the pseudonymous person keys, a secret of at least 16 characters: runs refuse this public "
             "default unless the landing folder holds generated sample data (dbt_project.yml reads it too)"),
    Variable("SHOPFLOOR_UI_AUTH_PROXY", None,
             "the URL of the authenticating reverse proxy in front of the UI; `shopfloor ui --host` beyond loopback "
             "refuses to start without it ([docs/operations.md](docs/operations.md))"),
    Variable("SHOPFLOOR_DBT_TARGET", "duckdb", "dbt's target: `duckdb`, or `postgres` for the portable build",
             read_by="dbt"),
    Variable("SHOPFLOOR_PG_HOST", "localhost", "PostgreSQL host of the `postgres` target", read_by="dbt"),
    Variable("SHOPFLOOR_PG_PORT", "5432", "PostgreSQL port of the `postgres` target", read_by="dbt"),
    Variable("SHOPFLOOR_PG_USER", "shopfloor", "PostgreSQL user of the `postgres` target", read_by="dbt"),
    Variable("SHOPFLOOR_PG_PASSWORD", "", "PostgreSQL password of the `postgres` target", read_by="dbt"),
    Variable("SHOPFLOOR_PG_DBNAME", "shopfloor", "PostgreSQL database of the `postgres` target", read_by="dbt"),
)
_BY_NAME = {variable.name: variable for variable in VARIABLES}


def default(name: str) -> str | None:
    """The variable's default, as the README and --help give it."""
    return _BY_NAME[name].default


def _read(name: str, parse: Callable[[str], object] = str):
    """The variable's value (its default when unset or empty), parsed; SettingsError naming it if unusable."""
    text = os.environ.get(name) or _BY_NAME[name].default
    if text is None:
        return None
    try:
        return parse(text)
    except ValueError as error:
        raise SettingsError(f"{name}={text!r}: {error}") from error


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    warehouse_wait_seconds: int
    analyst_warehouse: Path
    analysts_group: str | None
    dagster_home: Path
    models_dir: Path
    publish_dir: Path
    memory_limit: str
    schedule_cron: str
    schedule_timezone: str
    landing_settle_seconds: int
    alert_webhook_url: str | None
    person_key_salt: str
    ui_auth_proxy: str | None
    model_min_auc: float
    model_min_gain_over_baseline: float
    model_auc_tolerance: float

    @property
    def data_dir(self) -> Path:
        """Folder for run artefacts (validation results, reports) kept beside the warehouse."""
        return self.warehouse.parent

    @property
    def validations_dir(self) -> Path:
        return self.data_dir / "validations"


def get_settings() -> Settings:
    """Read and check the environment now (not at import), so tests and the CLI can point it elsewhere."""
    warehouse = _read("SHOPFLOOR_WAREHOUSE", _path)
    return Settings(
        landing_dir=_read("SHOPFLOOR_LANDING_DIR", _path),
        warehouse=warehouse,
        warehouse_wait_seconds=_read("SHOPFLOOR_WAREHOUSE_WAIT_SECONDS", _seconds),
        analyst_warehouse=_read("SHOPFLOOR_ANALYST_WAREHOUSE", _path) or warehouse.parent / "analyst.duckdb",
        analysts_group=_read("SHOPFLOOR_ANALYSTS_GROUP", _group),
        dagster_home=_read("DAGSTER_HOME", _path),
        models_dir=_read("SHOPFLOOR_MODELS_DIR", _path),
        publish_dir=_read("SHOPFLOOR_PUBLISH_DIR", _path),
        memory_limit=_read("SHOPFLOOR_MEMORY_LIMIT", _memory_size),
        schedule_cron=_read("SHOPFLOOR_SCHEDULE_CRON", _cron),
        schedule_timezone=_read("SHOPFLOOR_SCHEDULE_TIMEZONE", _time_zone),
        landing_settle_seconds=_read("SHOPFLOOR_LANDING_SETTLE_SECONDS", _seconds),
        alert_webhook_url=_read("SHOPFLOOR_ALERT_WEBHOOK_URL"),
        person_key_salt=_read("SHOPFLOOR_PERSON_KEY_SALT"),
        ui_auth_proxy=_read("SHOPFLOOR_UI_AUTH_PROXY"),
        model_min_auc=_read("SHOPFLOOR_MODEL_MIN_AUC", float),
        model_min_gain_over_baseline=_read("SHOPFLOOR_MODEL_MIN_GAIN_OVER_BASELINE", float),
        model_auc_tolerance=_read("SHOPFLOOR_MODEL_AUC_TOLERANCE", float),
    )


def configuration_table() -> str:
    """The README's configuration table, made from VARIABLES."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for variable in VARIABLES:
        default = "unset" if variable.default is None else f"`{variable.default}`" if variable.default else "empty"
        where = " (read by dbt)" if variable.read_by == "dbt" else ""
        rows.append(f"| `{variable.name}` | {default} | {variable.meaning}{where} |")
    return "\n".join(rows)


def environment_help() -> str:
    """The environment variables, one line each, for `shopfloor --help`."""
    lines = ["environment (shopfloor/settings.py; the README's Configuration explains each):"]
    for variable in VARIABLES:
        default = "unset" if variable.default is None else repr(variable.default)
        lines.append(f"  {variable.name:<40} default: {default}")
    return "\n".join(lines)
