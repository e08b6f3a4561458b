"""Point-in-time targeting marts (models/marts/targeting, macros/point_in_time).

The module fixture generates the small sample (seed 42, NC and Ohio voter files), loads every source, builds the
models before resolution, runs employer and person resolution, then builds the after-resolution models and the
targeting marts with their dbt tests (as of the sample world's last day). Leakage tests rebuild the marts in a copy.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from work_folder import builds_warehouse

from shopfloor.dbt_cli import run_dbt
from shopfloor.sample.world import LAST_DAY

TARGETING = ["path:models/intermediate/features", "path:models/marts/targeting"]
DEFAULT_AS_OF = LAST_DAY.isoformat()
EARLIER_AS_OF = "2019-01-01"

# Every dated input of the feature macros and the column that dates it: what must not count on or after as_of.
DATED_INPUTS = {
    "marts.fct_osha_inspections": "opened_on",
    "marts.fct_osha_violations": "issued_on",
    "marts.fct_nlrb_cases": "filed_on",
    "marts.fct_nlrb_elections": "election_date",
    "marts.fct_grievances": "filed_on",
    "intermediate.int_workplace_grievances": "filed_on",
    "marts.dim_members": "joined_on",
    "intermediate.int_worker_voter_registrations": "registered_on",
    "intermediate.int_worker_general_elections": "election_date",
    # Organizing contacts reach the features through the staging view over the raw export.
    "raw.organizing_contacts": "first_contact_date",
}


@dataclass(frozen=True)
class TargetingSample:
    landing: Path
    warehouse: Path
    artifacts: Path


def build_as_of(args: list[str], warehouse: Path, artifacts: Path) -> None:
    """dbt as the run calls it: as of the sample world's last day unless `args` name another date."""
    as_of = [] if "--vars" in args else ["--vars", f"{{as_of_date: '{DEFAULT_AS_OF}'}}"]
    result = run_dbt([*args, *as_of], warehouse, artifacts, check=False)
    assert result.returncode == 0, result.stdout[-4000:]


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
@builds_warehouse
def sample(tmp_path_factory: pytest.TempPathFactory) -> TargetingSample:
    from shopfloor.ingest import load_source
    from shopfloor.ingest.tables import ensure_raw_schema
    from shopfloor.layouts import sources
    from shopfloor.resolution.employers import resolve_employers
    from shopfloor.resolution.persons import link_workers_to_voters
    from shopfloor.sample import generate

    root = tmp_path_factory.mktemp("targeting")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    generate(scale="small", seed=42, out=landing, voter_layouts=("nc_2022", "ohio"))
    with duckdb.connect(str(warehouse)) as con:
        # Every raw table exists (empty where the sample writes no file), as the raw assets leave them.
        for source in sources():
            ensure_raw_schema(con, source)
        for source in ("voter_files", "membership", "grievances", "osha", "nlrb", "contacts"):
            load_source(con, source, landing)
    # Upstream models and seeds only: their tests belong to other suites.
    build_as_of(["build", "--exclude", "tag:after_resolution", "--resource-type", "model", "--resource-type", "seed"],
            warehouse, root)
    with duckdb.connect(str(warehouse)) as con:
        resolve_employers(con)
        link_workers_to_voters(con)
    build_as_of(["run", "--select", "tag:after_resolution", "--exclude", *TARGETING], warehouse, root)
    build_as_of(["build", "--select", *TARGETING, "--indirect-selection", "cautious"], warehouse, root)
    return TargetingSample(landing=landing, warehouse=warehouse, artifacts=root)


def rebuilt_marts(sample: TargetingSample, copy: Path, as_of: str, cut_inputs: bool) -> dict[str, list[tuple]]:
    """Rebuild the as-of marts in `copy` of the warehouse as of `as_of`, after deleting every input event dated on
    or after it when `cut_inputs`; return their rows, sorted."""
    shutil.copyfile(sample.warehouse, copy)
    if cut_inputs:
        with duckdb.connect(str(copy)) as con:
            for table, date_column in DATED_INPUTS.items():
                deleted = con.execute(f"delete from {table} where {date_column} >= date '{as_of}'").fetchone()[0]
                assert deleted > 0, f"{table}: nothing dated on or after {as_of}, so the test would prove nothing"
    build_as_of(["run", "--select", "mart_workplaces", "mart_workers", "--vars", f"{{as_of_date: '{as_of}'}}"],
            copy, sample.artifacts)
    # mart_workers has a row per member on the roll; cutting the roll drops members who joined later. Its
    # organizing contacts are those first contacted before the as-of date, whatever was cut.
    return {
        "mart_workplaces": query(copy, "select * from marts.mart_workplaces order by workplace_id"),
        "mart_workers": query(copy, f"""
            select * from marts.mart_workers
            where member_key in (select member_key from marts.dim_members where joined_on < date '{as_of}')
                or source_system = 'organizing_contacts'
            order by worker_key"""),
    }


