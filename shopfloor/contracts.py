"""Data contracts: one Great Expectations suite per raw table, validated against the DuckDB warehouse.

Suites are data: expectations/<table>.json holds the JSON GX itself writes for an ExpectationSuite.
`validate_table` runs a suite against raw.<table> with bounded memory, in three parts:

- Schema expectations (column sets, column existence) run on a zero-row frame that carries the table's full
  column list.
- Row-count expectations run on a frame with no columns whose index is the table's row count (no data).
- Every other expectation must be a row-level map expectation. These run on a DuckDB projection of only the
  columns the suite names, one chunk at a time. A chunk is a hash partition of the suite's uniqueness key
  (`hash(_source_file, key...) % n_chunks = i`, about `chunk_size` rows each), so every copy of a key lands in
  the same chunk and per-chunk uniqueness is exact. Per-chunk counts are summed and success is re-derived from
  the sums and the expectation's `mostly`, as GX does for a single batch.

GX runs with exclude_unexpected_values, so no value from the data reaches the result JSON, the HTML page or
`ContractResult`: counts only. Empty strings are projected as NULL, because CSV writers quote empty fields
inconsistently and a blank code or key means missing.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import duckdb

from shopfloor.layouts import sources
from shopfloor.settings import EXPECTATIONS_DIR

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core import ExpectationSuite, ExpectationSuiteValidationResult
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult

RAW_SCHEMA = "raw"
DEFAULT_CHUNK_SIZE = 500_000

SCHEMA_EXPECTATIONS = frozenset({
    "expect_table_columns_to_match_set",
    "expect_table_columns_to_match_ordered_list",
    "expect_column_to_exist",
    "expect_table_column_count_to_be_between",
    "expect_table_column_count_to_equal",
})
ROW_COUNT_EXPECTATIONS = frozenset({"expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"})

NUMERIC_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                           "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE"})

# BASIC keeps the counts; partial_unexpected_count 0 and exclude_unexpected_values keep values out.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0, "exclude_unexpected_values": True}


class FailedExpectation(NamedTuple):
    expectation_type: str
    column: str | None  # a column list is joined with ","; None for table-level expectations
    unexpected_count: int | None  # None where the expectation does not count rows, or raised


@dataclass(frozen=True)
class ContractResult:
    success: bool
    table: str
    evaluated_expectations: int
    successful_expectations: int
    unsuccessful_expectations: int
    failed: list[FailedExpectation] = field(default_factory=list)
    json_path: Path | None = None
    html_path: Path | None = None
    row_count: int | None = None
    chunks: int = 0
    reason: str | None = None  # why the suite could not run at all (e.g. the table does not exist)

    def metadata(self) -> dict[str, Any]:
        """Counts and paths only, JSON-friendly, for Dagster asset-check or materialization metadata."""
        metadata: dict[str, Any] = {
            "success": self.success,
            "evaluated_expectations": self.evaluated_expectations,
            "successful_expectations": self.successful_expectations,
            "unsuccessful_expectations": self.unsuccessful_expectations,
            "failed_expectations": [
                {"expectation": f.expectation_type, "column": f.column, "unexpected_count": f.unexpected_count}
                for f in self.failed
            ],
            "chunks": self.chunks,
        }
        if self.row_count is not None:
            metadata["row_count"] = self.row_count
        if self.json_path is not None:
            metadata["result_json"] = str(self.json_path)
        if self.html_path is not None:
            metadata["data_docs_html"] = str(self.html_path)
        if self.reason is not None:
            metadata["reason"] = self.reason
        return metadata


def suite_path(table: str, expectations_dir: Path = EXPECTATIONS_DIR) -> Path:
    return expectations_dir / f"{table}.json"


def suite_tables(expectations_dir: Path = EXPECTATIONS_DIR) -> list[str]:
    """Every raw table that has a suite, sorted."""
    return sorted(path.stem for path in expectations_dir.glob("*.json"))


def load_suite_dict(table: str, expectations_dir: Path = EXPECTATIONS_DIR) -> dict:
    return json.loads(suite_path(table, expectations_dir).read_text())


def load_suite(table: str, expectations_dir: Path = EXPECTATIONS_DIR) -> ExpectationSuite:
    from great_expectations.core import ExpectationSuite

    return ExpectationSuite(**load_suite_dict(table, expectations_dir))


def referenced_columns(expectation_kwargs: dict) -> list[str]:
    """Columns one expectation names in its kwargs (column, column_A/column_B, column_list, column_set)."""
    columns = [expectation_kwargs[k] for k in ("column", "column_A", "column_B") if k in expectation_kwargs]
    return columns + list(expectation_kwargs.get("column_list", [])) + list(expectation_kwargs.get("column_set", []))


def registry_columns(table: str) -> set[str]:
    """The columns the raw loader gives raw.<table> per the layout registry, lineage columns included."""
    from shopfloor.ingest.tables import LINEAGE_COLUMNS, source_tables

    source = next(source for source, tables in sources().items() if table in tables)
    return set(source_tables(source)[table]) | set(LINEAGE_COLUMNS)


def validate_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    results_dir: Path,
    run_id: str,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    expectations_dir: Path = EXPECTATIONS_DIR,
) -> ContractResult:
    """Validate raw.<table> against expectations/<table>.json.

    Writes the GX validation result to results_dir/<run_id>/<table>.json and its data-docs page beside it
    (<table>.html). A table that does not exist gives success False with a reason, and writes nothing.
    """
    suite_dict = load_suite_dict(table, expectations_dir)
    column_types = _column_types(con, table)
    if not column_types:
        return ContractResult(
            success=False, table=table, evaluated_expectations=0, successful_expectations=0,
            unsuccessful_expectations=0, reason=f"{RAW_SCHEMA}.{table} does not exist: nothing was loaded into it",
        )

    # Results come back unordered; an id per expectation (the suite's own, else its position) matches them up.
    expectations = [{**e, "id": e.get("id") or f"{table}:{i}"} for i, e in enumerate(suite_dict["expectations"])]
    schema_part = [e for e in expectations if e["type"] in SCHEMA_EXPECTATIONS]
    row_count_part = [e for e in expectations if e["type"] in ROW_COUNT_EXPECTATIONS]
    row_part = [e for e in expectations if e["type"] not in SCHEMA_EXPECTATIONS | ROW_COUNT_EXPECTATIONS]
    parameters = {"today": date.today().isoformat(), "this_year": date.today().year}
    row_count = con.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.{_quote(table)}").fetchone()[0]

    import pandas as pd

    results_by_id: dict[str, ExpectationValidationResult] = {}
    batch_meta: dict = {}
    if schema_part:
        empty = con.execute(f"SELECT * FROM {RAW_SCHEMA}.{_quote(table)} LIMIT 0").df()
        validation = _validate_frame(empty, table, schema_part, parameters)
        results_by_id.update({r.expectation_config.id: r for r in validation.results})
        batch_meta = validation.meta
    if row_count_part:
        validation = _validate_frame(pd.DataFrame(index=pd.RangeIndex(row_count)), table, row_count_part, parameters)
        results_by_id.update({r.expectation_config.id: r for r in validation.results})
    n_chunks = 0
    if row_part:
        _check_row_level(table, row_part)
        n_chunks = max(1, math.ceil(row_count / chunk_size))
        chunk_results: dict[str, list[ExpectationValidationResult]] = {e["id"]: [] for e in row_part}
        for frame in _chunks(con, table, column_types, row_part, n_chunks):
            validation = _validate_frame(frame, table, row_part, parameters)
            batch_meta = batch_meta or validation.meta
            for result in validation.results:
                chunk_results[result.expectation_config.id].append(result)
        results_by_id.update({eid: _merge_chunk_results(results) for eid, results in chunk_results.items()})

    results = [results_by_id[e["id"]] for e in expectations]
    validation = _suite_result(table, results, parameters, batch_meta, run_id, row_count, n_chunks, chunk_size)
    json_path, html_path = _write(validation, results_dir / run_id, table)
    failed = [_failure(r) for r in results if not r.success]
    return ContractResult(
        success=validation.success,
        table=table,
        evaluated_expectations=len(results),
        successful_expectations=len(results) - len(failed),
        unsuccessful_expectations=len(failed),
        failed=failed,
        json_path=json_path,
        html_path=html_path,
        row_count=row_count,
        chunks=n_chunks,
    )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column -> DuckDB type of raw.<table>, in table order; empty when the table does not exist."""
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns()"
        " WHERE database_name = current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [RAW_SCHEMA, table],
    ).fetchall()
    return dict(rows)


