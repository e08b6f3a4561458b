"""The code location: everything under orchestration/defs/, found by Dagster's defs-folder loader."""

from pathlib import Path

import dagster as dg

from shopfloor.file_modes import create_owner_only

# The code location and the run workers that load it write the warehouse, the model store and the lists.
create_owner_only()


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
