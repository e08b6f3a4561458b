"""Experiment declarations: config/experiments/<name>.yaml, validated into an ExperimentConfig.

Every error names the file and the field, so an organizer editing the YAML knows what to fix.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from shopfloor.settings import CONFIG_DIR

EXPERIMENTS_DIR = CONFIG_DIR / "experiments"
CONTROL_ARM = "control"
UNITS = ("workplace", "worker")
PRIMARY_OUTCOMES = ("cards_signed", "election_won")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELDS = {
    "name", "unit", "eligible_population", "arms", "blocking", "covariates",
    "start_date", "end_date", "primary_outcome", "seed", "description",
}
_REQUIRED = ("name", "unit", "eligible_population", "arms", "start_date", "end_date", "primary_outcome", "seed")
# Shares are written by hand with two or three decimals; allow their float rounding, nothing more.
_SHARE_TOLERANCE = 1e-6


class ExperimentConfigError(ValueError):
    def __init__(self, path: Path | str, field: str, message: str):
        super().__init__(f"{path}: field '{field}': {message}")
        self.path = str(path)
        self.field = field


@dataclass(frozen=True)
class ExperimentConfig:
    name: str
    unit: str
    eligible_population: str  # one SELECT or a published list name; run by store.eligible_population
    arms: dict[str, float]  # arm -> share of units, in declaration order, control included
    blocking: tuple[str, ...]
    covariates: tuple[str, ...]
    start_date: dt.date
    end_date: dt.date
    primary_outcome: str
    seed: int
    description: str = ""

    @property
    def treatment_arms(self) -> list[str]:
        return [arm for arm in self.arms if arm != CONTROL_ARM]


def _date(path: Path, field: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ExperimentConfigError(path, field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _names(path: Path, field: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ExperimentConfigError(path, field, "must be a list of column names")
    for name in value:
        if not _NAME.match(name):
            raise ExperimentConfigError(path, field, f"{name!r} is not a valid name (lower_snake_case)")
    if len(set(value)) != len(value):
        raise ExperimentConfigError(path, field, "lists a name twice")
    return tuple(value)


def parse_experiment(raw: object, path: Path | str = "<experiment>") -> ExperimentConfig:
    """Validate a parsed YAML mapping; `path` is only used in error messages."""
    path = Path(path)
    if not isinstance(raw, dict):
        raise ExperimentConfigError(path, "<top>", "the file must be a YAML mapping")
    for field in _REQUIRED:
        if raw.get(field) is None:
            raise ExperimentConfigError(path, field, "is required")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise ExperimentConfigError(path, unknown[0], f"is not a known field (known: {', '.join(sorted(_FIELDS))})")

    name = raw["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise ExperimentConfigError(path, "name", f"{name!r} is not a valid name (lower_snake_case)")
    if path.suffix in (".yaml", ".yml") and path.stem != name:
        raise ExperimentConfigError(path, "name", f"{name!r} must match the file name {path.stem!r}")
    if raw["unit"] not in UNITS:
        raise ExperimentConfigError(path, "unit", f"{raw['unit']!r} is not one of {', '.join(UNITS)}")
    if raw["primary_outcome"] not in PRIMARY_OUTCOMES:
        raise ExperimentConfigError(
            path, "primary_outcome", f"{raw['primary_outcome']!r} is not one of {', '.join(PRIMARY_OUTCOMES)}"
        )
    population = raw["eligible_population"]
    if not isinstance(population, str) or not population.strip():
        raise ExperimentConfigError(path, "eligible_population", "must be a SQL query or a published list name")

    arms = raw["arms"]
    if not isinstance(arms, dict) or len(arms) < 2:
        raise ExperimentConfigError(path, "arms", "must map at least two arm names to shares")
    for arm, share in arms.items():
        if not isinstance(arm, str) or not _NAME.match(arm):
            raise ExperimentConfigError(path, "arms", f"{arm!r} is not a valid arm name (lower_snake_case)")
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
            raise ExperimentConfigError(path, f"arms.{arm}", f"share {share!r} must be a number between 0 and 1")
    if CONTROL_ARM not in arms:
        raise ExperimentConfigError(path, "arms", f"needs a '{CONTROL_ARM}' arm")
    total = math.fsum(arms.values())
    if abs(total - 1) > _SHARE_TOLERANCE:
        raise ExperimentConfigError(path, "arms", f"shares sum to {total:g}, not 1")

    seed = raw["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ExperimentConfigError(path, "seed", f"{seed!r} must be a non-negative integer")
    start, end = _date(path, "start_date", raw["start_date"]), _date(path, "end_date", raw["end_date"])
    if end <= start:
        raise ExperimentConfigError(path, "end_date", f"{end} is not after start_date {start}")
    blocking = _names(path, "blocking", raw.get("blocking"))
    covariates = _names(path, "covariates", raw.get("covariates"))
    return ExperimentConfig(
        name=name,
        unit=raw["unit"],
        eligible_population=population.strip(),
        arms={arm: float(share) for arm, share in arms.items()},
        blocking=blocking,
        covariates=covariates,
        start_date=start,
        end_date=end,
        primary_outcome=raw["primary_outcome"],
        seed=seed,
        description=str(raw.get("description") or "").strip(),
    )


def load_experiment(path: Path | str) -> ExperimentConfig:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ExperimentConfigError(path, "<yaml>", f"is not valid YAML: {error}") from None
    return parse_experiment(raw, path)


def load_experiments(directory: Path | str = EXPERIMENTS_DIR) -> dict[str, ExperimentConfig]:
    """Every declared experiment, by name."""
    configs = (load_experiment(p) for p in sorted(Path(directory).glob("*.yaml")))
    return {config.name: config for config in configs}
