"""How close the warehouse models come to the sample generator's truth, at a scale where that can be measured.

Generates a sample (default medium, seed 42), runs the whole asset graph into a work folder, then scores the
active win and leader models on their held-out rows beside the oracles (models/oracle.py), with paired
bootstrap intervals of the AUC gaps. Results go to bench/results/models-<scale>-seed<seed>.json; docs/models.md quotes them.

    .venv/bin/python bench/models_oracle.py --scale medium --seed 42 --work data/bench/models
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

RESULTS_DIR = Path(__file__).resolve().parent / "results"
BOOTSTRAP_DRAWS = 1000


def build(scale: str, seed: int, work: Path) -> dict:
    """Sample data and one run of every asset in `work`; returns the wall-clock seconds of each."""
    from shopfloor.runner import run_assets
    from shopfloor.sample import generate

    os.environ.update({
        "SHOPFLOOR_LANDING_DIR": str(work / "landing"), "SHOPFLOOR_WAREHOUSE": str(work / "warehouse.duckdb"),
        "DAGSTER_HOME": str(work / "dagster_home"), "SHOPFLOOR_MODELS_DIR": str(work / "models"),
        "SHOPFLOOR_PUBLISH_DIR": str(work / "published"),
    })
    started = time.perf_counter()
    generate(scale=scale, seed=seed, out=work / "landing")
    generated = time.perf_counter()
    succeeded = run_assets(None)
    finished = time.perf_counter()
    return {"generate_seconds": round(generated - started, 1), "run_seconds": round(finished - generated, 1),
            "run_succeeded": succeeded}


def paired_gap(y: np.ndarray, oracle: np.ndarray, model: np.ndarray, seed: int = 0) -> dict:
    """AUC(oracle) - AUC(model) on the same rows, with a 95% paired bootstrap interval."""
    rng = np.random.default_rng(seed)
    gaps = []
    for _ in range(BOOTSTRAP_DRAWS):
        rows = rng.integers(0, len(y), len(y))
        if y[rows].min() != y[rows].max():
            gaps.append(roc_auc_score(y[rows], oracle[rows]) - roc_auc_score(y[rows], model[rows]))
    gap = roc_auc_score(y, oracle) - roc_auc_score(y, model)
    low, high = np.quantile(gaps, [0.025, 0.975])
    return {"gap": round(float(gap), 4), "interval_95": [round(float(low), 4), round(float(high), 4)]}


def compare(test: pd.DataFrame, key: str, label: str, trained, oracles: pd.DataFrame) -> dict:
    joined = test.assign(_model=trained.predict_proba(test), _baseline=trained.baseline.predict_proba(test))
    joined = joined.merge(oracles, on=key, how="inner")
    y = joined[label].astype(int).to_numpy()
    result = {
        "held_out_rows": len(joined), "positives": int(y.sum()), "cutoff": trained.window["cutoff"],
        "model_auc": round(float(roc_auc_score(y, joined["_model"])), 4),
        "baseline_auc": round(float(roc_auc_score(y, joined["_baseline"])), 4),
    }
    for oracle in oracles.columns.drop(key):
        scores = joined[oracle].to_numpy()
        result[oracle] = {
            "auc": round(float(roc_auc_score(y, scores)), 4),
            "gap_to_model": paired_gap(y, scores, joined["_model"].to_numpy()),
            "model_rank_correlation": round(float(spearmanr(joined["_model"], scores).statistic), 3),
            "baseline_rank_correlation": round(float(spearmanr(joined["_baseline"], scores).statistic), 3),
        }
    return result


def measure(work: Path) -> dict:
    from models.leader_model import LEADER_SPEC, load_member_frame
    from models.modelling import time_split
    from models.oracle import election_oracles, leader_oracles
    from models.store import ModelStore
    from models.win_warehouse import WIN_SPEC, load_election_frame

    store = ModelStore(work / "models")
    truth = work / "landing" / "_truth"
    results = {}
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        for spec, load, oracles in (
            (WIN_SPEC, load_election_frame, lambda: election_oracles(truth)),
            (LEADER_SPEC, load_member_frame, lambda: leader_oracles(con, truth)),
        ):
            frame, counts = load(con)
            trained = store.load(spec.name, store.active(spec.name).model_version)
            test = time_split(frame, spec, pd.Timestamp(trained.window["cutoff"])).test
            results[spec.name] = {
                "version": trained.version, "rows": len(frame), "left_out": counts,
                **compare(test, spec.key, spec.label, trained, oracles()),
                "brier": round(trained.metrics["model"]["brier"], 4),
                "top_decile_lift": round(trained.metrics["model"]["top_decile_lift"], 3),
                "baseline_brier": round(trained.metrics["baseline"]["brier"], 4),
                "baseline_top_decile_lift": round(trained.metrics["baseline"]["top_decile_lift"], 3),
            }
    return results


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
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"models-{args.scale}-seed{args.seed}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
