"""Oracle scores from the sample generator's ground truth (OUT/_truth/), for judging models on generated data only.

The generator draws each RC/RM outcome as Bernoulli(sigmoid(z + e)): z a logistic rule (rules.json) of the site's
features, e a normal noise term drawn once per election and used nowhere else; each member's leader role likewise.
The truth files hold P(outcome | world) = E_e[sigmoid(z + e)], the most any model can know. Two oracles:

- `true_probability`: that probability, the ceiling a model of the world's features can reach.
- `rule_observable` (elections only): the rule without the workers' voter participation at the site, which the
  warehouse sees only through the people it knows there (members, organizing contacts).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd


def _rules(truth_dir: Path) -> dict:
    return json.loads((Path(truth_dir) / "rules.json").read_text())


def election_oracles(truth_dir: Path) -> pd.DataFrame:
    """One row per generated election: election_unit_id ('<case>/<unit>') and the two oracle scores."""
    truth = pd.read_parquet(Path(truth_dir) / "elections.parquet")
    rule = _rules(truth_dir)["election_win"]["coefficients"]
    observable = (
        rule["intercept"]
        + rule["log_unit_size"] * truth["feature_log_unit_size"]
        + rule["log1p_serious_osha_violations_5y"] * np.log1p(truth["feature_serious_osha_violations_5y"])
        + rule["log1p_ulp_charges_3y"] * np.log1p(truth["feature_ulp_charges_3y"])
        + rule["union_density_city"] * truth["feature_union_density_city"]
        + rule["employer_has_represented_site"] * truth["feature_employer_has_represented_site"]
        + truth["feature_industry"].map(rule["industry_effect"])
    )
    return pd.DataFrame({
        "election_unit_id": truth["case_number"] + "/" + truth["unit_id"],
        "true_probability": truth["true_win_probability"],
        "rule_observable": observable,
    })


def leader_oracles(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> pd.DataFrame:
    """One row per member on the roll: worker_key and the generator's leader probability P(leader | world).

    The truth is keyed by the roll's member number, the marts by the salted member_key; the staging view of
    the roll holds both, so the join happens there (the salt never leaves dbt).
    """
    truth = pd.read_parquet(Path(truth_dir) / "leaders.parquet", columns=["member_id", "true_probability"])
    keys = con.execute("select distinct member_id, member_key as worker_key from staging.stg_union_roll__members").df()
    return keys.merge(truth, on="member_id", how="inner")[["worker_key", "true_probability"]]


def oracle_comparison(test: pd.DataFrame, key: str, label: str, scores: dict[str, np.ndarray],
                      oracles: pd.DataFrame) -> dict:
    """ROC AUC of each named score and each oracle on the same held-out rows (those the truth knows).

    `scores` are aligned with `test`'s rows; `oracles` has `key` and one column per oracle.
    """
    from sklearn.metrics import roc_auc_score

    scored = test[[key, label]].assign(**{f"score_{name}": values for name, values in scores.items()})
    joined = scored.merge(oracles, on=key, how="inner")
    outcome = joined[label].astype(int)
    result = {"rows": len(joined), "rows_without_truth": len(test) - len(joined)}
    for name in scores:
        result[f"{name}_auc"] = float(roc_auc_score(outcome, joined[f"score_{name}"]))
    for column in oracles.columns.drop(key):
        result[f"oracle_{column}_auc"] = float(roc_auc_score(outcome, joined[column]))
    return result


def paired_auc_gap(outcome: np.ndarray, oracle: np.ndarray, model: np.ndarray, draws: int = 1000,
                   seed: int = 0) -> dict:
    """AUC(oracle) - AUC(model) on the same rows, with a 95% paired bootstrap interval (rows resampled together)."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    gaps = []
    for _ in range(draws):
        rows = rng.integers(0, len(outcome), len(outcome))
        if outcome[rows].min() != outcome[rows].max():
            gaps.append(roc_auc_score(outcome[rows], oracle[rows]) - roc_auc_score(outcome[rows], model[rows]))
    low, high = np.quantile(gaps, [0.025, 0.975])
    gap = roc_auc_score(outcome, oracle) - roc_auc_score(outcome, model)
    return {"gap": round(float(gap), 4), "interval_95": [round(float(low), 4), round(float(high), 4)]}


def held_out_recovery(con: duckdb.DuckDBPyConnection, models_dir: Path, truth_dir: Path) -> dict:
    """Each active warehouse model (win, leader) beside the generator's oracles on its own held-out rows.

    Per model: its version, the held-out rows and positives, the model's and the baseline's AUC, Brier score and
    top-decile lift, and per oracle its AUC, the paired-bootstrap gap to the model and the rank correlations of
    model and baseline with it.
    """
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    from models.leader_model import LEADER_SPEC, load_member_frame
    from models.modelling import time_split
    from models.store import ModelStore
    from models.win_warehouse import WIN_SPEC, load_election_frame

    store = ModelStore(Path(models_dir))
    results = {}
    for spec, load, oracles in (
        (WIN_SPEC, load_election_frame, lambda: election_oracles(truth_dir)),
        (LEADER_SPEC, load_member_frame, lambda: leader_oracles(con, truth_dir)),
    ):
        frame, counts = load(con)
        trained = store.load(spec.name, store.active(spec.name).model_version)
        test = time_split(frame, spec, pd.Timestamp(trained.window["cutoff"])).test
        joined = test.assign(_model=trained.predict_proba(test), _baseline=trained.baseline.predict_proba(test))
        truth = oracles()
        joined = joined.merge(truth, on=spec.key, how="inner")
        outcome = joined[spec.label].astype(int).to_numpy()
        result = {
            "version": trained.version, "rows": len(frame), "left_out": counts, "cutoff": trained.window["cutoff"],
            "held_out_rows": len(joined), "held_out_rows_without_truth": len(test) - len(joined),
            "positives": int(outcome.sum()),
            "model_auc": round(float(roc_auc_score(outcome, joined["_model"])), 4),
            "baseline_auc": round(float(roc_auc_score(outcome, joined["_baseline"])), 4),
        }
        for oracle in truth.columns.drop(spec.key):
            scores = joined[oracle].to_numpy()
            result[oracle] = {
                "auc": round(float(roc_auc_score(outcome, scores)), 4),
                "gap_to_model": paired_auc_gap(outcome, scores, joined["_model"].to_numpy()),
                "model_rank_correlation": round(float(spearmanr(joined["_model"], scores).statistic), 3),
                "baseline_rank_correlation": round(float(spearmanr(joined["_baseline"], scores).statistic), 3),
            }
        results[spec.name] = {
            **result,
            "brier": round(trained.metrics["model"]["brier"], 4),
            "top_decile_lift": round(trained.metrics["model"]["top_decile_lift"], 3),
            "baseline_brier": round(trained.metrics["baseline"]["brier"], 4),
            "baseline_top_decile_lift": round(trained.metrics["baseline"]["top_decile_lift"], 3),
        }
    return results
