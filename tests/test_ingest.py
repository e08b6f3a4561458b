"""The raw loader on tiny handmade files (fake people only): every layout, lineage, rejects, bad input."""

from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import pytest

from shopfloor.ingest import IngestError, LayoutError, detect_layout, load_source
from shopfloor.layouts import Layout, load_registry

REGISTRY = load_registry()
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def fake_value(layout: Layout, header: str, row: int) -> str:
    """A value of the column's type, unique per row so keys never collide."""
    kind = layout.type_of(layout.raw_name(header))
    if kind in ("INTEGER", "BIGINT"):
        return str(100 + row)
    if kind == "DATE":
        return (date(2021, 3, 1) + timedelta(days=row)).strftime(layout.dateformat or "%Y-%m-%d")
    if kind.startswith("DECIMAL"):
        return f"{row}.25"
    return f"Fake {header} {row}"


def write_delimited(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",",
                    encoding: str = "utf-8", line_end: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter, quotechar='"', lineterminator=line_end)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_layout_file(landing: Path, layout: Layout, rows: int = 3, name: str | None = None,
                      columns: list[str] | None = None, extra_header: list[str] | None = None) -> Path:
    """A file in the layout (default: all its columns), in its folder, with `rows` rows of fake values."""
    header = list(columns or layout.columns) + list(extra_header or [])
    values = [[fake_value(layout, h, i) for h in header] for i in range(rows)]
    suffix = {"xlsx": "xlsx", "xlsx_sections": "xlsx", "xml": "zip"}.get(layout.format, "csv")
    path = landing / layout.source / (name or f"{layout.name}.{suffix}")
    if layout.format in ("xlsx", "xlsx_sections"):
        return write_xlsx(path, header, values, header_row=layout.header_row)
    if layout.format == "xml":
        return write_xml_zip(path, header, values, row_tag=layout.row_tag)
    return write_delimited(path, header, values, delimiter=layout.delimiter)


def xml_document(header: list[str], rows: list[list[str]], row_tag: str = "row") -> str:
    """CATS's shape: a stylesheet line, then one root element holding every row on one text line."""
    body = "".join(
        f"<{row_tag}>" + "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in zip(header, row)) + f"</{row_tag}>"
        for row in rows
    )
    return f'<?xml-stylesheet type="text/xsl" href="x.xsl"?>\n<root xmlns:xsi="{XSI}">{body}</root>'


