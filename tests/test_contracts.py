"""Data contracts: the suites in expectations/ and the chunked GX runner in shopfloor.contracts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from real_data import REAL_DATA

from shopfloor.contracts import (
    FailedExpectation,
    load_suite,
    load_suite_dict,
    referenced_columns,
    registry_columns,
    suite_tables,
    validate_table,
)
from shopfloor.ingest.tables import LINEAGE_COLUMNS, source_tables
from shopfloor.layouts import load_registry, sources

NLRB_FOIA_XLSX = REAL_DATA / "nlrb/NLRB-2022-000194_final-Election_results_with_election_mode_Jan_2017-Nov_2021.xlsx"
FAKE_SURNAME = "QUIXWORTHINGTON"


def _column_types(table: str) -> dict[str, str]:
    """Every column the raw loader gives the table, typed as it types them."""
    source = next(source for source, tables in sources().items() if table in tables)
    return {**source_tables(source)[table], **LINEAGE_COLUMNS}


def _make_raw_table(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], drop: tuple[str, ...] = ()) -> None:
    """raw.<table> with the registry's columns (minus `drop`), holding `rows` (lineage filled in)."""
    types = {c: t for c, t in _column_types(table).items() if c not in drop}
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(f"CREATE OR REPLACE TABLE raw.{table} ({', '.join(f'{c} {t}' for c, t in types.items())})")
    lineage = {"_source_file": "f1.csv", "_file_sha256": "ab" * 32, "_load_id": "load-1",
               "_loaded_at": pd.Timestamp("2026-01-01")}
    if not rows:
        return
    frame = pd.DataFrame([{**lineage, "_source_line": i + 2, **row} for i, row in enumerate(rows)])
    frame = frame[[c for c in frame.columns if c in types]]
    con.register("incoming", frame)
    con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM incoming")
    con.unregister("incoming")


def _voter(i: int, **overrides) -> dict:
    return {"county_id": 92, "county_desc": "WAKE", "voter_reg_num": f"{i:012d}", "ncid": f"BN{i:06d}",
            "last_name": "SMITH", "first_name": "ANN", "status_cd": "A", "race_code": "W", "ethnic_code": "NL",
            "party_cd": "UNA", "gender_code": "F", "drivers_lic": "Y", "registr_dt": date(2010, 5, 1),
            "birth_year": 1980, **overrides}


def _summary(result) -> tuple:
    return (result.success, result.evaluated_expectations, result.successful_expectations,
            sorted(result.failed, key=str), result.row_count)


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def test_every_raw_table_has_a_suite_that_gx_reads():
    raw_tables = {table for tables in sources().values() for table in tables}
    assert set(suite_tables()) == raw_tables
    for table in suite_tables():
        suite = load_suite(table)
        assert suite.name == table
        assert len(suite.expectations) == len(load_suite_dict(table)["expectations"]) >= 4


@pytest.mark.parametrize("table", suite_tables())
def test_suite_references_only_columns_of_its_table(table):
    known = registry_columns(table)
    for expectation in load_suite_dict(table)["expectations"]:
        unknown = set(referenced_columns(expectation["kwargs"])) - known
        assert not unknown, f"{table}: {expectation['type']} names {sorted(unknown)}"


def test_good_table_passes_and_writes_json_and_html(con, tmp_path):
    _make_raw_table(con, "ncvoter", [_voter(i) for i in range(5)])
    result = validate_table(con, "ncvoter", tmp_path, "run-1")

    assert result.success, result.failed
    assert result.failed == []
    assert result.row_count == 5
    assert result.evaluated_expectations == result.successful_expectations == len(load_suite("ncvoter").expectations)
    assert result.json_path == tmp_path / "run-1" / "ncvoter.json"
    assert result.html_path == tmp_path / "run-1" / "ncvoter.html"
    written = json.loads(result.json_path.read_text())
    assert written["success"] is True
    assert written["statistics"]["evaluated_expectations"] == result.evaluated_expectations
    assert "<html" in result.html_path.read_text().lower()


def test_each_run_writes_its_own_files(con, tmp_path):
    _make_raw_table(con, "ncvoter", [_voter(i) for i in range(3)])
    first = validate_table(con, "ncvoter", tmp_path, "run-a")
    second = validate_table(con, "ncvoter", tmp_path, "run-b")
    assert first.json_path != second.json_path
    assert all(p.is_file() for p in (first.json_path, first.html_path, second.json_path, second.html_path))


