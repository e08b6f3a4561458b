"""The dbt CLI outside Dagster's resource: the manifest parse, benches, reports and tests that build a few models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shopfloor.settings import DBT_PROJECT_DIR

# The dbt of the Python environment running Shopfloor, whatever PATH says (the venv's bin is often not on it).
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
DBT_TRACKING_OFF = {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def run_dbt(args: list[str], warehouse: Path, work: Path, check: bool = True,
            timeout: float | None = None) -> subprocess.CompletedProcess:
    """`dbt <args>` on warehouse, its target and logs under work (never in dbt_project/).

    With check, a failing dbt raises RuntimeError carrying the end of its output."""
    result = subprocess.run(
        [str(DBT_EXECUTABLE), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        env={**os.environ, **DBT_TRACKING_OFF, "SHOPFLOOR_WAREHOUSE": str(warehouse)},
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=timeout,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}")
    return result


def compile_analysis(name: str, warehouse: Path, work: Path) -> str:
    """The SQL of analyses/<name>.sql compiled for warehouse (dbt names its relations with the file's database)."""
    run_dbt(["compile", "--quiet", "--select", name], warehouse, work)
    return next((work / "target" / "compiled").rglob(f"{name}.sql")).read_text()
