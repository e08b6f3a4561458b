"""Transform benchmark: wall time and peak RSS of each stage of one `shopfloor run` over a landing folder.

    python bench/transform.py --scale medium             # data/bench/landing-medium (generated if missing)
    python bench/transform.py --scale state              # data/bench/landing-state (bench/ingest.py makes it)
    python bench/transform.py --scale state --landing /big/disk/landing --keep

Runs `shopfloor run --select TRANSFORM` (raw load and contracts, dbt step 1, employer resolution, person
resolution, dbt step 2) in a child process with its own warehouse, Dagster home and spill folder under
data/bench/<scale>-run/. Every SAMPLE_SECONDS it reads from /proc the RSS of that process and of every process
below it (dbt), and afterwards takes each step's start and end from the run's Dagster event log. Per stage:
wall time, peak RSS of the Dagster process, of the dbt process, and of the two together. The whole run's peak
is also taken from the kernel (wait4's ru_maxrss: the largest single process, never missed between samples).
Target (issue 3): every process under 6 GB at state scale. The resolution assets' metadata (counts, and
precision/recall against the landing folder's _truth/) is kept too.

Results are appended to bench/results/transform-<scale>.json; docs/performance.md quotes them. The work
folder is removed afterwards unless --keep. Needs Linux (/proc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from shopfloor.sample.truth import sample_as_of
from shopfloor.settings import get_settings

REPO = Path(__file__).resolve().parents[1]
TRANSFORM = "group:raw or group:staging or group:intermediate or group:marts or group:resolution"
SAMPLE_SECONDS = 0.2
DISK_SAMPLE_SECONDS = 5.0
STAGE_ORDER = ("raw_and_contracts", "dbt_step_1", "employer_resolution", "person_resolution", "dbt_step_2")


def _rss_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in kB; (0, 0) once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    values = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines()
              if line.startswith(("VmRSS:", "VmHWM:"))}
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def _descendants(root: int) -> list[int]:
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            # The command name in parentheses may hold spaces: the parent pid is the 2nd field after it.
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found.extend(children)
        frontier = children
    return found


def _folder_bytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            continue
    return total


@dataclass
class Sampler:
    """Samples a process tree's memory (and its work folder's size) in a thread until stopped."""

    root: int
    work: Path
    # (time, Dagster process RSS kB, RSS kB of all its descendants)
    samples: list[tuple[float, int, int]] = field(default_factory=list)
    # descendant pid -> (first seen, last seen, peak RSS kB from VmHWM)
    children: dict[int, tuple[float, float, int]] = field(default_factory=dict)
    peak_disk_bytes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        last_disk = 0.0
        while not self._stop.is_set():
            now = time.time()
            main_rss, _ = _rss_kb(self.root)
            children_rss = 0
            for pid in _descendants(self.root):
                rss, hwm = _rss_kb(pid)
                children_rss += rss
                first, _, peak = self.children.get(pid, (now, now, 0))
                self.children[pid] = (first, now, max(peak, hwm))
            self.samples.append((now, main_rss, children_rss))
            if now - last_disk >= DISK_SAMPLE_SECONDS:
                self.peak_disk_bytes = max(self.peak_disk_bytes, _folder_bytes(self.work))
                last_disk = now
            self._stop.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop.set()


def _stage(step_key: str) -> str:
    """The stage a Dagster step belongs to: every step before dbt (raw tables, contract checks) is the raw one."""
    if step_key == "shopfloor_dbt_models":
        return "dbt_step_1"
    if step_key == "shopfloor_dbt_after_resolution":
        return "dbt_step_2"
    if step_key == "resolution__employer_mention_clusters":
        return "employer_resolution"
    if step_key.startswith("resolution__"):
        return "person_resolution"
    return "raw_and_contracts"


def _mb(kb: float) -> int:
    return round(kb / 1024)


def _stage_windows(dagster_home: Path) -> tuple[dict[str, tuple[float, float]], dict[str, dict]]:
    """Each stage's (first step start, last step end) and the resolution assets' metadata, from the event log."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    import dagster as dg

    step_bounds = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
                   dg.DagsterEventType.STEP_FAILURE}
    windows: dict[str, tuple[float, float]] = {}
    metadata: dict[str, dict] = {}
    with dg.DagsterInstance.get() as instance:
        (run,) = instance.get_runs(limit=1)
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or not entry.step_key:
                continue
            # Only a step's own start and end: events such as ASSET_MATERIALIZATION_PLANNED come at run start.
            if event.event_type in step_bounds:
                stage = _stage(entry.step_key)
                start, end = windows.get(stage, (entry.timestamp, entry.timestamp))
                windows[stage] = (min(start, entry.timestamp), max(end, entry.timestamp))
            elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                key = event.asset_key.to_user_string()
                if key.startswith("resolution/"):
                    metadata[key] = {name: value.value for name, value in
                                     event.step_materialization_data.materialization.metadata.items()
                                     if isinstance(value.value, int | float)}
    return windows, metadata


