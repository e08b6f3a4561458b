"""The `shopfloor` command: generate sample data, run the pipeline, open the UI."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from shopfloor.file_modes import create_owner_only
from shopfloor.public_defaults import PublicDefaultError
from shopfloor.runner import UI_SHUTDOWN_GRACE_SECONDS
from shopfloor.settings import environment_help, get_settings


def _cmd_sample(args: argparse.Namespace) -> int:
    from shopfloor.sample import generate

    out = Path(args.out) if args.out else get_settings().landing_dir
    summary = generate(scale=args.scale, seed=args.seed, out=out)
    print(summary)
    return 0


def _cmd_sample_activity(args: argparse.Namespace) -> int:
    from shopfloor.sample.campaign import simulate_campaign_activity

    settings = get_settings()
    landing = Path(args.landing) if args.landing else settings.landing_dir
    try:
        summary = simulate_campaign_activity(settings.warehouse, landing, seed=args.seed)
    except (FileNotFoundError, RuntimeError) as error:
        print(f"shopfloor sample-activity: {error}", file=sys.stderr)
        return 2
    print(summary)
    return 0


def _as_of_date(text: str) -> date:
    from shopfloor.as_of import AsOfError, parse_as_of

    try:
        return parse_as_of(text)
    except AsOfError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _cmd_run(args: argparse.Namespace) -> int:
    from shopfloor.as_of import AsOfError, check_as_of, today_where_the_union_is
    from shopfloor.data_age import earliest_record_on
    from shopfloor.runner import SelectionError, run_assets

    settings = get_settings()
    today = today_where_the_union_is(settings.schedule_timezone)
    as_of = args.as_of or today
    try:
        check_as_of(as_of, today=today, earliest_record_on=earliest_record_on(settings.warehouse))
    except AsOfError as error:
        print(f"shopfloor run: {error}", file=sys.stderr)
        return 2
    try:
        return 0 if run_assets(selection=args.select, as_of=as_of) else 1
    except (SelectionError, PublicDefaultError) as error:
        print(f"shopfloor run: {error}", file=sys.stderr)
        return 2


def _cmd_forget(args: argparse.Namespace) -> int:
    from shopfloor.as_of import today_where_the_union_is
    from shopfloor.forget import ForgetError, forget, read_keys
    from shopfloor.public_defaults import refuse_public_salt
    from shopfloor.runner import run_assets

    settings = get_settings()
    today = today_where_the_union_is(settings.schedule_timezone)
    try:
        keys = read_keys(args.person_key, Path(args.keys_file) if args.keys_file else None)
        # The keys are computed with the salt: the same one the runs use, and never the public one.
        refuse_public_salt(settings)
        record = forget(keys, settings, today=today)
    except (ForgetError, PublicDefaultError, OSError, RuntimeError) as error:  # RuntimeError: dbt's operation
        print(f"shopfloor forget: {error}", file=sys.stderr)
        return 2
    deleted = sum(record.raw_rows_deleted.values())
    print(f"forgot {record.keys_asked} people ({record.linked_keys} linked keys): {deleted} raw rows deleted, "
          f"{len(record.publications_removed)} days' published lists naming them removed, the keys added to the "
          f"suppression list ({record.suppression_file}); rebuilding what was made from them")
    return 0 if run_assets(None, as_of=args.as_of or today) else 1


def _cmd_demo(args: argparse.Namespace) -> int:
    from shopfloor.runner import demo

    try:
        return 0 if demo(seed=args.seed) else 1
    except PublicDefaultError as error:
        print(f"shopfloor demo: {error}", file=sys.stderr)
        return 2


def _cmd_ui(args: argparse.Namespace) -> int:
    from shopfloor.runner import start_ui

    try:
        return start_ui(host=args.host, port=args.port)
    except PublicDefaultError as error:
        print(f"shopfloor ui: {error}", file=sys.stderr)
        return 2


def _cmd_power(args: argparse.Namespace) -> int:
    from shopfloor.experiments.power import main as power_main

    return power_main(args.power_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shopfloor",
        description="Shopfloor: a data platform for workplace organizing. Every setting comes from the environment.",
        epilog=environment_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    sample = commands.add_parser("sample", help="write a landing folder of generated people, employers and events")
    sample.add_argument("--scale", choices=["small", "medium", "state"], default="small")
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument("--out", help="landing folder to write (default: $SHOPFLOOR_LANDING_DIR)")
    sample.set_defaults(func=_cmd_sample)

    activity = commands.add_parser(
        "sample-activity",
        help="simulate organizers' campaign activity on the experiment assignments (after a run)",
        description="Write campaign_activity/ weekly CRM exports (contact attempts, cards signed) for the units "
        "assigned in $SHOPFLOOR_WAREHOUSE's experiments.assignments, with planted tactic effects in "
        "_truth/experiment_effects.json. Needs a generated sample's _truth/ in the landing folder.",
    )
    activity.add_argument("--seed", type=int, default=42)
    activity.add_argument("--landing", help="landing folder of the sample (default: $SHOPFLOOR_LANDING_DIR)")
    activity.set_defaults(func=_cmd_sample_activity)

    run = commands.add_parser(
        "run",
        help="materialize assets and run their checks in this process, recorded in DAGSTER_HOME",
        description="Materialize assets and run their checks in this process, one step at a time. The run is "
        "recorded in DAGSTER_HOME, so the Dagster UI shows it. Exit status 0 on success, 1 if the run failed, "
        "2 if the selection is invalid.",
    )
    run.add_argument(
        "--select",
        metavar="SELECTION",
        help="Dagster asset selection: 'group:raw', 'key:raw/members+' (an asset and everything downstream), "
        "'+key:raw/grievances', 'kind:duckdb'. Tables of one landing folder load together: select all of them. "
        "Default: every asset.",
    )
    run.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=_as_of_date,
        help="the date the run describes: its marts, scores, suppression (who is 18), experiments and the "
        "published folder's name. A past date rebuilds that day point-in-time. Default: today where the union is "
        "($SHOPFLOOR_SCHEDULE_TIMEZONE).",
    )
    run.set_defaults(func=_cmd_run)

    forget = commands.add_parser(
        "forget",
        help="delete people who asked to be forgotten, by person key, then rebuild without them",
        description="Act on deletion requests. Each person key (the lists' worker_key, the marts' member_key) and "
        "the voter registration linked to it go on the suppression list as forgotten, so no model built from "
        "now on carries them and a re-landed file cannot bring them back; their rows are deleted from the raw "
        "tables and every day's published lists naming them are removed; then everything is rebuilt and the "
        "as-of day republished without them (as `shopfloor run`). Each removal is "
        "recorded in forgotten.jsonl beside the warehouse: when and how many rows, never who. Exit status 0 on "
        "success, 1 if the rebuild failed, 2 if nothing was forgotten.",
    )
    forget.add_argument("--person-key", action="append", default=[], metavar="KEY", help="a person key (repeatable)")
    forget.add_argument("--keys-file", metavar="FILE", help="a file of person keys, one per line")
    forget.add_argument("--as-of", metavar="YYYY-MM-DD", type=_as_of_date,
                        help="the date the rebuild describes (default: today where the union is)")
    forget.set_defaults(func=_cmd_forget)

    demo = commands.add_parser(
        "demo",
        help="generate sample data if the landing folder is empty, then run everything",
        description="Generate small sample data if the landing folder has no files, materialize every asset as of "
        "the sample world's last day (other files: as of today), then print where the landing folder, warehouse, "
        "validation results and DAGSTER_HOME are, with raw row counts.",
    )
    demo.add_argument("--seed", type=int, default=42, help="seed of the generated sample (default: 42)")
    demo.set_defaults(func=_cmd_demo)

    ui = commands.add_parser(
        "ui",
        help="start the Dagster webserver and daemon on loopback",
        description="Run `dagster dev` on workspace.yaml: the web UI plus the daemon that runs schedules, sensors "
        "and the run queue (one run at a time). Ctrl+C or SIGTERM stops it; what has not stopped "
        f"{UI_SHUTDOWN_GRACE_SECONDS} s later is killed.",
    )
    ui.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only; "
                    "any other needs SHOPFLOOR_UI_AUTH_PROXY, docs/operations.md)")
    ui.add_argument("--port", type=int, default=3000, help="port (default: 3000)")
    ui.set_defaults(func=_cmd_ui)
    power = commands.add_parser(
        "power",
        add_help=False,
        help="size an experiment: the minimum detectable effect for N, or the N for an effect (power --help)",
    )
    power.set_defaults(func=_cmd_power)
    return parser


def main(argv: list[str] | None = None) -> int:
    create_owner_only()
    parser = build_parser()
    # `power` has a parser of its own (shopfloor.experiments.power): hand it every argument after the word.
    args, extra = parser.parse_known_args(argv)
    if args.command == "power":
        args.power_args = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