def test_events_on_or_after_the_as_of_date_do_not_change_the_features(sample, tmp_path):
    with_future = rebuilt_marts(sample, tmp_path / "with_future.duckdb", EARLIER_AS_OF, cut_inputs=False)
    without_future = rebuilt_marts(sample, tmp_path / "without_future.duckdb", EARLIER_AS_OF, cut_inputs=True)
    for mart, rows in with_future.items():
        assert len(rows) > 100, mart
        assert rows == without_future[mart], f"{mart}: events dated on or after {EARLIER_AS_OF} changed it"


def test_the_as_of_date_moves_the_features(sample, tmp_path):
    rebuilt = rebuilt_marts(sample, tmp_path / "earlier.duckdb", EARLIER_AS_OF, cut_inputs=False)
    # An organizing contact is a worker from the day first contacted.
    contacts_then = {row[0] for row in rebuilt["mart_workers"] if row[1] == "organizing_contacts"}
    known_then = {row[0] for row in query(sample.warehouse, f"""
        select worker_key from staging.stg_organizing__contacts where first_contacted_on < date '{EARLIER_AS_OF}'""")}
    assert contacts_then == known_then and contacts_then
    earlier = rebuilt["mart_workplaces"]
    latest = query(sample.warehouse, "select * from marts.mart_workplaces order by workplace_id")
    assert {row[1].isoformat() for row in earlier} == {EARLIER_AS_OF}
    assert {row[1].isoformat() for row in latest} == {DEFAULT_AS_OF}
    changed = sum(1 for before, now in zip(earlier, latest, strict=True) if before[2:] != now[2:])
    assert changed > len(latest) / 4


def test_one_row_per_workplace_and_per_worker(sample):
    [(rows, workplaces, dim_workplaces)] = query(sample.warehouse, """
        select count(*), count(distinct workplace_id), (select count(*) from marts.dim_workplaces)
        from marts.mart_workplaces""")
    assert rows == workplaces == dim_workplaces > 1000
    [(rows, members, dim_members)] = query(sample.warehouse, """
        select count(*), count(distinct member_key), (select count(*) from marts.dim_members)
        from marts.mart_workers where source_system = 'union_roll'""")
    assert rows == members == dim_members == 1500
    [(contacts, first_contacted_before)] = query(sample.warehouse, f"""
        select (select count(*) from marts.mart_workers where source_system = 'organizing_contacts'),
               (select count(*) from staging.stg_organizing__contacts
                where first_contacted_on < date '{DEFAULT_AS_OF}')""")
    assert contacts == first_contacted_before > 300



def test_counts_add_up_to_the_facts(sample):
    """Member and grievance features recounted straight from the facts and the workplace links."""
    [(members, members_in_mart, grievances, grievances_in_mart, represented, with_members)] = query(
        sample.warehouse, f"""
        select
            (select count(*) from marts.dim_members join marts.workplace_links as links
                on links.source_system = 'union_roll' and links.source_record_id = dim_members.member_key
             where joined_on < date '{DEFAULT_AS_OF}' and member_status not in ('terminated', 'retired')),
            (select sum(members) from marts.mart_workplaces),
            (select count(*) from marts.fct_grievances join marts.workplace_links as links
                on links.source_system = 'union_roll' and links.source_record_id = fct_grievances.grievance_id
             where filed_on < date '{DEFAULT_AS_OF}' and filed_on >= date '{DEFAULT_AS_OF}' - interval 12 month),
            (select sum(grievances_12m) from marts.mart_workplaces),
            (select count(*) filter (where is_represented) from marts.mart_workplaces),
            (select count(*) filter (where members > 0) from marts.mart_workplaces)""")
    assert members_in_mart == members > 1000
    assert grievances_in_mart == grievances > 100
    assert represented >= with_members > 0
    [(max_density, top_share_ok, hot_spots)] = query(sample.warehouse, """
        select max(member_density),
               bool_and(round(top_supervisor_grievance_share_12m * grievances_12m) = max_grievances_per_supervisor_12m),
               count(*) filter (where max_grievances_per_supervisor_12m >= 5)
        from marts.mart_workplaces""")
    assert 0 < max_density <= 1
    assert top_share_ok
    assert hot_spots > 0


