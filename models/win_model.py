"""The workplace win model: P(union wins the representation election) from point-in-time features.

Input contract: a pandas DataFrame with the columns of FEATURE_COLUMNS, a 0/1 label column and an event
date column (when the outcome became known). Any source that builds that frame (the FOIA adapter in
models.nlrb_real today, the warehouse's election features later) trains and scores with the same code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, SplineTransformer, StandardScaler
from threadpoolctl import threadpool_limits

SEED = 20170103  # the first tally date in the FOIA file; any fixed value makes runs repeatable

# The allowlist: every feature the model may read, with when it becomes known. Nothing from the tally,
# the certification or the case closing is allowed (tests assert the frame against this mapping).
FEATURE_COLUMNS: dict[str, str] = {
    "filed_date": "filing: the petition's filing date (only used to order history; not a model input)",
    "eligible_voters": "before the vote: the eligibility list; the petitioned unit's size is known at filing "
    "and the final list rarely differs much",
    "unit_state": "filing: the unit's state",
    "nlrb_region": "filing: the NLRB region in the case number",
    "employer_petition": "filing: RM (employer-filed) rather than RC petition",
    "union_affiliation": "filing: the petitioner's national affiliation, from its name",
    "unions_on_ballot": "before the vote: petitioner plus intervenors on the ballot",
    "self_determination_vote": "before the vote: a self-determination (Armour-Globe) election was directed",
    "union_name": "filing: the petitioner's name (text)",
    "employer_name": "filing: the case name, i.e. the employer (text)",
    "unit_description": "filing: the unit involved on the petition, included and excluded titles (text)",
    "election_mode": "before the vote: manual, mail or mixed, set in the election agreement or direction",
    "days_filing_to_election": "before the vote: filing to the scheduled election date, known once scheduled",
    "employer_prior_petitions": "filing: petitions against the same employer filed earlier",
    "employer_prior_wins": "filing: union wins at the same employer tallied before this filing",
    "union_prior_elections": "filing: the affiliation's elections tallied before this filing",
    "union_prior_win_rate": "filing: the affiliation's shrunk win rate over elections tallied before this filing",
    "local_prior_elections": "filing: the petitioning local's (exact folded name) elections tallied before this filing",
    "local_prior_win_rate": "filing: the local's win rate over those, shrunk toward its affiliation's rate",
}
# Fixed after filing but before the vote; a score made at filing replaces them by these uninformative values.
PRE_VOTE_NEUTRAL: dict[str, object] = {
    "election_mode": "unknown",
    "days_filing_to_election": 0.0,
    "unions_on_ballot": 1,
    "self_determination_vote": 0,
}
NUMERIC_FEATURES = [
    "employer_petition",
    "unions_on_ballot",
    "self_determination_vote",
    "employer_prior_petitions",
    "employer_prior_wins",
    "union_prior_elections",
    "union_prior_win_rate",
    "local_prior_elections",
    "local_prior_win_rate",
]
LOG_FEATURES = ["eligible_voters", "days_filing_to_election"]
CATEGORICAL_FEATURES = ["unit_state", "nlrb_region", "union_affiliation", "election_mode"]
TEXT_FEATURES = ["unit_description", "union_name", "employer_name"]
MODEL_INPUTS = LOG_FEATURES + NUMERIC_FEATURES + CATEGORICAL_FEATURES + TEXT_FEATURES

TRAINABLE_KINDS = ("baseline", "logistic", "boosting")


def _log1p_nonnegative(values):
    return np.log1p(np.clip(values, 0, None))


def _log_block() -> Pipeline:
    return make_pipeline(
        SimpleImputer(strategy="median"),
        FunctionTransformer(_log1p_nonnegative, feature_names_out="one-to-one"),
    )


def _text_vectorizer(min_df: int, ngrams: tuple[int, int]) -> TfidfVectorizer:
    return TfidfVectorizer(lowercase=True, min_df=min_df, ngram_range=ngrams, sublinear_tf=True, dtype=np.float64)


def _word_flags(max_words: int) -> TfidfVectorizer:
    """0/1 columns for the most frequent words: trees split on presence, not on TF-IDF weights."""
    return TfidfVectorizer(min_df=20, max_features=max_words, binary=True, use_idf=False, norm=None)


def make_baseline() -> Pipeline:
    """Unit size alone: a logistic regression on log(eligible voters)."""
    features = ColumnTransformer([("log_size", _log_block(), ["eligible_voters"])])
    return Pipeline([("features", features), ("classifier", LogisticRegression(max_iter=1000))])


def make_logistic(regularization: float = 0.1) -> Pipeline:
    """L2 logistic on a spline of log size, one-hot categories, history counts and TF-IDF of the three texts.

    The block weights act as per-block regularization under one C: the unit description is shrunk less,
    the dense numeric and one-hot blocks more (chosen, with C, by time-ordered CV in the training window).
    """
    features = ColumnTransformer(
        [
            ("log_spline", make_pipeline(_log_block(), SplineTransformer(n_knots=6, degree=3)), LOG_FEATURES),
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC_FEATURES),
            ("categories", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=10), CATEGORICAL_FEATURES),
            ("unit_words", _text_vectorizer(3, (1, 2)), "unit_description"),
            ("union_words", _text_vectorizer(3, (1, 1)), "union_name"),
            ("employer_words", _text_vectorizer(3, (1, 1)), "employer_name"),
        ],
        transformer_weights={"unit_words": 2.0, "numeric": 0.5, "categories": 0.5},
    )
    classifier = LogisticRegression(C=regularization, max_iter=5000, solver="liblinear", random_state=SEED)
    return Pipeline([("features", features), ("classifier", classifier)])


def make_boosting() -> Pipeline:
    """Gradient boosting on the tabular features, with the texts reduced to their most frequent words."""
    features = ColumnTransformer(
        [
            ("log", _log_block(), LOG_FEATURES),
            ("numeric", "passthrough", NUMERIC_FEATURES),
            (
                "categories",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, min_frequency=10),
                CATEGORICAL_FEATURES,
            ),
            ("unit_words", _word_flags(150), "unit_description"),
            ("employer_words", _word_flags(50), "employer_name"),
        ],
        sparse_threshold=0.0,
    )
    first_category = len(LOG_FEATURES) + len(NUMERIC_FEATURES)
    categorical_mask = list(range(first_category, first_category + len(CATEGORICAL_FEATURES)))
    classifier = HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=150,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        categorical_features=categorical_mask,
        early_stopping=False,
        random_state=SEED,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def make_model(kind: str) -> Pipeline:
    builders = {"baseline": make_baseline, "logistic": make_logistic, "boosting": make_boosting}
    if kind not in builders:
        raise ValueError(f"unknown model kind {kind!r}; choose one of {TRAINABLE_KINDS}")
    return builders[kind]()


def check_feature_frame(frame: pd.DataFrame, label: str, event_date: str) -> None:
    """Refuse any column outside the allowlist, so a post-election column cannot slip into training."""
    unexpected = sorted(set(frame.columns) - set(FEATURE_COLUMNS) - {label, event_date})
    if unexpected:
        raise ValueError(f"columns outside the point-in-time allowlist: {unexpected}")
    missing = sorted(set(MODEL_INPUTS) - set(frame.columns))
    if missing:
        raise ValueError(f"feature frame lacks {missing}")


def at_filing(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as known on the filing date: pre-vote features replaced by constants (eligible voters stays,
    as the proxy of the petitioned unit's size)."""
    return frame.assign(**PRE_VOTE_NEUTRAL)


