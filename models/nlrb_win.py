"""The win model on twenty years of NLRB elections (marts.mart_nlrb_win_features): P(the union wins a
representation election), in two variants. At filing reads only what was public the day before the petition was
filed; at election adds what is fixed between filing and the vote (election mode, delay, unions on the ballot).

Label: `union_won` of fct_nlrb_election_outcomes, the Board's certified outcome (the last tally's majority where
the case closed without a certification). RC (union) and RM (employer) petitions only.

Every history count in the mart is point in time (macros/point_in_time/history_before_filing.sql); this module
turns the counts into rates shrunk toward the larger group's rate, so that a union with two past elections is not
scored 0% or 100%, and a missing affiliation or industry is neutral: it takes the larger group's rate and no
category of its own.

Training horizon: nothing whose outcome was public after it, or whose election was held after it, trains the
model or chooses its settings. Elections after it, and petitions without an outcome, are only scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, SplineTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from models.evaluation import bootstrap_auc_interval, evaluate

FEATURES_TABLE = "marts.mart_nlrb_win_features"
SEED = 20211130
# Pseudo-elections of the larger group's rate that every rate is shrunk with.
PRIOR_STRENGTH = 20.0
REGULARIZATION_GRID = (0.01, 0.03, 0.1, 0.3)
FIRST_ORIGIN_YEAR, LAST_ORIGIN_YEAR = 2012, 2021
AT_FILING, AT_ELECTION = "at_filing", "at_election"
VARIANTS = (AT_FILING, AT_ELECTION)

# What each model input means and when it is known: the day before filing, unless marked at election.
FEATURE_MEANINGS: dict[str, str] = {
    "eligible_voters": "the unit's size (its eligibility list: the size as petitioned is not in the sources)",
    "is_employer_petition": "the employer filed the petition (RM) rather than a union (RC)",
    "nation_recent_rate": "the national win rate over outcomes public in the two years before filing",
    "region_recent_edge": "the NLRB region's two-year win rate, shrunk to the national one, as log-odds above it",
    "state_recent_edge": "the state's two-year win rate, shrunk to the national one, as log-odds above it",
    "affiliation_edge": "the union affiliation's win rate over all earlier outcomes, shrunk, as log-odds above "
    "the national rate; 0 for a union of unknown affiliation",
    "affiliation_recent_edge": "the affiliation's two-year win rate, shrunk to its all-time rate, as log-odds above it",
    "local_edge": "the petitioning local's win rate, shrunk to its affiliation's, as log-odds above it",
    "employer_edge": "the employer's earlier outcomes (any union), shrunk to the national rate, as log-odds above it",
    "employer_prior_petitions": "petitions at the same employer filed before (log scale)",
    "employer_petitions_past_year": "petitions at the same employer filed in the past year: a wave (log scale)",
    "local_prior_elections": "the local's earlier elections with a public outcome (log scale)",
    "union_affiliation": "the petitioner's national affiliation (none: neutral)",
    "naics_sector": "the employer's NAICS sector where the source has it (none: neutral)",
    "state": "the unit's state",
    "case_name": "the words of the employer's name (hospital, security, transport...)",
    "days_filing_to_election": "at election: days from filing to the election (log scale; unknown where the filing "
    "date is estimated: the training median)",
    "unions_on_ballot": "at election: the petitioner and intervenors on the ballot",
    "election_mode": "at election: manual, mail or mixed (2017 on; none: neutral)",
}
NUMERIC_INPUTS = [
    "is_employer_petition",
    "nation_recent_rate",
    "region_recent_edge",
    "state_recent_edge",
    "affiliation_edge",
    "affiliation_recent_edge",
    "local_edge",
    "employer_edge",
    "employer_prior_petitions",
    "employer_petitions_past_year",
    "local_prior_elections",
]
CATEGORY_INPUTS = ["union_affiliation", "naics_sector", "state"]
AFFILIATION_COUNTS = [
    f"{group}_prior_{count}" for group in ("affiliation", "affiliation_recent") for count in ("elections", "wins")
]


def load_elections(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every row of the features mart, in election-key order."""
    elections = con.table(FEATURES_TABLE).order("election_key").df()
    for column in ("filed_on", "election_date", "outcome_known_on"):
        elections[column] = pd.to_datetime(elections[column])
    return elections


