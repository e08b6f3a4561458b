"""Person resolution as an asset: members and organizing contacts linked to their voter registrations
(shopfloor.resolution.persons)."""

import dagster as dg

from orchestration.defs.resources import Warehouse
from shopfloor.settings import get_settings

OWNERS = ["team:data"]


@dg.asset(
    key=["resolution", "worker_voter_links"],
    deps=[dg.AssetKey(["intermediate", "int_person_mentions"])],
    group_name="resolution",
    kinds={"splink", "duckdb"},
    owners=OWNERS,
    description=(
        "`resolution.worker_voter_links`: each member's and each organizing contact's best-scoring voter "
        "registration (splink on DuckDB, blocked on birth year, ZIP and surname; nicknames, typos, moves and "
        "hyphenated surnames allowed for), with match probability, match weight and the `matched` flag. Metadata "
        "holds counts and rates only, with precision and recall per source against the sample's _truth/ when the "
        "landing folder has one."
    ),
)
def worker_voter_links(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from shopfloor.resolution.persons import LINKS_TABLE, link_workers_to_voters, person_link_metadata

    with warehouse.connect() as con:
        summary = link_workers_to_voters(con)
        metadata = person_link_metadata(con, summary, get_settings().landing_dir / "_truth")
    context.log.info(f"{LINKS_TABLE}: {summary.members_matched} of {summary.members} members and "
                     f"{summary.contacts_matched} of {summary.contacts} contacts matched.")
    return dg.MaterializeResult(metadata={**metadata, "dagster/row_count": summary.workers_with_candidate})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[worker_voter_links])
