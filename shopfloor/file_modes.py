"""Files Shopfloor writes hold workers' names, addresses and grievances: they are owner-only.

Every process that writes them (the CLI, the Dagster code location and its run workers) creates files 0600 and
folders 0700 from its start; a run also takes group and other permissions off what an earlier version, another
tool or a copy left readable. Symlinks are left alone (the real-data tests link read-only public files), and so is
anything another account owns. The one exception is the analyst copy (marts only, pseudonymous keys): a configured
analysts' group may read it.
"""

from __future__ import annotations

import grp
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from shopfloor.settings import DBT_PROJECT_DIR, Settings

OWNER_ONLY_UMASK = 0o077
GROUP_READABLE = 0o640


def create_owner_only() -> None:
    """Every file and folder this process creates from now on is readable by its owner only."""
    os.umask(OWNER_ONLY_UMASK)


def _with_log(database: Path) -> list[Path]:
    return [database, database.with_name(database.name + ".wal")]


def personal_data_files(settings: Settings) -> list[Path]:
    """The warehouse and its analyst copy, each with its write-ahead log."""
    return _with_log(settings.warehouse) + _with_log(settings.analyst_warehouse)


def personal_data_folders(settings: Settings) -> list[Path]:
    """Folders Shopfloor owns whole: landing drops and fetches, model store, published lists, validation results,
    splink's spill folder, Dagster's run history and logs, dbt's compiled SQL and logs. Never the warehouse's
    parent folder, which may be shared."""
    return [settings.landing_dir, settings.models_dir, settings.publish_dir, settings.validations_dir,
            settings.data_dir / "tmp", settings.dagster_home, DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs"]


def _owner_only(path: Path) -> bool:
    """Take group and other permissions off one path of ours; True if it had any."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        return False
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return False
    os.chmod(path, mode & 0o700)
    return True


def tighten(files: Iterable[Path], folders: Iterable[Path]) -> list[Path]:
    """Make each existing file, and each folder with everything under it, owner-only; returns what was looser."""
    loosened = [path for path in files if path.exists() and not path.is_symlink() and _owner_only(path)]
    for folder in folders:
        if not folder.is_dir() or folder.is_symlink():
            continue
        if _owner_only(folder):
            loosened.append(folder)
        for root, folder_names, file_names in os.walk(folder):  # does not follow symlinked folders
            for name in (*folder_names, *file_names):
                if _owner_only(Path(root) / name):
                    loosened.append(Path(root) / name)
    return loosened


def share_with_group(path: Path, group: str) -> bool:
    """Make a file of ours readable by its owner and `group` only (0640); True if it was otherwise."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        return False
    gid = grp.getgrnam(group).gr_gid
    if info.st_gid == gid and stat.S_IMODE(info.st_mode) == GROUP_READABLE:
        return False
    os.chown(path, -1, gid)
    os.chmod(path, GROUP_READABLE)
    return True


def tighten_personal_data(settings: Settings) -> list[Path]:
    """Owner-only everything holding personal data, but the analyst copy shared with the analysts' group if one
    is configured; returns what was looser (or, for the analyst copy, not as configured)."""
    if settings.analysts_group is None:
        return tighten(personal_data_files(settings), personal_data_folders(settings))
    shared = _with_log(settings.analyst_warehouse)
    loosened = tighten(_with_log(settings.warehouse), personal_data_folders(settings))
    return loosened + [path for path in shared if path.exists() and share_with_group(path, settings.analysts_group)]
