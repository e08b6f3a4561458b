"""Every step reads the run's as-of date here (shopfloor/as_of.py says where it comes from)."""

from datetime import date

import dagster as dg
import duckdb

from shopfloor.as_of import AS_OF_TAG, AsOfError, local_date, parse_as_of
from shopfloor.settings import get_settings


def run_as_of(context: dg.OpExecutionContext) -> date:
    """The run tag `shopfloor/as_of`, or the date the run was created where the union is."""
    tagged = context.run.tags.get(AS_OF_TAG)
    if tagged is not None:
        try:
            return parse_as_of(tagged)
        except AsOfError as error:
            raise dg.Failure(description=f"Run tag {AS_OF_TAG}: {error}") from error
    record = context.instance.get_run_record_by_id(context.run_id)
    return local_date(record.create_timestamp.timestamp(), get_settings().schedule_timezone)


def require_as_of(con: duckdb.DuckDBPyConnection, relation: str, as_of: date) -> None:
    """Fail unless `relation` describes the run's as-of date: a run that selects scoring or publishing without the
    marts must not pass off another day's marts as today's."""
    dates = [day for (day,) in con.execute(f"select distinct as_of_date from {relation}").fetchall()]
    if dates and dates != [as_of]:
        described = ", ".join(day.isoformat() for day in dates)
        raise dg.Failure(
            description=f"{relation} describes {described}, but this run is as of {as_of.isoformat()}. Select the "
            f"marts in the same run (e.g. `shopfloor run --as-of {as_of.isoformat()} --select '*'`).",
            metadata={"relation": relation, "run_as_of": as_of.isoformat(), "relation_as_of": described},
        )
