"""A publisher killed halfway through writing its files leaves the previous publication whole and readable.

The publisher runs in a child process whose file writer pauses after the first file reaches the disk; the test
then kills it with SIGKILL (no cleanup, no finally) and reads what is left: the folders, and the warehouse, whose
published tables were being replaced in a transaction that never committed.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from shopfloor.publish import publish_lists
from shopfloor.publish.files import LATEST_LINK, STAGING_PREFIX
from shopfloor.publish.synthetic import write_synthetic_inputs

CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from pathlib import Path

    import duckdb

    import shopfloor.publish.files as files
    from shopfloor.publish import publish_lists
    from shopfloor.publish.synthetic import write_synthetic_inputs

    warehouse, publish_dir, marker = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    run_date = date.fromisoformat(sys.argv[4])
    write_file = files.write_private

    def write_then_wait(path, data):
        write_file(path, data)
        marker.write_text(path.name)
        time.sleep(120)

    files.write_private = write_then_wait
    con = duckdb.connect(warehouse)
    write_synthetic_inputs(con, workplaces=60, workers_per_workplace=8, seed=8)
    publish_lists(con, publish_dir, run_date)
    """
)


def _verified(folder: Path) -> dict[str, bytes]:
    """Every file of a publication, after checking each against its manifest."""
    manifest = json.loads((folder / "manifest.json").read_text())
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert set(files) == {*manifest["files"], "manifest.json"}
    for name, entry in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"], name
    return files


@pytest.mark.parametrize("run_date", [date(2026, 11, 27), date(2026, 11, 28)], ids=["same-date", "next-date"])
def test_a_publish_killed_halfway_leaves_the_previous_publication_whole(tmp_path, run_date):
    import duckdb

    publish_dir, warehouse = tmp_path / "published", tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        write_synthetic_inputs(con, workplaces=60, workers_per_workplace=8)
        previous = publish_lists(con, publish_dir, date(2026, 11, 27)).folder
        tables_before = con.execute("select * from published.leader_candidates").fetchall()
    before = _verified(previous)

    marker = tmp_path / "first-file-written"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(warehouse), str(publish_dir), str(marker), run_date.isoformat()],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the publisher exited before writing a file"
            assert time.monotonic() < deadline, "the publisher never wrote a file"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()

    # Killed mid-write: its half folder sits under the hidden staging name, never under a date.
    staging = [path for path in publish_dir.iterdir() if path.name.startswith(STAGING_PREFIX)]
    assert [len(list(path.iterdir())) for path in staging] == [1]
    assert _verified(previous) == before
    assert (publish_dir / LATEST_LINK).resolve() == previous
    assert not (publish_dir / "2026-11-28").exists()

    with duckdb.connect(str(warehouse)) as con:
        assert con.execute("select * from published.leader_candidates").fetchall() == tables_before
        # The next publisher clears what the killed one left and publishes whole.
        after = publish_lists(con, publish_dir, run_date).folder
    _verified(after)
    assert not [path for path in publish_dir.iterdir() if path.name.startswith(STAGING_PREFIX)]
