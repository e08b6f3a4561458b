"""One publication: build the lists, suppress, minimize, then write the files and the warehouse together.

The warehouse tables (schema published) are replaced in a transaction that commits only once the folder is in
place: a failure anywhere leaves the previous folder and the previous tables as they were.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from shopfloor.publish.allowlist import Minimized, minimize
from shopfloor.publish.config import PublishConfig, load_publish_config
from shopfloor.publish.files import csv_bytes, publish_folder, xlsx_bytes
from shopfloor.publish.lists import BuiltLists, build_lists
from shopfloor.publish.suppress import Suppression

PUBLISHED_SCHEMA = "published"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
ACTION_NETWORK_FILE = "action_network_people.csv"
# Output -> the order of its rows.
ROW_ORDER = {
    "target_workplaces": "region, rank_in_region",
    "leader_candidates": "region, workplace_rank, candidate_rank",
    "action_network_people": "region, workplace_rank, candidate_rank",
}
# The lists kept in the warehouse; the Action Network file is the leader list in another shape.
WAREHOUSE_TABLES = ("target_workplaces", "leader_candidates")


@dataclass(frozen=True)
class Publication:
    folder: Path
    as_of: date
    rows_by_region: dict[str, dict[str, int]]  # output -> region -> rows
    suppression: Suppression
    manifest: dict[str, Any]

    def rows(self, output: str) -> int:
        return sum(self.rows_by_region[output].values())


def _rows_by_region(con: duckdb.DuckDBPyConnection, source: str, minimized: Minimized,
                    order: str) -> dict[str, list[tuple]]:
    """The minimized rows, in list order, grouped by region (which need not be an allowlisted column)."""
    projection = ", ".join(f'"{column}"' for column in minimized.columns)
    grouped: dict[str, list[tuple]] = {}
    for region, *row in con.execute(f"select region, {projection} from {source} order by {order}").fetchall():
        grouped.setdefault(region, []).append(tuple(row))
    return grouped


def _models(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    rows = con.execute(
        "select model_name, model_version, promoted_at, training_window_end, data_fingerprint "
        "from models.active_models order by model_name, model_version"
    ).fetchall()
    return [
        {"model_name": name, "model_version": version,
         "promoted_at": promoted.isoformat() if promoted else None,
         "training_window_end": window_end.isoformat() if window_end else None,
         "data_fingerprint": fingerprint}
        for name, version, promoted, window_end, fingerprint in rows
    ]


def _raw_sources(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Per raw table, the last file loaded into it: name, checksum, rows and load time (raw._loads)."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'raw' and table_name = '_loads'"
    ).fetchone()[0]
    if not exists:
        return {}
    rows = con.execute(
        """
        select table_name, source_file, file_sha256, rows_loaded, finished_at
        from raw._loads
        where status = 'loaded'
        qualify row_number() over (partition by table_name order by finished_at desc, source_file desc) = 1
        order by table_name
        """
    ).fetchall()
    return {
        table: {"file": Path(source_file).name, "sha256": sha256, "rows": rows_loaded,
                "loaded_at": finished_at.isoformat() if finished_at else None}
        for table, source_file, sha256, rows_loaded, finished_at in rows
    }


def _manifest(con: duckdb.DuckDBPyConnection, built: BuiltLists, config: PublishConfig,
              outputs: dict[str, Minimized], grouped: dict[str, dict[str, list[tuple]]],
              files: dict[str, bytes]) -> dict[str, Any]:
    """Everything in it derives from the inputs: the same inputs give a byte-identical manifest."""
    versions = [row[0] for row in con.execute(
        f"select distinct model_version from {built.targets} union "
        f"select distinct model_version from {built.leaders} order by 1"
    ).fetchall()]
    return {
        "format": MANIFEST_FORMAT,
        "as_of_date": built.as_of.isoformat(),
        "lists": {
            output: {
                "rows": sum(len(rows) for rows in grouped[output].values()),
                "rows_by_region": {region: len(rows) for region, rows in sorted(grouped[output].items())},
                "columns": list(minimized.columns),
            }
            for output, minimized in outputs.items()
        },
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                  for name, data in sorted(files.items())},
        "suppressed": {
            "people_checked": built.suppression.people_checked,
            "people_suppressed": built.suppression.people_suppressed,
            "by_reason": built.suppression.by_reason,
        },
        "models": _models(con),
        "model_versions_on_lists": versions,
        "data_freshness": {"as_of_date": built.as_of.isoformat(), "raw_sources": _raw_sources(con)},
        "experiments_joined": built.experiments_joined,
        "action_network": {"file": ACTION_NETWORK_FILE, "upload_tags": list(config.upload_tags)},
        "config_sha256": config.sha256,
    }


def publish_lists(con: duckdb.DuckDBPyConnection, publish_dir: Path, run_date: date,
                  config: PublishConfig | None = None) -> Publication:
    """Build, suppress and minimize the lists from the warehouse `con` writes, publish them as
    publish_dir/<run_date>/ and as tables published.target_workplaces and published.leader_candidates."""
    config = config or load_publish_config()
    built = build_lists(con, config)
    sources = {"target_workplaces": built.targets, "leader_candidates": built.leaders,
               "action_network_people": built.action_network}
    outputs = {output: minimize(con, source, output, config, into=f"publish_out_{output}",
                                order_by=ROW_ORDER[output])
               for output, source in sources.items()}
    grouped = {output: _rows_by_region(con, sources[output], outputs[output], ROW_ORDER[output])
               for output in outputs}

    files: dict[str, bytes] = {}
    for output in WAREHOUSE_TABLES:
        columns = outputs[output].columns
        files[f"{output}.csv"] = csv_bytes(columns, (row for rows in _in_order(grouped[output]) for row in rows))
        files[f"{output}.xlsx"] = xlsx_bytes(columns, grouped[output], built.as_of)
    files[ACTION_NETWORK_FILE] = csv_bytes(
        outputs["action_network_people"].columns,
        (row for rows in _in_order(grouped["action_network_people"]) for row in rows),
    )
    manifest = _manifest(con, built, config, outputs, grouped, files)
    files[MANIFEST] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()

    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {PUBLISHED_SCHEMA}")
        for output in WAREHOUSE_TABLES:
            con.execute(f"create or replace table {PUBLISHED_SCHEMA}.{output} as select * from {outputs[output].table}")
        folder = publish_folder(publish_dir, run_date.isoformat(), files)
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return Publication(
        folder=folder,
        as_of=built.as_of,
        rows_by_region={output: {region: len(rows) for region, rows in sorted(grouped[output].items())}
                        for output in outputs},
        suppression=built.suppression,
        manifest=manifest,
    )


def _in_order(grouped: dict[str, list[tuple]]) -> list[list[tuple]]:
    """The region groups in the order the list sorts them (by region name)."""
    return [grouped[region] for region in sorted(grouped)]
