"""Organizing contacts end to end: the generator's export and truth, the loader, employer and person resolution,
int_worker_contacts and mart_workers. Reads the session's sample warehouse (tests/conftest.py) except where a test
needs a landing folder of its own."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from shopfloor.ingest import LayoutError, load_source
from shopfloor.sample.contacts import CONTACTS_FILE, JOB_TITLES
from shopfloor.sample.world import LAST_DAY
from shopfloor.settings import DBT_PROJECT_DIR

CONTACTS = f"contacts/{CONTACTS_FILE}"
# intermediate.int_worker_contacts, column by column, as the shared contract states it.
WORKER_CONTACTS_CONTRACT = [
    ("worker_key", "VARCHAR"), ("source_system", "VARCHAR"), ("source_record_id", "VARCHAR"),
    ("workplace_id", "VARCHAR"), ("first_name", "VARCHAR"), ("last_name", "VARCHAR"),
    ("street_address", "VARCHAR"), ("city", "VARCHAR"), ("state", "VARCHAR"), ("zip5", "VARCHAR"),
    ("phone", "VARCHAR"), ("email", "VARCHAR"), ("birth_date", "DATE"), ("birth_year", "INTEGER"),
    ("is_do_not_contact", "BOOLEAN"), ("voter_state", "VARCHAR"), ("voter_id", "VARCHAR"),
]


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_generator_writes_the_export_and_its_truth(sample_env):
    landing = sample_env.landing_dir
    manifest = json.loads((landing / "_truth" / "manifest.json").read_text())
    assert manifest[CONTACTS]["layout"] == "action_network_activists"
    export = pd.read_csv(landing / CONTACTS, dtype=str, keep_default_na=False)
    truth = pd.read_parquet(landing / "_truth" / "contacts.parquet")
    assert len(export) == len(truth) == manifest[CONTACTS]["rows"] > 300
    assert list(export["uuid"]) == list(truth["contact_id"]) and export["uuid"].is_unique
    # Mostly at workplaces the union does not represent, a few at represented ones; all of them coworkers.
    assert 0.0 < truth["workplace_represented"].mean() < 0.15
    people = pd.read_parquet(landing / "_truth" / "people.parquet").set_index("person_id")
    assert (people.loc[truth["person_id"], "role"] == "coworker").all()
    assert (people.loc[truth["person_id"], "workplace_id"].to_numpy() == truth["workplace_id"].to_numpy()).all()
    source_map = pd.read_parquet(landing / "_truth" / "source_map.parquet")
    mapped = source_map[source_map["source_table"] == "organizing_contacts"].set_index("record_id")
    assert (mapped.loc[truth["contact_id"], "workplace_id"].to_numpy() == truth["workplace_id"].to_numpy()).all()
    # Self-typed names and a leader propensity from the world's rule.
    assert export["first_name"].str.fullmatch(r"[a-z].*").any() and export["first_name"].str.isupper().any()
    assert truth["true_probability"].between(0, 1).all() and 0 < truth["is_leader"].mean() < 0.3
    assert 0.2 < (export["start_date"] != "").mean() < 0.6
    assert export["created_date"].max() < LAST_DAY.isoformat()


def test_job_title_seed_maps_every_title_the_generator_writes():
    with (DBT_PROJECT_DIR / "seeds" / "organizing" / "job_title_classifications.csv").open(newline="") as seed:
        mapping = {row["job_title"]: row["classification"] for row in csv.DictReader(seed)}
    for classification, titles in JOB_TITLES.items():
        for title in titles:
            assert mapping[re.sub(r"[^A-Za-z]+", " ", title).upper().strip()] == classification, title


def test_the_export_loads_without_rejects(sample_env):
    [(layout, rows_loaded, rows_rejected, status)] = query(
        sample_env.warehouse,
        f"select layout, rows_loaded, rows_rejected, status from raw._loads where source_file = '{CONTACTS}'")
    manifest = json.loads((sample_env.landing_dir / "_truth" / "manifest.json").read_text())
    assert (layout, rows_loaded, rows_rejected, status) == (
        "action_network_activists", manifest[CONTACTS]["rows"], 0, "loaded")


@pytest.fixture
def contacts_landing(sample_env, tmp_path) -> Path:
    """A landing folder holding only a copy of the sample's contacts export."""
    (tmp_path / "contacts").mkdir()
    shutil.copyfile(sample_env.landing_dir / CONTACTS, tmp_path / CONTACTS)
    return tmp_path


def test_a_renamed_column_fails_naming_the_file_and_column(contacts_landing):
    path = contacts_landing / CONTACTS
    lines = path.read_text().splitlines(keepends=True)
    path.write_text(lines[0].replace('"employer"', '"company"') + "".join(lines[1:]))
    with duckdb.connect() as con, pytest.raises(LayoutError) as error:
        load_source(con, "contacts", contacts_landing)
    assert CONTACTS_FILE in str(error.value) and "'employer'" in str(error.value)


