"""The published lists as one step: both tables and the files with their manifest are written together.

One step, because the manifest describes both lists and leader candidates are drawn from the published targets;
selecting one of the two assets selects both. Before anything is read the step checks that every upstream
blocking check passed (gating.py): a run that selects only these assets cannot publish over failed data.
"""

from datetime import date

import dagster as dg

from orchestration.defs.as_of import require_as_of, run_as_of
from orchestration.defs.published.gating import require_upstream_checks_passed
from orchestration.defs.resources import Warehouse
from shopfloor.data_age import SourceAge, load_age_limits, read_source_ages, too_old
from shopfloor.settings import get_settings

PUBLISHED_GROUP = "published"
OWNERS = ["team:data"]
TARGETS = dg.AssetKey(["published", "target_workplaces"])
LEADERS = dg.AssetKey(["published", "leader_candidates"])
UPSTREAM = [
    dg.AssetKey(path)
    for path in (
        ["models", "workplace_scores"], ["models", "worker_scores"], ["models", "active_models"],
        ["experiments", "assignments"], ["experiments", "recommended_tactics"],
        ["marts", "mart_workplaces"], ["marts", "mart_workers"], ["marts", "fct_nlrb_cases"],
        ["marts", "workplace_links"], ["intermediate", "int_worker_contacts"],
        ["intermediate", "int_voter_registrations"], ["staging", "stg_suppression__entries"],
        ["staging", "nicknames"], ["marts", "source_data_dates"],
    )
]


def require_fresh_sources(con, as_of: date) -> list[SourceAge]:
    """Each source's data age on the run's date; dg.Failure naming the sources older than their limit."""
    ages = read_source_ages(con)
    stale = too_old(ages, load_age_limits())
    if stale:
        raise dg.Failure(
            description=f"Not published: as of {as_of.isoformat()}, {len(stale)} source(s) are older than their "
            "limit in config/sources.yaml. Land newer files, run as of an earlier date, or raise the limit; the "
            "last publication stays in place.\n" + "\n".join(stale),
            metadata={"data_age_days": {age.source: age.data_age_days for age in ages}},
        )
    return ages


@dg.multi_asset(
    name="published_lists",
    description="Rank, suppress, minimize and publish the lists organizers receive (docs/publishing.md).",
    specs=[
        dg.AssetSpec(
            TARGETS,
            deps=UPSTREAM,
            group_name=PUBLISHED_GROUP,
            owners=OWNERS,
            kinds={"duckdb", "csv", "excel"},
            description=(
                "`published.target_workplaces`: non-represented workplaces ranked per region by win probability "
                "and size (config/publish.yaml), with the model's reasons in plain words and the key facts. Also "
                "written as CSV and XLSX (a sheet per region) under $SHOPFLOOR_PUBLISH_DIR/<run date>/."
            ),
        ),
        dg.AssetSpec(
            LEADERS,
            deps=UPSTREAM,
            group_name=PUBLISHED_GROUP,
            owners=OWNERS,
            kinds={"duckdb", "csv", "excel"},
            description=(
                "`published.leader_candidates`: the best-scored workers of each target workplace with the contact "
                "fields organizers need and why each was chosen, after suppression (do-not-contact, suppression "
                "list, minors and unknown ages, confidential or removed voter records). Personal data: never in "
                "the analyst copy. Also CSV, XLSX and an Action Network people upload, with a manifest."
            ),
        ),
    ],
)
def published_lists(context: dg.AssetExecutionContext, warehouse: Warehouse):
    from shopfloor.publish import publish_lists

    checks = require_upstream_checks_passed(context, [TARGETS, LEADERS])
    as_of = run_as_of(context)
    with warehouse.connect() as con:
        for scores in ("models.workplace_scores", "models.worker_scores"):
            require_as_of(con, scores, as_of)
        ages = require_fresh_sources(con, as_of)
        publication = publish_lists(con, get_settings().publish_dir, as_of)
    behind = [f"{age.source} {age.newest_record_on.isoformat()} ({age.data_age_days} days)"
              for age in ages if age.data_age_days > 0]
    if behind:
        context.log.info(f"As of {as_of.isoformat()}, the newest data of each source is older: {'; '.join(behind)}.")
    suppressed = publication.suppression
    context.log.info(
        f"Published {publication.rows('target_workplaces')} target workplaces and "
        f"{publication.rows('leader_candidates')} leader candidates to {publication.folder}; "
        f"{suppressed.people_suppressed} of {suppressed.people_checked} people suppressed."
    )
    shared = {
        "folder": dg.MetadataValue.path(str(publication.folder)),
        "as_of_date": dg.MetadataValue.text(publication.as_of.isoformat()),
        "upstream_blocking_checks_passed": dg.MetadataValue.int(checks),
        "data_age_days": dg.MetadataValue.json({age.source: age.data_age_days for age in ages}),
        "newest_record_on": dg.MetadataValue.json({age.source: age.newest_record_on.isoformat() for age in ages}),
    }
    yield dg.MaterializeResult(
        asset_key=TARGETS,
        metadata={
            **shared,
            "dagster/row_count": dg.MetadataValue.int(publication.rows("target_workplaces")),
            "rows_by_region": dg.MetadataValue.json(publication.rows_by_region["target_workplaces"]),
        },
    )
    yield dg.MaterializeResult(
        asset_key=LEADERS,
        metadata={
            **shared,
            "dagster/row_count": dg.MetadataValue.int(publication.rows("leader_candidates")),
            "rows_by_region": dg.MetadataValue.json(publication.rows_by_region["leader_candidates"]),
            "people_checked": dg.MetadataValue.int(suppressed.people_checked),
            "people_suppressed": dg.MetadataValue.int(suppressed.people_suppressed),
            "suppressed_by_reason": dg.MetadataValue.json(suppressed.by_reason),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[published_lists])
