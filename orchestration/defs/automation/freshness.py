"""How fresh each landing folder's raw tables must be (shopfloor.automation.FRESHNESS_WINDOWS).

A check fails (WARN, it blocks nothing) when no file has brought new content for longer than the window:
the raw assets put that time in `dagster/last_updated_timestamp`, so a daily refresh that finds nothing new
does not make a stale source look fresh. A sensor runs the checks again whenever one may have gone stale.
"""

import dagster as dg

from orchestration.defs.raw.assets import raw_key
from shopfloor.automation import FRESHNESS_WINDOWS
from shopfloor.layouts import sources


def freshness_checks() -> list[dg.AssetChecksDefinition]:
    checks = []
    for source, tables in sources().items():
        if source not in FRESHNESS_WINDOWS:
            raise ValueError(f"landing folder {source}/ has no freshness window: add it to FRESHNESS_WINDOWS "
                             "in shopfloor/automation.py")
        checks += dg.build_last_update_freshness_checks(
            assets=[raw_key(table) for table in tables],
            lower_bound_delta=FRESHNESS_WINDOWS[source],
            severity=dg.AssetCheckSeverity.WARN,
        )
    return checks


@dg.definitions
def defs() -> dg.Definitions:
    checks = freshness_checks()
    return dg.Definitions(
        asset_checks=checks,
        sensors=[
            dg.build_sensor_for_freshness_checks(
                freshness_checks=checks,
                # Windows are days long: looking every 10 minutes is plenty, and each look logs a line per check.
                minimum_interval_seconds=600,
                default_status=dg.DefaultSensorStatus.RUNNING,
            )
        ],
    )