def test_election_features_stand_at_the_petition_date(sample):
    """An election's own petition and outcome never count in its features; today's features of its workplace
    count both."""
    [(elections, own_petition_counted, own_outcome_counted)] = query(sample.warehouse, """
        select count(*),
               count(*) filter (where training.nlrb_petitions >= today.nlrb_petitions),
               count(*) filter (where training.nlrb_elections_won + training.nlrb_elections_lost
                                      + training.nlrb_decertification_elections
                                      >= today.nlrb_elections_won + today.nlrb_elections_lost
                                         + today.nlrb_decertification_elections)
        from marts.mart_election_training as training
        join marts.mart_workplaces as today on today.workplace_id = training.workplace_id""")
    assert elections > 1500
    assert own_petition_counted == 0
    assert own_outcome_counted == 0


def test_contacts_count_only_when_first_contacted_before_the_petition(sample):
    """The organizing committee known before a petition counts in its features; contacts met on the petition date
    or later (the campaign that followed) do not."""
    [(elections, with_contacts, miscounted, later_contacts)] = query(sample.warehouse, """
        with contacts as (
            select workers.workplace_id, contacts.first_contacted_on
            from intermediate.int_worker_contacts as workers
            join staging.stg_organizing__contacts as contacts using (worker_key)
            where workers.source_system = 'organizing_contacts'
        )
        select
            count(*),
            count(*) filter (where training.contacts_known > 0),
            count(*) filter (where training.contacts_known != (
                select count(*) from contacts
                where contacts.workplace_id = training.workplace_id
                    and contacts.first_contacted_on < training.petition_filed_on)),
            count(*) filter (where exists (
                select 1 from contacts
                where contacts.workplace_id = training.workplace_id
                    and contacts.first_contacted_on >= training.petition_filed_on))
        from marts.mart_election_training as training""")
    assert miscounted == 0
    assert elections > with_contacts > elections / 4
    # Contacts met after some petitions exist, so the count above would see them leak.
    assert later_contacts > 0


def test_election_features_and_labels_match_the_generators_truth(sample):
    """The sample's win rule used OSHA S/W/R violations issued in the 5 years before the petition (rules.json)."""
    truth = sample.landing / "_truth" / "elections.parquet"
    [(elections, matched, same_label, same_violations, union_petitions)] = query(sample.warehouse, f"""
        select (select count(*) from '{truth}'), count(*),
               count(*) filter (where training.union_won = truth.won),
               count(*) filter (where training.osha_serious_willful_repeat_violations_5y
                                      = truth.feature_serious_osha_violations_5y),
               count(*) filter (where training.case_type_code = truth.petition_type
                                  and training.petition_filed_on = truth.petition_date)
        from marts.mart_election_training as training
        join '{truth}' as truth using (case_number, unit_id)""")
    assert matched >= 0.95 * elections
    assert same_label == matched
    assert union_petitions == matched
    assert same_violations >= 0.98 * matched


def test_worker_features_are_pseudonymous_and_plausible(sample):
    columns = {row[0] for row in query(sample.warehouse, "describe marts.mart_workers")}
    assert not columns & {"member_id", "first_name", "last_name", "birth_date", "birth_year", "email", "phone",
                          "street_address", "hired_on", "joined_on"}
    rates = dict((row[0], row[1:]) for row in query(sample.warehouse, """
        select source_system, avg(is_leader::int), count(is_leader), avg(is_registered_voter::int),
               bool_and(general_elections_voted <= general_elections_eligible and general_elections_eligible <= 4),
               bool_and(grievances_filed_12m <= grievances_filed_36m
                        and grievances_filed_36m <= coalesce(grievances_filed_total, 0)),
               count(grievances_filed_total)
        from marts.mart_workers group by source_system"""))
    leader_rate, _, registered_rate, turnout_ok, grievance_ok, _ = rates["union_roll"]
    assert 0.10 < leader_rate < 0.25
    assert 0.5 < registered_rate < 0.8
    assert turnout_ok and grievance_ok
    # Contacts' labels are unknown, not false; their voter features come from their own registrations.
    _, contact_labels, contact_registered_rate, contact_turnout_ok, _, contact_grievance_records = rates[
        "organizing_contacts"]
    assert contact_labels == 0 and contact_grievance_records == 0
    assert 0.5 < contact_registered_rate < 0.9 and contact_turnout_ok
