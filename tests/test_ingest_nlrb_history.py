"""The NLRB history formats on handmade files: sectioned election reports (xlsx_sections) and CATS XML zips (xml).

Real files: tests/test_nlrb_history_real.py. These pin the layouts' edge cases and what bad input does.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_ingest import XSI, rows_of, write_xml_zip, xml_document

from shopfloor.ingest import IngestError, load_source

ONE_UNION = ["Region", "Case Number", "Case ID", "Case Name", "Case Type", "Dispute Unit City", "Dispute Unit State",
             "Election Held Date", "Num Eligible Voters", "Valid Votes Against", "Votes for Labor Org 1",
             "Labor Org 1 Name", "Stipulated / Consent / Directed", "Cert of Rep (Win)", "Cert of Results (Loss)",
             "Closed Date", "Closed Reason"]
TWO_UNIONS = [*ONE_UNION[:12], "Votes for Labor Org 2", "Labor Org 2 Name", *ONE_UNION[12:15], "Union To Certify",
              *ONE_UNION[15:]]
CATS_TAGS = ["R_Case_Number", "Case_Name", "Status", "Union_Involved", "Election_Results", "Tally_Ballot_Date",
             "Date_Election", "Date_Filed", "Date_Closed", "Closing_Method", "NAICS_Code", "Unit_ID",
             "Bargaining_Unit_Code", "Tally_Type", "Num_Elig_Employees", "Num_Valid_Votes", "Num_Votes_For",
             "Num_Votes_Against", "Unit_Loc_City", "Unit_Loc_State", "UNIT_Location_County", "Petitioner",
             "Employer_Address_1", "Employer_Address_2", "Employer_City", "Employer_State", "Employer_Zip",
             "MultiUnion"]


def one_union_row(case: str, won: bool) -> list:
    return ["02", case, "", "Acme Widgets, Inc.", "RC", "Bronx", "NY", date(2020, 2, 20), 40, 10, 25,
            "Teamsters Local 553", "Stipulated", "WON" if won else "", "" if won else "LOSS", date(2020, 3, 1),
            "Certific. of Representative" if won else "Certification of Results"]


def two_union_row(case: str) -> list:
    return ["02", case, "", "CBT ParaTransit, Inc", "RC", "Bronx", "NY", date(2020, 2, 20), 179, 9, 51, "Local 854",
            39, "Teamsters, Local 553", "Directed", "WON", "", "Local 854", date(2020, 4, 9),
            "Certific. of Representative"]


def write_report(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook of sheets as given (rows from row 1), like the NLRB's yearly Elections reports."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def fy2020_style(path: Path, second_header: list[str] = TWO_UNIONS, title_rows: bool = True) -> Path:
    """One sheet: a one-union section, then a two-union section under its own title rows (FY2020-21)."""
    titles = [["Rows 1 - 2 (All Rows)"], [], ["", "NLRB Elections with 2 Labor Organizations"],
              ["", "Time run: 10/16/2020 7:37:11 AM"], []] if title_rows else []
    return write_report(path, {"NLRB Elections": [
        ONE_UNION, one_union_row("02-RC-000001", True), one_union_row("02-RC-000002", False),
        *titles, second_header, two_union_row("02-RC-254888"),
    ]})


def cats_row(case: str, **values: str) -> list[str]:
    row = {tag: "" for tag in CATS_TAGS} | {
        "R_Case_Number": case, "Case_Name": "Gorham Healthcare d/b/a Gorham", "Status": "Close",
        "Election_Results": "WIN", "Date_Election": "1999-05-20T00:00:00", "Date_Filed": "1999-03-04T00:00:00",
        "Tally_Ballot_Date": "1999-05-20T00:00:00", "Date_Closed": "1999-06-01T00:00:00",
        "Closing_Method": "Rep   (Certification of Representative)", "Unit_ID": "A ", "Tally_Type": "IInit",
        "Num_Elig_Employees": "166", "Num_Valid_Votes": "154", "Num_Votes_For": "83", "Num_Votes_Against": "71",
        "Union_Involved": "UFCW Local 1",
        "Unit_Loc_City": "Gorham                        ", "Unit_Loc_State": "Maine    ", "Petitioner": "SEIU Local 1989",
        "MultiUnion": "N",
    } | values
    return [row[tag] for tag in CATS_TAGS]


def test_each_section_is_read_by_its_own_header_so_no_column_shifts(con, landing):
    fy2020_style(landing / "nlrb" / "nlrb20_raw.xlsx")

    report = load_source(con, "nlrb", landing)

    assert report.tables["nlrb_election_reports"].rows_loaded == 3
    # Under the first section's header the second union's 39 votes would read as the election agreement and
    # its name as "Cert of Rep (Win)", so the won election would read as lost.
    assert rows_of(con, "SELECT election_agreement, certified_representative, certified_results, "
                        "votes_for_labor_org_2, labor_org_2_name, union_to_certify, _sheet_name, _section_header_line, "
                        "_source_line FROM raw.nlrb_election_reports WHERE case_number = '02-RC-254888'") == [
        ("Directed", "WON", None, 39, "Teamsters, Local 553", "Local 854", "NLRB Elections", 9, 10)]
    assert rows_of(con, "SELECT count(*) FROM raw.nlrb_election_reports WHERE votes_for_labor_org_2 IS NULL") == [(2,)]


def test_sheets_per_section_with_title_rows_and_a_skipped_summary(con, landing):
    write_report(landing / "nlrb" / "nlrb11_raw.xlsx", {
        "FY2011-Summary": [["", "NLRB Elections - Summary"], [], ["Case Type", "No. of Elections"], ["RC", 2]],
        "FY2011-1 Labor Org": [ONE_UNION, one_union_row("01-RC-022416", True)],
        "FY2011-2 Labor Orgs": [["NLRB Elections with 2 Labor Organizations"], ["Time run: 9/7/2021"], [],
                                TWO_UNIONS, two_union_row("02-RC-023442")],
    })

    load_source(con, "nlrb", landing)

    assert rows_of(con, "SELECT case_number, _sheet_name, _source_line FROM raw.nlrb_election_reports ORDER BY 1") == [
        ("01-RC-022416", "FY2011-1 Labor Org", 2), ("02-RC-023442", "FY2011-2 Labor Orgs", 5)]


def test_a_section_header_that_lost_a_column_fails_its_file_naming_sheet_and_row_and_the_others_load(con, landing):
    moved = [("Closing Reason" if name == "Closed Reason" else name) for name in TWO_UNIONS]
    fy2020_style(landing / "nlrb" / "a_nlrb20_raw.xlsx", second_header=moved)
    fy2020_style(landing / "nlrb" / "b_nlrb21_raw.xlsx")

    with pytest.raises(IngestError) as error:
        load_source(con, "nlrb", landing)

    assert str(error.value) == (
        "nlrb/a_nlrb20_raw.xlsx, sheet 'NLRB Elections', section header at row 9 (layout nlrb_fy_election_reports): "
        "missing required column 'Closed Reason'; unexpected column 'Closing Reason'")
    assert rows_of(con, "SELECT DISTINCT _source_file FROM raw.nlrb_election_reports") == [("nlrb/b_nlrb21_raw.xlsx",)]
    assert rows_of(con, "SELECT source_file, status FROM raw._loads ORDER BY 1") == [
        ("nlrb/a_nlrb20_raw.xlsx", "failed"), ("nlrb/b_nlrb21_raw.xlsx", "loaded")]


def test_rows_under_a_title_with_no_header_are_rejected_with_the_reason(con, landing):
    fy2020_style(landing / "nlrb" / "nlrb20_raw.xlsx", second_header=["Rows below lost their header"])

    report = load_source(con, "nlrb", landing)

    assert (report.tables["nlrb_election_reports"].rows_loaded, report.files[0].rows_rejected) == (2, 1)
    line, reason, record = rows_of(con, "SELECT line, reason, raw_record FROM raw.nlrb_election_reports__rejected")[0]
    assert line == 10 and reason.startswith("OUTSIDE A SECTION: sheet 'NLRB Elections' has no header row")
    assert record.startswith("NLRB Elections\t02\t02-RC-254888\t")


def test_a_sheet_with_no_section_fails_the_file_naming_the_sheet(con, landing):
    write_report(landing / "nlrb" / "nlrb12_raw.xlsx", {
        "FY2012-1 Labor Org": [ONE_UNION, one_union_row("01-RC-022514", True)],
        "FY2012-2 Labor Orgs": [["NLRB Elections with 2 Labor Organizations"], two_union_row("02-RC-023442")],
    })

    with pytest.raises(IngestError, match=r"^nlrb/nlrb12_raw\.xlsx, sheet 'FY2012-2 Labor Orgs': no section header"):
        load_source(con, "nlrb", landing)
    assert rows_of(con, "SELECT count(*) FROM raw.nlrb_election_reports") == [(0,)]


def test_cats_xml_streams_typed_keeps_padding_and_repeats_and_reads_nil_as_null(con, landing):
    rows = [cats_row("01-RC-20984"), cats_row("01-RC-20984"), cats_row("01-RC-21070", Num_Votes_For="4")]
    document = xml_document(CATS_TAGS, rows).replace(
        "<Union_Involved>UFCW Local 1</Union_Involved>", '<Union_Involved xsi:nil="true"/>', 1)
    assert XSI in document
    write_xml_zip(landing / "nlrb" / "CATS-FRF-R-2000.final.zip", CATS_TAGS, rows, document=document.encode("utf-16"))

    report = load_source(con, "nlrb", landing)

    assert report.tables["nlrb_cats_r_cases"].rows_loaded == 3
    assert rows_of(con, "SELECT case_number, unit_id, unit_loc_state, date_election, num_votes_for, union_involved, "
                        "_source_line FROM raw.nlrb_cats_r_cases ORDER BY _source_line") == [
        ("01-RC-20984", "A ", "Maine    ", date(1999, 5, 20), 83, None, 1),
        ("01-RC-20984", "A ", "Maine    ", date(1999, 5, 20), 83, "UFCW Local 1", 2),
        ("01-RC-21070", "A ", "Maine    ", date(1999, 5, 20), 4, "UFCW Local 1", 3),
    ]
    assert rows_of(con, "SELECT encoding FROM raw._loads") == [("xml",)]


def test_cats_rows_with_a_bad_value_or_an_unknown_field_are_rejected_with_reasons(con, landing):
    rows = [cats_row("01-RC-1", Num_Votes_For="eighty"), cats_row("01-RC-2")]
    document = xml_document(CATS_TAGS, rows).replace("<MultiUnion>N</MultiUnion></row></root>",
                                                      "<MultiUnion>N</MultiUnion><Agent>x</Agent></row></root>")
    write_xml_zip(landing / "nlrb" / "cats.zip", CATS_TAGS, rows, document=document.encode("utf-16"))

    report = load_source(con, "nlrb", landing)

    assert (report.files[0].rows_loaded, report.files[0].rows_rejected) == (0, 2)
    assert rows_of(con, "SELECT line, column_name, reason FROM raw.nlrb_cats_r_cases__rejected ORDER BY 1") == [
        (1, "num_votes_for", "CAST: could not convert 'eighty' to INTEGER"),
        (2, "Agent", "UNKNOWN FIELD: <Agent> is no column of layout nlrb_cats_r_cases"),
    ]


def test_a_cats_row_naming_a_field_twice_is_rejected_not_overwritten(con, landing):
    """The first row is the header: a field twice there fails the file as a duplicated column."""
    rows = [cats_row("01-RC-1"), cats_row("01-RC-2")]
    document = xml_document(CATS_TAGS, rows).replace("<MultiUnion>N</MultiUnion></row></root>",
                                                      "<MultiUnion>N</MultiUnion><Num_Votes_For>12</Num_Votes_For></row></root>")
    write_xml_zip(landing / "nlrb" / "cats.zip", CATS_TAGS, rows, document=document.encode("utf-16"))

    load_source(con, "nlrb", landing)

    assert rows_of(con, "SELECT line, reason FROM raw.nlrb_cats_r_cases__rejected") == [
        (2, "DUPLICATED FIELD: a child element appears twice in the row")]


@pytest.mark.parametrize(("document", "reason"), [
    pytest.param(lambda text: text[: len(text) * 2 // 3].encode("utf-16"),
                 r"not well-formed XML at line 2, column \d+, after row 1 \(", id="truncated"),
    pytest.param(lambda text: text.replace("Gorham Healthcare", "Gorham Sant\u00e9").encode("latin-1"),
                 r"not well-formed XML at line 2, column \d+, after row 0 \(.*not in the encoding it declares",
                 id="wrong-encoding"),
])
def test_a_broken_xml_file_fails_naming_file_and_place_and_the_other_files_load(con, landing, document, reason):
    rows = [cats_row("01-RC-1"), cats_row("01-RC-2")]
    write_xml_zip(landing / "nlrb" / "a_broken.zip", CATS_TAGS, rows,
                  document=document(xml_document(CATS_TAGS, rows)))
    write_xml_zip(landing / "nlrb" / "b_fine.zip", CATS_TAGS, rows)

    with pytest.raises(IngestError, match=r"^nlrb/a_broken\.zip: " + reason):
        load_source(con, "nlrb", landing)

    assert rows_of(con, "SELECT _source_file, count(*) FROM raw.nlrb_cats_r_cases GROUP BY 1") == [("nlrb/b_fine.zip", 2)]


def test_a_truncated_zip_fails_naming_the_file(con, landing):
    path = write_xml_zip(landing / "nlrb" / "CATS-FRF-R-2001.final.zip", CATS_TAGS, [cats_row("01-RC-1")])
    path.write_bytes(path.read_bytes()[:200])

    with pytest.raises(IngestError, match=r"^nlrb/CATS-FRF-R-2001\.final\.zip: not a readable zip archive"):
        load_source(con, "nlrb", landing)
