"""A readable logistic model over named features, with per-row reasons in plain words.

Each feature is one block of the design matrix (log1p counts, numbers and flags standardized, categories one-hot),
so a row's contribution of a feature is exactly coefficient x (transformed value - training mean) summed over
its block: the log-odds the feature adds to this row compared with the average training row. The three largest
contributions, in absolute value, are the row's reasons. Ties break on the feature order, so reasons are
deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

SEED = 20250630  # the sample world's as-of date; any fixed value makes runs repeatable
KINDS = ("count", "number", "flag", "category")
UNKNOWN = "unknown"
REGULARIZATION_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
REASONS_PER_ROW = 3


@dataclass(frozen=True)
class Feature:
    """One model input: its column, how it enters the model, when it is known, and how to say it in words.

    `words` is formatted with `value` (the raw value; counts also get `s`, the plural ending). Counts read
    `zero_words` at 0; flags read `words` when true and `false_words` when false; any missing value reads
    `missing_words`. A count's phrase takes a plural verb unless `singular` ("a unit of 40 workers").
    """

    column: str
    kind: str
    known: str
    words: str
    missing_words: str
    zero_words: str = ""
    false_words: str = ""
    singular: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"feature {self.column}: kind must be one of {KINDS}, not {self.kind!r}")

    def phrase(self, value: object) -> tuple[str, bool]:
        """The value in words, and whether the phrase is plural (a count other than one)."""
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return self.missing_words, False
        if self.kind == "flag":
            return (self.words if value else self.false_words), False
        if self.kind == "count":
            count = int(round(float(value)))
            if count == 0 and self.zero_words:
                return self.zero_words, not self.singular
            return self.words.format(value=count, s="" if count == 1 else "s"), count != 1 and not self.singular
        return self.words.format(value=value), False


def _log1p_nonnegative(values):
    return np.log1p(np.clip(values, 0, None))


def _block(feature: Feature, min_category_rows: int) -> Pipeline:
    # keep_empty_features: a number unknown in every row of an early CV fold (contacts' turnout before any general
    # election) keeps its column, imputed 0, so every fold has the same design.
    if feature.kind == "count":
        return make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            FunctionTransformer(_log1p_nonnegative, feature_names_out="one-to-one"),
            StandardScaler(),
        )
    if feature.kind in ("number", "flag"):
        return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler())
    # Categories seen in fewer than min_category_rows training rows share one column, as do unseen ones.
    return make_pipeline(
        OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=min_category_rows, sparse_output=False)
    )


def model_inputs(frame: pd.DataFrame, features: tuple[Feature, ...]) -> pd.DataFrame:
    """The feature columns with fixed dtypes: floats (NaN when missing) and strings ('unknown' when missing)."""
    missing = [feature.column for feature in features if feature.column not in frame.columns]
    if missing:
        raise ValueError(f"feature frame lacks {missing}")
    columns = {}
    for feature in features:
        values = frame[feature.column]
        if feature.kind == "category":
            columns[feature.column] = values.astype("string").fillna(UNKNOWN).astype(object)
        else:
            columns[feature.column] = pd.to_numeric(values.astype("Float64"), errors="raise").astype(float)
    return pd.DataFrame(columns, index=frame.index)


@dataclass(frozen=True)
class LinearModel:
    """A fitted model: the pipeline, the training mean of every design column, and the features it reads."""

    features: tuple[Feature, ...]
    pipeline: Pipeline
    design_means: np.ndarray
    regularization: float

    @property
    def _transformer(self) -> ColumnTransformer:
        return self.pipeline.named_steps["features"]

    @property
    def _coefficients(self) -> np.ndarray:
        return self.pipeline.named_steps["classifier"].coef_[0]

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return self.pipeline.predict_proba(model_inputs(frame, self.features))[:, 1]

    def _deviations(self, frame: pd.DataFrame) -> np.ndarray:
        """Design columns of each row minus their training means."""
        return self._transformer.transform(model_inputs(frame, self.features)) - self.design_means

    def _by_feature(self, design: np.ndarray) -> np.ndarray:
        slices = self._transformer.output_indices_
        return np.column_stack([design[:, slices[feature.column]].sum(axis=1) for feature in self.features])

    def contributions(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Log-odds each feature adds to each row against the average training row (one column per feature)."""
        weighted = self._by_feature(self._deviations(frame) * self._coefficients)
        return pd.DataFrame(weighted, columns=[feature.column for feature in self.features], index=frame.index)

    def reasons(self, frame: pd.DataFrame, count: int = REASONS_PER_ROW) -> pd.DataFrame:
        """Per row, the `count` largest contributions in words: 'a unit of 450 workers (above average) lowers the
        odds'. Counts and numbers say whether they sit above or below the training average, the point the
        contribution is measured from."""
        deviations = self._deviations(frame)
        signed = self._by_feature(deviations * self._coefficients)
        # A count's or number's block is one column: its deviation says above or below the average.
        above = self._by_feature(deviations) > 0
        # Stable sort on -|contribution|: equal contributions keep the feature order.
        order = np.argsort(-np.abs(signed), axis=1, kind="stable")[:, :count]
        values = frame[[feature.column for feature in self.features]].to_numpy(dtype=object)
        rows = []
        for row, top in enumerate(order):
            texts = []
            for index in top:
                feature = self.features[index]
                phrase, plural = feature.phrase(values[row, index])
                measured = phrase not in (feature.missing_words, feature.zero_words)
                if feature.kind in ("count", "number") and measured:
                    phrase += " (above average)" if above[row, index] else " (below average)"
                direction = signed[row, index]
                verb = ("raise" if plural else "raises") if direction > 0 else ("lower" if plural else "lowers")
                texts.append(f"{phrase} {verb} the odds" if direction != 0 else f"{phrase} does not move the odds")
            rows.append(texts)
        return pd.DataFrame(rows, columns=[f"reason_{n + 1}" for n in range(count)], index=frame.index)

    def coefficients_by_feature(self) -> dict[str, list[tuple[str, float]]]:
        """Coefficient of every design column, grouped by feature (for the model card)."""
        names = self._transformer.get_feature_names_out()
        slices = self._transformer.output_indices_
        return {
            feature.column: [
                (str(name).split("__", 1)[1], float(coef))
                for name, coef in zip(names[slices[feature.column]], self._coefficients[slices[feature.column]])
            ]
            for feature in self.features
        }