def write_xml_zip(path: Path, header: list[str], rows: list[list[str]], row_tag: str = "row",
                  document: bytes | None = None) -> Path:
    """A zip holding one UTF-16 XML file (with its BOM) and an XSL beside it, as the NLRB publishes CATS."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{path.stem}.xml", document if document is not None
                         else xml_document(header, rows, row_tag).encode("utf-16"))
        archive.writestr("NLRB-FOIA.xsl", "<xsl:stylesheet/>")
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]], header_row: int = 1) -> Path:
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for title_row in range(1, header_row):
        sheet.append([f"Title row {title_row}"] if title_row == 1 else [])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def rows_of(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


@pytest.mark.parametrize("layout_name", sorted(REGISTRY))
def test_every_layout_loads_typed_with_lineage(con, landing, layout_name):
    layout = REGISTRY[layout_name]
    path = write_layout_file(landing, layout, rows=3)

    assert detect_layout(path, layout.source).name == layout_name
    report = load_source(con, layout.source, landing)

    table = report.tables[layout.table]
    assert (table.files_loaded, table.rows_loaded, table.rows_rejected) == (1, 3, 0)
    assert table.total_rows_in_table == 3 and table.rejected_total == 0
    first_header = layout.columns[0]
    first_value = rows_of(con, f'SELECT "{layout.raw_name(first_header)}" FROM raw.{layout.table} '
                               "ORDER BY _source_line LIMIT 1")[0][0]
    assert str(first_value) == fake_value(layout, first_header, 0)
    lineage = rows_of(con, f"SELECT DISTINCT _source_file, _file_sha256 IS NOT NULL, _load_id IS NOT NULL, "
                           f"_loaded_at IS NOT NULL FROM raw.{layout.table}")
    assert lineage == [(f"{layout.source}/{path.name}", True, True, True)]
    lines = [line for (line,) in rows_of(con, f"SELECT _source_line FROM raw.{layout.table} ORDER BY 1")]
    first_line = 1 if layout.format == "xml" else layout.header_row + 1  # XML: the row element's ordinal
    assert lines == [first_line, first_line + 1, first_line + 2]
    date_columns = [c for c in layout.raw_columns if layout.type_of(c) == "DATE"]
    if date_columns:
        assert rows_of(con, f'SELECT min("{date_columns[0]}") FROM raw.{layout.table}')[0][0] == date(2021, 3, 1)
    loads = rows_of(con, "SELECT layout, status, rows_loaded, rows_rejected FROM raw._loads")
    assert loads == [(layout_name, "loaded", 3, 0)]


def test_ncvoter_layouts_share_one_table_with_nulls_for_absent_columns(con, landing):
    write_layout_file(landing, REGISTRY["ncvoter_2022"], rows=2, name="ncvoter_new.txt")
    write_layout_file(landing, REGISTRY["ncvoter_pre2022"], rows=3, name="ncvoter_old.txt")

    report = load_source(con, "voter_files", landing)

    assert report.tables["ncvoter"].rows_loaded == 5
    by_file = rows_of(con, "SELECT _source_file, count(age_at_year_end), count(birth_age), count(ncid) "
                           "FROM raw.ncvoter GROUP BY 1 ORDER BY 1")
    assert by_file == [("voter_files/ncvoter_new.txt", 2, 0, 2), ("voter_files/ncvoter_old.txt", 0, 3, 3)]


def test_optional_columns_may_be_absent(con, landing):
    layout = REGISTRY["osha_violation"]
    write_layout_file(landing, layout, rows=2, columns=[c for c in layout.columns if c != "load_dt"])

    report = load_source(con, "osha", landing)

    assert report.tables["osha_violation"].rows_loaded == 2
    assert rows_of(con, "SELECT count(*), count(load_dt) FROM raw.osha_violation") == [(2, 0)]


def write_ohio_file(landing: Path, name: str, elections: list[str], votes: dict[str, list[str]]) -> Path:
    layout = REGISTRY["ohio_swvf"]
    rows = []
    for number, (voter_id, voted) in enumerate(votes.items()):
        row = [fake_value(layout, h, number) for h in layout.columns]
        row[layout.columns.index("SOS_VOTERID")] = voter_id
        rows.append(row + voted)
    return write_delimited(landing / "voter_files" / name, [*layout.columns, *elections], rows)


def test_ohio_election_columns_are_unpivoted_per_file(con, landing):
    write_ohio_file(landing, "SWVF_1_22.txt", ["PRIMARY-05/03/2022", "GENERAL-11/08/2022"],
                    {"OH0001": ["D", "X"], "OH0002": ["", "X"]})
    write_ohio_file(landing, "SWVF_23_44.txt", ["SPECIAL-08/02/2022"], {"OH0003": ["X"]})

    report = load_source(con, "voter_files", landing)

    assert report.tables["ohio_voters"].rows_loaded == 3
    assert report.tables["ohio_voter_history"].rows_loaded == 4
    again = load_source(con, "voter_files", landing).tables["ohio_voter_history"]
    assert (again.files_skipped_already_loaded, again.rows_loaded, again.total_rows_in_table) == (2, 0, 4)
    history = rows_of(con, "SELECT sos_voterid, election_column, election_type, election_date, value, _source_line "
                           "FROM raw.ohio_voter_history ORDER BY election_date, sos_voterid")
    assert history == [
        ("OH0001", "PRIMARY-05/03/2022", "PRIMARY", date(2022, 5, 3), "D", 2),
        ("OH0003", "SPECIAL-08/02/2022", "SPECIAL", date(2022, 8, 2), "X", 2),
        ("OH0001", "GENERAL-11/08/2022", "GENERAL", date(2022, 11, 8), "X", 2),
        ("OH0002", "GENERAL-11/08/2022", "GENERAL", date(2022, 11, 8), "X", 3),
    ]
    voter_columns = [c for (c, *_) in rows_of(con, "DESCRIBE raw.ohio_voters")]
    assert "sos_voterid" in voter_columns and not any(c.startswith("GENERAL") for c in voter_columns)


def test_ohio_election_column_with_an_impossible_date_is_a_layout_error(con, landing):
    write_ohio_file(landing, "SWVF_1_22.txt", ["GENERAL-13/45/2022"], {"OH0001": ["X"]})

    with pytest.raises(LayoutError, match="election column 'GENERAL-13/45/2022' holds no valid date"):
        load_source(con, "voter_files", landing)


def test_latin1_file_lands_accented_names_and_records_its_encoding(con, landing):
    layout = REGISTRY["ncvoter_2022"]
    header = list(layout.columns)
    row = [fake_value(layout, h, 0) for h in header]
    row[header.index("last_name")] = "MUÑOZ"
    row[header.index("first_name")] = "JOSÉ"
    # Windows line ends too, as the state's exports have them.
    write_delimited(landing / "voter_files" / "ncvoter1.txt", header, [row], "\t", encoding="latin-1", line_end="\r\n")

    report = load_source(con, "voter_files", landing)

    assert report.tables["ncvoter"].rows_loaded == 1 and report.tables["ncvoter"].rows_rejected == 0
    assert rows_of(con, "SELECT last_name, first_name, vtd_desc FROM raw.ncvoter") == [
        ("MUÑOZ", "JOSÉ", "Fake vtd_desc 0")]
    assert rows_of(con, "SELECT encoding FROM raw._loads") == [("latin-1",)]
    assert report.files[0].encoding == "latin-1"


def test_bad_values_and_malformed_rows_go_to_rejects_with_record_lines(con, landing):
    """_source_line counts records (header = 1), so a multi-line field does not shift later numbers."""
    header = ["Grievance No", "Member #", "Employer", "Worksite", "Supervisor", "Article", "Category",
              "Date Filed", "Incident Date", "Step", "Status", "Outcome", "Settlement ($)", "Description"]
    good = ["G-{}", "M-1", "Acme", "Plant 1", "Pat Doe", "12", "Safety", "01/05/2022", "01/02/2022", "1",
            "Open", "", "10.50", "text"]
    lines = [",".join(f'"{v}"' for v in header)]
    for number in range(1, 9):
        lines.append(",".join(f'"{v}"' for v in good).replace("G-{}", f"G-{number}"))
    lines[1] = lines[1].replace('"text"', '"first line\nsecond line"')  # record 1 spans two physical lines
    lines[3] = lines[3].replace("01/05/2022", "2022-13-45")  # record 3: bad date
    lines[5] = lines[5] + ',"extra"'  # record 5: too many columns
    lines[6] = lines[6].replace('"10.50"', '"ten"')  # record 6: bad decimal
    lines[7] = '"G-7","M-1"'  # record 7: too few columns
    path = landing / "grievances" / "log.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n")

    report = load_source(con, "grievances", landing)

    assert (report.tables["grievances"].rows_loaded, report.tables["grievances"].rows_rejected) == (4, 4)
    loaded = rows_of(con, "SELECT grievance_id, _source_line FROM raw.grievances ORDER BY _source_line")
    assert loaded == [("G-1", 2), ("G-2", 3), ("G-4", 5), ("G-8", 9)]
    rejects = rows_of(con, "SELECT DISTINCT source_file, line, split_part(reason, ':', 1) "
                           "FROM raw.grievances__rejected ORDER BY line")
    assert rejects == [
        ("grievances/log.csv", 4, "CAST"),
        ("grievances/log.csv", 6, "TOO MANY COLUMNS"),
        ("grievances/log.csv", 7, "CAST"),
        ("grievances/log.csv", 8, "MISSING COLUMNS"),
    ]
    cast_columns = rows_of(con, "SELECT line, column_name FROM raw.grievances__rejected "
                                "WHERE reason LIKE 'CAST%' ORDER BY line")
    assert cast_columns == [(4, "filed_date"), (7, "settlement_amount")]
    raw_record = rows_of(con, "SELECT raw_record FROM raw.grievances__rejected WHERE line = 4")[0][0]
    assert '"G-3"' in raw_record and "2022-13-45" in raw_record


def test_line_numbers_stay_exact_with_many_scattered_rejects(con, landing):
    layout = REGISTRY["osha_related_activity"]
    rows = []
    for number in range(1, 5001):
        activity = "not-a-number" if number % 7 == 0 or number in (1, 2, 4999) else str(number)
        rows.append([activity, "I", str(number), "X", "", ""])
    write_delimited(landing / "osha" / "related.csv", list(layout.columns), rows)

    report = load_source(con, "osha", landing)

    rejected = {n for n in range(1, 5001) if n % 7 == 0 or n in (1, 2, 4999)}
    assert report.tables["osha_related_activity"].rows_rejected == len(rejected)
    # rel_act_nr holds the record number, so every accepted row must sit on line record + 1.
    assert rows_of(con, "SELECT count(*) FROM raw.osha_related_activity WHERE _source_line <> rel_act_nr + 1") == [(0,)]
    assert {line - 1 for (line,) in rows_of(con, "SELECT line FROM raw.osha_related_activity__rejected")} == rejected


def test_unterminated_quote_is_rejected_not_fatal(con, landing):
    path = landing / "osha" / "related.csv"
    path.parent.mkdir(parents=True)
    path.write_text('activity_nr,rel_type,rel_act_nr,rel_safety,rel_health,load_dt\n1,I,2,X,,\n3,"I,4,X,,\n')

    report = load_source(con, "osha", landing)

    assert (report.tables["osha_related_activity"].rows_loaded, report.tables["osha_related_activity"].rows_rejected) == (1, 1)
    assert rows_of(con, "SELECT line, reason FROM raw.osha_related_activity__rejected") == [
        (3, "UNQUOTED VALUE: Value with unterminated quote found.")]


def test_duplicate_keys_within_a_file_keep_the_first(con, landing):
    layout = REGISTRY["sample_union_members_csv"]
    path = write_layout_file(landing, layout, rows=3, name="roll.csv")
    rows = list(csv.reader(path.open(newline="")))
    rows.append(rows[1][:])  # line 5 repeats line 2's member id
    rows[-1][1] = "Other"
    write_delimited(path, rows[0], rows[1:])

    report = load_source(con, "membership", landing)

    assert (report.tables["members"].rows_loaded, report.tables["members"].rows_rejected) == (3, 1)
    assert rows_of(con, "SELECT first_name FROM raw.members WHERE member_id = 'Fake Member # 0'") == [("Fake First Name 0",)]
    assert rows_of(con, "SELECT line, column_name, reason FROM raw.members__rejected") == [
        (5, "member_id", "duplicate key (member_id) of line 2")]
    assert rows_of(con, "SELECT raw_record LIKE 'Fake Member # 0,Other,%' FROM raw.members__rejected") == [(True,)]


def test_xlsx_bad_cells_are_rejected_with_the_sheet_row(con, landing):
    layout = REGISTRY["sample_union_members_xlsx"]
    header = list(layout.columns)
    rows = [[fake_value(layout, h, i) for h in header] for i in range(3)]
    rows[0][header.index("DOB")] = datetime(1980, 5, 17)
    rows[1][header.index("Hire Date")] = "someday"
    write_xlsx(landing / "membership" / "roll.xlsx", header, rows)

    report = load_source(con, "membership", landing)

    assert (report.tables["members"].rows_loaded, report.tables["members"].rows_rejected) == (2, 1)
    assert rows_of(con, "SELECT birth_date, _source_line FROM raw.members ORDER BY 2") == [
        (date(1980, 5, 17), 2), (date(2021, 3, 3), 4)]
    assert rows_of(con, "SELECT line, column_name, reason FROM raw.members__rejected") == [
        (3, "hire_date", "CAST: could not convert 'someday' to DATE")]


def test_missing_required_column_names_file_layout_and_column(con, landing):
    layout = REGISTRY["osha_violation"]
    write_layout_file(landing, layout, name="violations.csv", columns=[c for c in layout.columns if c != "viol_type"])

    with pytest.raises(LayoutError) as error:
        load_source(con, "osha", landing)

    assert str(error.value) == "osha/violations.csv (layout osha_violation): missing required column 'viol_type'"


def test_renamed_column_names_missing_and_unexpected(con, landing):
    layout = REGISTRY["osha_violation"]
    header = ["violation_type" if c == "viol_type" else c for c in layout.columns]
    path = write_layout_file(landing, layout, name="violations.csv", columns=header)

    with pytest.raises(LayoutError) as error:
        detect_layout(path, "osha")

    assert str(error.value) == ("osha/violations.csv (layout osha_violation): missing required column 'viol_type'; "
                                "unexpected column 'violation_type'")
    assert isinstance(error.value, ValueError)


def test_file_in_the_wrong_folder_is_an_unknown_layout(con, landing):
    osha_file = write_layout_file(landing, REGISTRY["osha_accident_injury"], name="injuries.csv")
    misplaced = landing / "nlrb" / "injuries.csv"
    misplaced.parent.mkdir(parents=True)
    misplaced.write_bytes(osha_file.read_bytes())
    osha_file.unlink()

    with pytest.raises(LayoutError) as error:
        load_source(con, "nlrb", landing)

    message = str(error.value)
    assert message.startswith("nlrb/injuries.csv: unknown layout")
    for expected in ("nlrb_foia_tallies", "nlrb_recent_results", "nlrb_case_search"):
        assert expected in message


def test_empty_and_header_only_files(con, landing):
    layout = REGISTRY["sample_union_grievances"]
    write_layout_file(landing, layout, rows=0, name="header_only.csv")
    (landing / "grievances" / "zero.csv").write_bytes(b"")

    report = load_source(con, "grievances", landing)

    assert report.tables["grievances"].rows_loaded == 0 and report.tables["grievances"].rows_rejected == 1
    assert {(f.source_file, f.status) for f in report.files} == {
        ("grievances/header_only.csv", "loaded"), ("grievances/zero.csv", "empty")}
    assert rows_of(con, "SELECT source_file, line, reason FROM raw.grievances__rejected") == [
        ("grievances/zero.csv", 0, "empty file")]
    assert rows_of(con, "SELECT source_file, status, rows_loaded FROM raw._loads ORDER BY 1") == [
        ("grievances/header_only.csv", "loaded", 0), ("grievances/zero.csv", "empty", 0)]
    again = load_source(con, "grievances", landing)
    assert again.tables["grievances"].files_skipped_already_loaded == 2
    assert rows_of(con, "SELECT count(*) FROM raw.grievances__rejected") == [(1,)]


def test_utf8_byte_order_mark_is_not_part_of_the_first_header(con, landing):
    layout = REGISTRY["sample_union_grievances"]
    path = write_layout_file(landing, layout, rows=2, name="log.csv")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    report = load_source(con, "grievances", landing)

    assert report.tables["grievances"].rows_loaded == 2
    assert rows_of(con, "SELECT min(grievance_id), min(_source_line) FROM raw.grievances") == [("Fake Grievance No 0", 2)]
    assert report.files[0].encoding == "utf-8"


def test_xlsx_corrupt_below_a_readable_header_fails_before_loading_and_names_the_file(con, landing):
    """calamine parses the whole sheet to read its header, so the damage stops the source before any row moves."""
    import zipfile

    layout = REGISTRY["sample_union_members_xlsx"]
    good = write_layout_file(landing, layout, rows=300, name="roll.xlsx")
    damaged = landing / "membership" / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data)
    good.unlink()

    with pytest.raises(IngestError, match=r"^membership/damaged\.xlsx: not a readable xlsx workbook"):
        load_source(con, "membership", landing)

    assert rows_of(con, "SELECT count(*) FROM raw.members") == [(0,)]
    assert rows_of(con, "SELECT count(*) FROM raw._loads") == [(0,)]


def test_truncated_xlsx_raises_a_clear_error_naming_the_file(con, landing):
    good = write_xlsx(landing / "membership" / "roll.xlsx", list(REGISTRY["sample_union_members_xlsx"].columns), [])
    good.write_bytes(good.read_bytes()[:700])

    with pytest.raises(IngestError, match=r"^membership/roll\.xlsx: not a readable xlsx workbook") as error:
        load_source(con, "membership", landing)

    assert "Traceback" not in str(error.value)


def test_same_file_twice_is_skipped_and_counted(con, landing):
    layout = REGISTRY["osha_accident"]
    path = write_layout_file(landing, layout, rows=4, name="accidents.csv")
    load_source(con, "osha", landing)
    (path.parent / "copy_of_accidents.csv").write_bytes(path.read_bytes())

    report = load_source(con, "osha", landing)

    table = report.tables["osha_accident"]
    assert (table.files_loaded, table.files_skipped_already_loaded, table.rows_loaded) == (0, 2, 0)
    assert table.total_rows_in_table == 4
    assert rows_of(con, "SELECT count(*) FROM raw._loads") == [(1,)]
    assert report.dagster_metadata()["raw.osha_accident"]["files_skipped_already_loaded"] == 2


def test_a_bad_file_fails_the_source_before_anything_loads_and_keeps_earlier_loads(con, landing):
    layout = REGISTRY["osha_accident"]
    write_layout_file(landing, layout, rows=4, name="accidents_2021.csv")
    load_source(con, "osha", landing)
    write_layout_file(landing, layout, rows=5, name="accidents_2022.csv")
    write_layout_file(landing, layout, rows=2, name="accidents_broken.csv",
                      columns=[c for c in layout.columns if c != "event_date"])

    with pytest.raises(LayoutError, match="accidents_broken.csv .layout osha_accident.: missing required column 'event_date'"):
        load_source(con, "osha", landing)

    assert rows_of(con, "SELECT DISTINCT _source_file FROM raw.osha_accident") == [("osha/accidents_2021.csv",)]
    assert rows_of(con, "SELECT count(*) FROM raw.osha_accident") == [(4,)]


def test_every_bad_file_of_a_source_is_named_in_one_error(con, landing):
    layout = REGISTRY["osha_accident"]
    write_layout_file(landing, layout, rows=1, name="fine.csv")
    write_layout_file(landing, layout, rows=1, name="no_date.csv", columns=[c for c in layout.columns if c != "event_date"])
    (landing / "osha" / "notes.csv").write_text("author,remark\nA. Nonymous,hello\n")

    with pytest.raises(LayoutError) as error:
        load_source(con, "osha", landing)

    message = str(error.value)
    assert message.startswith("osha: 2 file(s) cannot be loaded, nothing was loaded:")
    assert "osha/no_date.csv (layout osha_accident): missing required column 'event_date'" in message
    assert "osha/notes.csv: unknown layout" in message
    assert rows_of(con, "SELECT count(*) FROM raw.osha_accident") == [(0,)]


def test_a_failing_load_rolls_back_only_that_file(con, landing, monkeypatch):
    layout = REGISTRY["osha_accident"]
    write_layout_file(landing, layout, rows=4, name="a_first.csv")
    load_source(con, "osha", landing)
    write_layout_file(landing, layout, rows=5, name="b_second.csv")

    import shopfloor.ingest.loader as loader

    def disk_full(*args):
        raise duckdb.IOException("simulated: no space left on device")

    monkeypatch.setattr(loader, "reject_duplicate_keys", disk_full)
    with pytest.raises(IngestError, match=r"^osha/b_second\.csv: load failed and was rolled back"):
        load_source(con, "osha", landing)

    assert rows_of(con, "SELECT _source_file, count(*) FROM raw.osha_accident GROUP BY 1") == [("osha/a_first.csv", 4)]
    assert rows_of(con, "SELECT source_file, status FROM raw._loads ORDER BY 1") == [
        ("osha/a_first.csv", "loaded"), ("osha/b_second.csv", "failed")]
    monkeypatch.undo()
    report = load_source(con, "osha", landing)
    assert report.tables["osha_accident"].rows_loaded == 5


def test_hidden_files_and_truth_folders_are_ignored(con, landing):
    layout = REGISTRY["sample_union_grievances"]
    write_layout_file(landing, layout, rows=2, name="log.csv")
    (landing / "grievances" / ".~lock.log.csv#").write_text("lock")
    (landing / "grievances" / "~$log.xlsx").write_bytes(b"owner")
    (landing / "grievances" / ".cache").mkdir()
    (landing / "grievances" / ".cache" / "old.csv").write_text("not,a,layout\n")
    (landing / "grievances" / "_truth").mkdir()
    (landing / "grievances" / "_truth" / "answers.csv").write_text("not,a,layout\n")
    write_layout_file(landing, layout, rows=1, name="sub/more.csv")

    report = load_source(con, "grievances", landing)

    assert sorted(f.source_file for f in report.files) == ["grievances/log.csv", "grievances/sub/more.csv"]
    assert report.tables["grievances"].rows_loaded == 3


def test_xlsx_numbers_read_as_floats_type_by_column_below_empty_leading_rows(con, landing):
    """calamine reads 32 as 32.0 and starts a sheet at its first used row; neither may show in the raw table."""
    import openpyxl

    layout = REGISTRY["nlrb_foia_tallies"]
    header = list(layout.columns)
    rows = [[fake_value(layout, h, i) for h in header] for i in range(3)]
    for row, eligible in zip(rows, [32, "thirty", 32.5]):
        row[header.index("Num Eligible Voters")] = eligible
        row[header.index("Unit ID")] = 1234
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for column, value in enumerate(header, start=1):  # rows 1-3 left empty: no title above the header
        sheet.cell(row=layout.header_row, column=column, value=value)
    for row in rows:
        sheet.append(row)
    (landing / "nlrb").mkdir(parents=True)
    workbook.save(landing / "nlrb" / "tallies.xlsx")

    report = load_source(con, "nlrb", landing)

    assert (report.tables["nlrb_election_tallies"].rows_loaded, report.tables["nlrb_election_tallies"].rows_rejected
            ) == (1, 2)
    assert rows_of(con, "SELECT num_eligible_voters, unit_id, _source_line FROM raw.nlrb_election_tallies") == [
        (32, "1234", 5)]
    assert rows_of(con, "SELECT line, column_name, reason FROM raw.nlrb_election_tallies__rejected ORDER BY 1") == [
        (6, "num_eligible_voters", "CAST: could not convert 'thirty' to INTEGER"),
        (7, "num_eligible_voters", "CAST: could not convert 32.5 to INTEGER")]
    record = rows_of(con, "SELECT raw_record FROM raw.nlrb_election_tallies__rejected WHERE line = 6")[0][0]
    assert "\t1234\t" in record and "1234.0" not in record


# The plain form every common writer uses, and spellings calamine reads too, which the quick check leaves out.
@pytest.mark.parametrize("far_cell", ['<c r="XFD1048576"', "<c r = 'xfd1048576'", '<c\ns="0" r="XFD1048576"'])
def test_xlsx_sheet_stretched_to_its_last_cell_is_refused_before_it_is_read(con, landing, far_cell):
    """calamine would lay out A1:XFD1048576 as 17 billion cells and abort the process; the loader refuses it."""
    import zipfile

    layout = REGISTRY["sample_union_members_xlsx"]
    good = write_layout_file(landing, layout, rows=2, name="roll.xlsx")
    stretched = landing / "membership" / "stretched.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(stretched, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                far_row = f'<row r="1048576">{far_cell}><v>0</v></c></row>'.encode()
                data = data.replace(b"</sheetData>", far_row + b"</sheetData>")
            target.writestr(item, data)
    good.unlink()

    with pytest.raises(IngestError, match=r"^membership/stretched\.xlsx: a sheet spans 17,179,869,184 cells"):
        load_source(con, "membership", landing)

    assert rows_of(con, "SELECT count(*) FROM raw.members") == [(0,)]


def test_xlsx_rows_and_cells_without_positions_load_in_sheet_order(con, landing):
    """Some writers leave out r="B2": a row or cell is then one past the one before, in calamine and the size check."""
    import re
    import zipfile

    layout = REGISTRY["sample_union_members_xlsx"]
    good = write_layout_file(landing, layout, rows=3, name="roll.xlsx")
    unplaced = landing / "membership" / "unplaced.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(unplaced, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb' r="[A-Z]*\d+"', b"", data)
                assert b' r="' not in data
            target.writestr(item, data)
    good.unlink()

    report = load_source(con, "membership", landing)

    assert (report.tables["members"].rows_loaded, report.tables["members"].rows_rejected) == (3, 0)
    assert rows_of(con, "SELECT member_id, _source_line FROM raw.members ORDER BY 2") == [
        (fake_value(layout, "Member #", i), i + 2) for i in range(3)]
