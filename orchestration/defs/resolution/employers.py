"""Employer and workplace resolution as an asset (shopfloor.resolution.employers): between int_employer_mentions
and the dbt marts tagged after_resolution (dim_employers, dim_workplaces, workplace_links)."""

import dagster as dg

from orchestration.defs.resources import Warehouse
from shopfloor.settings import get_settings

OWNERS = ["team:data"]


@dg.asset(
    key=["resolution", "employer_mention_clusters"],
    deps=[dg.AssetKey(["intermediate", "int_employer_mentions"])],
    group_name="resolution",
    kinds={"splink", "duckdb"},
    owners=OWNERS,
    description=(
        "`resolution.employer_mention_clusters`: every record naming an employer with its workplace_id and "
        "employer_id. splink on DuckDB links records that carry an address into workplaces (blocked on address, "
        "ZIP and name prefix, house number and name prefix); workplaces with the same legal name are one "
        "employer; records without an address join their employer by name and a workplace by city. Metadata "
        "holds counts and rates only, with pairwise precision, recall and F1 against the sample's _truth/ "
        "when the landing folder has one."
    ),
)
def employer_mention_clusters(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from shopfloor.resolution.employers import CLUSTERS_TABLE, resolve_employers
    from shopfloor.resolution.evaluation import employer_resolution_metadata

    with warehouse.connect() as con:
        summary = resolve_employers(con)
        metadata = employer_resolution_metadata(con, summary, get_settings().landing_dir / "_truth")
    context.log.info(f"{CLUSTERS_TABLE}: {summary.mentions} records in {summary.workplaces} workplaces "
                     f"of {summary.employers} employers.")
    return dg.MaterializeResult(metadata={**metadata, "dagster/row_count": summary.mentions})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[employer_mention_clusters])