@cache
def _batch_definition():
    """The process's one GX context: ephemeral (writes no gx/ folder), no analytics, no progress bars."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return (
        context.data_sources.add_pandas("shopfloor_warehouse")
        .add_dataframe_asset("raw_table")
        .add_batch_definition_whole_dataframe("projection")
    )


def _validate_frame(frame: pd.DataFrame, table: str, expectations: list[dict], parameters: dict):
    from great_expectations.core import ExpectationSuite
    from great_expectations.validator.v1_validator import Validator

    # What Batch.validate runs, without its second get_batch: every get_batch fingerprints the whole frame.
    validator = Validator(
        batch_definition=_batch_definition(), batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT
    )
    suite = ExpectationSuite(name=table, expectations=expectations)
    return validator.validate_expectation_suite(suite, expectation_parameters=parameters)


def _check_row_level(table: str, expectations: list[dict]) -> None:
    """Only map expectations decompose into chunks; an aggregate one (a mean, a max) would be silently wrong."""
    from great_expectations.core import ExpectationSuite
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    for expectation in ExpectationSuite(name=table, expectations=expectations).expectations:
        if not isinstance(expectation, ColumnMapExpectation | ColumnPairMapExpectation | MulticolumnMapExpectation):
            raise ValueError(f"{table}: {expectation.expectation_type} is not row-level and cannot run in chunks")


def _partition_columns(table: str, expectations: list[dict], projected: list[str]) -> list[str]:
    """Columns every uniqueness expectation shares, so equal keys always fall in the same chunk.

    With no uniqueness expectation any row function partitions correctly; all projected columns are used.
    """
    key_sets = [
        e["kwargs"]["column_list"] if e["type"] == "expect_compound_columns_to_be_unique" else [e["kwargs"]["column"]]
        for e in expectations
        if e["type"] in ("expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique")
    ]
    if not key_sets:
        return projected
    shared = [c for c in key_sets[0] if all(c in keys for keys in key_sets[1:])]
    if not shared:
        raise ValueError(f"{table}: uniqueness expectations share no column, so chunks cannot keep keys together")
    return shared


def _chunks(con: duckdb.DuckDBPyConnection, table: str, column_types: dict[str, str], expectations: list[dict],
            n_chunks: int):
    """Yield pandas frames of the suite's columns, one hash partition at a time.

    Numbers come as DOUBLE, because GX compares only int64/float64 columns vectorised. Dates come as
    datetime.date objects, which hold any year (nanosecond timestamps stop at 1677 and 2262).
    Via Arrow, pandas gets consolidated blocks; DuckDB's own df() gives one block per column, which GX
    re-consolidates on every copy it makes (measured: twice the validation time).
    """
    wanted = dict.fromkeys(c for e in expectations for c in referenced_columns(e["kwargs"]))
    # A column the table lacks is left out: GX then fails its expectations with "column not found".
    projected = [c for c in wanted if c in column_types]
    select = ", ".join(f"{_expression(c, column_types[c])} AS {_quote(c)}" for c in projected) or "1 AS _row"
    sql = f"SELECT {select} FROM {RAW_SCHEMA}.{_quote(table)}"
    if n_chunks == 1:
        yield con.sql(sql).to_arrow_table().to_pandas(date_as_object=True)
        return
    # Hash what GX sees (blank already NULL), so values equal in the frame are equal in the hash.
    partition = ", ".join(
        _expression(c, column_types[c]) for c in _partition_columns(table, expectations, projected)
    )
    for chunk in range(n_chunks):
        where = f" WHERE hash({partition}) % {n_chunks:d} = {chunk:d}"
        yield con.sql(sql + where).to_arrow_table().to_pandas(date_as_object=True)


def _expression(column: str, duckdb_type: str) -> str:
    quoted = _quote(column)
    if duckdb_type == "VARCHAR":
        return f"NULLIF({quoted}, '')"
    if duckdb_type in NUMERIC_TYPES or duckdb_type.startswith("DECIMAL"):
        return f"CAST({quoted} AS DOUBLE)"
    return quoted


def _merge_chunk_results(results: list[ExpectationValidationResult]) -> ExpectationValidationResult:
    """One map expectation's per-chunk results summed into one, with success decided on the sums."""
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult
    from great_expectations.expectations.expectation import _format_map_output, parse_result_format

    raised = [r for r in results if _raised(r)]
    if raised:
        return raised[0]
    config = results[0].expectation_config
    element_count = sum(r.result["element_count"] for r in results)
    unexpected_count = sum(r.result["unexpected_count"] for r in results)
    # expect_column_values_to_not_be_null counts nulls as unexpected, so its results carry no missing_count.
    counts_missing = "missing_count" in results[0].result
    considered = element_count - sum(r.result["missing_count"] for r in results) if counts_missing else element_count
    mostly = config.kwargs.get("mostly", 1.0)
    success = considered == 0 or (considered - unexpected_count) / considered >= mostly
    # GX's own formatter for map results, so the merged result has exactly the shape of a single-batch one.
    formatted = _format_map_output(
        result_format=parse_result_format(RESULT_FORMAT),
        success=success,
        element_count=element_count,
        nonnull_count=considered if counts_missing else None,
        unexpected_count=unexpected_count,
    )
    return ExpectationValidationResult(
        success=success, expectation_config=config, result=formatted["result"], exception_info=results[0].exception_info
    )


