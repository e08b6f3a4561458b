"""Personal data is owner-only (shopfloor.file_modes): what Shopfloor creates, and what a run finds looser."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from shopfloor.file_modes import personal_data_files, personal_data_folders, tighten
from shopfloor.settings import get_settings


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
