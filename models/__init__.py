"""Targeting models (pure Python, no dagster): the workplace win model and its evaluation."""

from models.evaluation import evaluate, plot_calibration
from models.win_model import (
    FEATURE_COLUMNS,
    TrainedWinModel,
    check_feature_frame,
    time_ordered_cv,
    time_split,
    train_win_model,
)

__all__ = [
    "FEATURE_COLUMNS",
    "TrainedWinModel",
    "check_feature_frame",
    "evaluate",
    "plot_calibration",
    "time_ordered_cv",
    "time_split",
    "train_win_model",
]