def _raised(result: ExpectationValidationResult) -> bool:
    """GX records an exception at the top of exception_info, or per failed metric beneath it."""
    info = result.exception_info or {}
    return bool(info.get("raised_exception")) or any(
        isinstance(value, dict) and value.get("raised_exception") for value in info.values()
    )


def _suite_result(table: str, results: list, parameters: dict, batch_meta: dict, run_id: str, row_count: int,
                  n_chunks: int, chunk_size: int) -> ExpectationSuiteValidationResult:
    from great_expectations.core import ExpectationSuiteValidationResult

    successful = sum(1 for r in results if r.success)
    return ExpectationSuiteValidationResult(
        success=successful == len(results),
        results=results,
        suite_name=table,
        suite_parameters=parameters,
        statistics={
            "evaluated_expectations": len(results),
            "successful_expectations": successful,
            "unsuccessful_expectations": len(results) - successful,
            "success_percent": 100.0 * successful / len(results) if results else None,
        },
        meta={
            **{k: v for k, v in batch_meta.items() if k != "batch_markers"},  # markers describe one chunk only
            # GX's page renderer reads the run from run_id and the asset's name from batch_spec.
            "run_id": {"run_name": run_id, "run_time": datetime.now(UTC).isoformat()},
            "batch_spec": {"data_asset_name": f"{RAW_SCHEMA}.{table}", "batch_data": "PandasDataFrame"},
            "row_count": row_count,
            "chunks": n_chunks,
            "chunk_size": chunk_size,
        },
    )


def _write(validation: ExpectationSuiteValidationResult, out_dir: Path, table: str) -> tuple[Path, Path]:
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"{table}.json"
    json_path.write_text(json.dumps(validation.to_json_dict(), indent=2))
    html_path = out_dir / f"{table}.html"
    html_path.write_text(DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(validation)))
    return json_path, html_path


def _failure(result: ExpectationValidationResult) -> FailedExpectation:
    kwargs = result.expectation_config.kwargs
    columns = referenced_columns({k: v for k, v in kwargs.items() if k != "column_set"})
    return FailedExpectation(
        expectation_type=result.expectation_config.type,
        column=",".join(columns) or None,
        unexpected_count=(result.result or {}).get("unexpected_count"),
    )
