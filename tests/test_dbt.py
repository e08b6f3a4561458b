"""The dbt project against a tiny raw schema: every model builds, its tests pass, and the marts say what they should.

The raw schema is created with the loader's own DDL (shopfloor.ingest.tables, from the layout registry), so
these tests break when a layout change would break a staging model. The rows are a handful of fakes chosen to
exercise the logic: repeated snapshots, space-padded NC addresses, codes to decode, duplicate OSHA injury rows,
and an NLRB tally present in both election exports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dbt import DbtCliResource
from work_folder import builds_warehouse

from orchestration.defs.resources import Warehouse
from orchestration.defs.transform.assets import RUNS_TARGET_DIR, shopfloor_dbt_models
from orchestration.defs.transform.project import DBT_EXECUTABLE, shopfloor_dbt
from shopfloor.dbt_cli import run_dbt
from shopfloor.ingest.tables import ensure_raw_schema
from shopfloor.layouts import sources
from shopfloor.sample.world import LAST_DAY

FIRST_LOAD = datetime(2026, 1, 5, 9, 0)
SECOND_LOAD = datetime(2026, 2, 5, 9, 0)

# raw table -> rows; columns left out are NULL. _loaded_at defaults to FIRST_LOAD.
RAW_ROWS: dict[str, list[dict]] = {
    "ncvoter": [
        {"ncid": "AA1", "county_id": 92, "county_desc": "WAKE", "first_name": "ANA", "last_name": "TESTER",
         "res_street_address": "1 OLD RD", "zip_code": "27601", "status_cd": "I", "race_code": "W",
         "ethnic_code": "UN", "party_cd": "UNA", "confidential_ind": "N", "birth_year": 1980,
         "registr_dt": date(2001, 3, 4)},
        {"ncid": "AA1", "county_id": 92, "county_desc": "WAKE", "first_name": "ANA", "last_name": "TESTER",
         "res_street_address": "12   NEW   ST   ", "zip_code": "276011234", "status_cd": "A", "race_code": "B",
         "ethnic_code": "NL", "party_cd": "DEM", "confidential_ind": "N", "birth_year": 1980,
         "registr_dt": date(2001, 3, 4), "_loaded_at": SECOND_LOAD},
        {"ncid": "AA2", "county_id": 32, "county_desc": "DURHAM  ", "first_name": "BO  ", "last_name": "EXAMPLE",
         "res_street_address": "  7 MILL CT", "zip_code": "27701", "status_cd": "R", "race_code": "A",
         "ethnic_code": "HL", "party_cd": "REP", "confidential_ind": "Y", "birth_year": 1991},
    ],
    "ncvhis": [
        {"ncid": "AA1", "county_id": 92, "election_lbl": date(2022, 11, 8), "election_desc": "11/08/2022 GENERAL",
         "voting_method": "IN-PERSON"},
        {"ncid": "AA1", "county_id": 92, "election_lbl": date(2022, 11, 8), "election_desc": "11/08/2022 GENERAL",
         "voting_method": "IN-PERSON", "_loaded_at": SECOND_LOAD},
        {"ncid": "AA2", "county_id": 32, "election_lbl": date(2022, 5, 17), "election_desc": "05/17/2022 PRIMARY",
         "voting_method": "ABSENTEE BY MAIL", "voted_party_cd": "REP", "voted_county_id": "32"},
    ],
    "ohio_voters": [
        {"sos_voterid": "OH0000000001", "county_number": 25, "first_name": "CY", "last_name": "SAMPLE",
         "date_of_birth": date(1975, 6, 1), "registration_date": date(1999, 1, 2), "voter_status": "ACTIVE",
         "party_affiliation": "D", "residential_address1": "3 ELM ST", "residential_zip": "43215"},
        {"sos_voterid": "OH0000000002", "county_number": 25, "first_name": "DI", "last_name": "PLACEHOLDER",
         "date_of_birth": date(1988, 2, 3), "voter_status": "CONFIRMATION", "residential_zip": "43004"},
    ],
    "ohio_voter_history": [
        {"sos_voterid": "OH0000000001", "election_column": "GENERAL-11/08/2022", "election_type": "GENERAL",
         "election_date": date(2022, 11, 8), "value": "X"},
        {"sos_voterid": "OH0000000001", "election_column": "PRIMARY-05/03/2022", "election_type": "PRIMARY",
         "election_date": date(2022, 5, 3), "value": "D"},
        {"sos_voterid": "OH0000000002", "election_column": "GENERAL-11/08/2022", "election_type": "GENERAL",
         "election_date": date(2022, 11, 8), "value": ""},
    ],
    "osha_inspection": [
        {"activity_nr": 1001, "estab_name": " ACME  PACKING ", "site_city": "RALEIGH", "site_state": "NC",
         "site_zip": "27601", "owner_type": "A", "insp_type": "B", "insp_scope": "a", "union_status": "Y",
         "safety_hlth": "S", "naics_code": 311611, "open_date": date(2025, 3, 1)},
        {"activity_nr": 1002, "estab_name": "BETA WAREHOUSE", "site_state": "OH", "owner_type": "B",
         "insp_type": "M", "insp_scope": "B", "union_status": "N", "open_date": date(2025, 4, 1)},
    ],
    "osha_violation": [
        {"activity_nr": 1001, "citation_id": "01001", "viol_type": "S", "initial_penalty": Decimal("5000.00"),
         "current_penalty": Decimal("4000.00"), "issuance_date": date(2025, 5, 1)},
        {"activity_nr": 1001, "citation_id": "01002", "viol_type": "W", "initial_penalty": Decimal("70000.00"),
         "current_penalty": Decimal("70000.00"), "contest_date": date(2025, 5, 20)},
        {"activity_nr": 1001, "citation_id": "02001", "viol_type": "O", "delete_flag": "D",
         "initial_penalty": Decimal("900.00"), "current_penalty": Decimal("900.00")},
        {"activity_nr": 1002, "citation_id": "01001", "viol_type": "R", "initial_penalty": Decimal("1200.00"),
         "current_penalty": Decimal("1200.00")},
    ],
    "osha_accident": [
        {"summary_nr": 5001, "event_date": date(2025, 2, 27), "event_desc": "Worker caught in conveyor",
         "fatality": "X"},
    ],
    "osha_accident_injury": [
        {"summary_nr": 5001, "rel_insp_nr": 1001, "injury_line_nr": 1, "age": 0, "degree_of_inj": "1",
         "load_dt": "2020-09-25 00:18:59 EDT"},
        {"summary_nr": 5001, "rel_insp_nr": 1001, "injury_line_nr": 1, "age": 0, "degree_of_inj": "1",
         "load_dt": "2020-10-02 00:18:59 EDT"},
        {"summary_nr": 5001, "rel_insp_nr": 1001, "injury_line_nr": 2, "age": 34, "degree_of_inj": "2",
         "load_dt": "2020-09-25 00:18:59 EDT"},
    ],
    "osha_related_activity": [
        {"activity_nr": 1001, "rel_type": "A", "rel_act_nr": 5001, "rel_safety": "X"},
    ],
    "osha_accident_lookup": [
        {"accident_code": "DEGR", "accident_number": "1", "accident_value": "Fatality"},
    ],
    "nlrb_election_tallies": [
        {"case_number": "06-RC-100001", "case_name": "Acme Packing", "unit_city": "Raleigh", "unit_state": "NC",
         "case_status": "Closed", "unit_id": "A", "tally_type": "Initial", "tally_date": date(2021, 6, 1),
         "num_eligible_voters": 20, "votes_for_labor_org1": 11, "votes_cast_against_labor_org": 6,
         "num_valid_votes_counted": 17, "labor_organization_1_name": "Local 1",
         "union_to_certify": "Local 1"},
        {"case_number": "06-RC-100002", "case_name": "Beta Warehouse", "case_status": "Closed", "unit_id": "A",
         "tally_type": "Initial", "tally_date": date(2021, 7, 1), "num_eligible_voters": 12,
         "votes_for_labor_org1": 3, "votes_cast_against_labor_org": 7, "num_valid_votes_counted": 10},
    ],
    "nlrb_recent_election_results": [
        {"case_number": "06-RC-100001", "case_name": "Acme Packing", "status": "Closed", "unit_id": "A",
         "tally_type": "Initial", "tally_date": date(2021, 6, 1), "no_of_eligible_voters": 20,
         "votes_for_labor_union1": 11, "votes_against": 6, "total_ballots_counted": 17,
         "labor_union1": "Local 1", "union_to_certify": "Local 1", "voting_unit_unit_a": "All production workers"},
        {"case_number": "06-RD-100003", "case_name": "Gamma Foods", "status": "Closed", "unit_id": "A",
         "tally_type": "Run-off", "tally_date": date(2023, 1, 10), "no_of_eligible_voters": 40,
         "votes_for_labor_union1": 25, "votes_against": 12, "total_ballots_counted": 37},
    ],
    "nlrb_cases": [
        {"case_type": "C", "case_number": "03-CA-100004", "case_name": "Acme Packing", "status": "Open",
         "date_filed": date(2023, 2, 27), "employees_on_charge_petition": 2000},
        {"case_type": "R", "case_number": "06-RC-100001", "case_name": "Acme Packing, Inc.", "status": "Closed",
         "date_filed": date(2021, 4, 1)},
    ],
    "members": [
        {"member_id": "M-1", "first_name": "EVA", "last_name": "FAKEPERSON", "birth_date": date(1985, 4, 4),
         "employer_name": "Acme Packing", "member_status": "ACTIVE", "is_steward": "N", "do_not_contact": "N",
         "email": "eva@example.org"},
        {"member_id": "M-1", "first_name": "EVA", "last_name": "FAKEPERSON", "birth_date": date(1985, 4, 4),
         "employer_name": "Acme Packing", "member_status": "RETIRED", "is_steward": "Y", "do_not_contact": "N",
         "_loaded_at": SECOND_LOAD},
        {"member_id": "M-2", "first_name": "FIN", "last_name": "MADEUP", "birth_date": date(1990, 9, 9),
         "employer_name": "Beta Warehouse", "member_status": "ACTIVE", "is_steward": "N", "do_not_contact": "Y"},
    ],
    "grievances": [
        {"grievance_id": "G-1", "member_id": "M-1", "employer_name": "Acme Packing", "category": "safety",
         "incident_date": date(2025, 1, 1), "filed_date": date(2025, 1, 11), "outcome": "Settled",
         "settlement_amount": Decimal("250.00"), "supervisor_name": "Some Supervisor"},
        {"grievance_id": "G-2", "member_id": "M-2", "employer_name": "Beta Warehouse", "category": "pay",
         "filed_date": date(2025, 3, 1)},
    ],
}


def build_raw_schema(warehouse: Path, rows: dict[str, list[dict]]) -> None:
    """Create every raw table the registry defines, as the loader does, and insert `rows` into them."""
    con = duckdb.connect(str(warehouse))
    try:
        for source in sources():
            ensure_raw_schema(con, source)
        for table, table_rows in rows.items():
            for line, row in enumerate(table_rows, start=1):
                values = {"_source_file": f"{table}.csv", "_source_line": line, "_file_sha256": "0" * 64,
                          "_load_id": "test-load", "_loaded_at": FIRST_LOAD, **row}
                columns = ", ".join(f'"{name}"' for name in values)
                placeholders = ", ".join("?" for _ in values)
                con.execute(f"INSERT INTO raw.{table} ({columns}) VALUES ({placeholders})", list(values.values()))
    finally:
        con.close()


@dataclass(frozen=True)
class BuiltWarehouse:
    path: Path
    root: Path
    result: dg.ExecuteInProcessResult


@pytest.fixture(scope="module")
@builds_warehouse
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    """The tiny raw schema, then the dbt step materialized the way a Shopfloor run does (dbt build in Dagster).

    Models tagged after_resolution read tables the Python resolution assets write: they are the second dbt
    step's, and not built here.
    """
    root = tmp_path_factory.mktemp("dbt_build")
    warehouse = root / "warehouse.duckdb"
    build_raw_schema(warehouse, RAW_ROWS)
    result = dg.materialize(
        [shopfloor_dbt_models],
        resources={"dbt": DbtCliResource(project_dir=shopfloor_dbt, dbt_executable=str(DBT_EXECUTABLE)),
                   "warehouse": Warehouse(path=str(warehouse))},
    )
    return BuiltWarehouse(warehouse, root, result)


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_dagster_materializes_every_model_and_runs_every_test_as_a_passing_check(built_warehouse):
    result = built_warehouse.result
    assert result.success
    assert {event.asset_key for event in result.get_asset_materialization_events()} == set(shopfloor_dbt_models.keys)
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(shopfloor_dbt_models.check_keys) > 100
    assert [e.asset_check_key for e in evaluations if not e.passed] == []
    # The run's dbt artifacts folder is gone once the run succeeded.
    assert not list(RUNS_TARGET_DIR.glob(f"{result.run_id}*"))


def test_schemas_and_marts(built_warehouse):
    warehouse = built_warehouse.path
    schemas = {row[0] for row in query(warehouse, "select distinct table_schema from information_schema.tables")}
    assert {"raw", "staging", "intermediate", "marts"} <= schemas
    marts = {row[0] for row in query(warehouse, "select table_name from information_schema.tables "
                                                "where table_schema = 'marts' and table_type = 'BASE TABLE'")}
    assert {"fct_osha_inspections", "fct_osha_violations", "fct_nlrb_cases", "fct_nlrb_elections",
            "fct_grievances", "dim_members"} <= marts


def test_nc_voters_latest_snapshot_trimmed_and_decoded(built_warehouse):
    warehouse = built_warehouse.path
    rows = query(warehouse, "select ncid, residential_street_address, residential_zip5, status_code, "
                            "registration_status, race, ethnicity, party, is_confidential, first_name, county_name "
                            "from staging.stg_ncsbe__voters order by ncid")
    assert rows == [
        ("AA1", "12 NEW ST", "27601", "A", "active", "BLACK or AFRICAN AMERICAN", "NOT HISPANIC or NOT LATINO",
         "DEMOCRATIC", False, "ANA", "WAKE"),
        ("AA2", "7 MILL CT", "27701", "R", "removed", "ASIAN", "HISPANIC or LATINO", "REPUBLICAN", True, "BO",
         "DURHAM"),
    ]


def test_voter_registrations_and_history_unify_states(built_warehouse):
    warehouse = built_warehouse.path
    registrations = query(warehouse, "select voter_registration_key, registration_status, birth_year, is_confidential "
                                     "from intermediate.int_voter_registrations order by 1")
    assert registrations == [
        ("NC:AA1", "active", 1980, False), ("NC:AA2", "removed", 1991, True),
        ("OH:OH0000000001", "active", 1975, False), ("OH:OH0000000002", "inactive", 1988, False),
    ]
    history = query(warehouse, "select voter_registration_key, election_date, election_type, ballot_party_code "
                               "from intermediate.int_voter_history order by 1, 2")
    # The NC general loaded twice counts once; Ohio's blank cell (did not vote) is not a vote.
    assert history == [
        ("NC:AA1", date(2022, 11, 8), "GENERAL", None),
        ("NC:AA2", date(2022, 5, 17), "PRIMARY", "REP"),
        ("OH:OH0000000001", date(2022, 5, 3), "PRIMARY", "D"),
        ("OH:OH0000000001", date(2022, 11, 8), "GENERAL", None),
    ]


def test_osha_facts(built_warehouse):
    warehouse = built_warehouse.path
    inspections = query(warehouse, "select inspection_id, source_record_id, establishment_name, inspection_type, "
                                   "owner_type, inspection_scope, is_union_represented, violation_count, "
                                   "serious_violation_count, willful_violation_count, current_penalty_total, "
                                   "injured_worker_count, fatality_count from marts.fct_osha_inspections order by 1")
    assert inspections == [
        (1001, "1001", "ACME PACKING", "Complaint", "Private", "Complete", True, 2, 1, 1, Decimal("74000.00"), 2, 1),
        (1002, "1002", "BETA WAREHOUSE", "Fatality/catastrophe", "Local government", "Partial", False, 1, 0, 0,
         Decimal("1200.00"), 0, 0),
    ]
    violations = query(warehouse, "select violation_id, violation_type, was_contested "
                                  "from marts.fct_osha_violations order by 1")
    # The deleted citation item 02001 is gone.
    assert violations == [("1001-01001", "Serious", False), ("1001-01002", "Willful", True),
                          ("1002-01001", "Repeat", False)]
    injuries = query(warehouse, "select injury_line_nr, age, degree_of_injury from staging.stg_osha__accident_injuries "
                                "order by 1")
    assert injuries == [(1, None, "Fatality"), (2, 34, "Hospitalized")]


def test_nlrb_elections_and_cases(built_warehouse):
    warehouse = built_warehouse.path
    elections = query(warehouse, "select election_id, source_record_id, tally_type, votes_for_union, votes_against, "
                                 "union_won, data_source from marts.fct_nlrb_elections order by 1")
    # 06-RC-100001's tally is in both exports and counts once, from the recent export.
    assert elections == [
        ("06-RC-100001/A/1", "06-RC-100001/A", "Initial", 11, 6, True, "nlrb_recent_election_results"),
        ("06-RC-100002/A/1", "06-RC-100002/A", "Initial", 3, 7, False, "nlrb_foia_tallies"),
        ("06-RD-100003/A/1", "06-RD-100003/A", "Runoff", 25, 12, True, "nlrb_recent_election_results"),
    ]
    cases = query(warehouse, "select case_number, case_type_code, case_category, case_name, region_number, "
                             "election_tally_count, is_in_case_search from marts.fct_nlrb_cases order by 1")
    assert cases == [
        ("03-CA-100004", "CA", "unfair_labor_practice", "Acme Packing", 3, 0, True),
        ("06-RC-100001", "RC", "representation", "Acme Packing, Inc.", 6, 1, True),
        ("06-RC-100002", "RC", "representation", "Beta Warehouse", 6, 1, False),
        ("06-RD-100003", "RD", "representation", "Gamma Foods", 6, 1, False),
    ]


def test_members_are_pseudonymous(built_warehouse):
    warehouse = built_warehouse.path
    columns = {row[0] for row in query(warehouse, "select column_name from information_schema.columns "
                                                  "where table_schema = 'marts' and table_name = 'dim_members'")}
    assert not columns & {"member_id", "first_name", "last_name", "birth_date", "email", "phone", "street_address"}
    members = query(warehouse, "select member_status, is_steward, is_do_not_contact, birth_year, grievance_count, "
                               "length(member_key) from marts.dim_members order by birth_year")
    # M-1's second export (retired, steward) replaced the first.
    assert members == [("retired", True, False, 1985, 1, 32), ("active", False, True, 1990, 1, 32)]
    keys = {row[0] for row in query(warehouse, "select member_key from marts.dim_members")}
    assert "M-1" not in keys and len(keys) == 2
    grievances = query(warehouse, "select grievance_id, days_from_incident_to_filing, is_open, member_key in "
                                  "(select member_key from marts.dim_members) from marts.fct_grievances order by 1")
    assert grievances == [("G-1", 10, False, True), ("G-2", None, True, True)]


def test_docs_generate(built_warehouse):
    result = run_dbt(["docs", "generate", "--vars", f"{{as_of_date: '{LAST_DAY.isoformat()}'}}"], built_warehouse.path,
                     built_warehouse.root, check=False, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]
    catalog = json.loads((built_warehouse.root / "target" / "catalog.json").read_text())
    assert "model.shopfloor.dim_members" in catalog["nodes"]



@pytest.mark.warehouse
def test_a_partial_selection_runs_only_the_tests_it_can(tmp_path):
    # Staging plus int_voter_registrations on a fresh warehouse: the relationship tests from int_voter_history
    # and the marts to the selected models must not run, as those models do not exist yet.
    warehouse = tmp_path / "warehouse.duckdb"
    build_raw_schema(warehouse, RAW_ROWS)
    selection = [key for key in shopfloor_dbt_models.keys if key.path[0] == "staging"]
    selection.append(dg.AssetKey(["intermediate", "int_voter_registrations"]))
    result = dg.materialize(
        [shopfloor_dbt_models],
        selection=selection,
        resources={"dbt": DbtCliResource(project_dir=shopfloor_dbt, dbt_executable=str(DBT_EXECUTABLE)),
                   "warehouse": Warehouse(path=str(warehouse))},
    )
    assert result.success
    assert {event.asset_key for event in result.get_asset_materialization_events()} == set(selection)
    assert all(evaluation.passed for evaluation in result.get_asset_check_evaluations())
