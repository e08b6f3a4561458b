"""Logs carry counts, not names: after the sample run, none of 100 sampled members' names, home addresses or phone
numbers is in Dagster's event log and compute logs, dbt's logs, the validation results or the model store."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from shopfloor.settings import DBT_PROJECT_DIR

SAMPLED_MEMBERS = 100


def sampled_members(landing_dir: Path) -> list[dict[str, str]]:
    [roll] = sorted((landing_dir / "membership").glob("members_*.csv"))
    with roll.open(newline="") as rows:
        members = [row for row in csv.DictReader(rows) if row["First Name"] and row["Home Address"]]
    return random.Random(37).sample(members, SAMPLED_MEMBERS)


def identifying_strings(member: dict[str, str]) -> list[str]:
    """What would identify the member in a log: full name, both ways round, street address and phone number."""
    first, last = member["First Name"], member["Last Name"]
    found = [f"{first} {last}", f"{last}, {first}", f"{last} {first}", member["Home Address"]]
    digits = "".join(ch for ch in member["Phone"] if ch.isdigit())
    if len(digits) >= 10:
        found += [member["Phone"], digits[-10:]]
    return [text.lower() for text in found]


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and not path.is_symlink()] if folder.is_dir() else []


def test_no_sampled_member_is_named_in_logs_event_metadata_validations_or_models(sample_env):
    places = {
        "Dagster event log and compute logs": files_under(sample_env.dagster_home),
        "dbt logs": files_under(DBT_PROJECT_DIR / "logs"),
        "validation results": files_under(sample_env.validations_dir),
        "model store": files_under(sample_env.models_dir),
    }
    assert all(places[name] for name in ("Dagster event log and compute logs", "validation results", "model store"))
    searched = [identifying for member in sampled_members(sample_env.landing_dir)
                for identifying in identifying_strings(member)]
    found = {}
    for place, paths in places.items():
        for path in paths:
            # SQLite pages, JSON, HTML, pickles: search the bytes as text; names are ASCII in the sample.
            text = path.read_bytes().decode("utf-8", errors="ignore").lower()
            hits = sum(identifying in text for identifying in searched)
            if hits:
                found[f"{place}: {path.relative_to(path.anchor)}"] = hits
    assert found == {}, "files naming sampled members (count of strings found)"
