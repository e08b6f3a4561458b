"""What the warehouse models share: a model specification, the time split, training with a baseline, evaluation,
the data fingerprint and the deterministic version.

A specification names the label, the two dates of a row (when its features stand, when its label became known),
the allowlisted feature columns and a baseline. Training never sees a row whose label became known after the
cutoff; the held-out rows all start after it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from models.evaluation import evaluate
from models.linear import REGULARIZATION_GRID, SEED, Feature, LinearModel, choose_regularization, fit_linear

MODEL_FORMAT = 1  # bump when a change to this code changes what the same data trains into


@dataclass(frozen=True)
class ModelSpec:
    """What one model reads and predicts.

    - key: the row id; label: the 0/1 outcome column.
    - starts_on: the date a row's features stand as of (or its cohort date); held-out rows start after the cutoff.
    - known_on: the date the row's label became known; training rows are known on or before the cutoff.
    - features: the allowlist (with when each becomes known); baseline: the one-feature comparison model.
    - identifiers: columns the frame carries to key and join rows, never model inputs.
    """

    name: str
    title: str
    key: str
    label: str
    label_definition: str
    starts_on: str
    known_on: str
    split_definition: str
    features: tuple[Feature, ...]
    baseline: tuple[Feature, ...]
    baseline_title: str
    identifiers: tuple[str, ...] = ()
    test_fraction: float = 0.25
    min_category_rows: int = 10
    regularization_grid: tuple[float, ...] = REGULARIZATION_GRID

    @property
    def allowed_columns(self) -> set[str]:
        return {self.key, self.label, self.starts_on, self.known_on, *self.identifiers} | {
            feature.column for feature in self.features
        }

    def config(self) -> dict:
        """Everything about the model that is not data: part of its version."""
        return {
            "model_name": self.name,
            "model_format": MODEL_FORMAT,
            "seed": SEED,
            "features": [asdict(feature) for feature in self.features],
            "baseline": [feature.column for feature in self.baseline],
            "test_fraction": self.test_fraction,
            "min_category_rows": self.min_category_rows,
            "regularization_grid": list(self.regularization_grid),
            "label": self.label_definition,
            "split": self.split_definition,
        }


def check_frame(frame: pd.DataFrame, spec: ModelSpec) -> None:
    """Refuse any column outside the allowlist (a post-petition column cannot slip in), and any missing one."""
    unexpected = sorted(set(frame.columns) - spec.allowed_columns)
    if unexpected:
        raise ValueError(f"{spec.name}: columns outside the point-in-time allowlist: {unexpected}")
    missing = sorted(spec.allowed_columns - set(frame.columns))
    if missing:
        raise ValueError(f"{spec.name}: feature frame lacks {missing}")


@dataclass(frozen=True)
class TimeSplit:
    train: pd.DataFrame
    test: pd.DataFrame
    cutoff: pd.Timestamp
    excluded: int  # rows that started before the cutoff but whose label became known after it


def time_split(frame: pd.DataFrame, spec: ModelSpec, cutoff: pd.Timestamp | None = None) -> TimeSplit:
    """Train on rows whose label was known by the cutoff, test on rows that start after it.

    The default cutoff leaves the latest `test_fraction` of rows (by start date) for the test. Rows straddling
    the cutoff (started before, known after) are in neither set, so every training row is known before every
    test row starts.
    """
    starts = pd.to_datetime(frame[spec.starts_on])
    if cutoff is None:
        ordered = starts.sort_values(kind="stable").reset_index(drop=True)
        cutoff = ordered.iloc[int(np.floor((1 - spec.test_fraction) * (len(ordered) - 1)))]
    cutoff = pd.Timestamp(cutoff)
    known = pd.to_datetime(frame[spec.known_on])
    in_train = known <= cutoff
    in_test = starts > cutoff
    order = [spec.starts_on, spec.key]
    return TimeSplit(
        train=frame[in_train].sort_values(order, kind="stable").reset_index(drop=True),
        test=frame[in_test].sort_values(order, kind="stable").reset_index(drop=True),
        cutoff=cutoff,
        excluded=int((~in_train & ~in_test).sum()),
    )


def fingerprint(frame: pd.DataFrame, spec: ModelSpec) -> str:
    """SHA-256 of the modelling frame (allowlisted columns in a fixed order, rows by key): same data, same hash."""
    columns = sorted(spec.allowed_columns)
    ordered = frame[columns].sort_values(spec.key, kind="stable").reset_index(drop=True)
    digest = hashlib.sha256()
    digest.update(json.dumps({column: str(ordered[column].dtype) for column in columns}).encode())
    digest.update(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def model_version(spec: ModelSpec, data_fingerprint: str) -> str:
    """Deterministic from the data and the configuration: training twice on the same data gives the same version."""
    payload = json.dumps({"config": spec.config(), "data": data_fingerprint}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class TrainedModel:
    """What the store keeps: the fitted model, its baseline and how they did on the held-out rows."""

    name: str
    version: str
    data_fingerprint: str
    model: LinearModel
    baseline: LinearModel
    metrics: dict
    window: dict
    cv_auc_by_regularization: dict = field(default_factory=dict)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(frame)

    def reasons(self, frame: pd.DataFrame) -> pd.DataFrame:
        return self.model.reasons(frame)


def label_array(frame: pd.DataFrame, spec: ModelSpec) -> np.ndarray:
    return frame[spec.label].astype(int).to_numpy()


def train(frame: pd.DataFrame, spec: ModelSpec) -> tuple[TrainedModel, TimeSplit]:
    """Choose C by forward-chaining CV in the training window, fit model and baseline, score both on the test."""
    check_frame(frame, spec)
    split = time_split(frame, spec)
    for part, rows in (("training", split.train), ("held-out", split.test)):
        if rows[spec.label].nunique() < 2:
            raise ValueError(f"{spec.name}: the {part} rows (cutoff {split.cutoff.date()}) hold a single outcome")
    y_train, y_test = label_array(split.train, spec), label_array(split.test, spec)
    regularization, cv_auc = choose_regularization(
        split.train, y_train, spec.features, spec.regularization_grid, min_category_rows=spec.min_category_rows
    )
    model = fit_linear(split.train, y_train, spec.features, regularization, spec.min_category_rows)
    baseline = fit_linear(split.train, y_train, spec.baseline, 1.0, spec.min_category_rows)
    metrics = {
        "model": evaluate(y_test, model.predict_proba(split.test)),
        "baseline": evaluate(y_test, baseline.predict_proba(split.test)),
    }
    data_fingerprint = fingerprint(frame, spec)
    window = {
        "cutoff": str(split.cutoff.date()),
        "train_rows": len(split.train),
        "train_positives": int(y_train.sum()),
        "train_from": str(pd.Timestamp(split.train[spec.starts_on].min()).date()),
        "test_rows": len(split.test),
        "test_positives": int(y_test.sum()),
        "test_from": str(pd.Timestamp(split.test[spec.starts_on].min()).date()),
        "test_through": str(pd.Timestamp(split.test[spec.starts_on].max()).date()),
        "excluded_straddling_cutoff": split.excluded,
        "regularization": regularization,
    }
    trained = TrainedModel(
        name=spec.name,
        version=model_version(spec, data_fingerprint),
        data_fingerprint=data_fingerprint,
        model=model,
        baseline=baseline,
        metrics=metrics,
        window=window,
        cv_auc_by_regularization={str(c): auc for c, auc in cv_auc.items()},
    )
    return trained, split