def _pipeline(features: tuple[Feature, ...], regularization: float, min_category_rows: int) -> Pipeline:
    transformer = ColumnTransformer(
        [(feature.column, _block(feature, min_category_rows), [feature.column]) for feature in features],
        sparse_threshold=0.0,
    )
    classifier = LogisticRegression(C=regularization, max_iter=5000, random_state=SEED)
    return Pipeline([("features", transformer), ("classifier", classifier)])


def fit_linear(
    frame: pd.DataFrame,
    label: np.ndarray,
    features: tuple[Feature, ...],
    regularization: float,
    min_category_rows: int = 10,
) -> LinearModel:
    inputs = model_inputs(frame, features)
    pipeline = _pipeline(features, regularization, min_category_rows).fit(inputs, np.asarray(label, dtype=int))
    design_means = pipeline.named_steps["features"].transform(inputs).mean(axis=0)
    return LinearModel(features=features, pipeline=pipeline, design_means=design_means, regularization=regularization)


def choose_regularization(
    ordered: pd.DataFrame,
    label: np.ndarray,
    features: tuple[Feature, ...],
    grid: tuple[float, ...] = REGULARIZATION_GRID,
    n_splits: int = 4,
    min_category_rows: int = 10,
) -> tuple[float, dict[float, float]]:
    """C with the best mean AUC over forward-chaining folds of rows already in time order (training window only).

    Folds whose later block holds a single outcome are skipped. Ties go to the stronger regularization.
    """
    label = np.asarray(label, dtype=int)
    scores: dict[float, list[float]] = {c: [] for c in grid}
    for past, future in TimeSeriesSplit(n_splits=n_splits).split(ordered):
        if len(np.unique(label[future])) < 2 or len(np.unique(label[past])) < 2:
            continue
        for regularization in grid:
            model = fit_linear(ordered.iloc[past], label[past], features, regularization, min_category_rows)
            scores[regularization].append(roc_auc_score(label[future], model.predict_proba(ordered.iloc[future])))
    mean_auc = {c: float(np.mean(values)) if values else float("nan") for c, values in scores.items()}
    usable = {c: auc for c, auc in mean_auc.items() if not math.isnan(auc)}
    if not usable:
        return grid[len(grid) // 2], mean_auc
    best = max(usable.values())
    return min(c for c, auc in usable.items() if auc == best), mean_auc
