"""Resources and the executor every Shopfloor asset shares."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from shopfloor.file_modes import tighten_personal_data
from shopfloor.settings import get_settings
from shopfloor.warehouse_lock import WarehouseHeldError, connect_when_free


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file. DuckDB allows one writing process per file, so hold it briefly; while another
    process holds it, wait (the run's log names the holder)."""

    path: str

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Every run, from the CLI, the UI or the schedule, first takes group and other permissions off the files
        # holding personal data that an older version, another tool or a copy left readable (says so once).
        loosened = tighten_personal_data(get_settings())
        if loosened:
            context.log.warning(f"Made {len(loosened)} files and folders holding personal data owner-only: they were "
                                "readable by other accounts.")

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        settings = get_settings()
        try:
            con = connect_when_free(
                Path(self.path), wait_seconds=settings.warehouse_wait_seconds, log=dg.get_dagster_logger()
            )
        except WarehouseHeldError as held:
            raise dg.Failure(description=str(held), metadata={"held_by": held.holder}) from held
        # Long loads would draw DuckDB's terminal progress bar into the run's logs.
        con.execute("SET enable_progress_bar = false")
        # A SET, not a connect option: a connection opened with other options in this process would clash with it.
        con.execute("SET memory_limit = ?", [settings.memory_limit])
        try:
            yield con
        finally:
            con.close()


@dg.definitions
def defs() -> dg.Definitions:
    # The in-process executor runs a run's steps one after another: never two writers on the DuckDB file.
    return dg.Definitions(
        resources={"warehouse": Warehouse(path=str(get_settings().warehouse))},
        executor=dg.in_process_executor,
    )
