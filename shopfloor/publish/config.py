"""config/publish.yaml: each output's column allowlist, the ranking, and the columns never published.

Every error names the file and the field, so whoever edits the YAML knows what to fix.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from shopfloor.settings import CONFIG_DIR

PUBLISH_CONFIG = CONFIG_DIR / "publish.yaml"
OUTPUTS = ("target_workplaces", "leader_candidates", "action_network_people")
# Columns of marts.mart_workplaces a list may be cut by.
REGION_COLUMNS = ("state", "city", "zip5", "naics_sector")
# Columns each list may be ranked by (its candidate relation has them; see lists.py).
RANKABLE = {
    "target_workplaces": ("win_probability", "workers", "members_inside", "osha_serious_violations_5y",
                          "open_ulp_charges", "ulp_charges_3y", "grievances_12m", "expected_uplift"),
    "leader_candidates": ("leader_score",),
}
# A sheet holds at most 1,048,576 rows, one of them the header: a region's list must fit on its sheet.
MAX_SHEET_ROWS = 1_048_575
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_TAG = re.compile(r"^[a-z0-9_-]+$")


class PublishConfigError(ValueError):
    def __init__(self, path: Path | str, field: str, message: str):
        super().__init__(f"{path}: field '{field}': {message}")
        self.path = str(path)
        self.field = field


@dataclass(frozen=True)
class RankKey:
    column: str
    descending: bool

    def sql(self) -> str:
        return f'"{self.column}" {"desc" if self.descending else "asc"} nulls last'


@dataclass(frozen=True)
class PublishConfig:
    path: Path
    sha256: str
    never_published: tuple[re.Pattern, ...]
    region_by: str
    region_groups: dict[str, str]
    columns: dict[str, tuple[str, ...]]  # output -> allowlist, in order
    target_rank_by: tuple[RankKey, ...]
    per_region: int
    leader_rank_by: tuple[RankKey, ...]
    per_workplace: int
    upload_tags: tuple[str, ...]

    def forbidden(self, column: str) -> bool:
        return any(pattern.search(column.lower()) for pattern in self.never_published)


def _mapping(path: Path, field: str, value: object) -> dict:
    if not isinstance(value, dict):
        raise PublishConfigError(path, field, "must be a mapping")
    return value


def _positive_int(path: Path, field: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PublishConfigError(path, field, f"must be a whole number of at least 1, not {value!r}")
    return value


def _rank_by(path: Path, field: str, value: object, rankable: tuple[str, ...]) -> tuple[RankKey, ...]:
    if not isinstance(value, list) or not value:
        raise PublishConfigError(path, field, "must be a non-empty list like [win_probability desc, workers desc]")
    keys = []
    for item in value:
        parts = str(item).split()
        if len(parts) not in (1, 2) or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
            raise PublishConfigError(path, field, f"{item!r} is not '<column> [asc|desc]'")
        if parts[0] not in rankable:
            raise PublishConfigError(path, field, f"cannot rank by {parts[0]!r}; choose from {', '.join(rankable)}")
        keys.append(RankKey(parts[0], len(parts) == 2 and parts[1].lower() == "desc"))
    return tuple(keys)


def _allowlist(path: Path, output: str, value: object, never: tuple[re.Pattern, ...]) -> tuple[str, ...]:
    field = f"{output}.columns"
    if not isinstance(value, list) or not value:
        raise PublishConfigError(path, field, "must be a non-empty list of column names")
    columns = tuple(str(column) for column in value)
    for column in columns:
        if not _IDENTIFIER.match(column):
            raise PublishConfigError(path, field, f"{column!r} is not a lower-case column name")
        hit = next((pattern.pattern for pattern in never if pattern.search(column)), None)
        if hit:
            raise PublishConfigError(path, field, f"{column!r} matches never_published pattern {hit!r}: it can "
                                                  "never be published")
    duplicated = sorted({column for column in columns if columns.count(column) > 1})
    if duplicated:
        raise PublishConfigError(path, field, f"lists {', '.join(duplicated)} twice")
    return columns


def load_publish_config(path: Path = PUBLISH_CONFIG) -> PublishConfig:
    """The validated configuration; PublishConfigError names the file and field of the first problem."""
    text = path.read_text()
    spec = _mapping(path, "(file)", yaml.safe_load(text))
    never_patterns = spec.get("never_published")
    if not isinstance(never_patterns, list) or not never_patterns:
        raise PublishConfigError(path, "never_published", "must be a non-empty list of regular expressions")
    try:
        never = tuple(re.compile(str(pattern)) for pattern in never_patterns)
    except re.error as error:
        raise PublishConfigError(path, "never_published", f"not a regular expression: {error}") from error

    regions = _mapping(path, "regions", spec.get("regions", {}))
    region_by = regions.get("by", "state")
    if region_by not in REGION_COLUMNS:
        raise PublishConfigError(path, "regions.by", f"must be one of {', '.join(REGION_COLUMNS)}, not {region_by!r}")
    groups = _mapping(path, "regions.groups", regions.get("groups") or {})

    columns = {}
    for output in OUTPUTS:
        section = _mapping(path, output, spec.get(output))
        columns[output] = _allowlist(path, output, section.get("columns"), never)
    targets = spec["target_workplaces"]
    leaders = spec["leader_candidates"]
    per_region = _positive_int(path, "target_workplaces.per_region", targets.get("per_region"))
    per_workplace = _positive_int(path, "leader_candidates.per_workplace", leaders.get("per_workplace"))
    if per_region * per_workplace > MAX_SHEET_ROWS:
        raise PublishConfigError(path, "leader_candidates.per_workplace",
                                 f"{per_region} workplaces x {per_workplace} candidates per region exceed the "
                                 f"{MAX_SHEET_ROWS:,} rows of a spreadsheet sheet")
    upload_tags = tuple(str(tag) for tag in spec["action_network_people"].get("upload_tags") or ())
    for tag in upload_tags:
        if not _TAG.match(tag):
            raise PublishConfigError(path, "action_network_people.upload_tags",
                                     f"{tag!r}: use lower-case letters, digits, dashes and underscores only")
    return PublishConfig(
        path=path,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        never_published=never,
        region_by=region_by,
        region_groups={str(value): str(region) for value, region in groups.items()},
        columns=columns,
        target_rank_by=_rank_by(path, "target_workplaces.rank_by", targets.get("rank_by"),
                                RANKABLE["target_workplaces"]),
        per_region=per_region,
        leader_rank_by=_rank_by(path, "leader_candidates.rank_by", leaders.get("rank_by"),
                                RANKABLE["leader_candidates"]),
        per_workplace=per_workplace,
        upload_tags=upload_tags,
    )
