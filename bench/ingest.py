"""Raw-layer ingest benchmark: rows/s and peak RSS, beside a bare DuckDB read_csv floor of the same files.

    python bench/ingest.py --scale medium            # generate (once) and load a medium landing folder
    python bench/ingest.py --scale state --landing /big/disk/landing

Each measurement runs in a fresh child process so its peak RSS (ru_maxrss) is its own. The floor reads every
delimited file with DuckDB's read_csv into a table (all columns as text, no rejects, no hashing): the least work
any loader must do. Targets (issue 2): loader within 1.5x of the floor; peak RSS under 3 GB at state scale.
Results are appended to bench/results/ingest-<scale>.json; docs/performance.md quotes them.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import resource
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_loader(landing: str, warehouse: str, queue: mp.Queue) -> None:
    import duckdb

    from shopfloor.ingest import load_source
    from shopfloor.layouts import sources

    started = time.perf_counter()
    rows = rejected = 0
    with duckdb.connect(warehouse) as con:
        for source in sources():
            if not (Path(landing) / source).is_dir():
                continue
            report = load_source(con, source, Path(landing))
            for table in report.tables.values():
                rows += table.rows_loaded
                rejected += table.rows_rejected
    queue.put({"seconds": time.perf_counter() - started, "rows": rows, "rows_rejected": rejected,
               "peak_rss_mb": _peak_rss_mb()})


def _run_floor(landing: str, warehouse: str, queue: mp.Queue) -> None:
    import duckdb

    from shopfloor.ingest import detect_layout
    from shopfloor.layouts import load_registry

    started = time.perf_counter()
    rows = 0
    with duckdb.connect(warehouse) as con:
        for source in {layout.source for layout in load_registry().values()}:
            folder = Path(landing) / source
            if not folder.is_dir():
                continue
            for index, path in enumerate(sorted(p for p in folder.rglob("*") if p.is_file())):
                layout = detect_layout(path, source)
                if layout.format != "delimited":
                    continue
                encoding = "latin-1" if source == "voter_files" and layout.table.startswith("nc") else "utf-8"
                table = f"floor_{source}_{index}"
                con.execute(
                    f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, delim=?, quote=?, header=true, "
                    f"all_varchar=true, encoding=?)",
                    [str(path), layout.delimiter, layout.quote, encoding],
                )
                rows += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    queue.put({"seconds": time.perf_counter() - started, "rows": rows, "peak_rss_mb": _peak_rss_mb()})


def _measure(target, landing: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="shopfloor-bench-") as scratch:
        queue: mp.Queue = mp.get_context("spawn").Queue()
        process = mp.get_context("spawn").Process(target=target, args=(str(landing), f"{scratch}/w.duckdb", queue))
        process.start()
        result = queue.get()
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"{target.__name__} exited with {process.exitcode}")
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["small", "medium", "state"], default="medium")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--landing", type=Path, help="landing folder (generated here if it holds no data)")
    args = parser.parse_args()

    landing = args.landing or REPO / "data" / "bench" / f"landing-{args.scale}"
    if not (landing / "voter_files").is_dir():
        from shopfloor.sample import generate

        started = time.perf_counter()
        generate(scale=args.scale, seed=args.seed, out=landing)
        print(f"generated {args.scale} landing folder in {time.perf_counter() - started:.1f} s")

    input_bytes = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file() and "_truth" not in p.parts)
    floor = _measure(_run_floor, landing)
    loader = _measure(_run_loader, landing)
    result = {
        "scale": args.scale,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{platform.machine()}, {mp.cpu_count()} cores",
        "input_gb": round(input_bytes / 1e9, 3),
        "loader": {**loader, "rows_per_s": round(loader["rows"] / loader["seconds"])},
        "floor_read_csv": {**floor, "rows_per_s": round(floor["rows"] / floor["seconds"])},
        "loader_vs_floor": round(loader["seconds"] / floor["seconds"], 2),
    }
    out = REPO / "bench" / "results" / f"ingest-{args.scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    history = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps([*history, result], indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
