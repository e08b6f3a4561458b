"""The lists the session's sample run published: where they are, what they hold, and who is never on them."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import stat
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from shopfloor.publish.config import load_publish_config
from shopfloor.publish.files import latest_publication
from shopfloor.publish.suppress import eighteen_years_before


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


@pytest.fixture(scope="module")
def folder(sample_env) -> Path:
    assert sample_env.run_succeeded, "the sample run failed, so nothing was published"
    published = latest_publication(sample_env.publish_dir)
    assert published is not None, f"no publication under {sample_env.publish_dir}"
    return published


def test_the_sample_run_published_both_lists_whole_and_private(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name, entry in manifest["files"].items():
        path = folder / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], name
    assert manifest["lists"]["target_workplaces"]["rows"] > 0
    assert manifest["lists"]["leader_candidates"]["rows"] > 0
    assert {model["model_name"] for model in manifest["models"]} == {"win_model", "leader_model"}
    assert manifest["data_freshness"]["raw_sources"]["suppression_list"]["rows"] > 0
    assert not [path for path in folder.parent.iterdir() if path.name.startswith(".")]


def test_published_files_and_tables_carry_only_allowlisted_columns(folder, sample_env):
    config = load_publish_config()
    for output in config.columns:
        header = (folder / f"{output}.csv").read_text().splitlines()[0].split(",")
        assert tuple(header) == config.columns[output]
        assert not [column for column in header if config.forbidden(column)]
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        for table in ("target_workplaces", "leader_candidates"):
            columns = [row[0] for row in con.execute(f"describe published.{table}").fetchall()]
            assert tuple(columns) == config.columns[table]


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", re.sub(r"(?i)(x|ext).*$", "", phone))
    return digits[-10:] if len(digits) >= 10 else ""


def test_nobody_suppressed_in_the_sample_is_on_a_list(folder, sample_env):
    leaders = _rows(folder / "leader_candidates.csv")
    entries = _rows(next((sample_env.landing_dir / "suppression").glob("*.csv")))
    emails = {entry["email"].strip().lower() for entry in entries if entry["email"]}
    phones = {_digits(entry["phone"]) for entry in entries if entry["phone"]} - {""}
    names = {(entry["last_name"].upper(), entry["zip"][:5], entry["first_name"][:1].upper())
             for entry in entries if entry["last_name"]}
    for leader in leaders:
        assert leader["email"].lower() not in emails
        assert _digits(leader["phone"]) not in phones
        assert (leader["last_name"].upper(), leader["zip5"], leader["first_name"][:1].upper()) not in names
    keys = [leader["worker_key"] for leader in leaders]
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        as_of = con.execute("select max(as_of_date) from models.worker_scores").fetchone()[0]
        flagged = con.execute(
            """
            select count(*)
            from intermediate.int_worker_contacts as contacts
            left join marts.mart_workers as workers using (worker_key)
            left join intermediate.int_voter_registrations as voters
                on voters.state = contacts.voter_state and voters.voter_id = contacts.voter_id
            where contacts.worker_key in (select unnest(?::varchar[]))
                and (contacts.is_do_not_contact or workers.is_do_not_contact
                     or contacts.birth_date > ?::date or contacts.birth_year >= ? or voters.birth_year >= ?
                     or coalesce(contacts.birth_year, voters.birth_year) is null
                     or voters.is_confidential or voters.registration_status in ('removed', 'denied'))
            """,
            [keys, eighteen_years_before(as_of), as_of.year - 18, as_of.year - 18],
        ).fetchone()[0]
    assert flagged == 0


def test_the_published_assets_recorded_their_gate_and_counts(sample_env):
    with dg.DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["published", "leader_candidates"]))
    metadata = event.asset_materialization.metadata
    assert metadata["upstream_blocking_checks_passed"].value > 100
    assert set(metadata["suppressed_by_reason"].value) >= {"do_not_contact", "suppression_list", "under_18"}
    assert metadata["people_suppressed"].value <= metadata["people_checked"].value
    assert date.fromisoformat(metadata["as_of_date"].value)


def test_the_analyst_copy_holds_no_published_list(sample_env):
    from shopfloor.settings import get_settings

    with duckdb.connect(str(get_settings().analyst_warehouse), read_only=True) as con:
        schemas = {row[0] for row in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
    assert "published" not in schemas