def time_split(frame: pd.DataFrame, train_through: pd.Timestamp, event_date: str = "event_date"):
    """Rows whose outcome was known on or before `train_through`, and the rows after it."""
    known = frame[event_date] <= train_through
    return frame[known].copy(), frame[~known].copy()


def _logit(probability: np.ndarray) -> np.ndarray:
    clipped = np.clip(probability, 1e-6, 1 - 1e-6)
    return np.log(clipped / (1 - clipped)).reshape(-1, 1)


@dataclass(frozen=True)
class TrainedWinModel:
    kind: str
    pipeline: Pipeline
    calibrator: LogisticRegression | None = None

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """P(win) per row of a feature frame (Platt-recalibrated when the model was trained with calibrate=True)."""
        with threadpool_limits(limits=1, user_api="openmp"):
            raw = self.pipeline.predict_proba(frame[MODEL_INPUTS])[:, 1]
        if self.calibrator is None:
            return raw
        return self.calibrator.predict_proba(_logit(raw))[:, 1]


def _fit_pipeline(ordered: pd.DataFrame, kind: str, label: str) -> Pipeline:
    # One OpenMP thread: on the shared 2-core hosts, boosting's thread pool spins against other jobs (10x slower).
    with threadpool_limits(limits=1, user_api="openmp"):
        return make_model(kind).fit(ordered[MODEL_INPUTS], ordered[label].to_numpy(dtype=int))


