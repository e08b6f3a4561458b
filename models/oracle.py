"""Oracle scores from the sample generator's ground truth (OUT/_truth/), for judging models on generated data only.

The generator draws each RC/RM outcome from a logistic rule (rules.json) of the site's features plus a normal
noise term per election, and each member's leader role from another logistic rule plus noise. Three oracles
bound what a model can recover:

- `true_probability`: the generator's own probability, noise term included. No data holds the noise, so no
  model can reach this AUC; it is the ceiling.
- `rule_without_noise`: the rule's linear predictor without the noise term: the best any model of the true
  features could do.
- `rule_observable` (elections only): the rule without noise and without the workers' voter participation at
  the site, which no source in the warehouse measures at a site the union has not organized.
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
    """One row per generated election: election_unit_id ('<case>/<unit>') and the three oracle scores."""
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
    participation = rule["worker_voter_participation_minus_0_4"] * (truth["feature_worker_voter_participation"] - 0.4)
    return pd.DataFrame({
        "election_unit_id": truth["case_number"] + "/" + truth["unit_id"],
        "true_probability": truth["true_win_probability"],
        "rule_without_noise": observable + participation,
        "rule_observable": observable,
    })


def leader_oracles(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> pd.DataFrame:
    """One row per member on the roll: worker_key and the generator's leader probability (noise included).

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
