"""Which tactic for which unit: a T-learner and its evaluation by Qini curve and AUUC.

T-learner: one outcome model per arm fitted on that arm's units only; uplift_a(x) = m_a(x) - m_control(x), with m
the probability of the outcome (a classifier, 0/1 outcomes) or its expected value (a regressor, e.g. the share of a
workplace's workers who signed). The recommended tactic is the arm with the largest uplift, or control when no
arm's uplift is positive.

Qini curve (Radcliffe 2007), for one treatment arm against control on held-out units sorted by predicted uplift,
highest first: for the top k units, Q(k) = Y_T(k) - Y_C(k) * N_T(k) / N_C(k), with Y the outcome sums and N the
counts of arm (T) and control (C) units among them (Q(k) = Y_T(k) while N_C(k) = 0). It counts the extra outcomes
gained by treating the top k. AUUC = (1/N) * sum_{k=1..N} Q(k) / N, the area under the curve on a unit square
scale; targeting at random gives the straight line Q(k) = k/N * Q(N), whose area is Q(N) (N + 1) / (2 N^2).
The Qini coefficient is AUUC minus that random area: above zero when the ranking beats random targeting.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone, is_classifier
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

from shopfloor.experiments.config import CONTROL_ARM

# Shallow trees with large leaves: arms hold hundreds to thousands of units, and a noisy per-arm fit turns straight
# into noisy uplift. Single-threaded, so they behave on a shared machine.
_BOOSTING = dict(n_estimators=100, learning_rate=0.05, max_depth=2, min_samples_leaf=50, random_state=0)


def default_model() -> ClassifierMixin:
    """For 0/1 outcomes."""
    return GradientBoostingClassifier(**_BOOSTING)


def default_regressor() -> RegressorMixin:
    """For outcomes that are amounts or shares."""
    return GradientBoostingRegressor(**_BOOSTING)


class TLearner:
    """One outcome model per arm. fit(X, y, arm), then uplift(X) and recommend(X)."""

    def __init__(self, model_factory: Callable[[], BaseEstimator] = default_model, control: str = CONTROL_ARM):
        self.model_factory = model_factory
        self.control = control
        self.models: dict[str, BaseEstimator] = {}

    def fit(self, covariates: pd.DataFrame, outcome: pd.Series, arm: pd.Series) -> TLearner:
        arm = pd.Series(np.asarray(arm), index=covariates.index)
        outcome = pd.Series(np.asarray(outcome), index=covariates.index)
        if is_classifier(self.model_factory()):
            outcome = outcome.astype(int)
        if self.control not in set(arm):
            raise ValueError(f"no unit is in the '{self.control}' arm")
        self.models = {}
        for name in sorted(set(arm)):
            members = arm == name
            if outcome[members].nunique() < 2:
                raise ValueError(f"arm '{name}' has a single outcome value; no model can be fitted")
            self.models[name] = clone(self.model_factory()).fit(covariates[members], outcome[members])
        return self

    def predict_outcome(self, covariates: pd.DataFrame) -> pd.DataFrame:
        """P(outcome = 1) (classifiers) or the expected outcome (regressors) under each arm, one column per arm."""
        if not self.models:
            raise ValueError("fit the T-learner first")
        return pd.DataFrame(
            {
                name: model.predict_proba(covariates)[:, 1] if is_classifier(model) else model.predict(covariates)
                for name, model in self.models.items()
            },
            index=covariates.index,
        )

    def uplift(self, covariates: pd.DataFrame) -> pd.DataFrame:
        """m_arm - m_control per unit, one column per treatment arm."""
        predicted = self.predict_outcome(covariates)
        return predicted.drop(columns=self.control).sub(predicted[self.control], axis=0)

    def recommend(self, covariates: pd.DataFrame) -> pd.Series:
        """The tactic with the largest positive uplift per unit, or control when none is positive."""
        uplift = self.uplift(covariates)
        best = uplift.idxmax(axis=1)
        return best.where(uplift.max(axis=1) > 0, self.control).rename("recommended_arm")


def qini_curve(score: np.ndarray, outcome: np.ndarray, treated: np.ndarray) -> pd.DataFrame:
    """Q(k) for k = 0..N, units sorted by score (highest first); see the module docstring."""
    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
    y = np.asarray(outcome, dtype=float)[order]
    t = np.asarray(treated, dtype=bool)[order]
    n_treated, n_control = np.cumsum(t), np.cumsum(~t)
    y_treated, y_control = np.cumsum(y * t), np.cumsum(y * ~t)
    scaled_control = np.divide(y_control * n_treated, n_control, out=np.zeros(len(y)), where=n_control > 0)
    qini = np.concatenate([[0.0], y_treated - scaled_control])
    n = len(y)
    return pd.DataFrame({"targeted": np.arange(n + 1), "fraction": np.arange(n + 1) / n, "qini": qini})


def auuc(score: np.ndarray, outcome: np.ndarray, treated: np.ndarray) -> tuple[float, float]:
    """(AUUC of the ranking, AUUC of random targeting); both per unit of population."""
    qini = qini_curve(score, outcome, treated)["qini"].to_numpy()
    n = len(qini) - 1
    return float(qini[1:].sum() / n**2), float(qini[-1] * (n + 1) / (2 * n**2))


def evaluate_uplift(
    uplift: pd.DataFrame, outcome: pd.Series, arm: pd.Series, control: str = CONTROL_ARM
) -> pd.DataFrame:
    """Per treatment arm on held-out units: AUUC of its predicted uplift, the random AUUC and the Qini coefficient.

    `uplift` is TLearner.uplift on the held-out units; `outcome` and `arm` are their observed outcome and arm.
    """
    arm = pd.Series(np.asarray(arm), index=uplift.index)
    outcome = pd.Series(np.asarray(outcome, dtype=float), index=uplift.index)
    rows = []
    for name in uplift.columns:
        members = arm.isin([name, control])
        model_area, random_area = auuc(uplift.loc[members, name], outcome[members], arm[members] == name)
        rows.append({"arm": name, "auuc": model_area, "auuc_random": random_area,
                     "qini_coefficient": model_area - random_area, "n_units": int(members.sum())})
    return pd.DataFrame(rows)