def train_win_model(
    frame: pd.DataFrame,
    kind: str = "logistic",
    label: str = "won",
    event_date: str = "event_date",
    calibrate: bool = False,
    calibration_splits: int = 4,
) -> TrainedWinModel:
    """Fit one model kind on a feature frame (rows in event-date order so every run sees the same order).

    calibrate=True fits a Platt scaling on out-of-time scores: forward-chaining folds inside `frame` each
    score the block after their training rows, and a logistic maps those scores to the observed outcomes.
    It can undo a regularized model's shrinkage toward the base rate without touching its ranking;
    models.nlrb_real uses it only when it lowers the Brier score on the last quarter of the training window.
    """
    check_feature_frame(frame, label, event_date)
    ordered = frame.sort_values(event_date, kind="stable").reset_index(drop=True)
    calibrator = None
    if calibrate:
        later_scores, later_outcomes = [], []
        for past, future in TimeSeriesSplit(n_splits=calibration_splits).split(ordered):
            fold_pipeline = _fit_pipeline(ordered.iloc[past], kind, label)
            later_scores.append(fold_pipeline.predict_proba(ordered.iloc[future][MODEL_INPUTS])[:, 1])
            later_outcomes.append(ordered[label].iloc[future].to_numpy(dtype=int))
        calibrator = LogisticRegression().fit(_logit(np.concatenate(later_scores)), np.concatenate(later_outcomes))
    return TrainedWinModel(kind=kind, pipeline=_fit_pipeline(ordered, kind, label), calibrator=calibrator)


def time_ordered_cv(
    frame: pd.DataFrame, kinds=TRAINABLE_KINDS, n_splits: int = 4, label: str = "won", event_date: str = "event_date"
) -> pd.DataFrame:
    """Forward-chaining CV inside the training window: each fold trains on the past and scores the next block.

    Returns one row per kind and fold with the fold's AUC, for choosing a model without the test set.
    """
    check_feature_frame(frame, label, event_date)
    ordered = frame.sort_values(event_date, kind="stable").reset_index(drop=True)
    rows = []
    for fold, (past, future) in enumerate(TimeSeriesSplit(n_splits=n_splits).split(ordered)):
        for kind in kinds:
            model = train_win_model(ordered.iloc[past], kind, label, event_date)
            scores = model.predict_proba(ordered.iloc[future])
            auc = roc_auc_score(ordered[label].iloc[future], scores)
            scored_from = ordered[event_date].iloc[future].min()
            rows.append({"kind": kind, "fold": fold, "scored_from": scored_from, "roc_auc": auc})
    return pd.DataFrame(rows)