def test_bad_code_duplicate_key_and_old_date_fail_with_counts(con, tmp_path):
    rows = [_voter(i) for i in range(6)]
    rows[1]["status_cd"] = "Q"
    rows[2]["ncid"] = rows[3]["ncid"]  # the same voter twice in one file
    rows[4]["registr_dt"] = date(1850, 1, 1)
    rows.append({**_voter(0), "_source_file": "f2.csv"})  # the same voter in another file is fine
    _make_raw_table(con, "ncvoter", rows)

    result = validate_table(con, "ncvoter", tmp_path, "run-1")

    assert not result.success
    assert sorted(result.failed) == sorted([
        FailedExpectation("expect_column_values_to_be_in_set", "status_cd", 1),
        FailedExpectation("expect_compound_columns_to_be_unique", "_source_file,ncid", 2),
        FailedExpectation("expect_column_values_to_be_between", "registr_dt", 1),
    ])
    assert result.unsuccessful_expectations == 3
    metadata = result.metadata()
    assert metadata["success"] is False
    assert {"expectation": "expect_column_values_to_be_in_set", "column": "status_cd", "unexpected_count": 1} in (
        metadata["failed_expectations"])


def test_future_date_and_missing_key_fail(con, tmp_path):
    rows = [_voter(i) for i in range(3)]
    rows[0]["registr_dt"] = date(date.today().year + 1, 1, 1)
    rows[1]["ncid"] = ""  # blank is missing
    _make_raw_table(con, "ncvoter", rows)
    failed = validate_table(con, "ncvoter", tmp_path, "run-1").failed
    assert FailedExpectation("expect_column_values_to_be_between", "registr_dt", 1) in failed
    assert FailedExpectation("expect_column_values_to_not_be_null", "ncid", 1) in failed


def test_missing_required_column_fails_the_column_set(con, tmp_path):
    _make_raw_table(con, "ncvoter", [_voter(i) for i in range(3)], drop=("status_cd",))
    result = validate_table(con, "ncvoter", tmp_path, "run-1")
    failed_types = {(f.expectation_type, f.column) for f in result.failed}
    assert ("expect_table_columns_to_match_set", None) in failed_types
    # its in-set expectation cannot run on an absent column, and fails rather than passing
    assert ("expect_column_values_to_be_in_set", "status_cd") in failed_types


def test_missing_table_is_reported_not_raised(con, tmp_path):
    result = validate_table(con, "osha_violation", tmp_path, "run-1")
    assert not result.success
    assert "does not exist" in result.reason
    assert result.json_path is None and not (tmp_path / "run-1").exists()
    assert result.metadata()["reason"] == result.reason


def test_empty_table_fails_its_row_count(con, tmp_path):
    _make_raw_table(con, "grievances", [])
    result = validate_table(con, "grievances", tmp_path, "run-1")
    assert result.failed == [FailedExpectation("expect_table_row_count_to_be_between", None, None)]


def test_chunked_validation_matches_unchunked(con, tmp_path):
    rows = [_voter(i) for i in range(300)]
    for i in range(0, 300, 37):
        rows[i]["party_cd"] = "XYZ"
    for i in range(5, 300, 61):
        rows[i]["ncid"] = rows[i - 1]["ncid"]  # five voters listed twice in one file
    rows[10]["ncid"], rows[11]["ncid"] = None, ""  # both missing, so a duplicate pair as well
    _make_raw_table(con, "ncvoter", rows)

    whole = validate_table(con, "ncvoter", tmp_path, "whole")
    chunked = validate_table(con, "ncvoter", tmp_path, "chunked", chunk_size=40)

    assert whole.chunks == 1 and chunked.chunks == 8
    assert _summary(chunked) == _summary(whole)
    assert FailedExpectation("expect_compound_columns_to_be_unique", "_source_file,ncid", 12) in chunked.failed
    assert FailedExpectation("expect_column_values_to_be_in_set", "party_cd", 9) in chunked.failed
    assert json.loads(chunked.json_path.read_text())["results"] == json.loads(whole.json_path.read_text())["results"]


def test_mostly_is_decided_on_the_whole_table_not_per_chunk(con, tmp_path):
    # 2% of rows carry degree_of_inj 0, within the suite's mostly=0.97; a chunk of about 20 rows holding
    # one of them is 5% off and would fail on its own.
    rows = [{"summary_nr": i, "rel_insp_nr": i, "age": 40, "sex": "M", "degree_of_inj": "0" if i % 50 == 0 else "1",
             "task_assigned": "1", "injury_line_nr": 1} for i in range(200)]
    _make_raw_table(con, "osha_accident_injury", rows)
    whole = validate_table(con, "osha_accident_injury", tmp_path, "whole")
    chunked = validate_table(con, "osha_accident_injury", tmp_path, "chunked", chunk_size=20)
    assert chunked.chunks == 10
    assert whole.success and chunked.success
    assert _summary(chunked) == _summary(whole)


