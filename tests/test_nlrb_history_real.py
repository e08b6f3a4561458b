"""Twenty-three years of real NLRB elections: every file of ../shared/real_data/nlrb_history and nlrb through the raw
loader and dbt (shopfloor.nlrb_history), checked against counts taken from the files themselves and against the
tables in docs/nlrb_history.md."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook
from real_data import REAL_DATA, needs_real_data

from shopfloor import nlrb_history

pytestmark = needs_real_data
CASE_NUMBER = re.compile(r"^\d{2}-[A-Z]{2}-\d+$")
HAND_CHECK = Path(__file__).resolve().parents[1] / "bench" / "union_names" / "union_names_by_hand.csv"
# '<row>' as the CATS files write it: UTF-16, little-endian.
CATS_ROW_TAG = "<row>".encode("utf-16-le")


def query(warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def report_election_rows(path) -> int:
    """Rows holding a case number on every sheet but the summary, counted without the loader."""
    workbook = CalamineWorkbook.from_path(str(path))
    return sum(
        any(CASE_NUMBER.match(str(cell).strip()) for cell in row)
        for index, name in enumerate(workbook.sheet_names) if not name.endswith("Summary")
        for row in workbook.get_sheet_by_index(index).to_python()
    )


def cats_row_elements(path) -> int:
    """Row start tags in the zip's XML, counted in the raw bytes without a parser."""
    count, tail = 0, b""
    with zipfile.ZipFile(path) as archive, archive.open(next(n for n in archive.namelist() if n.endswith(".xml"))) as xml:
        while chunk := xml.read(1 << 24):
            block = tail + chunk
            count += block.count(CATS_ROW_TAG)
            tail = block[-(len(CATS_ROW_TAG) - 1):]
    return count


def test_every_real_nlrb_file_loads_with_no_reject(nlrb_history_warehouse):
    _, report, counts = nlrb_history_warehouse
    shared = sorted(path.name for folder in nlrb_history.REAL_FOLDERS for path in (REAL_DATA / folder).iterdir())
    assert sorted(counts.files["source_file"]) == shared
    assert {outcome.status for outcome in report.files} == {"loaded"}
    assert counts.files["rows_rejected"].sum() == 0 and counts.rejects.empty


def test_rows_loaded_match_the_rows_in_the_files(nlrb_history_warehouse):
    _, report, _ = nlrb_history_warehouse
    loaded = {outcome.source_file.removeprefix("nlrb/"): outcome.rows_loaded for outcome in report.files}
    folder = REAL_DATA / "nlrb_history"
    expected = {path.name: report_election_rows(path) for path in folder.glob("nlrb*_raw.xlsx")}
    expected |= {path.name: cats_row_elements(path) for path in folder.glob("CATS-FRF-R-*.final.zip")}
    assert len(expected) == 22
    assert {name: loaded[name] for name in expected} == expected


def test_the_docs_tables_are_what_the_files_give(nlrb_history_warehouse):
    _, _, counts = nlrb_history_warehouse
    assert nlrb_history.documented() == nlrb_history.markdown(counts), (
        "docs/nlrb_history.md is stale: run python bench/nlrb_history_counts.py")


def test_the_fact_table_holds_every_year_from_1999_to_2021_once_per_election(nlrb_history_warehouse):
    warehouse, _, _ = nlrb_history_warehouse
    per_year = dict(query(warehouse, "select election_fiscal_year, count(*) from marts.fct_nlrb_election_outcomes "
                                     "where election_fiscal_year between 1999 and 2021 group by 1"))
    assert sorted(per_year) == list(range(1999, 2022))
    assert min(per_year.values()) >= 389  # FY1999, the first year of CATS, is the thinnest
    assert query(warehouse, "select count(*) = count(distinct election_key), count(distinct record_source) "
                            "from marts.fct_nlrb_election_outcomes") == [(True, 3)]


