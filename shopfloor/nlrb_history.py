"""Twenty-three years of real NLRB elections, counted: every file of ../shared/real_data/nlrb_history and nlrb
through the raw loader and dbt, then per file and per fiscal year what was read, kept and dropped.

The tables are written into docs/nlrb_history.md by bench/nlrb_history_counts.py, and a test rebuilds them from
the files and compares (tests/test_nlrb_history_real.py). The files are linked, never copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from shopfloor.dbt_cli import compile_analysis, run_dbt
from shopfloor.ingest import load_source
from shopfloor.ingest.report import SourceLoadReport

REAL_FOLDERS = ("nlrb_history", "nlrb")
DOC = Path(__file__).resolve().parents[1] / "docs" / "nlrb_history.md"
MODELS = "+mart_nlrb_win_features"
# The generated tables sit between these markers in DOC; the prose around them is written by hand.
BEGIN, END = "<!-- nlrb-history-counts:begin -->", "<!-- nlrb-history-counts:end -->"


@dataclass(frozen=True)
class HistoryCounts:
    files: pd.DataFrame
    years: pd.DataFrame
    rejects: pd.DataFrame


def link_real_files(real_data: Path, landing: Path) -> list[Path]:
    """Every file of the real NLRB folders, symlinked into landing/nlrb/ (read in place, never copied)."""
    folder = landing / "nlrb"
    folder.mkdir(parents=True, exist_ok=True)
    linked = []
    for name in REAL_FOLDERS:
        for path in sorted((real_data / name).iterdir()):
            (folder / path.name).symlink_to(path.resolve())
            linked.append(folder / path.name)
    return linked


def build(real_data: Path, work: Path) -> tuple[Path, SourceLoadReport]:
    """Load the real files into a fresh warehouse under work and build the election models on it."""
    landing, warehouse = work / "landing", work / "warehouse.duckdb"
    link_real_files(real_data, landing)
    with duckdb.connect(str(warehouse)) as con:
        report = load_source(con, "nlrb", landing)
    run_dbt(["build", "--quiet", "--select", MODELS, "--exclude-resource-type", "unit_test"], warehouse, work / "dbt")
    return warehouse, report


def count(warehouse: Path, report: SourceLoadReport, work: Path) -> HistoryCounts:
    files_sql = compile_analysis("nlrb_election_history_files", warehouse, work / "dbt")
    years_sql = compile_analysis("nlrb_election_history_years", warehouse, work / "dbt")
    loads = pd.DataFrame(
        [(outcome.source_file, outcome.layout, outcome.rows_loaded + outcome.rows_rejected, outcome.rows_rejected)
         for outcome in report.files],
        columns=["source_file", "layout", "rows_read", "rows_rejected"],
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        kept = con.execute(files_sql).df()
        years = con.execute(years_sql).df()
        rejects = pd.concat(
            [con.execute(f"SELECT source_file, reason FROM raw.{table}__rejected").df()
             for table in sorted({outcome.table for outcome in report.files})],
            ignore_index=True,
        ).value_counts().rename("rows").reset_index()
    files = loads.merge(kept, on="source_file", how="left")
    files["source_file"] = files["source_file"].str.removeprefix("nlrb/")
    return HistoryCounts(files=files, years=years, rejects=rejects)


def markdown(counts: HistoryCounts) -> str:
    """The generated part of DOC."""
    files = counts.files.copy()
    files["data_year"] = files["data_year"].map(lambda value: "" if pd.isna(value) else str(int(value)))
    for column in ("rows_kept", "rows_dropped", "elections_kept"):
        files[column] = files[column].map(lambda value: "" if pd.isna(value) else f"{int(value):,}")
    files["rows_read"] = files["rows_read"].map("{:,}".format)
    file_table = _table(files, {
        "source_file": "file", "layout": "layout", "data_year": "year", "rows_read": "rows read",
        "rows_rejected": "rejected", "rows_dropped": "dropped by staging", "rows_kept": "rows kept",
        "elections_kept": "elections",
    })
    years = counts.years.copy()
    years["election_fiscal_year"] = years["election_fiscal_year"].map(lambda v: "none" if pd.isna(v) else str(int(v)))
    year_table = _table(years, {
        "election_fiscal_year": "election FY", "elections": "elections", "from_cats": "CATS",
        "from_fy_report": "FY report", "from_nlrb_tallies": "2017-21 tallies", "marked_won_and_lost": "won and lost",
        "union_won_share": "union won", "certified_share": "certified", "union_affiliation_share": "affiliation known",
    })
    reject_lines = ("\n".join(f"- {row.source_file}: {row.rows} rows, {row.reason}" for row in counts.rejects.itertuples())
                    or "None: every row of every file landed.")
    return (f"{BEGIN}\n### Per file\n\n{file_table}\n### Rejected rows\n\n{reject_lines}\n\n"
            f"### Elections per fiscal year (fct_nlrb_election_outcomes)\n\n{year_table}{END}")


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    lines = ["| " + " | ".join(columns.values()) + " |", "|" + "---|" * len(columns)]
    for row in frame[list(columns)].itertuples(index=False):
        lines.append("| " + " | ".join("" if pd.isna(value) else str(value) for value in row) + " |")
    return "\n".join(lines) + "\n"


def documented() -> str:
    """The generated part as DOC holds it now."""
    text = DOC.read_text()
    return text[text.index(BEGIN):text.index(END) + len(END)]


def write_doc(generated: str) -> None:
    text = DOC.read_text()
    DOC.write_text(text[:text.index(BEGIN)] + generated + text[text.index(END) + len(END):])
