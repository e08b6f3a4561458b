"""Publishing benchmark: the time and peak RSS of publish_lists() on state-scale inputs, on top of scoring.

    python bench/publish.py                    # state scale: 500k workplaces, 1M scored workers, 8.5M voters
    python bench/publish.py --workplaces 20000 --workers-per-workplace 2 --voters 100000

The inputs are contract-shaped synthetic tables (shopfloor/publish/synthetic.py) written once into a warehouse
under data/bench/publish-<label>/; the sample world's state scale has 500k workplaces, 150k members, ~37k
organizing contacts and 8.5M registrants, so 1M scored workers is a generous stand-in. Each measurement runs in a
fresh child process so its peak RSS is its own: once with config/publish.yaml as it is (top 50 per region), once
with a deep cut (top 5,000 per region) to show how the cost grows with the lists. Target (issue 5): under 60 s.
Results are appended to bench/results/publish-<label>.json; docs/performance.md quotes them.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_DATE = date(2026, 11, 27)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _publish(warehouse: str, publish_dir: str, per_region: int | None, queue: mp.Queue) -> None:
    import dataclasses

    import duckdb

    from shopfloor.publish import publish_lists
    from shopfloor.publish.config import load_publish_config

    config = load_publish_config()
    if per_region:
        config = dataclasses.replace(config, per_region=per_region)
    started = time.perf_counter()
    with duckdb.connect(warehouse) as con:
        publication = publish_lists(con, Path(publish_dir), RUN_DATE, config)
    seconds = time.perf_counter() - started
    queue.put({
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(_peak_rss_mb()),
        "per_region": config.per_region,
        "target_workplaces": publication.rows("target_workplaces"),
        "leader_candidates": publication.rows("leader_candidates"),
        "people_checked": publication.suppression.people_checked,
        "people_suppressed": publication.suppression.people_suppressed,
        "bytes_written": sum(entry["bytes"] for entry in publication.manifest["files"].values()),
    })


def _measure(warehouse: Path, per_region: int | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="shopfloor-bench-publish-") as scratch:
        context = mp.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=_publish, args=(str(warehouse), scratch, per_region, queue))
        child.start()
        result = queue.get()
        child.join()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workplaces", type=int, default=500_000)
    parser.add_argument("--workers-per-workplace", type=int, default=2)
    parser.add_argument("--voters", type=int, default=8_500_000)
    parser.add_argument("--label", default="state")
    args = parser.parse_args()

    import duckdb

    from shopfloor.publish.synthetic import write_synthetic_inputs

    folder = REPO / "data" / "bench" / f"publish-{args.label}"
    folder.mkdir(parents=True, exist_ok=True)
    warehouse = folder / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(warehouse)) as con:
        write_synthetic_inputs(con, workplaces=args.workplaces, workers_per_workplace=args.workers_per_workplace,
                               voters=args.voters)
        scored = con.execute("select (select count(*) from models.workplace_scores), "
                             "(select count(*) from models.worker_scores)").fetchone()
    setup_seconds = time.perf_counter() - started

    result = {
        "label": args.label,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{platform.machine()}, {mp.cpu_count()} cores",
        "inputs": {"workplaces": args.workplaces, "scored_workplaces": scored[0], "scored_workers": scored[1],
                   "voter_registrations": args.voters, "synthesis_seconds": round(setup_seconds, 1)},
        "configured": _measure(warehouse, None),
        "deep_cut": _measure(warehouse, 5_000),
    }
    print(json.dumps(result, indent=2))
    results = REPO / "bench" / "results" / f"publish-{args.label}.json"
    history = json.loads(results.read_text()) if results.exists() else []
    results.write_text(json.dumps([*history, result], indent=2) + "\n")


if __name__ == "__main__":
    main()
