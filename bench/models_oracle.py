"""How close the warehouse models come to the sample generator's truth, at a scale where that can be measured.

Generates a sample (default medium, seed 42), runs the whole asset graph into a work folder, then scores the
active win and leader models on their held-out rows beside the oracles (models/oracle.py), with paired
bootstrap intervals of the AUC gaps, and judges the recovery claims (`checks`; exit status 1 if one fails).
Results go to bench/results/models-<scale>-seed<seed>.json; docs/models.md quotes them. The test suite asserts
the same property, more loosely, on the small session sample (tests/test_models_oracle.py).

    .venv/bin/python bench/models_oracle.py --scale medium --seed 42 --work data/bench/models
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import duckdb

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def build(scale: str, seed: int, work: Path) -> dict:
    """Sample data and one run of every asset in `work`; returns the wall-clock seconds of each."""
    from shopfloor.runner import run_assets
    from shopfloor.sample import generate
    from shopfloor.sample.truth import sample_as_of

    os.environ.update({
        "SHOPFLOOR_LANDING_DIR": str(work / "landing"), "SHOPFLOOR_WAREHOUSE": str(work / "warehouse.duckdb"),
        "DAGSTER_HOME": str(work / "dagster_home"), "SHOPFLOOR_MODELS_DIR": str(work / "models"),
        "SHOPFLOOR_PUBLISH_DIR": str(work / "published"),
    })
    started = time.perf_counter()
    generate(scale=scale, seed=seed, out=work / "landing")
    generated = time.perf_counter()
    succeeded = run_assets(None, as_of=sample_as_of(work / "landing"))
    finished = time.perf_counter()
    return {"generate_seconds": round(generated - started, 1), "run_seconds": round(finished - generated, 1),
            "run_succeeded": succeeded}


def measure(work: Path) -> dict:
    from models.oracle import held_out_recovery

    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        return held_out_recovery(con, work / "models", work / "landing" / "_truth")


# At medium scale and above: each model within 0.03 of the oracle's AUC, 0.03 above its baseline, ranking the truth
# 0.2 better (Spearman) than the baseline; the win model 0.01 above the rule without the voter file.
ORACLE_TOLERANCE = 0.03


def recovery_checks(results: dict) -> dict[str, bool]:
    checks = {}
    for model_name in ("win_model", "leader_model"):
        report, oracle = results[model_name], results[model_name]["true_probability"]
        checks[f"{model_name}: every held-out row has its truth"] = report["held_out_rows_without_truth"] == 0
        checks[f"{model_name}: within {ORACLE_TOLERANCE} of the oracle AUC"] = (
            oracle["auc"] - report["model_auc"] < ORACLE_TOLERANCE)
        checks[f"{model_name}: 0.03 above the baseline"] = report["model_auc"] > report["baseline_auc"] + 0.03
        checks[f"{model_name}: ranks the truth 0.2 better than the baseline"] = (
            oracle["model_rank_correlation"] > oracle["baseline_rank_correlation"] + 0.2)
    win = results["win_model"]
    checks["win_model: 0.01 above the rule without the voter file"] = (
        win["model_auc"] > win["rule_observable"]["auc"] + 0.01)
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=Path("data/bench/models"))
    parser.add_argument("--reuse", action="store_true", help="measure the work folder's existing run")
    args = parser.parse_args()
    work = args.work.resolve() / f"{args.scale}-seed{args.seed}"
    run = {} if args.reuse else build(args.scale, args.seed, work)
    results = {"scale": args.scale, "seed": args.seed, **run, **measure(work)}
    results["checks"] = recovery_checks(results)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"models-{args.scale}-seed{args.seed}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    if not all(results["checks"].values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
