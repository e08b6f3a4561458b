"""The raw loader on the real public records in ../shared/real_data, exactly as published."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest
from real_data import REAL_DATA, needs_real_data

from shopfloor.ingest import detect_layout, load_source

FOIA_TALLIES = "NLRB-2022-000194_final-Election_results_with_election_mode_Jan_2017-Nov_2021.xlsx"
RECENT_RESULTS = "recent_election_results__all_dates_--20230417103337.csv"
TESLA_CASES = "nlrb-tesla_cases.csv"
OSHA_FILES = ["osha_accident_injury-0002.csv", "osha_related_activity-0018.csv", "osha_accident_lookup2.csv"]

pytestmark = needs_real_data


def csv_records(path: Path) -> int:
    """Records below the header, counted independently of DuckDB (quoted line breaks stay inside a record)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def link_into_landing(landing: Path, source: str, names: list[str]) -> None:
    """Symlinks, so the read-only originals are read in place and never copied."""
    folder = landing / source
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).symlink_to(REAL_DATA / source / name)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    link_into_landing(root / "landing", "nlrb", [FOIA_TALLIES, RECENT_RESULTS, TESLA_CASES])
    link_into_landing(root / "landing", "osha", OSHA_FILES)
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        reports = {source: load_source(con, source, root / "landing") for source in ("nlrb", "osha")}
        yield con, reports


def count(con, sql: str) -> int:
    return con.execute(sql).fetchall()[0][0]


def test_every_real_file_is_detected_as_its_layout():
    detected = {name: detect_layout(REAL_DATA / "nlrb" / name, "nlrb").name
                for name in (FOIA_TALLIES, RECENT_RESULTS, TESLA_CASES)}
    detected |= {name: detect_layout(REAL_DATA / "osha" / name, "osha").name for name in OSHA_FILES}
    assert detected == {
        FOIA_TALLIES: "nlrb_foia_tallies",
        RECENT_RESULTS: "nlrb_recent_results",
        TESLA_CASES: "nlrb_case_search",
        "osha_accident_injury-0002.csv": "osha_accident_injury",
        "osha_related_activity-0018.csv": "osha_related_activity",
        "osha_accident_lookup2.csv": "osha_accident_lookup",
    }


def test_all_6927_foia_tallies_load_typed_with_no_rejects(loaded):
    con, reports = loaded
    table = reports["nlrb"].tables["nlrb_election_tallies"]
    assert (table.rows_loaded, table.rows_rejected, table.total_rows_in_table) == (6927, 0, 6927)
    # Sheet rows 5..6931: three title rows and the header sit above the data.
    assert con.execute("SELECT min(_source_line), max(_source_line) FROM raw.nlrb_election_tallies").fetchall() == [
        (5, 6931)]
    assert count(con, "SELECT count(*) FROM raw.nlrb_election_tallies WHERE tally_date IS NOT NULL") == 6926
    first, last = con.execute("SELECT min(tally_date), max(tally_date) FROM raw.nlrb_election_tallies").fetchall()[0]
    assert date(2017, 1, 1) <= first and last <= date(2021, 11, 30)
    assert count(con, "SELECT count(num_eligible_voters) FROM raw.nlrb_election_tallies") == 6926


def test_recent_election_results_load_every_record(loaded):
    con, reports = loaded
    # The README's "2,305 rows" counts the header line: the file holds 2,304 records.
    expected = csv_records(REAL_DATA / "nlrb" / RECENT_RESULTS)
    assert expected == 2304
    table = reports["nlrb"].tables["nlrb_recent_election_results"]
    assert (table.rows_loaded, table.rows_rejected) == (expected, 0)
    assert count(con, "SELECT count(*) FROM raw.nlrb_recent_election_results WHERE voting_unit_unit_a LIKE '%\n%'") > 0
    assert count(con, "SELECT count(date_filed) FROM raw.nlrb_recent_election_results") == expected


def test_the_43_tesla_cases_load_with_multiline_fields(loaded):
    con, reports = loaded
    table = reports["nlrb"].tables["nlrb_cases"]
    assert (table.rows_loaded, table.rows_rejected) == (43, 0)
    assert count(con, "SELECT count(DISTINCT case_number) FROM raw.nlrb_cases") == 43
    assert count(con, "SELECT count(*) FROM raw.nlrb_cases WHERE case_name ILIKE '%tesla%'") == 43
    assert count(con, "SELECT count(*) FROM raw.nlrb_cases WHERE allegations LIKE '%\n%'") > 0
    assert con.execute("SELECT date_filed, _source_line FROM raw.nlrb_cases WHERE case_number = '03-CA-312911'"
                       ).fetchall() == [(date(2023, 2, 27), 2)]


@pytest.mark.parametrize(("name", "table", "expected"), [
    ("osha_accident_injury-0002.csv", "osha_accident_injury", 3063),
    ("osha_related_activity-0018.csv", "osha_related_activity", 19668),
    ("osha_accident_lookup2.csv", "osha_accident_lookup", 861),
])
def test_osha_slices_load_every_row(loaded, name, table, expected):
    con, reports = loaded
    assert csv_records(REAL_DATA / "osha" / name) == expected
    report = reports["osha"].tables[table]
    assert (report.rows_loaded, report.rows_rejected, report.total_rows_in_table) == (expected, 0, expected)


def test_osha_accident_injury_keeps_the_injuries_repeated_across_load_dt(loaded):
    """The layout has no keys: the slice's repeated (summary_nr, injury_line_nr) rows all land; staging dedups."""
    con, _ = loaded
    assert con.execute(
        "SELECT count(*), count(DISTINCT (summary_nr, injury_line_nr)), count(DISTINCT load_dt) "
        "FROM raw.osha_accident_injury"
    ).fetchall() == [(3063, 2641, 80)]
