"""The promotion gate: a newly trained model replaces the one in use only if it is good enough and no worse.

The gate scores on the current data, never on what a model's own metadata claims:

1. quality floor: the candidate's held-out ROC AUC is at least `min_auc`;
2. it beats its one-feature baseline on the same rows by more than `min_gain_over_baseline`;
3. it does no worse than the active model: on the rows held out from both (those starting after both models'
   cutoffs), its AUC is at least the active model's minus `tolerance`. When too few such rows exist (fewer than
   `min_comparison_rows`, or a single outcome), both are scored on the candidate's held-out rows instead, which
   the active model may have trained on: a comparison that favours the model in use.

The thresholds are settings (SHOPFLOOR_MODEL_*, read in shopfloor/settings.py and handed over by the Dagster
wiring) so a union can tighten them without a code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from models.modelling import ModelSpec, TrainedModel, label_array


@dataclass(frozen=True)
class PromotionPolicy:
    min_auc: float
    min_gain_over_baseline: float
    tolerance: float
    min_comparison_rows: int = 100


@dataclass(frozen=True)
class GateDecision:
    model_name: str
    candidate_version: str
    active_version: str | None
    passed: bool
    checks: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        verdict = "promote" if self.passed else "keep the model in use"
        lines = [f"{self.model_name} {self.candidate_version}: {verdict}"]
        lines += [f"- {'pass' if check['passed'] else 'FAIL'}: {check['words']}" for check in self.checks]
        return "\n".join(lines)


def _auc(frame: pd.DataFrame, spec: ModelSpec, scores: np.ndarray) -> float:
    return float(roc_auc_score(label_array(frame, spec), scores))


def _has_both_outcomes(frame: pd.DataFrame, spec: ModelSpec) -> bool:
    return frame[spec.label].nunique() == 2


def decide(
    candidate: TrainedModel,
    active: TrainedModel | None,
    frame: pd.DataFrame,
    spec: ModelSpec,
    policy: PromotionPolicy,
) -> GateDecision:
    """Judge `candidate` against the policy and the model in use, on `frame` (the current labelled rows)."""
    starts = pd.to_datetime(frame[spec.starts_on])
    candidate_cutoff = pd.Timestamp(candidate.window["cutoff"])
    held_out = frame[starts > candidate_cutoff]
    if not _has_both_outcomes(held_out, spec):
        raise ValueError(f"{spec.name}: the rows after {candidate_cutoff.date()} hold a single outcome")
    auc = _auc(held_out, spec, candidate.predict_proba(held_out))
    baseline_auc = _auc(held_out, spec, candidate.baseline.predict_proba(held_out))
    checks = [
        {
            "name": "quality_floor", "passed": auc >= policy.min_auc, "value": auc, "threshold": policy.min_auc,
            "words": f"held-out AUC {auc:.4f} on {len(held_out)} rows (floor {policy.min_auc})",
        },
        {
            "name": "beats_baseline", "passed": auc - baseline_auc > policy.min_gain_over_baseline,
            "value": auc - baseline_auc, "threshold": policy.min_gain_over_baseline,
            "words": f"AUC {auc:.4f} against the baseline's {baseline_auc:.4f} "
                     f"(must gain more than {policy.min_gain_over_baseline})",
        },
    ]
    if active is not None and active.version != candidate.version:
        checks.append(_compare_with_active(candidate, active, frame, spec, policy))
    return GateDecision(
        model_name=spec.name,
        candidate_version=candidate.version,
        active_version=active.version if active is not None else None,
        passed=all(check["passed"] for check in checks),
        checks=checks,
    )


def _compare_with_active(
    candidate: TrainedModel, active: TrainedModel, frame: pd.DataFrame, spec: ModelSpec, policy: PromotionPolicy
) -> dict:
    starts = pd.to_datetime(frame[spec.starts_on])
    later_cutoff = max(pd.Timestamp(candidate.window["cutoff"]), pd.Timestamp(active.window["cutoff"]))
    rows = frame[starts > later_cutoff]
    where = f"the {len(rows)} rows held out from both (after {later_cutoff.date()})"
    if len(rows) < policy.min_comparison_rows or not _has_both_outcomes(rows, spec):
        rows = frame[starts > pd.Timestamp(candidate.window["cutoff"])]
        where = (f"the candidate's {len(rows)} held-out rows (too few rows after both cutoffs; the model in use "
                 "may have trained on some of them)")
    try:
        active_scores = active.predict_proba(rows)
    except ValueError as error:  # the model in use reads a column the current data no longer has
        return {
            "name": "no_worse_than_active", "passed": True, "value": None, "threshold": policy.tolerance,
            "words": f"the model in use ({active.version}) cannot score the current data ({error}); not compared",
        }
    candidate_auc = _auc(rows, spec, candidate.predict_proba(rows))
    active_auc = _auc(rows, spec, active_scores)
    return {
        "name": "no_worse_than_active",
        "passed": candidate_auc >= active_auc - policy.tolerance,
        "value": candidate_auc - active_auc,
        "threshold": -policy.tolerance,
        "words": f"AUC {candidate_auc:.4f} against the model in use ({active.version}) {active_auc:.4f} on {where}, "
                 f"tolerance {policy.tolerance}",
    }
