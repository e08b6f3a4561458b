"""Publishing on contract-shaped synthetic inputs: what the lists hold, what they may never hold, how they are written.

The synthetic warehouse (shopfloor/publish/synthetic.py) has every relation the lists read, with people that
suppression must drop. Tests here need no Dagster and no sample run: one in-memory DuckDB each.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import stat
from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from shopfloor.publish import publish_lists
from shopfloor.publish.allowlist import AllowlistError, minimize
from shopfloor.publish.config import PUBLISH_CONFIG, PublishConfigError, load_publish_config
from shopfloor.publish.files import LATEST_LINK, cell_text, sheet_names
from shopfloor.publish.lists import MissingInputError
from shopfloor.publish.suppress import eighteen_years_before
from shopfloor.publish.synthetic import AS_OF, write_synthetic_inputs

RUN_DATE = date(2026, 11, 27)
FILES = ("target_workplaces.csv", "target_workplaces.xlsx", "leader_candidates.csv", "leader_candidates.xlsx",
         "action_network_people.csv", "manifest.json")
NEVER = ("party", "party_code", "race", "race_code", "ethnicity", "grievance_description", "description",
         "narrative", "birth_date", "birth_year", "age_band", "voter_id", "member_id", "gender_code")


def synthetic_warehouse(**overrides) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    write_synthetic_inputs(con, **{"workplaces": 120, "workers_per_workplace": 10, **overrides})
    return con


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    con = synthetic_warehouse()
    publication = publish_lists(con, tmp_path_factory.mktemp("published"), RUN_DATE)
    yield con, publication
    con.close()


def test_both_lists_and_their_files_are_published_in_one_private_folder(published):
    _, publication = published
    folder = publication.folder
    assert folder.name == RUN_DATE.isoformat()
    assert sorted(path.name for path in folder.iterdir()) == sorted(FILES)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert (folder.parent / LATEST_LINK).resolve() == folder
    manifest = json.loads((folder / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        data = (folder / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert publication.rows("target_workplaces") > 0 and publication.rows("leader_candidates") > 0
    assert manifest["lists"]["leader_candidates"]["rows"] == len(read_csv(folder / "leader_candidates.csv"))
    assert [model["model_name"] for model in manifest["models"]] == ["leader_model", "win_model"]
    assert manifest["model_versions_on_lists"] == ["leader-synthetic-1", "win-synthetic-1"]
    assert manifest["as_of_date"] == AS_OF.isoformat()


def test_each_output_carries_exactly_its_allowlist(published):
    con, publication = published
    config = load_publish_config()
    for output, file_name in (("target_workplaces", "target_workplaces.csv"),
                              ("leader_candidates", "leader_candidates.csv"),
                              ("action_network_people", "action_network_people.csv")):
        header = (publication.folder / file_name).read_text().splitlines()[0].split(",")
        assert tuple(header) == config.columns[output]
    for table in ("target_workplaces", "leader_candidates"):
        columns = [row[0] for row in con.execute(f"describe published.{table}").fetchall()]
        assert tuple(columns) == config.columns[table]
        workbook = load_workbook(publication.folder / f"{table}.xlsx", read_only=True)
        for sheet in workbook.worksheets:
            assert next(sheet.iter_rows(max_row=1, values_only=True)) == config.columns[table]


def test_no_suppressed_person_reaches_a_list(published):
    con, publication = published
    leaders = read_csv(publication.folder / "leader_candidates.csv")
    keys = [row["worker_key"] for row in leaders]
    assert keys and publication.suppression.people_suppressed > 0
    assert all(count > 0 for count in publication.suppression.by_reason.values()), publication.suppression.by_reason
    con.execute("create or replace temp table listed as select unnest(?::varchar[]) as worker_key", [keys])
    adult_born_by = eighteen_years_before(AS_OF)
    offenders = con.execute(
        """
        select distinct listed.worker_key
        from listed
        join intermediate.int_worker_contacts as contacts using (worker_key)
        left join marts.mart_workers as workers using (worker_key)
        left join intermediate.int_voter_registrations as voters
            on voters.state = contacts.voter_state and voters.voter_id = contacts.voter_id
        left join staging.stg_suppression__entries as entries
            on lower(trim(entries.email)) = contacts.email
            or right(regexp_replace(entries.phone, '[^0-9]', '', 'g'), 10)
                = regexp_replace(contacts.phone, '[^0-9]', '', 'g')
            or (entries.member_id = contacts.source_record_id and contacts.source_system = 'union_roll')
            or (entries.last_name = upper(contacts.last_name) and entries.zip5 = contacts.zip5)
        where contacts.is_do_not_contact or workers.is_do_not_contact
            or entries.reason is not null
            or contacts.birth_date > ?::date or contacts.birth_year >= ? or voters.birth_year >= ?
            or coalesce(contacts.birth_date::varchar, contacts.birth_year::varchar, voters.birth_year::varchar) is null
            or voters.is_confidential or voters.registration_status in ('removed', 'denied')
        """,
        [adult_born_by, AS_OF.year - 18, AS_OF.year - 18],
    ).fetchall()
    assert offenders == []
    action_network = {row["shopfloor_worker_key"] for row in read_csv(publication.folder / "action_network_people.csv")}
    assert action_network == set(keys)


def test_lists_are_ranked_and_cut_as_configured(published):
    _, publication = published
    config = load_publish_config()
    targets = read_csv(publication.folder / "target_workplaces.csv")
    by_region: dict[str, list[dict]] = {}
    for row in targets:
        by_region.setdefault(row["region"], []).append(row)
    assert "Unknown" in by_region  # workplaces without a state still get a region
    for rows in by_region.values():
        assert len(rows) <= config.per_region
        assert [int(row["rank_in_region"]) for row in rows] == list(range(1, len(rows) + 1))
        ranking = [(-float(row["win_probability"]), -int(row["workers"]), row["workplace_id"]) for row in rows]
        assert ranking == sorted(ranking)
    target_ids = {row["workplace_id"] for row in targets}
    leaders = read_csv(publication.folder / "leader_candidates.csv")
    per_workplace: dict[str, list[float]] = {}
    for row in leaders:
        assert row["workplace_id"] in target_ids
        assert row["phone"] and row["first_name"] and row["reason_1"]
        per_workplace.setdefault(row["workplace_id"], []).append(float(row["leader_score"]))
    assert all(len(scores) <= config.per_workplace and scores == sorted(scores, reverse=True)
               for scores in per_workplace.values())
    # Experiment arms and tactics shown where the experiments tables exist.
    assert all(row["experiment_arm"] and row["recommended_tactic"] for row in targets)
    assert all("tactic-" in row["tags"] for row in read_csv(publication.folder / "action_network_people.csv"))


def test_xlsx_has_one_sheet_per_region_with_that_regions_rows(published):
    _, publication = published
    targets = read_csv(publication.folder / "target_workplaces.csv")
    workbook = load_workbook(publication.folder / "target_workplaces.xlsx", read_only=True)
    regions = sorted({row["region"] for row in targets})
    assert workbook.sheetnames == sheet_names(regions)
    for region, sheet in zip(regions, workbook.worksheets):
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert [row[2] for row in rows] == [r["workplace_id"] for r in targets if r["region"] == region]


def test_same_inputs_give_byte_identical_files(published, tmp_path):
    _, first = published
    # A separate warehouse built from the same inputs, published elsewhere: every file, manifest included.
    again = publish_lists(synthetic_warehouse(), tmp_path / "again", RUN_DATE)
    for name in FILES:
        assert (again.folder / name).read_bytes() == (first.folder / name).read_bytes(), name
    changed = publish_lists(synthetic_warehouse(seed=8), tmp_path / "changed", RUN_DATE)
    assert (changed.folder / "target_workplaces.csv").read_bytes() != (first.folder / "target_workplaces.csv").read_bytes()


def test_republishing_a_date_replaces_its_folder_whole(tmp_path):
    publish_dir = tmp_path / "published"
    publish_lists(synthetic_warehouse(), publish_dir, RUN_DATE)
    other_day = publish_lists(synthetic_warehouse(), publish_dir, date(2026, 11, 26)).folder
    before = (other_day / "manifest.json").read_bytes()
    replaced = publish_lists(synthetic_warehouse(seed=8), publish_dir, RUN_DATE)
    manifest = json.loads((replaced.folder / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((replaced.folder / name).read_bytes()).hexdigest() == entry["sha256"]
    assert (other_day / "manifest.json").read_bytes() == before
    assert sorted(path.name for path in publish_dir.iterdir()) == ["2026-11-26", "2026-11-27", LATEST_LINK]
    assert (publish_dir / LATEST_LINK).resolve() == replaced.folder


def test_a_forbidden_column_a_query_selects_is_not_published():
    con = synthetic_warehouse(workplaces=10)
    config = load_publish_config()
    projection = ", ".join(f"'x' as {column}" for column in NEVER)
    con.execute(f"create temp table sneaky as select *, {projection} from intermediate.int_worker_contacts")
    con.execute("""
        create temp view sneaky_leaders as
        select 'NC' as region, 1 as workplace_rank, workplace_id, 'SITE' as workplace_name, 'EMPLOYER' as employer_name,
            1 as candidate_rank, worker_key, first_name, last_name, phone, email, street_address, city, state, zip5,
            'CNA' as classification, false as is_member, 0.5 as leader_score, 'r1' as reason_1, 'r2' as reason_2,
            'r3' as reason_3, null as experiment_arm, null as recommended_tactic, date '2025-06-30' as as_of_date,
            'v1' as model_version, * exclude (worker_key, workplace_id, first_name, last_name, phone, email,
            street_address, city, state, zip5)
        from sneaky
    """)
    minimized = minimize(con, "sneaky_leaders", "leader_candidates", config, into="out", order_by="worker_key")
    columns = [row[0] for row in con.execute("describe out").fetchall()]
    assert tuple(columns) == config.columns["leader_candidates"]
    assert set(NEVER) <= set(minimized.dropped)


@pytest.mark.parametrize("column", NEVER)
def test_a_forbidden_column_cannot_be_put_on_an_allowlist(tmp_path, column):
    text = PUBLISH_CONFIG.read_text().replace("per_workplace: 5\n  columns: [", f"per_workplace: 5\n  columns: [{column}, ")
    path = tmp_path / "publish.yaml"
    path.write_text(text)
    with pytest.raises(PublishConfigError) as error:
        load_publish_config(path)
    assert error.value.field == "leader_candidates.columns" and column in str(error.value)


def test_a_forbidden_column_in_a_config_built_in_code_is_refused_too():
    config = load_publish_config()
    smuggled = dataclasses.replace(
        config, columns={**config.columns, "leader_candidates": (*config.columns["leader_candidates"], "party")})
    con = synthetic_warehouse(workplaces=10)
    con.execute("create temp table listing as select 'DEM' as party, * from intermediate.int_worker_contacts")
    with pytest.raises(AllowlistError, match="party"):
        minimize(con, "listing", "leader_candidates", smuggled, into="out", order_by="worker_key")


def test_config_errors_name_the_field(tmp_path):
    path = tmp_path / "publish.yaml"
    path.write_text(PUBLISH_CONFIG.read_text().replace("rank_by: [win_probability desc, workers desc]",
                                                       "rank_by: [win_probability desc, party desc]"))
    with pytest.raises(PublishConfigError, match="target_workplaces.rank_by"):
        load_publish_config(path)
    path.write_text(PUBLISH_CONFIG.read_text().replace("per_region: 50", "per_region: 0"))
    with pytest.raises(PublishConfigError, match="target_workplaces.per_region"):
        load_publish_config(path)
    path.write_text(PUBLISH_CONFIG.read_text().replace("per_region: 50", "per_region: 300000"))
    with pytest.raises(PublishConfigError, match="rows of a spreadsheet sheet"):
        load_publish_config(path)


def test_missing_scores_stop_publishing_and_leave_the_last_publication(tmp_path):
    publish_dir = tmp_path / "published"
    good = publish_lists(synthetic_warehouse(), publish_dir, RUN_DATE)
    before = {path.name: path.read_bytes() for path in good.folder.iterdir()}
    con = synthetic_warehouse(seed=8)
    con.execute("drop table models.worker_scores")
    with pytest.raises(MissingInputError, match="models.worker_scores does not exist"):
        publish_lists(con, publish_dir, RUN_DATE)
    assert {path.name: path.read_bytes() for path in good.folder.iterdir()} == before


def test_without_experiment_tables_the_arm_columns_are_empty(tmp_path):
    publication = publish_lists(synthetic_warehouse(experiments=False), tmp_path, RUN_DATE)
    targets = read_csv(publication.folder / "target_workplaces.csv")
    assert targets and all(row["experiment_arm"] == "" and row["recommended_tactic"] == "" for row in targets)
    assert publication.manifest["experiments_joined"] is False


@pytest.mark.parametrize(("value", "written"), [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("+1 919 555 0100", "+1 919 555 0100"),
    ("-12.5", "-12.5"),
    (None, ""),
    (True, "true"),
    (date(2025, 6, 30), "2025-06-30"),
    (0.1234, "0.1234"),
])
def test_csv_cells_never_run_as_spreadsheet_formulas(value, written):
    assert cell_text(value) == written


def test_sheet_names_are_valid_and_distinct():
    assert sheet_names(["NC", "A/B", "x" * 40, "X" * 40]) == ["NC", "A-B", "x" * 31, "X" * 27 + " (2)"]
