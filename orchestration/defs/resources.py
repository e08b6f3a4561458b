"""Resources and the executor every Shopfloor asset shares."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from shopfloor.settings import get_settings


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file. DuckDB allows one writing process per file, so hold it briefly."""

    path: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(self.path)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            raise dg.Failure(
                description=f"The warehouse {self.path} is open in another process. Shopfloor writes it from "
                "one process at a time: wait for the other run, or close the other session.",
                metadata={"duckdb_error": str(error)},
            ) from error
        # Long loads would draw DuckDB's terminal progress bar into the run's logs.
        con.execute("SET enable_progress_bar = false")
        # A SET, not a connect option: a connection opened with other options in this process would clash with it.
        con.execute("SET memory_limit = ?", [get_settings().memory_limit])
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