def test_cats_five_digit_case_numbers_join_the_reports_six_digit_ones(nlrb_history_warehouse):
    warehouse, _, _ = nlrb_history_warehouse
    # CATS's 01-RC-22416 is the FY2011 report's 01-RC-022416: one case, one row, from the report.
    assert query(warehouse, "select count(distinct case_number) from staging.stg_nlrb__cats_r_cases "
                            "join staging.stg_nlrb__election_reports using (case_number)") == [(39,)]
    assert query(warehouse, "select record_source, state from marts.fct_nlrb_election_outcomes "
                            "where case_number = '01-RC-022416'") == [("fy_report", "MA")]


def test_a_two_union_section_reads_by_its_own_header(nlrb_history_warehouse):
    """FY2020's second section has two more columns than the first: a plain read shifts them."""
    warehouse, _, _ = nlrb_history_warehouse
    assert query(warehouse, "select election_agreement, certified_representative, votes_for_labor_org_2, "
                            "_section_header_line from raw.nlrb_election_reports "
                            "where case_number = '02-RC-254888'") == [("Directed", "WON", 39, 892)]
    assert query(warehouse, "select union_won, union_won_basis, unions_on_ballot from marts.fct_nlrb_election_outcomes "
                            "where case_number = '02-RC-254888'") == [(True, "certification", 2)]
    # The UD section counts votes for and against the proposition.
    assert query(warehouse, "select for_proposition, against_proposition from raw.nlrb_election_reports "
                            "where case_number = '04-UD-252674'") == [(125, 248)]


def test_rows_marked_won_and_lost_are_kept_flagged_and_decided_by_the_closing(nlrb_history_warehouse):
    warehouse, _, _ = nlrb_history_warehouse
    assert query(warehouse, "select count(*) from raw.nlrb_election_reports "
                            "where certified_representative = 'WON' and certified_results = 'LOSS'") == [(29,)]
    assert query(warehouse, "select count(*) from staging.stg_nlrb__election_reports where is_marked_won_and_lost") == [
        (29,)]
    assert query(warehouse, "select closed_reason, union_won, count(*) from marts.fct_nlrb_election_outcomes "
                            "where is_marked_won_and_lost group by all order by 1") == [
        ("Certific. of Representative", True, 22), ("Certification of Results", False, 9)]


def test_union_names_agree_with_the_hand_check(nlrb_history_warehouse):
    """59 real names drawn at random and labelled by reading them (bench/union_names/); '' is an independent union."""
    warehouse, _, _ = nlrb_history_warehouse
    with HAND_CHECK.open(newline="") as handle:
        labelled = list(csv.DictReader(handle))
    found = dict(query(warehouse, "select union_name, coalesce(affiliation, '') from intermediate.int_union_names"))
    wrong = [(row["union_name"], found[row["union_name"]]) for row in labelled
             if found[row["union_name"]] not in row["affiliation"].split("|")]
    assert len(labelled) == 59 and len(wrong) <= 2, wrong


@pytest.mark.parametrize(("name", "affiliation", "designation"), [
    ("INTERNATIONAL BROTHERHOOD OF TEAMSTERS, LOCAL 633", "IBT", "633"),
    ("SERVICE EMPLOYEES INTERNATIONAL UNION, LOCAL NO. 509", "SEIU", "509"),
    ("Local 32BJ - SEIU", "SEIU", "32BJ"),
    ("Local 116, RWDSU, UFCW", "RWDSU", "116"),
    ("International Association of Machinists and Aerospace Workers, Local Lodge 568", "IAM", "568"),
    ("National Organization of Legal Services Workers/ United Auto Workers Local 2320", "UAW", "2320"),
    ("Maine State Nurses Association", None, None),
])
def test_one_union_spelled_many_ways_is_one_affiliation_and_local(nlrb_history_warehouse, name, affiliation,
                                                                   designation):
    warehouse, _, _ = nlrb_history_warehouse
    assert query(warehouse, "select affiliation, designation from intermediate.int_union_names "
                            f"where union_name = '{name}'") == [(affiliation, designation)]
