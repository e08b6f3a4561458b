"""Run-failure alerts: a JSON line in <data dir>/logs/run_failures.jsonl, and a POST to
SHOPFLOOR_ALERT_WEBHOOK_URL when that is set. Ids, step names and error classes only, never data values."""

import time

import dagster as dg

from shopfloor.settings import get_settings


@dg.run_failure_sensor(
    name="run_failure_alerts",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Log every failed run of this code location to data/logs/run_failures.jsonl and POST it to "
    "SHOPFLOOR_ALERT_WEBHOOK_URL if set.",
)
def run_failure_alerts(context: dg.RunFailureSensorContext) -> None:
    from shopfloor.automation import failure_log_path, failure_record, report_run_failure, root_error_class

    run = context.dagster_run
    step_failures = context.get_step_failure_events()
    errors = [event.step_failure_data.error for event in step_failures]
    if not errors:  # the run failed outside any step (e.g. its process died): the run's own error
        errors = [getattr(context.failure_event.event_specific_data, "error", None)]
    record = context.instance.get_run_record_by_id(run.run_id)
    failed_at = record.end_time if record and record.end_time else time.time()
    alert = failure_record(
        run_id=run.run_id,
        job_name=run.job_name,
        failed_at=failed_at,
        failed_steps=[event.step_key for event in step_failures],
        error_classes=[root_error_class(error) for error in errors if error is not None],
    )
    delivered = report_run_failure(alert, failure_log_path(), get_settings().alert_webhook_url)
    context.log.info(f"Run failure logged ({len(alert['failed_steps'])} failed steps); webhook delivered: {delivered}.")


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[run_failure_alerts])
