"""Minimization: an output holds exactly the columns of its allowlist (config/publish.yaml), nothing a query adds."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from shopfloor.publish.config import PublishConfig


class AllowlistError(RuntimeError):
    """An output cannot be minimized: an allowlisted column is missing, or a column must never be published."""


@dataclass(frozen=True)
class Minimized:
    table: str
    columns: tuple[str, ...]
    dropped: tuple[str, ...]  # columns the source relation had that the allowlist left out (names only)


def relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [row[0] for row in con.execute(f"describe {relation}").fetchall()]


def minimize(con: duckdb.DuckDBPyConnection, relation: str, output: str, config: PublishConfig,
             into: str, order_by: str) -> Minimized:
    """Create temp table `into` with only `output`'s allowlisted columns of `relation`, rows in `order_by` order.

    The allowlist is checked against never_published again here, so a configuration built in code rather than
    loaded from YAML cannot smuggle a forbidden column through either.
    """
    allowed = config.columns[output]
    forbidden = [column for column in allowed if config.forbidden(column)]
    if forbidden:
        raise AllowlistError(f"{output}: {', '.join(forbidden)} may never be published")
    available = relation_columns(con, relation)
    missing = [column for column in allowed if column not in available]
    if missing:
        raise AllowlistError(f"{output}: allowlisted column(s) {', '.join(missing)} not produced by the list query")
    projection = ", ".join(f'"{column}"' for column in allowed)
    con.execute(f"create or replace temp table {into} as select {projection} from {relation} order by {order_by}")
    return Minimized(table=into, columns=allowed, dropped=tuple(c for c in available if c not in allowed))