def _stage_figures(sampler: Sampler, windows: dict[str, tuple[float, float]]) -> dict[str, dict]:
    figures = {}
    for stage in STAGE_ORDER:
        if stage not in windows:
            continue
        start, end = windows[stage]
        inside = [sample for sample in sampler.samples if start <= sample[0] <= end]
        started_inside = [peak for first, _, peak in sampler.children.values() if start <= first <= end]
        figures[stage] = {
            "seconds": round(end - start, 1),
            "dagster_process_peak_rss_mb": _mb(max((main for _, main, _ in inside), default=0)),
            "dbt_process_peak_rss_mb": _mb(max(started_inside, default=0)),
            "together_peak_rss_mb": _mb(max((main + children for _, main, children in inside), default=0)),
        }
    return figures


def run(landing: Path, work: Path) -> dict:
    settings_env = {
        "SHOPFLOOR_LANDING_DIR": str(landing),
        "SHOPFLOOR_WAREHOUSE": str(work / "warehouse.duckdb"),
        "DAGSTER_HOME": str(work / "dagster_home"),
        "SHOPFLOOR_MODELS_DIR": str(work / "models"),
        "SHOPFLOOR_PUBLISH_DIR": str(work / "published"),
        "SHOPFLOOR_ANALYST_WAREHOUSE": str(work / "analyst.duckdb"),
    }
    env = {**os.environ, **settings_env, "DO_NOT_TRACK": "1", "DAGSTER_DISABLE_TELEMETRY": "1"}
    as_of = sample_as_of(landing).isoformat()
    shopfloor = Path(sys.executable).with_name("shopfloor")
    work.mkdir(parents=True, exist_ok=True)
    log_path = work / "run.log"
    started = time.time()
    with log_path.open("w") as log:
        process = subprocess.Popen([str(shopfloor), "run", "--select", TRANSFORM, "--as-of", as_of], cwd=REPO, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        sampler = Sampler(process.pid, work)
        thread = threading.Thread(target=sampler.run, daemon=True)
        thread.start()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
        thread.join()
    seconds = time.time() - started
    tail = log_path.read_text().splitlines()[-40:]
    if process.returncode != 0:
        print("\n".join(tail), file=sys.stderr)
        raise SystemExit(f"shopfloor run failed (exit {process.returncode}); log: {log_path}")
    windows, metadata = _stage_windows(work / "dagster_home")
    return {
        "stages": _stage_figures(sampler, windows),
        "total": {
            "seconds": round(seconds, 1),
            # ru_maxrss of a waited-for child covers it and its own waited-for children: the largest process.
            "largest_process_peak_rss_mb": _mb(usage.ru_maxrss),
            "together_peak_rss_mb": _mb(max(main + children for _, main, children in sampler.samples)),
            "peak_work_folder_gb": round(sampler.peak_disk_bytes / 1e9, 1),
        },
        "resolution_metadata": metadata,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["small", "medium", "state"], default="medium")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--landing", type=Path, help="landing folder (generated here if it holds no data)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (warehouse, run log)")
    parser.add_argument("--note", default="", help="stored with the results, e.g. which code was measured")
    args = parser.parse_args()

    landing = (args.landing or REPO / "data" / "bench" / f"landing-{args.scale}").resolve()
    if not (landing / "voter_files").is_dir():
        from shopfloor.sample import generate

        generate(scale=args.scale, seed=args.seed, out=landing)
    work = REPO / "data" / "bench" / f"{args.scale}-run"
    if work.exists():
        shutil.rmtree(work)
    try:
        measured = run(landing, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    result = {
        "scale": args.scale,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB",
        "load_average_at_end": [round(load, 1) for load in os.getloadavg()],
        "note": args.note,
        "memory_limit": get_settings().memory_limit,
        **measured,
    }
    out = REPO / "bench" / "results" / f"transform-{args.scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    history = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps([*history, result], indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
