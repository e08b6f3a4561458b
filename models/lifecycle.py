"""Train, gate, promote and score: the steps the orchestration runs, as plain functions over a DuckDB connection.

    train_candidate_on -> (promotion gate: gate_candidate) -> promote_candidate -> score_workplaces / score_workers

Scores always come from the active model of the store, never from a candidate, so a refused candidate leaves the
model in use, and the scores it wrote, in force.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from models.card import held_out_plots, model_card
from models.leader_model import LEADER_SPEC, load_member_frame, load_worker_frame
from models.modelling import ModelSpec, TimeSplit, TrainedModel, train
from models.promotion import GateDecision, PromotionPolicy, decide
from models.store import ActiveModel, ModelStore
from models.win_warehouse import WIN_SPEC, load_election_frame, load_workplace_frame

SCORES_SCHEMA = "models"
ACTIVE_MODELS_TABLE = "active_models"
WORKPLACE_SCORES_TABLE = "workplace_scores"
WORKER_SCORES_TABLE = "worker_scores"
_REASONS = {"reason_1": "varchar", "reason_2": "varchar", "reason_3": "varchar"}
# The contracts of the score tables (column: DuckDB type), in column order.
WORKPLACE_SCORES_COLUMNS = {
    "workplace_id": "varchar", "as_of_date": "date", "win_probability": "double", **_REASONS,
    "model_version": "varchar",
}
WORKER_SCORES_COLUMNS = {
    "worker_key": "varchar", "workplace_id": "varchar", "as_of_date": "date", "leader_score": "double", **_REASONS,
    "model_version": "varchar",
}


@dataclass(frozen=True)
class ModelKind:
    spec: ModelSpec
    load_labelled: Callable[[duckdb.DuckDBPyConnection], tuple[pd.DataFrame, dict]]
    outcome: str  # what a positive is, in a word, for plot labels


MODEL_KINDS = {
    WIN_SPEC.name: ModelKind(WIN_SPEC, load_election_frame, "win"),
    LEADER_SPEC.name: ModelKind(LEADER_SPEC, load_member_frame, "leader"),
}


@dataclass(frozen=True)
class Candidate:
    trained: TrainedModel
    split: TimeSplit
    path: Path
    card: str
    counts: dict


def train_candidate_on(frame: pd.DataFrame, counts: dict, store: ModelStore, kind: ModelKind) -> Candidate:
    """Train on a labelled frame (kind.load_labelled) and keep the model in the store as the candidate."""
    trained, split = train(frame, kind.spec)
    card = model_card(trained, kind.spec, counts)
    path = store.save(trained, kind.spec, card, held_out_plots(trained, split, kind.spec, kind.outcome))
    return Candidate(trained=trained, split=split, path=path, card=card, counts=counts)


def oracle_report(con: duckdb.DuckDBPyConnection, truth_dir: Path, candidate: Candidate) -> dict:
    """On generated data (a landing folder with _truth/): the candidate's held-out AUC beside the oracles'."""
    from models.oracle import election_oracles, leader_oracles, oracle_comparison

    spec = MODEL_KINDS[candidate.trained.name].spec
    oracles = election_oracles(truth_dir) if spec is WIN_SPEC else leader_oracles(con, truth_dir)
    test = candidate.split.test
    trained = candidate.trained
    scores = {"model": trained.predict_proba(test), "baseline": trained.baseline.predict_proba(test)}
    return oracle_comparison(test, spec.key, spec.label, scores, oracles)


def gate_candidate(
    con: duckdb.DuckDBPyConnection, store: ModelStore, model_name: str, policy: PromotionPolicy
) -> GateDecision:
    """Judge the stored candidate against the policy and the active model on the warehouse's current rows."""
    kind = MODEL_KINDS[model_name]
    frame, _ = kind.load_labelled(con)
    candidate = store.load(model_name, store.candidate_version(model_name))
    active_pointer = store.active(model_name)
    active = store.load(model_name, active_pointer.model_version) if active_pointer else None
    return decide(candidate, active, frame, kind.spec, policy)


def promote_candidate(con: duckdb.DuckDBPyConnection, store: ModelStore, model_name: str) -> ActiveModel:
    """Make the candidate the active model and rewrite models.active_models from the store's pointers at once, so
    the table never lags a pointer (even when the other model's gate refused and active_models does not run)."""
    active = store.activate(model_name, store.candidate_version(model_name))
    sync_active_models(con, store)
    return active


ACTIVE_MODELS_COLUMNS = {
    "model_name": "varchar", "model_version": "varchar", "promoted_at": "timestamp", "training_window_end": "date",
    "data_fingerprint": "varchar",
}


def _active_rows(actives: list[ActiveModel]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {**active.as_json(), "promoted_at": active.promoted_at.replace(tzinfo=None)}
            for active in sorted(actives, key=lambda active: active.model_name)
        ],
        columns=list(ACTIVE_MODELS_COLUMNS),
    )


def sync_active_models(con: duckdb.DuckDBPyConnection, store: ModelStore) -> pd.DataFrame:
    """Rebuild models.active_models from the store's active pointers (one row per model in use)."""
    actives = [active for name in MODEL_KINDS if (active := store.active(name)) is not None]
    rows = _active_rows(actives)
    replace_table(con, ACTIVE_MODELS_TABLE, rows, ACTIVE_MODELS_COLUMNS)
    return rows


def active_model(store: ModelStore, model_name: str) -> TrainedModel:
    pointer = store.active(model_name)
    if pointer is None:
        raise LookupError(f"no {model_name} has passed the promotion gate yet (store {store.root})")
    return store.load(model_name, pointer.model_version)


def _scored(trained: TrainedModel, frame: pd.DataFrame, keys: list[str], score_column: str) -> pd.DataFrame:
    scores = frame[keys].reset_index(drop=True)
    if frame.empty:
        return scores.assign(**{score_column: [], **{name: [] for name in _REASONS}, "model_version": []})
    scores[score_column] = trained.predict_proba(frame)
    scores[list(_REASONS)] = trained.reasons(frame).reset_index(drop=True)
    scores["model_version"] = trained.version
    return scores


def score_workplaces(con: duckdb.DuckDBPyConnection, store: ModelStore) -> pd.DataFrame:
    """models.workplace_scores: every workplace not represented, scored by the active win model."""
    workplaces = load_workplace_frame(con)
    return _scored(active_model(store, WIN_SPEC.name), workplaces, ["workplace_id", "as_of_date"], "win_probability")


def score_workers(con: duckdb.DuckDBPyConnection, store: ModelStore) -> pd.DataFrame:
    """models.worker_scores: every row of mart_workers, scored by the active leader model."""
    workers = load_worker_frame(con)
    keys = ["worker_key", "workplace_id", "as_of_date"]
    return _scored(active_model(store, LEADER_SPEC.name), workers, keys, "leader_score")


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, columns: dict[str, str]) -> int:
    """Replace `models.<table>` with `frame`, cast to its contract `columns`, in one transaction: readers see the
    old table or the new one."""
    select = ", ".join(f'cast("{name}" as {sql_type}) as "{name}"' for name, sql_type in columns.items())
    con.execute(f"create schema if not exists {SCORES_SCHEMA}")
    con.register("scores_frame", frame)
    try:
        con.execute("begin transaction")
        try:
            con.execute(f"create or replace table {SCORES_SCHEMA}.{table} as select {select} from scores_frame")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        con.unregister("scores_frame")
    return len(frame)
