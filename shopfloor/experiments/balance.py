"""Covariate balance between each treatment arm and control: standardized mean differences (SMD).

SMD = (mean_arm - mean_control) / sqrt((var_arm + var_control) / 2). |SMD| above 0.25 is the usual mark of gross
imbalance (Stuart 2010; Imbens & Rubin 2015, ch. 14); under randomization it flags a broken assignment or a
population that changed after assignment, so the check blocks downstream analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shopfloor.experiments.config import CONTROL_ARM

GROSS_IMBALANCE_SMD = 0.25


def _numeric_covariates(units: pd.DataFrame, covariates: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Numbers and booleans as they are; categories as one 0/1 column per level, named 'covariate=level'."""
    columns = {}
    for name in covariates:
        values = units[name]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            columns[name] = values.astype(float)
        else:
            for level in sorted(values.dropna().astype(str).unique()):
                columns[f"{name}={level}"] = (values.astype(str) == level).astype(float)
    return pd.DataFrame(columns, index=units.index)


def balance_table(
    units: pd.DataFrame, covariates: list[str] | tuple[str, ...], control: str = CONTROL_ARM
) -> pd.DataFrame:
    """One row per (covariate, treatment arm): means, SMD against control and counts.

    `units` has an `arm` column and the covariates (assignments joined to the eligible units).
    """
    values = _numeric_covariates(units, covariates)
    arms = units["arm"]
    if not (arms == control).any():
        raise ValueError(f"no unit is in the '{control}' arm")
    control_values = values[arms == control]
    rows = []
    for arm in sorted(set(arms) - {control}):
        arm_values = values[arms == arm]
        for covariate in values.columns:
            treated, untreated = arm_values[covariate].dropna(), control_values[covariate].dropna()
            pooled_sd = np.sqrt((treated.var(ddof=1) + untreated.var(ddof=1)) / 2)
            difference = treated.mean() - untreated.mean()
            # A covariate constant in both groups is balanced by definition, not undefined.
            smd = 0.0 if pooled_sd == 0 and difference == 0 else difference / pooled_sd
            rows.append(
                {
                    "covariate": covariate,
                    "arm": arm,
                    "mean_arm": treated.mean(),
                    "mean_control": untreated.mean(),
                    "smd": smd,
                    "n_arm": len(treated),
                    "n_control": len(untreated),
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class BalanceCheck:
    passed: bool
    threshold: float
    max_abs_smd: float
    failures: pd.DataFrame  # the balance-table rows over the threshold

    @property
    def description(self) -> str:
        if self.passed:
            return f"all |SMD| <= {self.threshold} (largest {self.max_abs_smd:.3f})"
        pairs = len(self.failures)
        return f"{pairs} covariate-arm pair(s) with |SMD| > {self.threshold} (largest {self.max_abs_smd:.3f})"


def check_balance(table: pd.DataFrame, threshold: float = GROSS_IMBALANCE_SMD) -> BalanceCheck:
    """Fails when any |SMD| exceeds the threshold; an SMD that cannot be computed (NaN) fails too."""
    abs_smd = table["smd"].abs()
    bad = abs_smd.isna() | (abs_smd > threshold)
    return BalanceCheck(
        passed=not bad.any(),
        threshold=threshold,
        max_abs_smd=float(abs_smd.max()) if len(abs_smd) else 0.0,
        failures=table[bad].reset_index(drop=True),
    )
