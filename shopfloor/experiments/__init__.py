"""Randomized experiments on organizing tactics: declaration, blocked assignment, balance, power, analysis, uplift.

Plain functions over pandas frames; the Dagster wiring lives in orchestration/. The power calculator is
imported from shopfloor.experiments.power, not re-exported here, so `python -m` can run it as a script.
"""

from shopfloor.experiments.analysis import (
    analyze_experiment,
    blocked_estimates,
    complier_effect,
    holm_adjust,
    lin_estimate,
    neyman_difference,
)
from shopfloor.experiments.assignment import assign_units, block_keys
from shopfloor.experiments.balance import BalanceCheck, balance_table, check_balance
from shopfloor.experiments.config import ExperimentConfig, ExperimentConfigError, load_experiment, load_experiments
from shopfloor.experiments.uplift import TLearner, auuc, evaluate_uplift, qini_curve

__all__ = [
    "BalanceCheck",
    "ExperimentConfig",
    "ExperimentConfigError",
    "TLearner",
    "analyze_experiment",
    "assign_units",
    "auuc",
    "balance_table",
    "block_keys",
    "blocked_estimates",
    "check_balance",
    "complier_effect",
    "evaluate_uplift",
    "holm_adjust",
    "lin_estimate",
    "load_experiment",
    "load_experiments",
    "neyman_difference",
    "qini_curve",
]
