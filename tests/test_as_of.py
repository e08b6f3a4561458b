"""The run owns its as-of date: the schedule's tick, `shopfloor run --as-of`, a run tag; every step reads it.

The backfill test reruns everything downstream of the raw tables on a copy of the session warehouse as of an
earlier date D1, and compares with the session run as of D2 = the sample world's last day.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
from work_folder import point_shopfloor_at

from shopfloor.as_of import AS_OF_TAG, AsOfError, check_as_of, parse_as_of
from shopfloor.cli import main
from shopfloor.data_age import SourceAge, earliest_record_on, load_age_limits, too_old
from shopfloor.sample.truth import sample_as_of
from shopfloor.settings import DBT_PROJECT_DIR

# Everything a backfill recomputes: marts, scores and lists. Not the raw loads (files are what they are), not the
# experiments' assignments (append-only: a unit keeps the arm of the day it was assigned), and no retraining: the
# day is scored with the models in use.
BACKFILL_SELECTION = (
    "not group:raw and not group:experiments and not key:models/win_model_candidate and "
    "not key:models/leader_model_candidate and not key:models/win_model and not key:models/leader_model"
)


def test_as_of_dates_must_be_iso_dates():
    assert parse_as_of(" 2026-11-27 ") == date(2026, 11, 27)
    for bad in ("27/11/2026", "2026-13-01", "", "yesterday"):
        with pytest.raises(AsOfError, match="YYYY-MM-DD"):
            parse_as_of(bad)


def test_shopfloor_run_refuses_a_bad_as_of_before_running(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--as-of", "2026/11/27"])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_an_as_of_date_needs_data_behind_it():
    check_as_of(date(2026, 11, 27), today=date(2026, 11, 27), earliest_record_on=date(1999, 10, 1))
    check_as_of(date(2026, 11, 27), today=date(2026, 11, 27), earliest_record_on=None)
    with pytest.raises(AsOfError, match="after today"):
        check_as_of(date(2026, 11, 28), today=date(2026, 11, 27), earliest_record_on=None)
    with pytest.raises(AsOfError, match=r"before the warehouse's oldest record \(1999-10-01\)"):
        check_as_of(date(1999, 9, 30), today=date(2026, 11, 27), earliest_record_on=date(1999, 10, 1))


def test_shopfloor_run_refuses_a_date_before_the_earliest_data_before_running(monkeypatch, tmp_path, capsys):
    import shopfloor.runner

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.source_data_dates as select 'nlrb' as source_name, "
                    "date '1999-10-01' as oldest_record_on")
    monkeypatch.setenv("SHOPFLOOR_WAREHOUSE", str(warehouse))
    monkeypatch.setattr(shopfloor.runner, "run_assets", lambda *args, **kwargs: pytest.fail("a run was started"))
    assert main(["run", "--as-of", "1990-01-01"]) == 2
    assert "before the warehouse's oldest record (1999-10-01)" in capsys.readouterr().err
    assert main(["run", "--as-of", "2999-01-01"]) == 2
    assert "after today" in capsys.readouterr().err


def test_the_schedule_tags_each_run_with_its_tick_date_where_the_union_is():
    from orchestration.definitions import defs

    definitions = defs()
    # 03:30 UTC on 1 December is still 30 November in New York (the default time zone).
    tick = datetime(2026, 12, 1, 3, 30, tzinfo=ZoneInfo("UTC"))
    with dg.instance_for_test() as instance, dg.build_schedule_context(
        instance=instance, scheduled_execution_time=tick, repository_def=definitions.get_repository_def()
    ) as context:
        request = definitions.get_schedule_def("daily_refresh").evaluate_tick(context).run_requests[0]
    assert request.tags[AS_OF_TAG] == "2026-11-30"


def test_dbt_refuses_to_build_the_point_in_time_marts_without_an_as_of_date(tmp_path: Path):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "compile", "--select", "mart_workplaces",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "DO_NOT_TRACK": "1",
                                             "SHOPFLOOR_WAREHOUSE": str(tmp_path / "empty.duckdb")},
    )
    assert result.returncode != 0
    assert "var as_of_date is not set" in result.stdout


def test_sources_older_than_their_limit_are_named():
    ages = [SourceAge("nlrb", date(2026, 10, 1), 60), SourceAge("osha", date(2026, 11, 1), 29),
            SourceAge("campaign_activity", date(2020, 1, 1), 2000)]
    assert too_old(ages, {"nlrb": 30, "osha": 90}) == ["nlrb: newest record 2026-10-01, 60 days old (limit 30 days)"]
    assert set(load_age_limits()) >= {"voter_files", "nlrb", "osha", "membership", "grievances"}


@pytest.fixture(scope="module")
def backfill(sample_env, tmp_path_factory: pytest.TempPathFactory):
    """The session warehouse, models, and Dagster instance copied, then rerun downstream of raw as of D1: the
    year in which the youngest person on D2's leader list turned 18, so the minors' cut-off moves past them."""
    from shopfloor.runner import run_assets

    assert sample_env.run_succeeded, "the sample run failed"
    d2 = sample_as_of(sample_env.landing_dir)
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        (youngest_birth_year,) = con.execute(
            "select max(coalesce(year(contacts.birth_date), contacts.birth_year)) "
            "from published.leader_candidates join intermediate.int_worker_contacts as contacts using (worker_key)"
        ).fetchone()
    d1 = date(youngest_birth_year + 18, d2.month, d2.day)
    assert d1 < d2
    root = tmp_path_factory.mktemp("backfill")
    shutil.copy(sample_env.warehouse, root / "warehouse.duckdb")
    shutil.copytree(sample_env.models_dir, root / "models")
    shutil.copytree(sample_env.dagster_home, root / "dagster_home")
    shutil.copytree(sample_env.landing_dir, root / "landing")
    with pytest.MonkeyPatch.context() as env:
        point_shopfloor_at(env, root)
        succeeded = run_assets(BACKFILL_SELECTION, as_of=d1)
    return {"d1": d1, "d2": d2, "youngest_birth_year": youngest_birth_year, "root": root,
            "succeeded": succeeded, "session": sample_env}


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    return [row[0] for row in con.execute(sql).fetchall()]


def test_a_backfill_describes_its_own_date_everywhere(backfill):
    assert backfill["succeeded"], "the backfill run failed"
    d1 = backfill["d1"]
    with duckdb.connect(str(backfill["root"] / "warehouse.duckdb"), read_only=True) as con:
        for relation in ("marts.mart_workplaces", "marts.mart_workers", "models.workplace_scores",
                         "models.worker_scores", "published.target_workplaces", "published.leader_candidates",
                         "marts.source_data_dates"):
            assert _one(con, f"select distinct as_of_date from {relation}") == [d1], relation
        (oldest,) = con.execute("select min(oldest_record_on) from marts.source_data_dates").fetchone()
    assert earliest_record_on(backfill["root"] / "warehouse.duckdb") == oldest < d1
    folder = backfill["root"] / "published" / d1.isoformat()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["as_of_date"] == d1.isoformat()
    with (folder / "target_workplaces.csv").open(newline="") as listed:
        assert {row["as_of_date"] for row in csv.DictReader(listed)} == {d1.isoformat()}


def test_a_backfill_rebuilds_the_marts_point_in_time(backfill):
    session = backfill["session"]
    with duckdb.connect(str(backfill["root"] / "warehouse.duckdb"), read_only=True) as con:
        con.execute(f"attach '{session.warehouse}' as session (read_only)")
        # Events after D1 are not seen as of D1: fewer NLRB petitions and OSHA violations behind each workplace.
        (d1_petitions, d2_petitions, changed) = con.execute(
            """
            select sum(earlier.nlrb_petitions), sum(later.nlrb_petitions),
                   count(*) filter (where earlier.osha_serious_willful_repeat_violations_5y
                                    is distinct from later.osha_serious_willful_repeat_violations_5y)
            from marts.mart_workplaces as earlier
            join session.marts.mart_workplaces as later using (workplace_id)
            """
        ).fetchone()
        assert d1_petitions < d2_petitions and changed > 0
        # The staged records run past D1: it is the marts that cut them off.
        latest_case, latest_violation = con.execute(
            "select (select max(filed_on) from staging.stg_nlrb__cases), "
            "(select max(issued_on) from staging.stg_osha__violations)"
        ).fetchone()
        assert latest_case > backfill["d1"] and latest_violation > backfill["d1"]


def test_nobody_under_18_on_the_run_date_is_listed(backfill):
    d1, youngest = backfill["d1"], backfill["youngest_birth_year"]
    with duckdb.connect(str(backfill["root"] / "warehouse.duckdb"), read_only=True) as con:
        listed_birth_years = _one(
            con, "select coalesce(year(contacts.birth_date), contacts.birth_year) from published.leader_candidates "
            "join intermediate.int_worker_contacts as contacts using (worker_key)"
        )
    # 18 by 1 January of the as-of year when only the birth year is known: born D1.year - 19 or earlier.
    assert listed_birth_years and max(listed_birth_years) <= d1.year - 19
    assert youngest > d1.year - 19  # D2's youngest listed person is not old enough on D1
    manifest = json.loads((backfill["root"] / "published" / d1.isoformat() / "manifest.json").read_text())
    assert manifest["suppressed"]["by_reason"]["under_18"] > 0
