"""Blocked (stratified) complete randomization that is reproducible and stable across re-runs.

Within each block (one combination of the blocking variables) the units new to the experiment are sorted by key,
shuffled with a generator seeded from (experiment seed, block key, units already in the block), and dealt out to
arms in counts that bring the whole block to its target counts. A unit once assigned keeps its arm forever: the
previous assignments are passed in and returned unchanged, whatever happens to the eligible population.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd

from shopfloor.experiments.config import ExperimentConfig

# The contract of experiments.assignments (docs/experiments.md): the publishing lists join on these names.
ASSIGNMENT_COLUMNS = ["experiment", "unit", "unit_key", "arm", "block_key", "assigned_on"]
UNBLOCKED = "all"
# A blocking variable with no value is a block of its own, named the same way whatever the column type.
MISSING_LEVEL = "missing"


def block_keys(units: pd.DataFrame, blocking: tuple[str, ...] | list[str]) -> pd.Series:
    """'state=OH|size_band=50-199' per unit: readable, and the same string whatever the frame's column order."""
    if not blocking:
        return pd.Series(UNBLOCKED, index=units.index, dtype=object)
    parts = [f"{var}=" + units[var].astype(object).where(units[var].notna(), MISSING_LEVEL).astype(str)
             for var in blocking]
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    return key.astype(object)


def _block_rng(seed: int, block: str, already_assigned: int) -> np.random.Generator:
    # Python's hash() is salted per process; a digest keeps the stream identical across runs and machines.
    block_entropy = int.from_bytes(hashlib.sha256(block.encode()).digest()[:8], "big")
    return np.random.default_rng(np.random.SeedSequence([seed, block_entropy, already_assigned]))


def apportion(total: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split `total` units in proportion to `weights`: floors of the exact quotas, then the leftover units go to
    distinct arms drawn with probability proportional to their remainders. Each count is within 1 of its quota
    and its expectation is exactly the quota, so small blocks do not favour the arm with the largest share."""
    quotas = total * weights / weights.sum()
    counts = np.floor(quotas).astype(int)
    leftover = total - counts.sum()
    if leftover:
        remainders = quotas - counts
        winners = rng.choice(len(weights), size=leftover, replace=False, p=remainders / remainders.sum())
        counts[winners] += 1
    return counts


def _new_unit_counts(arm_shares: np.ndarray, existing: np.ndarray, new: int, rng: np.random.Generator) -> np.ndarray:
    """How many of `new` units each arm gets so the block's counts move toward total * share."""
    targets = apportion(int(existing.sum()) + new, arm_shares, rng)
    shortfall = np.clip(targets - existing, 0, None)
    if shortfall.sum() == new:
        return shortfall
    # Some arm is already over target (units left the population unevenly): split the new units by shortfall.
    return apportion(new, shortfall.astype(float), rng)


def assign_units(
    eligible: pd.DataFrame,
    config: ExperimentConfig,
    assigned_on: dt.date,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All assignments of the experiment: `previous` rows untouched, plus one row for each eligible unit not yet in it.

    `eligible` has a unit_key column and the blocking variables. Units that dropped out of the eligible population
    stay assigned (analysis is by intention to treat) and keep counting toward their block's arm counts.
    """
    missing = [c for c in ("unit_key", *config.blocking) if c not in eligible.columns]
    if missing:
        raise ValueError(f"eligible units lack column(s) {', '.join(missing)} for experiment {config.name}")
    if eligible["unit_key"].duplicated().any():
        raise ValueError(f"eligible units for experiment {config.name} repeat a unit_key")
    if previous is None:
        previous = pd.DataFrame({c: pd.Series(dtype=object) for c in ASSIGNMENT_COLUMNS})
    elif len(previous) and set(previous["experiment"]) != {config.name}:
        raise ValueError(f"previous assignments are not all from experiment {config.name}")

    arms = list(config.arms)
    shares = np.array([config.arms[a] for a in arms])
    new_units = eligible.loc[~eligible["unit_key"].isin(previous["unit_key"]), ["unit_key"]].copy()
    new_units["block_key"] = block_keys(eligible.loc[new_units.index], config.blocking)
    counts_before = previous.groupby(["block_key", "arm"]).size()

    assigned = []
    for block, units in new_units.groupby("block_key", sort=True):
        existing = np.array([counts_before.get((block, arm), 0) for arm in arms])
        rng = _block_rng(config.seed, block, int(existing.sum()))
        # Sorting first makes the draw independent of the order the warehouse returned the rows in.
        keys = np.sort(units["unit_key"].to_numpy())
        keys = keys[rng.permutation(len(keys))]
        counts = _new_unit_counts(shares, existing, len(keys), rng)
        assigned.append(pd.DataFrame({"unit_key": keys, "arm": np.repeat(arms, counts), "block_key": block}))

    if not assigned:
        return previous.reset_index(drop=True)
    new = pd.concat(assigned, ignore_index=True)
    new = new.assign(experiment=config.name, unit=config.unit, assigned_on=assigned_on)
    frames = [f for f in (previous[ASSIGNMENT_COLUMNS], new[ASSIGNMENT_COLUMNS]) if len(f)]
    return pd.concat(frames, ignore_index=True)
