"""Personal data is owner-only (shopfloor.file_modes): what Shopfloor creates, and what a run finds looser."""

from __future__ import annotations

import grp
import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from work_folder import point_shopfloor_at

from orchestration.defs.resources import Warehouse
from shopfloor.analyst import publish_analyst_copy
from shopfloor.file_modes import personal_data_files, personal_data_folders, tighten, tighten_personal_data
from shopfloor.settings import SettingsError, get_settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_a_shopfloor_process_creates_files_and_folders_owner_only(tmp_path):
    code = (
        "import os, sys; os.umask(0o022)\n"
        "from shopfloor.file_modes import create_owner_only; create_owner_only()\n"
        "folder = sys.argv[1] + '/made'; os.mkdir(folder); open(folder + '/rows.csv', 'w').close()\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    assert mode(tmp_path / "made") == 0o700
    assert mode(tmp_path / "made" / "rows.csv") == 0o600


def test_a_run_takes_group_and_other_permissions_off_what_it_finds_once(tmp_path):
    landing, outside = tmp_path / "landing", tmp_path / "public"
    (landing / "members").mkdir(parents=True)
    outside.mkdir()
    roll = landing / "members" / "roll.csv"
    roll.write_text("member_id\n1\n")
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(b"")
    public = outside / "real.csv"
    public.write_text("public\n")
    (landing / "members" / "linked.csv").symlink_to(public)
    for path, loose in ((landing, 0o755), (landing / "members", 0o775), (roll, 0o644), (warehouse, 0o664),
                        (public, 0o644)):
        os.chmod(path, loose)

    loosened = tighten([warehouse, tmp_path / "warehouse.duckdb.wal"], [landing, tmp_path / "not_there"])

    assert sorted(loosened) == sorted([warehouse, landing, landing / "members", roll])
    assert [mode(path) for path in (landing, landing / "members", roll, warehouse)] == [0o700, 0o700, 0o600, 0o600]
    assert mode(public) == 0o644, "a symlinked file is not ours to change"
    assert tighten([warehouse], [landing]) == []


def test_after_the_sample_run_no_personal_data_is_readable_by_other_accounts(sample_env):
    settings = get_settings()
    paths = [path for path in personal_data_files(settings) if path.exists()]
    for folder in personal_data_folders(settings):
        paths += [folder, *folder.rglob("*")] if folder.is_dir() else []
    readable = [path for path in paths if not path.is_symlink() and mode(path) & 0o077]
    assert len(paths) > 100
    assert readable == []


def current_group() -> str:
    return grp.getgrgid(os.getgid()).gr_name


def test_an_analysts_group_may_read_the_analyst_copy_and_nothing_else(tmp_path, monkeypatch):
    point_shopfloor_at(monkeypatch, tmp_path)
    monkeypatch.setenv("SHOPFLOOR_ANALYSTS_GROUP", current_group())
    settings = get_settings()
    for path in (settings.warehouse, settings.analyst_warehouse):
        duckdb.connect(str(path)).close()
        os.chmod(path, 0o644)

    assert sorted(tighten_personal_data(settings)) == sorted([settings.warehouse, settings.analyst_warehouse])
    assert (mode(settings.warehouse), mode(settings.analyst_warehouse)) == (0o600, 0o640)
    assert settings.analyst_warehouse.stat().st_gid == os.getgid()
    assert tighten_personal_data(settings) == []

    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create schema marts; create table marts.workplace_counts as select 1 as workplaces")
        copy = publish_analyst_copy(con, settings.analyst_warehouse, "run-1", analysts_group=settings.analysts_group)
    assert mode(copy.path) == 0o640 and copy.path.stat().st_gid == os.getgid()


def test_an_unknown_analysts_group_fails_naming_the_variable(monkeypatch):
    monkeypatch.setenv("SHOPFLOOR_ANALYSTS_GROUP", "no-such-group-here")
    with pytest.raises(SettingsError, match="^SHOPFLOOR_ANALYSTS_GROUP='no-such-group-here': no such group"):
        get_settings()


def test_a_run_launched_without_the_cli_tightens_as_it_starts_and_says_so_once(tmp_path, monkeypatch):
    """The UI and the schedule launch runs in Dagster's own processes: the warehouse resource tightens."""
    import dagster as dg

    point_shopfloor_at(monkeypatch, tmp_path)
    settings = get_settings()
    roll = settings.landing_dir / "membership" / "roll.csv"
    roll.parent.mkdir(parents=True)
    roll.write_text("member_id\n1\n")
    os.chmod(roll, 0o644)

    @dg.asset
    def first(warehouse: Warehouse) -> None:
        with warehouse.connect() as con:
            con.execute("create table if not exists seen as select 1 as one")

    @dg.asset(deps=[first])
    def second(warehouse: Warehouse) -> None:
        with warehouse.connect() as con:
            con.execute("select * from seen").fetchall()

    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([first, second], resources={"warehouse": Warehouse(path=str(settings.warehouse))},
                                instance=instance)
        messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert result.success
    assert mode(roll) == 0o600
    said = [message for message in messages if "holding personal data owner-only" in message]
    assert len(said) == 1 and said[0].startswith("Made ")
