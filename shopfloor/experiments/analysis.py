"""Effects of each treatment arm against control, as tidy frames.

Estimators (formulas and references in docs/experiments.md):
- Neyman difference in means with the conservative variance s_t^2/n_t + s_c^2/n_c;
- Lin (2013) regression adjustment: OLS of y on treatment, centered covariates and their interactions, HC2 SE;
- per-block differences, combined by block size (unbiased for the ATE) and by precision (inverse variance);
- complier average causal effect under one-sided noncompliance (Angrist, Imbens & Rubin 1996), delta-method SE;
- Holm-adjusted p-values and Bonferroni-adjusted intervals across the arms compared with control.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from shopfloor.experiments.config import CONTROL_ARM


def neyman_difference(treated: np.ndarray, control: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Difference in means and Neyman SE along the last axis, so many simulated experiments go in one call."""
    treated, control = np.asarray(treated, dtype=float), np.asarray(control, dtype=float)
    estimate = treated.mean(axis=-1) - control.mean(axis=-1)
    variance = treated.var(axis=-1, ddof=1) / treated.shape[-1] + control.var(axis=-1, ddof=1) / control.shape[-1]
    return estimate, np.sqrt(variance)


def lin_estimate(outcome: np.ndarray, treated: np.ndarray, covariates: np.ndarray) -> tuple[float, float]:
    """Lin (2013) covariate-adjusted effect and its HC2 robust SE.

    Covariates are centered at the mean of the units in this comparison, so the treatment coefficient is the
    effect at the average covariates, i.e. the ATE estimate.
    """
    y = np.asarray(outcome, dtype=float)
    t = np.asarray(treated, dtype=float)
    x = np.asarray(covariates, dtype=float).reshape(len(y), -1)
    centered = x - x.mean(axis=0)
    design = np.column_stack([np.ones_like(t), t, centered, centered * t[:, None]])
    bread = np.linalg.pinv(design.T @ design)
    coefficients = bread @ design.T @ y
    residuals = y - design @ coefficients
    leverage = np.einsum("ij,jk,ik->i", design, bread, design)
    # HC2 divides by 1 - h; a unit with h = 1 (alone in its cell) carries no information about its variance.
    weights = residuals**2 / np.clip(1 - leverage, 1e-12, None)
    covariance = bread @ (design.T * weights) @ design @ bread
    return float(coefficients[1]), float(np.sqrt(covariance[1, 1]))


def complier_effect(outcome: np.ndarray, treated: np.ndarray, contacted: np.ndarray) -> tuple[float, float, float]:
    """CACE = ITT / share of the treated arm actually contacted (control is never contacted), with delta-method SE.

    Returns (cace, se, share contacted). With ITT = ybar_t - ybar_c and pi = contact rate in treatment:
    Var(CACE) ~ Var(ITT)/pi^2 + ITT^2 Var(pi)/pi^4 - 2 ITT Cov(ybar_t, pi)/pi^3.
    """
    y = np.asarray(outcome, dtype=float)
    t = np.asarray(treated, dtype=bool)
    d = np.asarray(contacted, dtype=float)
    if d[~t].any():
        raise ValueError("control units were contacted: one-sided noncompliance does not hold")
    y_t, y_c, d_t = y[t], y[~t], d[t]
    n_t = len(y_t)
    itt, itt_se = neyman_difference(y_t, y_c)
    share = d_t.mean()
    if share == 0:
        return float("nan"), float("nan"), 0.0
    share_variance = d_t.var(ddof=1) / n_t
    covariance = np.cov(y_t, d_t, ddof=1)[0, 1] / n_t
    cace = itt / share
    variance = itt_se**2 / share**2 + itt**2 * share_variance / share**4 - 2 * itt * covariance / share**3
    return float(cace), float(np.sqrt(variance)), float(share)