def _shrunk(wins: pd.Series, count: pd.Series, prior_rate: pd.Series | np.ndarray) -> np.ndarray:
    return (wins.to_numpy(float) + PRIOR_STRENGTH * np.asarray(prior_rate, float)) / (
        count.to_numpy(float) + PRIOR_STRENGTH
    )


def _logit(rate: np.ndarray) -> np.ndarray:
    clipped = np.clip(rate, 1e-3, 1 - 1e-3)
    return np.log(clipped / (1 - clipped))


def feature_frame(elections: pd.DataFrame) -> pd.DataFrame:
    """The inputs of both variants for each election (index kept), from the mart's point-in-time counts."""
    # Without a known affiliation there is no record to read: its counts are zero, its rate the national one.
    known = elections["union_affiliation"].notna()
    elections = elections.assign(
        **{column: elections[column].where(known, 0) for column in AFFILIATION_COUNTS}
    )
    nation = _shrunk(elections["nation_prior_wins"], elections["nation_prior_elections"], 0.5)
    region = _shrunk(elections["region_prior_wins"], elections["region_prior_elections"], nation)
    state = _shrunk(elections["state_prior_wins"], elections["state_prior_elections"], nation)
    affiliation = _shrunk(elections["affiliation_prior_wins"], elections["affiliation_prior_elections"], nation)
    affiliation_recent = _shrunk(
        elections["affiliation_recent_prior_wins"], elections["affiliation_recent_prior_elections"], affiliation
    )
    local = _shrunk(elections["local_prior_wins"], elections["local_prior_elections"], affiliation)
    employer = _shrunk(elections["employer_prior_wins"], elections["employer_prior_elections"], nation)
    frame = pd.DataFrame(
        {
            "eligible_voters": elections["eligible_voters"].astype(float),
            "is_employer_petition": elections["is_employer_petition"].astype(float),
            "nation_recent_rate": nation,
            "region_recent_edge": _logit(region) - _logit(nation),
            "state_recent_edge": _logit(state) - _logit(nation),
            "affiliation_edge": _logit(affiliation) - _logit(nation),
            "affiliation_recent_edge": _logit(affiliation_recent) - _logit(affiliation),
            "local_edge": _logit(local) - _logit(affiliation),
            "employer_edge": _logit(employer) - _logit(nation),
            "employer_prior_petitions": np.log1p(elections["employer_prior_petitions"].astype(float)),
            "employer_petitions_past_year": np.log1p(elections["employer_petitions_past_year"].astype(float)),
            "local_prior_elections": np.log1p(elections["local_prior_elections"].astype(float)),
            "union_affiliation": elections["union_affiliation"].astype(object),
            "naics_sector": elections["naics_sector"].astype(object),
            "state": elections["state"].astype(object),
            "case_name": elections["case_name"].fillna("").astype(str),
            "days_filing_to_election": elections["days_filing_to_election"].astype(float),
            "unions_on_ballot": elections["unions_on_ballot"].astype(float),
            "election_mode": elections["election_mode"].astype(object),
        },
        index=elections.index,
    )
    return frame


