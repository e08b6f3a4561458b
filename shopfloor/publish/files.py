"""The files organizers receive: CSV and XLSX per list, the Action Network upload, and a whole-folder publication.

Every byte is derived from the inputs (no clock, no random, no process id), so the same inputs give the same
files: XLSX zip entries and document properties carry the data's as-of date instead of the save time.

A publication is one folder per run date under the publish folder. It is written under a hidden staging name
and renamed into place only once every file is on disk, so a publisher that fails or is killed never leaves a
half folder where readers look. Republishing a date swaps the new folder with the old one in a single
renameat2(RENAME_EXCHANGE) where Linux offers it (a reader sees the old folder or the new, never neither),
otherwise by two renames. `latest` is a symlink to the newest publication, replaced atomically. Folders are
0700 and files 0600: the lists name workers.
"""

from __future__ import annotations

import csv
import ctypes
import datetime as dt
import errno
import io
import os
import re
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
LATEST_LINK = "latest"
STAGING_PREFIX = ".staging-"
REPLACED_PREFIX = ".replaced-"
# Excel limits sheet names to 31 characters without []:*?/\.
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
# Text a spreadsheet would run as a formula; a plain number or phone number ("+1 919 555 0100") is left alone.
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_NUMBER_LIKE = re.compile(r"^[+\-]?[\d\s().\-]+$")


def cell_text(value: object) -> str:
    """A value as the CSV writes it: empty for NULL, ISO dates, true/false, shortest round-trip floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    # A leading apostrophe keeps a spreadsheet from running a name someone typed as "=HYPERLINK(...)".
    if _FORMULA_START.match(text) and not _NUMBER_LIKE.match(text):
        return "'" + text
    return text


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell_text(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def sheet_names(regions: Sequence[str]) -> list[str]:
    """A valid, distinct Excel sheet name per region, in order."""
    names: list[str] = []
    for region in regions:
        base = _SHEET_NAME_BAD.sub("-", region).strip("'") or "Region"
        name, n = base[:SHEET_NAME_MAX], 2
        while name.lower() in (taken.lower() for taken in names):
            suffix = f" ({n})"
            name, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


def xlsx_bytes(columns: Sequence[str], rows_by_region: dict[str, list[Sequence[object]]], as_of: dt.date) -> bytes:
    """One sheet per region (sorted), a header row on each; byte-identical for identical input."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    regions = sorted(rows_by_region) or ["No rows"]
    for region, name in zip(regions, sheet_names(regions)):
        sheet = workbook.create_sheet(name)
        sheet.append(list(columns))
        for row in rows_by_region.get(region, []):
            cells = []
            for value in row:
                if isinstance(value, str) and value.startswith("="):
                    # openpyxl would store it as a formula: keep it text.
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    cells.append(cell)
                else:
                    cells.append(value)
            sheet.append(cells)
    stamp = dt.datetime(as_of.year, as_of.month, as_of.day)
    workbook.properties.creator = "Shopfloor"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _pinned_zip(buffer.getvalue(), stamp)


def _pinned_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The workbook re-zipped with every entry dated `stamp`, and core.xml's save time replaced by it."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    zip_time = (stamp.year, stamp.month, stamp.day, 0, 0, 0)
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", iso, content)
            entry = zipfile.ZipInfo(info.filename, date_time=zip_time)
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED)
    return output.getvalue()


def write_private(path: Path, data: bytes) -> None:
    """Write a new file readable by its owner only, and flush it to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2(RENAME_EXCHANGE); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(a))


def remove_leftovers(publish_dir: Path) -> list[Path]:
    """Staging or replaced folders a publisher left when it was killed; removed, and returned."""
    leftovers = [path for path in publish_dir.iterdir()
                 if path.name.startswith((STAGING_PREFIX, REPLACED_PREFIX)) and path.is_dir()
                 and not path.is_symlink()] if publish_dir.is_dir() else []
    for path in leftovers:
        shutil.rmtree(path)
    return leftovers


def publish_folder(publish_dir: Path, name: str, files: dict[str, bytes]) -> Path:
    """Write `files` as publish_dir/name/ all at once and point `latest` at it unless a later-named folder is
    there (folders are named by as-of date: a backfill does not become the latest); the folder's path.

    Only one publisher runs at a time (it holds the warehouse's write lock), so leftovers of a killed one are
    safe to remove first.
    """
    _private_dir(publish_dir)
    remove_leftovers(publish_dir)
    staging = publish_dir / f"{STAGING_PREFIX}{name}"
    staging.mkdir(mode=DIR_MODE)
    os.chmod(staging, DIR_MODE)
    for file_name, data in sorted(files.items()):
        write_private(staging / file_name, data)
    _fsync_dir(staging)

    final = publish_dir / name
    if not final.exists():
        os.rename(staging, final)
    elif _exchange(staging, final):
        shutil.rmtree(staging)  # now holds the replaced publication
    else:
        replaced = publish_dir / f"{REPLACED_PREFIX}{name}"
        os.rename(final, replaced)
        os.rename(staging, final)
        shutil.rmtree(replaced)
    current = latest_publication(publish_dir)
    if current is not None and current.name > name:
        _fsync_dir(publish_dir)
        return final
    link = publish_dir / f"{STAGING_PREFIX}{LATEST_LINK}"
    link.unlink(missing_ok=True)
    os.symlink(name, link)
    os.replace(link, publish_dir / LATEST_LINK)
    _fsync_dir(publish_dir)
    return final


def latest_publication(publish_dir: Path) -> Path | None:
    """The folder `latest` points at, or None before the first publication."""
    link = publish_dir / LATEST_LINK
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None
