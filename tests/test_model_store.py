"""The model store and the promotion gate: same data gives the same model, a worse candidate is refused and
leaves the model in use (and its scores) in force."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import dagster as dg
import duckdb
import numpy as np
import pytest

from models.lifecycle import MODEL_KINDS, gate_candidate, train_candidate_on
from models.store import ACTIVE_POINTER, CALIBRATION_FILE, CARD_FILE, METADATA_FILE, MODEL_FILE, ROC_FILE, ModelStore
from models.win_warehouse import load_election_frame
from orchestration.defs.models.assets import promotion_policy

WIN = MODEL_KINDS["win_model"]


@pytest.fixture(scope="module")
def elections(sample_env):
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        return load_election_frame(con)


@pytest.fixture(scope="module")
def promoted(tmp_path_factory, elections):
    """A store whose active win model is trained on the sample."""
    frame, counts = elections
    store = ModelStore(tmp_path_factory.mktemp("store"))
    candidate = train_candidate_on(frame, counts, store, WIN)
    store.activate("win_model", candidate.trained.version)
    return store, candidate


def test_training_twice_gives_the_same_version_predictions_and_files(tmp_path, elections, promoted):
    frame, counts = elections
    _, first = promoted
    # Rows arriving in another order are the same data.
    second = train_candidate_on(frame.sample(frac=1.0, random_state=7), counts, ModelStore(tmp_path), WIN)
    assert second.trained.version == first.trained.version
    assert second.trained.data_fingerprint == first.trained.data_fingerprint
    for name in (MODEL_FILE, CARD_FILE, ROC_FILE, CALIBRATION_FILE):
        assert (second.path / name).read_bytes() == (first.path / name).read_bytes(), name
    np.testing.assert_array_equal(second.trained.predict_proba(frame), first.trained.predict_proba(frame))
    first_metadata = json.loads((first.path / METADATA_FILE).read_text())
    second_metadata = json.loads((second.path / METADATA_FILE).read_text())
    assert {**first_metadata, "trained_at": None} == {**second_metadata, "trained_at": None}
    assert first_metadata["training_window"]["cutoff"] < first_metadata["training_window"]["test_from"]
    assert set(first_metadata["library_versions"]) >= {"python", "scikit-learn", "numpy", "pandas", "joblib"}


def test_saving_a_stored_version_again_leaves_it_as_it_was(promoted):
    store, candidate = promoted
    before = {path.name: path.read_bytes() for path in candidate.path.iterdir()}
    again = store.save(candidate.trained, WIN.spec, card="another card", plots={})
    assert again == candidate.path
    assert {path.name: path.read_bytes() for path in candidate.path.iterdir()} == before
    assert store.candidate_version("win_model") == candidate.trained.version


def _shuffled_candidate(store: ModelStore, elections) -> str:
    frame, counts = elections
    shuffled = frame.assign(won=np.random.default_rng(0).permutation(frame["won"].to_numpy()))
    return train_candidate_on(shuffled, counts, store, WIN).trained.version


def test_gate_refuses_a_candidate_trained_on_shuffled_labels_and_keeps_the_active_model(
    sample_env, tmp_path, elections, promoted
):
    active_store, active_candidate = promoted
    store = ModelStore(tmp_path / "store")
    shutil.copytree(active_store.root / "win_model", store.root / "win_model")
    pointer = (store.root / "win_model" / ACTIVE_POINTER).read_bytes()
    worse = _shuffled_candidate(store, elections)
    assert worse != active_candidate.trained.version

    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        strict = gate_candidate(con, store, "win_model", promotion_policy())
        # With the floor and the baseline out of the way, comparing with the model in use still refuses it.
        lenient_policy = replace(promotion_policy(), min_auc=0.0, min_gain_over_baseline=-1.0)
        lenient = gate_candidate(con, store, "win_model", lenient_policy)
    assert not strict.passed and strict.active_version == active_candidate.trained.version
    assert {check["name"] for check in strict.checks if not check["passed"]} >= {"quality_floor"}
    assert not lenient.passed
    assert [check["name"] for check in lenient.checks if not check["passed"]] == ["no_worse_than_active"]
    assert (store.root / "win_model" / ACTIVE_POINTER).read_bytes() == pointer


def test_gate_passes_the_model_in_use_against_itself(sample_env, promoted):
    store, candidate = promoted
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        decision = gate_candidate(con, store, "win_model", promotion_policy())
    assert decision.passed and decision.candidate_version == candidate.trained.version
    assert [check["name"] for check in decision.checks] == ["quality_floor", "beats_baseline"]


def test_a_refused_candidate_blocks_promotion_and_scores_in_dagster(sample_env, tmp_path, monkeypatch):
    """The assets as wired: with a floor no model meets, the blocking gate stops the promotion and the scores;
    the active pointer and the scores table stay as they were."""
    from orchestration.defs.models.assets import candidate_asset, promotion_asset, promotion_gate, workplace_scores
    from orchestration.defs.resources import Warehouse

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_env.warehouse, warehouse)
    shutil.copytree(sample_env.models_dir, tmp_path / "models")
    monkeypatch.setenv("SHOPFLOOR_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SHOPFLOOR_MODEL_MIN_AUC", "0.99")
    pointer = (tmp_path / "models" / "win_model" / ACTIVE_POINTER).read_bytes()
    scores_query = "select * from models.workplace_scores order by workplace_id"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        scores_before = con.execute(scores_query).df()

    result = dg.materialize(
        [candidate_asset("win_model"), promotion_gate("win_model"), promotion_asset("win_model"), workplace_scores],
        resources={"warehouse": Warehouse(path=str(warehouse))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == {dg.AssetKey(["models", "win_model_candidate"])}
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.check_name == "promotion_gate"
    assert (tmp_path / "models" / "win_model" / ACTIVE_POINTER).read_bytes() == pointer
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(scores_query).df().equals(scores_before)