class NeutralOneHot(BaseEstimator, TransformerMixin):
    """One-hot columns for the categories seen at least `min_frequency` times in training; a missing or rare
    value is all zeros, so it takes no win rate of its own (unlike a learned 'unknown' category). A column with no
    such category (election mode before 2017) gives no columns."""

    def __init__(self, min_frequency: int = 10):
        self.min_frequency = min_frequency

    def fit(self, frame: pd.DataFrame, y=None):
        self.columns_ = list(frame.columns)
        self.categories_ = []
        for column in self.columns_:
            counts = frame[column].dropna().value_counts()
            self.categories_.append(sorted(counts.index[counts >= self.min_frequency]))
        return self

    def transform(self, frame: pd.DataFrame):
        blocks = [
            sparse.csr_matrix(np.equal.outer(frame[column].to_numpy(dtype=object), np.array(categories, dtype=object)),
                              dtype=np.float64)
            for column, categories in zip(self.columns_, self.categories_, strict=True)
        ]
        if not any(self.categories_):  # a block needs a column: one of zeros, which the model cannot weigh
            return sparse.csr_matrix((len(frame), 1))
        return sparse.hstack(blocks, format="csr")

    def get_feature_names_out(self, input_features=None):
        if not any(self.categories_):
            return np.array([f"{self.columns_[0]}_none"], dtype=object)
        return np.array(
            [f"{column}_{category}" for column, categories in zip(self.columns_, self.categories_, strict=True)
             for category in categories],
            dtype=object,
        )


def _log1p_nonnegative(values):
    return np.log1p(np.clip(values, 0, None))


def log_scale() -> Pipeline:
    """log(1 + a count), a missing one at the training median."""
    return make_pipeline(
        SimpleImputer(strategy="median"),
        FunctionTransformer(_log1p_nonnegative, feature_names_out="one-to-one"),
    )


