"""The daily refresh: every asset, and every file of the partitioned sources, in one run."""

import dagster as dg

from orchestration.defs.raw.partitions import full_refresh
from shopfloor.as_of import as_of_tags, local_date
from shopfloor.settings import get_settings

refresh_all = dg.define_asset_job(
    "refresh_all",
    selection="*",
    description="Every asset and its checks. Raw loads skip files already loaded, so a refresh loads only what is new.",
    # Steps one after another: never two writers on the DuckDB file.
    executor_def=dg.in_process_executor,
)


def daily_refresh_schedule() -> dg.ScheduleDefinition:
    settings = get_settings()

    @dg.schedule(
        name="daily_refresh",
        job=refresh_all,
        cron_schedule=settings.schedule_cron,
        execution_timezone=settings.schedule_timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Run refresh_all at `{settings.schedule_cron}` ({settings.schedule_timezone}); set "
        "SHOPFLOOR_SCHEDULE_CRON and SHOPFLOOR_SCHEDULE_TIMEZONE to change it.",
    )
    def daily_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        graph = context.repository_def.asset_graph
        keys, partition_tags = full_refresh(
            graph, context.instance, get_settings().landing_dir, graph.materializable_asset_keys
        )
        # The run is as of the tick's date where the union is, however late the daemon gets to it.
        as_of = local_date(context.scheduled_execution_time.timestamp(), settings.schedule_timezone)
        return dg.RunRequest(
            asset_selection=keys,
            tags={"shopfloor/launched_by": "schedule", **as_of_tags(as_of), **partition_tags},
        )

    return daily_refresh


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[refresh_all], schedules=[daily_refresh_schedule()])