def test_a_bad_date_goes_to_rejects_with_file_line_and_reason(contacts_landing):
    path = contacts_landing / CONTACTS
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = re.sub(r'"\d{4}-\d\d-\d\d"', '"last spring"', lines[2], count=1)
    path.write_text("".join(lines))
    with duckdb.connect() as con:
        report = load_source(con, "contacts", contacts_landing)
        rejects = con.execute("select source_file, line, column_name, reason "
                              "from raw.organizing_contacts__rejected").fetchall()
    assert report.tables["organizing_contacts"].rows_rejected == 1
    [(source_file, line, column, reason)] = rejects
    assert (source_file, line, column) == (CONTACTS, 3, "first_contact_date") and reason.startswith("CAST")


def test_contacts_are_workers_at_workplaces_the_union_does_not_represent(sample_env):
    """Mostly where the union has no members. Some are at sites another union has won since: the organizing
    committees the union knew before each NLRB petition."""
    [(contacts, at_open_shops, at_represented, unplaced, with_labels, members_among)] = query(sample_env.warehouse, """
        select count(*),
               count(*) filter (where workplaces.members = 0),
               count(*) filter (where workplaces.members > 0),
               count(*) filter (where workers.workplace_id is null),
               count(is_steward) + count(is_committee_member) + count(is_leader),
               count(*) filter (where is_member_as_of or member_key is not null)
        from marts.mart_workers as workers
        left join marts.mart_workplaces as workplaces using (workplace_id)
        where workers.source_system = 'organizing_contacts'""")
    assert contacts > 300
    assert at_open_shops > 0.8 * contacts and at_represented > 0
    assert unplaced < 0.1 * contacts
    assert with_labels == members_among == 0
    # Every target workplace a contact names is a workplace the marts know, with the contact counted there.
    [(workplaces_named, counted)] = query(sample_env.warehouse, """
        select count(distinct workers.workplace_id), sum(distinct_workplaces.organizing_contacts)
        from marts.mart_workers as workers
        join (select workplace_id, organizing_contacts from marts.dim_workplaces) as distinct_workplaces
            using (workplace_id)
        where workers.source_system = 'organizing_contacts'""")
    assert workplaces_named > 200 and counted >= workplaces_named


def test_contacts_land_at_their_true_workplace(sample_env):
    """Each placed contact sits in a resolved workplace whose records mostly belong to the contact's true one."""
    source_map = str(sample_env.landing_dir / "_truth" / "source_map.parquet")
    [(contacts, placed, right)] = query(sample_env.warehouse, f"""
        with truth as (
            select source_table || ':' || record_id || coalesce(':' || unit_id, '') as mention_id,
                   workplace_id as true_workplace
            from read_parquet('{source_map}')
        ),
        resolved as (
            select clusters.mention_id, clusters.workplace_id, truth.true_workplace
            from resolution.employer_mention_clusters as clusters join truth using (mention_id)
        ),
        majority as (
            select workplace_id, mode(true_workplace) as true_workplace from resolved
            where workplace_id is not null group by workplace_id
        )
        select count(*), count(resolved.workplace_id),
               count(*) filter (where majority.true_workplace = resolved.true_workplace)
        from resolved left join majority using (workplace_id)
        where resolved.mention_id like 'organizing_contacts:%'""")
    assert placed > 0.9 * contacts and right >= 0.98 * placed


def test_int_worker_contacts_matches_the_contract(sample_env):
    columns = query(sample_env.warehouse, """
        select column_name, data_type from information_schema.columns
        where table_schema = 'intermediate' and table_name = 'int_worker_contacts' order by ordinal_position""")
    assert columns == WORKER_CONTACTS_CONTRACT
    [(rows, keys, members, contacts, roll, export, matched, birth_years)] = query(sample_env.warehouse, """
        select count(*), count(distinct worker_key),
               count(*) filter (where source_system = 'union_roll'),
               count(*) filter (where source_system = 'organizing_contacts'),
               (select count(*) from staging.stg_union_roll__members),
               (select count(*) from staging.stg_organizing__contacts),
               count(*) filter (where source_system = 'organizing_contacts' and voter_id is not null),
               count(*) filter (where source_system = 'organizing_contacts' and birth_year is not null)
        from intermediate.int_worker_contacts""")
    assert rows == keys == members + contacts and (members, contacts) == (roll, export)
    # A contact's birth year is their matched registration's.
    assert matched == birth_years > 0.5 * contacts
    # Not for analysts: only marts reach the analysts' copy.
    assert not query(sample_env.warehouse, "select 1 from information_schema.columns "
                                           "where table_schema = 'marts' and column_name in ('first_name', 'email')")


def test_contacts_person_links_meet_the_targets(sample_env):
    from shopfloor.resolution.persons import evaluate_person_links

    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        quality = evaluate_person_links(con, sample_env.landing_dir / "_truth", "contact")
    assert quality.registered_workers > 200
    assert quality.precision >= 0.98
    assert quality.recall >= 0.90
