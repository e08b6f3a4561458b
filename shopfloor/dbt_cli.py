"""The dbt CLI outside Dagster: for benches and reports that compile an analysis or build a few models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shopfloor.settings import DBT_PROJECT_DIR

DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"


def run_dbt(args: list[str], warehouse: Path, work: Path) -> subprocess.CompletedProcess:
    """`dbt <args>` on warehouse, its target and logs under work (never in dbt_project/); raises if dbt fails."""
    result = subprocess.run(
        [str(DBT_EXECUTABLE), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        env={**os.environ, "DO_NOT_TRACK": "1", "SHOPFLOOR_WAREHOUSE": str(warehouse)},
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{result.stdout[-3000:]}")
    return result


def compile_analysis(name: str, warehouse: Path, work: Path) -> str:
    """The SQL of analyses/<name>.sql compiled for warehouse (dbt names its relations with the file's database)."""
    run_dbt(["compile", "--quiet", "--select", name], warehouse, work)
    return next((work / "target" / "compiled").rglob(f"{name}.sql")).read_text()