def test_no_data_values_reach_metadata_or_files(con, tmp_path):
    rows = [{"member_id": f"M{i}", "first_name": "ANN", "last_name": FAKE_SURNAME, "is_steward": "N",
             "is_committee_member": "N", "do_not_contact": "N", "join_date": date(2020, 1, 1)} for i in range(4)]
    rows[0]["is_steward"] = FAKE_SURNAME  # a name keyed into a flag column
    rows[1]["member_id"] = rows[2]["member_id"] = f"{FAKE_SURNAME}-7"
    _make_raw_table(con, "members", rows)

    result = validate_table(con, "members", tmp_path, "run-1", chunk_size=2)

    assert FailedExpectation("expect_column_values_to_be_in_set", "is_steward", 1) in result.failed
    assert FailedExpectation("expect_compound_columns_to_be_unique", "_source_file,member_id", 2) in result.failed
    assert FAKE_SURNAME not in json.dumps(result.metadata())
    assert FAKE_SURNAME not in repr(result)
    assert FAKE_SURNAME not in result.json_path.read_text()
    assert FAKE_SURNAME not in result.html_path.read_text()


def test_gx_writes_nothing_outside_the_results_dir(con, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _make_raw_table(con, "grievances", [{"grievance_id": "G1", "filed_date": date(2024, 3, 1)}])
    validate_table(con, "grievances", tmp_path / "validations", "run-1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["validations"]


def _land(con: duckdb.DuckDBPyConnection, layout_name: str, relation: str, source_file: str) -> None:
    """raw.<table> from a relation whose columns are the layout's source headers, typed as the loader types."""
    layout = load_registry()[layout_name]
    columns = []
    for header in layout.columns:
        raw, quoted = layout.raw_name(header), '"' + header + '"'
        kind = layout.type_of(raw)
        if kind == "DATE" and layout.dateformat:
            columns.append(f"strptime({quoted}, '{layout.dateformat}')::DATE AS {raw}")
        else:
            columns.append(f"CAST({quoted} AS {kind}) AS {raw}")
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(
        f"CREATE TABLE raw.{layout.table} AS SELECT {', '.join(columns)}, '{source_file}' AS _source_file,"
        " row_number() OVER () + 1 AS _source_line, 'sha' AS _file_sha256, 'real' AS _load_id,"
        f" now() AS _loaded_at FROM {relation}"
    )


def test_real_nlrb_foia_tallies_pass_their_suite(con, tmp_path):
    sheet = openpyxl.load_workbook(NLRB_FOIA_XLSX, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    tallies = pd.DataFrame(rows[1:], columns=rows[0])
    con.register("tallies", tallies)
    _land(con, "nlrb_foia_tallies", "tallies", NLRB_FOIA_XLSX.name)

    result = validate_table(con, "nlrb_election_tallies", tmp_path, "real")

    assert result.row_count == 6927
    assert result.success, result.failed


@pytest.mark.parametrize(("layout_name", "path"), [
    ("nlrb_recent_results", "nlrb/recent_election_results__all_dates_--20230417103337.csv"),
    ("nlrb_case_search", "nlrb/nlrb-tesla_cases.csv"),
    ("osha_accident_injury", "osha/osha_accident_injury-0002.csv"),
    ("osha_related_activity", "osha/osha_related_activity-0018.csv"),
    ("osha_accident_lookup", "osha/osha_accident_lookup2.csv"),
])
def test_real_public_csv_files_pass_their_suites(con, tmp_path, layout_name, path):
    layout = load_registry()[layout_name]
    _land(con, layout_name, f"read_csv('{REAL_DATA / path}', all_varchar = true)", Path(path).name)
    result = validate_table(con, layout.table, tmp_path, "real")
    assert result.row_count > 40
    assert result.success, result.failed


def test_lineage_columns_are_part_of_every_column_set():
    for table in suite_tables():
        column_sets = [e["kwargs"]["column_set"] for e in load_suite_dict(table)["expectations"]
                       if e["type"] == "expect_table_columns_to_match_set"]
        assert len(column_sets) == 1 and set(LINEAGE_COLUMNS) <= set(column_sets[0])
