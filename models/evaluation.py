"""Held-out metrics for a binary score: discrimination, calibration and targeting lift."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score

CALIBRATION_BINS = 10


def top_fraction_lift(y_true: np.ndarray, y_score: np.ndarray, fraction: float = 0.1) -> float:
    """Win rate among the highest-scored `fraction` of rows over the overall win rate.

    Ties at the cut are broken by a stable sort on the score, so the result is deterministic.
    """
    y_true = np.asarray(y_true, dtype=float)
    top_count = max(1, int(round(fraction * len(y_true))))
    top = np.argsort(-np.asarray(y_score, dtype=float), kind="stable")[:top_count]
    return float(y_true[top].mean() / y_true.mean())


def calibration_table(y_true: np.ndarray, y_score: np.ndarray, bins: int = CALIBRATION_BINS) -> list[dict]:
    """Mean predicted vs observed rate per equal-count bin of the score (quantile bins, so every bin is populated)."""
    y_true = np.asarray(y_true, dtype=float)
    y_score = np.asarray(y_score, dtype=float)
    order = np.argsort(y_score, kind="stable")
    return [
        {
            "n": int(len(chunk)),
            "mean_predicted": float(y_score[chunk].mean()),
            "observed_rate": float(y_true[chunk].mean()),
        }
        for chunk in np.array_split(order, bins)
        if len(chunk)
    ]


def bootstrap_auc_interval(
    y_true, y_score, draws: int = 1000, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Percentile interval of ROC AUC over `draws` resamples of the rows (fixed seed: repeatable)."""
    y_true = np.asarray(y_true, dtype=int)
    y_score = np.asarray(y_score, dtype=float)
    rng = np.random.default_rng(seed)
    aucs = []
    for _ in range(draws):
        rows = rng.integers(0, len(y_true), len(y_true))
        if y_true[rows].min() != y_true[rows].max():
            aucs.append(roc_auc_score(y_true[rows], y_score[rows]))
    tail = (1 - level) / 2
    return float(np.quantile(aucs, tail)), float(np.quantile(aucs, 1 - tail))


def evaluate(y_true, y_score) -> dict:
    """ROC AUC, Brier score, top-decile lift, base rate and a 10-bin calibration table for one score.

    `y_score` must be a probability (0..1) for the Brier score and calibration to mean anything.
    """
    y_true = np.asarray(y_true, dtype=int)
    y_score = np.asarray(y_score, dtype=float)
    if y_true.shape != y_score.shape:
        raise ValueError(f"y_true has shape {y_true.shape}, y_score {y_score.shape}")
    if len(np.unique(y_true)) != 2:
        raise ValueError("evaluate needs both outcomes in y_true")
    return {
        "n": int(len(y_true)),
        "base_rate": float(y_true.mean()),
        "roc_auc": float(roc_auc_score(y_true, y_score)),
        "brier": float(brier_score_loss(y_true, y_score)),
        "top_decile_lift": top_fraction_lift(y_true, y_score, 0.1),
        "calibration": calibration_table(y_true, y_score),
    }


def plot_calibration(
    results: Mapping[str, dict], path: Path, title: str, score_label: str = "win probability", outcome: str = "win"
) -> Path:
    """Reliability diagram of several `evaluate` results (one line per named score) saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on the build machines
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5.5, 5.0), dpi=120)
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfectly calibrated")
    for name, result in results.items():
        table = result["calibration"]
        axes.plot(
            [row["mean_predicted"] for row in table],
            [row["observed_rate"] for row in table],
            marker="o",
            label=f"{name} (AUC {result['roc_auc']:.3f}, Brier {result['brier']:.3f})",
        )
    axes.set_xlabel(f"mean predicted {score_label} (decile of score)")
    axes.set_ylabel(f"observed {outcome} rate")
    return _save_unit_square_plot(figure, axes, path, title, legend_loc="upper left")


def plot_roc(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], path: Path, title: str) -> Path:
    """ROC curves of several named scores, each given as (y_true, y_score), saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on the build machines
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    figure, axes = plt.subplots(figsize=(5.5, 5.0), dpi=120)
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    for name, (y_true, y_score) in curves.items():
        false_positive_rate, true_positive_rate, _ = roc_curve(y_true, y_score)
        auc = roc_auc_score(y_true, y_score)
        axes.plot(false_positive_rate, true_positive_rate, label=f"{name} (AUC {auc:.3f})")
    axes.set_xlabel("false positive rate")
    axes.set_ylabel("true positive rate")
    return _save_unit_square_plot(figure, axes, path, title, legend_loc="lower right")


def _save_unit_square_plot(figure, axes, path: Path, title: str, legend_loc: str) -> Path:
    """Both plots share the [0, 1] square, a small title and legend, and are written as a PNG."""
    import matplotlib.pyplot as plt

    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_title(title, fontsize=10)
    axes.legend(loc=legend_loc, fontsize=8)
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
