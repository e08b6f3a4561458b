"""Person resolution: members and organizing contacts linked to voter registrations (shopfloor.resolution.persons).

The module fixture generates the small sample (seed 42, North Carolina and Ohio voter files), loads the voter
files, the member roll and the organizing contacts, builds int_person_mentions with dbt and links once; the tests
read that warehouse.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from work_folder import builds_warehouse

from shopfloor.dbt_cli import run_dbt
from shopfloor.settings import DBT_PROJECT_DIR

NICKNAMES_SEED = DBT_PROJECT_DIR / "seeds" / "resolution" / "nicknames.csv"


@dataclass(frozen=True)
class LinkedSample:
    landing: Path
    warehouse: Path
    dbt_artifacts: Path
    summary: object


@pytest.fixture(scope="module")
@builds_warehouse
def linked_sample(tmp_path_factory: pytest.TempPathFactory) -> LinkedSample:
    from shopfloor.ingest import load_source
    from shopfloor.resolution.persons import link_workers_to_voters
    from shopfloor.sample import generate

    root = tmp_path_factory.mktemp("person_resolution")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    generate(scale="small", seed=42, out=landing, voter_layouts=("nc_2022", "ohio"))
    with duckdb.connect(str(warehouse)) as con:
        # suppression: staging reads its forgotten keys (macro not_forgotten).
        for source in ("voter_files", "membership", "contacts", "suppression"):
            load_source(con, source, landing)
    # cautious: skip tests that also need models not built here (voter history).
    result = run_dbt(["build", "--select", "+int_person_mentions", "--indirect-selection", "cautious"],
                     warehouse, root, check=False, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(warehouse)) as con:
        summary = link_workers_to_voters(con)
    return LinkedSample(landing=landing, warehouse=warehouse, dbt_artifacts=root, summary=summary)


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_nickname_seed_pairs_nicknames_with_given_names():
    with NICKNAMES_SEED.open(newline="") as seed:
        pairs = [(row["nickname"], row["given_name"]) for row in csv.DictReader(seed)]
    assert len(pairs) >= 300
    assert len(set(pairs)) == len(pairs)
    assert all(name.isalpha() and name.isupper() for pair in pairs for name in pair)
    assert {("BOB", "ROBERT"), ("BILL", "WILLIAM"), ("PEGGY", "MARGARET"), ("PAT", "PATRICIA"),
            ("PAT", "PATRICK"), ("CHUCK", "CHARLES")} <= set(pairs)


def test_name_and_address_macros_standardize(linked_sample):
    select = ", ".join([
        """{{ person_name_std("'Muñoz-O''Brien '") }} as hyphenated""",
        """{{ person_name_std("'  '") }} as blank""",
        """{{ street_number("' 12   New   Street '") }} as house""",
        """{{ street_name_std("' 12   New   Street '") }} as padded""",
        """{{ street_name_std("'3976 MAGNOLIA PKWY  '") }} as abbreviated""",
        """{{ street_name_std("'7 St. Mary''s Avenue'") }} as punctuated""",
    ])
    # The fixture's artifacts folder: dbt re-parses only what changed since its build.
    result = run_dbt(["show", "--inline", f"select {select}", "--output", "json", "--quiet"],
                     linked_sample.warehouse, linked_sample.dbt_artifacts, check=False, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    row = json.loads(result.stdout)["show"][0]
    assert row == {"hyphenated": "MUNOZ OBRIEN", "blank": None, "house": "12", "padded": "NEW ST",
                   "abbreviated": "MAGNOLIA PKWY", "punctuated": "ST MARYS AVE"}


def test_mentions_carry_nickname_forms_and_surname_parts(linked_sample):
    warehouse = linked_sample.warehouse
    forms = dict(query(warehouse, "select distinct first_name_std, first_name_forms from "
                                  "intermediate.int_person_mentions where first_name_std in ('BOB', 'PAT')"))
    assert "ROBERT" in forms["BOB"] and {"PATRICIA", "PATRICK"} <= set(forms["PAT"])
    bad_names = query(warehouse, "select count(*) from intermediate.int_person_mentions "
                                 "where not regexp_full_match(last_name_std, '[A-Z]+( [A-Z]+)*')")
    assert bad_names == [(0,)]
    hyphenated = query(warehouse, "select count(*) from intermediate.int_person_mentions "
                                  "where len(last_name_parts) > 1 and source = 'voter'")
    assert hyphenated[0][0] > 0
    counts = dict(query(warehouse, "select source, count(*) from intermediate.int_person_mentions group by 1"))
    assert counts["member"] == linked_sample.summary.members and counts["voter"] == linked_sample.summary.registrants
    assert counts["contact"] == linked_sample.summary.contacts > 300
    contact_fields = query(warehouse, "select count(birth_year), count(middle_name_std), count(street_name_std), "
                                      "count(zip5), count(*) from intermediate.int_person_mentions "
                                      "where source = 'contact'")
    # The export has no birth date or middle name; most contacts gave a street address, every one a ZIP.
    [(birth_years, middle_names, streets, zips, contacts)] = contact_fields
    assert birth_years == middle_names == 0 and streets > 0.8 * contacts and zips == contacts


@pytest.mark.parametrize(("source", "registered_at_least"), [
    ("member", 1000),  # North Carolina and Ohio registrations of the 1,500 members
    ("contact", 250),  # of the 375 contacts
])
def test_links_meet_precision_and_recall_targets(linked_sample, source, registered_at_least):
    from shopfloor.resolution.persons import evaluate_person_links

    with duckdb.connect(str(linked_sample.warehouse), read_only=True) as con:
        quality = evaluate_person_links(con, linked_sample.landing / "_truth", source)
    assert quality.registered_workers > registered_at_least
    assert quality.precision >= 0.98
    assert quality.recall >= 0.90


def test_one_registrant_per_worker_and_one_worker_per_registrant(linked_sample):
    warehouse = linked_sample.warehouse
    one_row_each = query(warehouse, "select count(*) = count(distinct (source, record_id)) "
                                    "from resolution.worker_voter_links")
    assert one_row_each == [(True,)]
    states = {row for row in query(warehouse, "select distinct source, state from resolution.worker_voter_links "
                                              "where matched")}
    assert states == {("member", "NC"), ("member", "OH"), ("contact", "NC"), ("contact", "OH")}
    below = query(warehouse, "select count(*) from resolution.worker_voter_links "
                             "where matched and match_probability < 0.9")
    assert below == [(0,)]
    claimed_twice = query(warehouse, "select count(*) from (select source, state, voter_id "
                                     "from resolution.worker_voter_links where matched group by all "
                                     "having count(*) > 1)")
    assert claimed_twice == [(0,)]


def test_same_mentions_give_the_same_links(linked_sample):
    from shopfloor.resolution.persons import LINKS_TABLE, link_workers_to_voters

    links_sql = (f"select source, record_id, state, voter_id, matched, round(match_weight, 6) from {LINKS_TABLE} "
                 "order by 1, 2")
    first = query(linked_sample.warehouse, links_sql)
    with duckdb.connect(str(linked_sample.warehouse)) as con:
        again = link_workers_to_voters(con)
    assert query(linked_sample.warehouse, links_sql) == first
    assert again == linked_sample.summary


def test_asset_metadata_holds_counts_and_rates_not_names(linked_sample, monkeypatch):
    import dagster as dg

    from orchestration.defs.resolution.persons import worker_voter_links
    from orchestration.defs.resources import Warehouse

    monkeypatch.setenv("SHOPFLOOR_LANDING_DIR", str(linked_sample.landing))
    result = dg.materialize([worker_voter_links], resources={"warehouse": Warehouse(path=str(linked_sample.warehouse))})
    assert result.success
    metadata = result.asset_materializations_for_node(worker_voter_links.node_def.name)[0].metadata
    values = {name: value.value for name, value in metadata.items()}
    assert all(isinstance(value, (int, float)) for value in values.values())
    for source in ("members", "contacts"):
        assert values[f"truth_{source}_precision"] >= 0.98 and values[f"truth_{source}_recall"] >= 0.90
    names = {row[0] for row in query(linked_sample.warehouse,
                                     "select first_name_std from intermediate.int_person_mentions "
                                     "union select last_name_std from intermediate.int_person_mentions")}
    assert not {word for name in metadata for word in name.upper().replace("/", "_").split("_")} & names
