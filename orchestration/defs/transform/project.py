"""The dbt project and its manifest.

`@dbt_assets` reads target/manifest.json when the definitions are imported, and dagster-dbt's own
`prepare_if_dev()` only rebuilds it under `dagster dev`. A fresh clone has no manifest, and a model edited
since the last parse would be missing from it. So `ensure_manifest()` runs `dbt parse` whenever the
manifest is missing or older than any file of the project, whoever imports the definitions: `shopfloor run`,
`shopfloor ui` (dagster dev), pytest. A parse takes 2-10 s (partial parsing re-reads only the changed files)
and opens no database. To ship a prebuilt manifest instead, run `dbt parse` (or `dagster-dbt project
prepare-and-package`) at build time: a manifest newer than every project file is used as is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from dagster_dbt import DbtProject

from shopfloor.dbt_cli import DBT_EXECUTABLE, DBT_TRACKING_OFF
from shopfloor.settings import DBT_PROJECT_DIR

# Files whose change alters the manifest (target/, logs/ and dbt_packages/ are outputs).
_PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "seeds", "macros", "tests")

shopfloor_dbt = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _newest_input_mtime(project_dir: Path) -> float:
    """Latest change among the project files; folders count too, as deleting a file changes only its folder."""
    paths = [project_dir / name for name in _PROJECT_INPUTS if (project_dir / name).exists()]
    paths += [child for path in paths if path.is_dir() for child in path.rglob("*")]
    return max((path.stat().st_mtime for path in paths), default=0.0)


def manifest_is_current(project: DbtProject = shopfloor_dbt) -> bool:
    manifest = project.manifest_path
    return manifest.exists() and manifest.stat().st_mtime >= _newest_input_mtime(project.project_dir)


def ensure_manifest(project: DbtProject = shopfloor_dbt) -> Path:
    """Parse the project unless target/manifest.json is newer than every project file; return its path.

    dbt writes into a private temporary target folder and the manifest is moved into place atomically, so
    two processes importing the definitions at once (pytest-xdist workers, the UI and a CLI run) never
    read a half-written manifest.
    """
    if manifest_is_current(project):
        return project.manifest_path
    target = project.project_dir / project.target_path
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="parse-", dir=target) as scratch:
        # Start from the last parse's state: dbt then re-parses only the files that changed.
        if (target / "partial_parse.msgpack").exists():
            shutil.copy(target / "partial_parse.msgpack", scratch)
        result = subprocess.run(
            [str(DBT_EXECUTABLE), "parse", "--quiet", "--project-dir", str(project.project_dir),
             "--profiles-dir", str(project.profiles_dir), "--target-path", scratch, "--log-path", scratch],
            # dagster-dbt turns tracking off for the runs; this parse goes around it.
            cwd=project.project_dir, env={**os.environ, **DBT_TRACKING_OFF}, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed in {project.project_dir}:\n{result.stdout}{result.stderr}")
        # partial_parse.msgpack lets each run's `dbt build` skip most of its own parse.
        os.replace(Path(scratch) / "partial_parse.msgpack", target / "partial_parse.msgpack")
        os.replace(Path(scratch) / "manifest.json", project.manifest_path)
    return project.manifest_path
