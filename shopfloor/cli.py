"""The `shopfloor` command: generate sample data, run the pipeline, open the UI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shopfloor.settings import get_settings


def _cmd_sample(args: argparse.Namespace) -> int:
    from shopfloor.sample import generate

    out = Path(args.out) if args.out else get_settings().landing_dir
    summary = generate(scale=args.scale, seed=args.seed, out=out)
    print(summary)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from shopfloor.runner import run_assets

    return 0 if run_assets(selection=args.select) else 1


def _cmd_demo(args: argparse.Namespace) -> int:
    from shopfloor.runner import demo

    return 0 if demo(seed=args.seed) else 1


def _cmd_ui(args: argparse.Namespace) -> int:
    from shopfloor.runner import start_ui

    return start_ui(host=args.host, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shopfloor",
        description="Shopfloor: a data platform for workplace organizing. Paths come from SHOPFLOOR_LANDING_DIR, "
        "SHOPFLOOR_WAREHOUSE and DAGSTER_HOME (defaults under ./data).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    sample = commands.add_parser("sample", help="write a landing folder of generated people, employers and events")
    sample.add_argument("--scale", choices=["small", "medium", "state"], default="small")
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument("--out", help="landing folder to write (default: $SHOPFLOOR_LANDING_DIR)")
    sample.set_defaults(func=_cmd_sample)

    run = commands.add_parser("run", help="materialize assets in-process, recorded in DAGSTER_HOME")
    run.add_argument("--select", help="Dagster asset selection, e.g. 'group:raw' or 'raw/ncvoter+' (default: all)")
    run.set_defaults(func=_cmd_run)

    demo = commands.add_parser("demo", help="generate sample data if the landing folder is empty, then run everything")
    demo.add_argument("--seed", type=int, default=42)
    demo.set_defaults(func=_cmd_demo)

    ui = commands.add_parser("ui", help="start the Dagster webserver and daemon on loopback")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=_cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
