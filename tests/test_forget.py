"""`shopfloor forget`: a person who asked to be deleted leaves the raw tables, every model, the scores, the
published lists and the analyst copy, and a rebuild from the same landing files does not bring them back."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pytest
from work_folder import builds_warehouse, point_shopfloor_at

from shopfloor.cli import main
from shopfloor.forget import FORGOTTEN_REASON, RECORD_FILE, ForgetError, read_keys

KEY = "fd4f1ad911a25535119e9d1865e6558f"
EARLIER_DAY = "2025-06-23"
FORGET_TEST_SALT = "forget-tests-salt-not-secret"


def test_keys_are_read_from_arguments_and_a_file_and_checked(tmp_path: Path):
    listed = tmp_path / "keys.txt"
    listed.write_text(f"# deletion requests\n{KEY.upper()}\n\n{'a' * 32}  # by email\n")
    assert read_keys([KEY], listed) == ["a" * 32, KEY]
    with pytest.raises(ForgetError, match="^1 of 2 keys are not person keys"):
        read_keys([KEY, "Jane Doe"], None)
    with pytest.raises(ForgetError, match="^no person key given"):
        read_keys([], None)


@dataclass(frozen=True)
class Forgotten:
    candidate: dict[str, str]
    exit_code: int
    output: str
    data_dir: Path
    warehouse: Path
    analyst_warehouse: Path
    published: Path
    landing: Path
    as_of: str


def string_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog')"
    ).fetchall()


def tables_holding(database: Path, values: list[str]) -> dict[str, int]:
    """Rows per table of a DuckDB file where a text column equals one of the values (case-insensitive)."""
    found = {}
    wanted = [value.lower() for value in values]
    with duckdb.connect(str(database), read_only=True) as con:
        for schema, table, column in string_columns(con):
            rows = con.execute(
                f'select count(*) from "{schema}"."{table}" where lower(trim("{column}")) in ({", ".join("?" * len(wanted))})',
                wanted,
            ).fetchone()[0]
            if rows:
                found[f"{schema}.{table}.{column}"] = rows
    return found


@pytest.fixture(scope="module")
@builds_warehouse
def forgotten(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Forgotten]:
    """The small sample run as the demo runs it; then the first published leader candidate is forgotten."""
    from shopfloor.runner import run_assets
    from shopfloor.sample import generate
    from shopfloor.sample.truth import sample_as_of
    from shopfloor.settings import get_settings

    root = tmp_path_factory.mktemp("forget")
    with pytest.MonkeyPatch.context() as env:
        point_shopfloor_at(env, root)
        # Its own salt: the session's sample run, in the same worker, leaves none set (as the demo does).
        env.setenv("SHOPFLOOR_PERSON_KEY_SALT", FORGET_TEST_SALT)
        settings = get_settings()
        generate(scale="small", seed=42, out=settings.landing_dir)
        as_of = sample_as_of(settings.landing_dir)
        assert run_assets(None, as_of=as_of)
        with (settings.publish_dir / "latest" / "leader_candidates.csv").open(newline="") as rows:
            candidate = next(csv.DictReader(rows))
        # An earlier day's lists that named the person too.
        shutil.copytree(settings.publish_dir / "latest", settings.publish_dir / EARLIER_DAY)
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exit_code = main(["forget", "--person-key", candidate["worker_key"], "--as-of", as_of.isoformat()])
        yield Forgotten(candidate, exit_code, output.getvalue(), settings.data_dir, settings.warehouse,
                        settings.analyst_warehouse, settings.publish_dir, settings.landing_dir, as_of.isoformat())


def test_the_rebuild_succeeds_and_says_what_it_did_in_counts(forgotten: Forgotten):
    assert forgotten.exit_code == 0
    assert "forgot 1 people (" in forgotten.output
    assert forgotten.candidate["last_name"] not in forgotten.output


def test_the_person_is_nowhere_in_the_warehouse_the_analyst_copy_or_the_lists(forgotten: Forgotten):
    person = forgotten.candidate
    identifying = [person["worker_key"], person["street_address"], person["email"] or person["worker_key"]]
    assert tables_holding(forgotten.warehouse, identifying) == {
        # Only the suppression entry that keeps them out: the key, no name.
        "raw.suppression_list.person_key": 1,
        "staging.stg_suppression__entries.person_key": 1,
    }
    assert tables_holding(forgotten.analyst_warehouse, identifying) == {}
    for path in (forgotten.published / "latest").iterdir():
        if path.suffix == ".xlsx":
            sheets = openpyxl.load_workbook(path, read_only=True).worksheets
            text = "\n".join(str(cell) for sheet in sheets for row in sheet.iter_rows(values_only=True) for cell in row)
        else:
            text = path.read_text()
        assert person["worker_key"] not in text.lower(), path.name
        assert person["street_address"].lower() not in text.lower(), path.name


def test_the_raw_rows_are_deleted_and_the_removal_is_recorded_without_who(forgotten: Forgotten):
    [line] = (forgotten.data_dir / RECORD_FILE).read_text().splitlines()
    record = json.loads(line)
    assert record["keys_asked"] == 1
    assert record["publications_removed"] == [EARLIER_DAY, forgotten.as_of]
    assert not (forgotten.published / EARLIER_DAY).exists()
    assert (forgotten.published / "latest").resolve().name == forgotten.as_of, "the as-of day is republished"
    assert record["raw_rows_deleted"].get("organizing_contacts", 0) >= 1
    assert forgotten.candidate["worker_key"] not in line and forgotten.candidate["last_name"] not in line
    [entries] = (forgotten.landing / "suppression").glob("forgotten_*.csv")
    rows = list(csv.DictReader(entries.open(newline="")))
    assert len(rows) == 1 + record["linked_keys"]
    assert forgotten.candidate["worker_key"] in {row["person_key"] for row in rows}
    assert all(row["reason"] == FORGOTTEN_REASON and not row["first_name"] and not row["member_id"] for row in rows)


def test_a_later_export_that_still_lists_the_person_does_not_bring_them_back(forgotten: Forgotten, tmp_path: Path):
    """The next contacts export still has the person: the raw loader takes the row (it keeps what files say), and
    staging leaves it out. On a copy of the warehouse, so the other tests see it as forget left it."""
    from shopfloor.ingest import load_source

    key = forgotten.candidate["worker_key"]
    copy = tmp_path / forgotten.warehouse.name  # same file name: dbt's views name the catalog after it
    shutil.copy(forgotten.warehouse, copy)
    [export] = (forgotten.landing / "contacts").glob("*.csv")
    header, *rows = export.read_text().splitlines()
    [row] = [line for line in rows
             if hashlib.md5(f"{FORGET_TEST_SALT}|contact:{next(csv.reader([line]))[0]}".encode()).hexdigest() == key]
    later = tmp_path / "landing" / "contacts" / "action_network_activists_2025-07-07.csv"
    later.parent.mkdir(parents=True)
    later.write_text(f"{header}\n{row}\n")
    contact_id = next(csv.reader([row]))[0]

    with duckdb.connect(str(copy)) as con:
        load_source(con, "contacts", tmp_path / "landing")
        in_raw = con.execute("select count(*) from raw.organizing_contacts where contact_id = ?", [contact_id])
        assert in_raw.fetchone()[0] == 1
        in_staging = con.execute("select count(*) from staging.stg_organizing__contacts where worker_key = ?", [key])
        assert in_staging.fetchone()[0] == 0