def blocked_estimates(
    units: pd.DataFrame, outcome: str, arm: str, control: str = CONTROL_ARM
) -> tuple[pd.DataFrame, dict[str, tuple[float, float, int]]]:
    """Per-block Neyman differences for one arm, and the two ways of combining them.

    Blocks without two units in both the arm and control have no variance estimate and are left out (counted).
    Returns (per-block frame, {method: (estimate, se, blocks used)}). Size weights target the ATE over the blocks
    used; precision weights are more efficient but target a variance-weighted average when effects differ by block.
    """
    rows = []
    for block, members in units[units["arm"].isin([arm, control])].groupby("block_key", sort=True):
        y_t = members.loc[members["arm"] == arm, outcome].to_numpy(float)
        y_c = members.loc[members["arm"] == control, outcome].to_numpy(float)
        if len(y_t) < 2 or len(y_c) < 2:
            continue
        estimate, se = neyman_difference(y_t, y_c)
        rows.append({"arm": arm, "block_key": block, "estimate": float(estimate), "se": float(se),
                     "n_arm": len(y_t), "n_control": len(y_c)})
    per_block = pd.DataFrame(rows, columns=["arm", "block_key", "estimate", "se", "n_arm", "n_control"])
    if per_block.empty:
        return per_block, {}
    estimates, variances = per_block["estimate"].to_numpy(), per_block["se"].to_numpy() ** 2
    size = (per_block["n_arm"] + per_block["n_control"]).to_numpy(float)
    size_weights = size / size.sum()
    combined = {
        "blocked_size_weighted": (
            float(size_weights @ estimates),
            float(np.sqrt(size_weights**2 @ variances)),
            len(per_block),
        )
    }
    if (variances > 0).all():
        precision = 1 / variances
        combined["blocked_precision_weighted"] = (
            float(precision @ estimates / precision.sum()),
            float(np.sqrt(1 / precision.sum())),
            len(per_block),
        )
    return per_block, combined


def holm_adjust(p_values: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values: controls the family-wise error rate, uniformly beats Bonferroni."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    order = np.argsort(p)
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def analyze_experiment(
    units: pd.DataFrame,
    outcome: str,
    covariates: list[str] | tuple[str, ...] = (),
    contacted: str | None = None,
    control: str = CONTROL_ARM,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Every treatment arm against control, one row per (arm, method).

    `units` has `arm`, `block_key`, the outcome, numeric covariates and, for the CACE, a 0/1 `contacted` column.
    Methods: difference_in_means, lin_adjusted (when covariates are given), blocked_size_weighted,
    blocked_precision_weighted, cace (when contacted is given). p_holm and the Bonferroni interval correct each
    method across the treatment arms.
    """
    if covariates and units[list(covariates)].isna().any().any():
        raise ValueError("covariates have missing values: impute them (and add a missing flag) before adjusting")
    arms = sorted(set(units["arm"]) - {control})
    in_control = units["arm"] == control
    rows = []
    for arm in arms:
        in_arm = units["arm"] == arm
        pair = units[in_arm | in_control]
        treated = (pair["arm"] == arm).to_numpy()
        y = pair[outcome].to_numpy(float)
        n = {"n_arm": int(treated.sum()), "n_control": int((~treated).sum())}
        estimate, se = neyman_difference(y[treated], y[~treated])
        rows.append({"arm": arm, "method": "difference_in_means", "estimate": float(estimate), "se": float(se), **n})
        if covariates:
            estimate, se = lin_estimate(y, treated, pair[list(covariates)].to_numpy(float))
            rows.append({"arm": arm, "method": "lin_adjusted", "estimate": estimate, "se": se, **n})
        _, combined = blocked_estimates(units, outcome, arm, control)
        for method, (estimate, se, blocks) in combined.items():
            rows.append({"arm": arm, "method": method, "estimate": estimate, "se": se, "blocks_used": blocks, **n})
        if contacted is not None:
            estimate, se, share = complier_effect(y, treated, pair[contacted].to_numpy(float))
            rows.append({"arm": arm, "method": "cace", "estimate": estimate, "se": se, "share_contacted": share, **n})

    results = pd.DataFrame(rows)
    z = norm.ppf(1 - (1 - confidence) / 2)
    results["ci_low"] = results["estimate"] - z * results["se"]
    results["ci_high"] = results["estimate"] + z * results["se"]
    results["p_value"] = 2 * norm.sf(np.abs(results["estimate"] / results["se"]))
    results["p_holm"] = results.groupby("method")["p_value"].transform(lambda p: holm_adjust(p.to_numpy()))
    comparisons = results.groupby("method")["arm"].transform("size")
    z_bonferroni = norm.ppf(1 - (1 - confidence) / (2 * comparisons))
    results["ci_low_bonferroni"] = results["estimate"] - z_bonferroni * results["se"]
    results["ci_high_bonferroni"] = results["estimate"] + z_bonferroni * results["se"]
    columns = ["arm", "method", "estimate", "se", "ci_low", "ci_high", "p_value", "p_holm",
               "ci_low_bonferroni", "ci_high_bonferroni", "n_arm", "n_control"]
    extras = [c for c in ("blocks_used", "share_contacted") if c in results.columns]
    return results[columns + extras].reset_index(drop=True)
