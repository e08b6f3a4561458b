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