def make_model(variant: str, regularization: float) -> Pipeline:
    """L2 logistic on a spline of log size, the point-in-time rates and counts, neutral one-hot categories and
    the words of the employer's name; at election also the log delay, the ballot's unions and the mode."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {VARIANTS}")
    blocks = [
        ("size", make_pipeline(log_scale(), SplineTransformer(n_knots=5, degree=3)), ["eligible_voters"]),
        ("history", StandardScaler(), NUMERIC_INPUTS),
        ("categories", NeutralOneHot(), CATEGORY_INPUTS),
        ("employer_words", TfidfVectorizer(min_df=5, sublinear_tf=True, dtype=np.float64), "case_name"),
    ]
    if variant == AT_ELECTION:
        blocks += [
            ("delay", make_pipeline(log_scale(), StandardScaler()), ["days_filing_to_election"]),
            ("ballot", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["unions_on_ballot"]),
            ("mode", NeutralOneHot(), ["election_mode"]),
        ]
    features = ColumnTransformer(blocks)
    classifier = LogisticRegression(C=regularization, max_iter=5000, solver="liblinear", random_state=SEED)
    return Pipeline([("features", features), ("classifier", classifier)])


def make_baseline() -> Pipeline:
    """Size, state and union: log unit size, state and affiliation (neutral one-hot), lightly regularized."""
    features = ColumnTransformer(
        [("size", log_scale(), ["eligible_voters"]), ("categories", NeutralOneHot(), ["state", "union_affiliation"])]
    )
    classifier = LogisticRegression(C=1.0, max_iter=5000, solver="liblinear", random_state=SEED)
    return Pipeline([("features", features), ("classifier", classifier)])


def trainable(elections: pd.DataFrame, horizon: pd.Timestamp) -> pd.Series:
    """Rows that may train or tune a model with this horizon: a public outcome and an election both by then."""
    return (
        elections["union_won"].notna()
        & elections["filed_on"].notna()
        & (elections["outcome_known_on"] <= horizon)
        & (elections["election_date"] <= horizon)
    )


def _labels(elections: pd.DataFrame) -> np.ndarray:
    return elections["union_won"].astype(bool).to_numpy(dtype=int)


def make_boosting(variant: str) -> Pipeline:
    """Gradient boosting on the size, the point-in-time rates and counts and the commonest words of the employer's
    name (at election also the delay and the ballot). No category column: a tree would learn a missing one as a
    rate of its own, so categories reach it only as the neutral rates above."""
    numeric = ["eligible_voters", *NUMERIC_INPUTS]
    if variant == AT_ELECTION:
        numeric += ["days_filing_to_election", "unions_on_ballot"]
    features = ColumnTransformer(
        [
            ("numeric", SimpleImputer(strategy="median"), numeric),
            ("employer_words", TfidfVectorizer(min_df=20, max_features=100, binary=True, use_idf=False, norm=None),
             "case_name"),
        ],
        sparse_threshold=0.0,
    )
    classifier = HistGradientBoostingClassifier(
        learning_rate=0.05, max_iter=300, max_leaf_nodes=15, min_samples_leaf=50, l2_regularization=1.0,
        early_stopping=False, random_state=SEED,
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def _fit_boosting(variant: str, rows: pd.DataFrame) -> Pipeline:
    # One OpenMP thread: on the shared 2-core hosts boosting's thread pool spins against other jobs.
    with threadpool_limits(limits=1, user_api="openmp"):
        return make_boosting(variant).fit(feature_frame(rows), _labels(rows))


def _boosting_proba(boosting: Pipeline, rows: pd.DataFrame) -> np.ndarray:
    with threadpool_limits(limits=1, user_api="openmp"):
        return boosting.predict_proba(feature_frame(rows))[:, 1]


@dataclass(frozen=True)
class Settings:
    regularization: float
    blend: bool  # the logistic's probability averaged with boosting's
    validation_aucs: dict


def choose_settings(train: pd.DataFrame, variant: str = AT_FILING) -> Settings:
    """C, and whether to blend in boosting, chosen inside the training rows: fit on all but their last fiscal year
    (outcomes public before that year's first filing), AUC on that year."""
    last_year = train["election_fiscal_year"].max()
    fit_rows, check_rows = train[train["election_fiscal_year"] < last_year], train[train["election_fiscal_year"] == last_year]
    fit_rows = fit_rows[fit_rows["outcome_known_on"] < check_rows["filed_on"].min()]
    outcome = _labels(check_rows)
    if len(np.unique(outcome)) < 2 or len(np.unique(_labels(fit_rows))) < 2:
        raise ValueError(
            f"too few decided elections to choose settings: {len(fit_rows):,} before FY{last_year} and "
            f"{len(check_rows):,} in it, which need both outcomes each"
        )
    boosting = _boosting_proba(_fit_boosting(variant, fit_rows), check_rows)
    aucs = {}
    for regularization in REGULARIZATION_GRID:
        model = make_model(variant, regularization).fit(feature_frame(fit_rows), _labels(fit_rows))
        logistic = model.predict_proba(feature_frame(check_rows))[:, 1]
        aucs[(regularization, False)] = roc_auc_score(outcome, logistic)
        aucs[(regularization, True)] = roc_auc_score(outcome, (logistic + boosting) / 2)
    regularization, blend = max(aucs, key=aucs.get)
    return Settings(regularization, blend, {f"C={c:g}{' blend' if b else ''}": auc for (c, b), auc in aucs.items()})


# The blocks of make_model that turn one input into several columns.
_BLOCK_INPUTS = {"size": "eligible_voters", "employer_words": "case_name", "mode": "election_mode"}


def _input_of(transformed_name: str) -> str:
    """The model input a column of the fitted ColumnTransformer comes from ("categories__state_CA" -> "state")."""
    block, _, column = transformed_name.partition("__")
    if block in _BLOCK_INPUTS:
        return _BLOCK_INPUTS[block]
    if block == "categories":
        return next(name for name in CATEGORY_INPUTS if column.startswith(f"{name}_"))
    return column


@dataclass(frozen=True)
class WinModel:
    variant: str
    pipeline: Pipeline
    boosting: Pipeline | None  # blended in (an even average) when the settings chose it
    regularization: float
    horizon: pd.Timestamp
    trained_rows: int
    # Mean of each transformed column over the training rows: a reason is a departure from the average petition.
    training_means: np.ndarray

    def predict_proba(self, elections: pd.DataFrame) -> np.ndarray:
        logistic = self.pipeline.predict_proba(feature_frame(elections))[:, 1]
        if self.boosting is None:
            return logistic
        return (logistic + _boosting_proba(self.boosting, elections)) / 2

    def contributions(self, elections: pd.DataFrame) -> pd.DataFrame:
        """Per election and model input: its push on the log-odds of a win against the average training petition,
        in the logistic half of the model (the reasons' source)."""
        features = self.pipeline.named_steps["features"]
        transformed = features.transform(feature_frame(elections))
        dense = transformed.toarray() if hasattr(transformed, "toarray") else np.asarray(transformed)
        weights = self.pipeline.named_steps["classifier"].coef_.ravel()
        pushes = (dense - self.training_means) * weights
        inputs = [_input_of(name) for name in features.get_feature_names_out()]
        by_column = pd.DataFrame(pushes, index=elections.index, columns=range(len(inputs)))
        return by_column.T.groupby(np.array(inputs)).sum().T


def train(elections: pd.DataFrame, horizon: date | pd.Timestamp, variant: str = AT_FILING) -> WinModel:
    """Choose the settings and fit one variant on every row the horizon allows."""
    horizon = pd.Timestamp(horizon)
    rows = elections[trainable(elections, horizon)]
    settings = choose_settings(rows, variant)
    pipeline = make_model(variant, settings.regularization).fit(feature_frame(rows), _labels(rows))
    boosting = _fit_boosting(variant, rows) if settings.blend else None
    means = np.asarray(pipeline.named_steps["features"].transform(feature_frame(rows)).mean(axis=0)).ravel()
    return WinModel(variant, pipeline, boosting, settings.regularization, horizon, len(rows), means)


def _won_of(election: pd.Series, group: str) -> str:
    return f"{int(election[f'{group}_prior_wins']):,} of {int(election[f'{group}_prior_elections']):,} won"


def describe(election: pd.Series, model_input: str) -> str:
    """One model input of one election in plain words, with the figures behind it."""
    affiliation = election["union_affiliation"] if isinstance(election["union_affiliation"], str) else None
    match model_input:
        case "eligible_voters":
            size = election["eligible_voters"]
            return "unit size unknown" if pd.isna(size) else f"a unit of {int(size):,} workers"
        case "is_employer_petition":
            return "an employer-filed (RM) petition" if election["is_employer_petition"] else "a union-filed petition"
        case "nation_recent_rate":
            return f"the national record of the past two years ({_won_of(election, 'nation')})"
        case "region_recent_edge":
            return f"NLRB Region {election['nlrb_region']}'s record of the past two years ({_won_of(election, 'region')})"
        case "state_recent_edge":
            return f"{election['state'] or 'the state'}'s record of the past two years ({_won_of(election, 'state')})"
        case "affiliation_edge" | "union_affiliation":
            if affiliation is None:
                return "a union of unknown affiliation"
            return f"{affiliation}'s record ({_won_of(election, 'affiliation')})"
        case "affiliation_recent_edge":
            return f"{affiliation or 'the union'}'s past two years ({_won_of(election, 'affiliation_recent')})"
        case "local_edge" | "local_prior_elections":
            return f"the local's record ({_won_of(election, 'local')})"
        case "employer_edge":
            return f"the employer's earlier elections ({_won_of(election, 'employer')})"
        case "employer_prior_petitions":
            return f"{int(election['employer_prior_petitions']):,} earlier petitions at the employer"
        case "employer_petitions_past_year":
            return f"{int(election['employer_petitions_past_year']):,} petitions at the employer in the past year"
        case "naics_sector":
            sector = election["naics_sector"]
            return f"NAICS sector {sector}" if isinstance(sector, str) else "industry unknown"
        case "state":
            return f"a unit in {election['state']}" if isinstance(election["state"], str) else "state unknown"
        case "case_name":
            return "the words of the employer's name"
        case "days_filing_to_election":
            days = election["days_filing_to_election"]
            return "time to the election unknown" if pd.isna(days) else f"an election {int(days):,} days after filing"
        case "unions_on_ballot":
            unions = election["unions_on_ballot"]
            return "unions on the ballot unknown" if pd.isna(unions) else f"{int(unions)} union(s) on the ballot"
        case "election_mode":
            mode = election["election_mode"]
            return f"a {mode.lower()} election" if isinstance(mode, str) else "election mode unknown"
    raise ValueError(f"no words for model input {model_input!r}")


def score(model: WinModel, elections: pd.DataFrame, reasons: int = 3) -> pd.DataFrame:
    """P(win) of each election by the model's variant, with the `reasons` inputs that moved it most, for or
    against."""
    contributions = model.contributions(elections)
    scored = elections[["election_key", "case_number", "case_name", "state", "filed_on"]].copy()
    scored["win_probability"] = model.predict_proba(elections)
    for position in range(reasons):
        scored[f"reason_{position + 1}"] = ""
    for index, pushes in contributions.iterrows():
        # Two inputs can tell one fact (the affiliation's category and its record): each fact is said once.
        said: dict[str, float] = {}
        for model_input in pushes.abs().sort_values(ascending=False, kind="stable").index:
            words = describe(elections.loc[index], model_input)
            said[words] = said.get(words, 0.0) + pushes[model_input]
            if len(said) == reasons:
                break
        for position, (words, push) in enumerate(said.items()):
            scored.at[index, f"reason_{position + 1}"] = f"{'for' if push > 0 else 'against'}: {words}"
    return scored.reset_index(drop=True)


def fiscal_year_start(year: int) -> pd.Timestamp:
    return pd.Timestamp(year - 1, 10, 1)


def rolling_origin(
    elections: pd.DataFrame,
    years: range = range(FIRST_ORIGIN_YEAR, LAST_ORIGIN_YEAR + 1),
    bootstrap_draws: int = 1000,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For each test fiscal year: train both variants (and choose their C) and the baseline on the outcomes public
    before the year began, score the year's decided elections. Returns the table by year and every test row's
    scores."""
    rows, scored = [], []
    for year in years:
        horizon = fiscal_year_start(year) - pd.Timedelta(days=1)
        train_rows = elections[trainable(elections, horizon)]
        test_rows = elections[
            elections["election_fiscal_year"].eq(year) & elections["union_won"].notna() & elections["filed_on"].notna()
        ]
        outcome = _labels(test_rows)
        baseline = make_baseline().fit(feature_frame(train_rows), _labels(train_rows))
        scores = {"baseline": baseline.predict_proba(feature_frame(test_rows))[:, 1]}
        row = {"test_year": year, "trained_on": len(train_rows), "elections": len(test_rows), "win_rate": outcome.mean()}
        for variant in VARIANTS:
            model = train(elections, horizon, variant)
            scores[variant] = model.predict_proba(test_rows)
            row[f"{variant}_regularization"] = model.regularization
            row[f"{variant}_blend"] = model.boosting is not None
        base_rate = _labels(train_rows).mean()
        for name, score_of_rows in scores.items():
            result = evaluate(outcome, score_of_rows)
            row[f"{name}_auc"], row[f"{name}_brier"] = result["roc_auc"], result["brier"]
            row[f"{name}_auc_interval"] = bootstrap_auc_interval(outcome, score_of_rows, draws=bootstrap_draws)
        row["base_rate_brier"] = float(np.mean((outcome - base_rate) ** 2))
        row["filed_on_estimated"] = float(test_rows["is_filed_on_estimated"].mean())
        rows.append(row)
        scored.append(
            test_rows[["election_key", "nlrb_region", "election_fiscal_year"]].assign(won=outcome, **scores)
        )
    return pd.DataFrame(rows), pd.concat(scored, ignore_index=True)


def to_score(elections: pd.DataFrame, horizon: pd.Timestamp) -> pd.Series:
    """Petitions a model with this horizon scores but never trains on: no public outcome by the horizon, or an
    election after it."""
    return elections["filed_on"].notna() & ~trainable(elections, horizon)
