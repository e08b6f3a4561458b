"""The warehouse models on the sample: labels, point-in-time features, the time split, oracle recovery, reasons
and what the session's run wrote (scores, active models, Dagster metadata)."""

from __future__ import annotations

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from models.leader_model import LEADER_SPEC, load_member_frame, load_worker_frame
from models.linear import Feature, fit_linear
from models.modelling import check_frame, time_split
from models.oracle import election_oracles, leader_oracles, oracle_comparison
from models.store import ModelStore
from models.win_warehouse import WIN_SPEC, load_election_frame, load_workplace_frame

# Columns of mart_election_training known only after the vote; none may enter the win model.
POST_PETITION_COLUMNS = [
    "first_tally_on", "first_tally_type", "last_tally_on", "tally_count", "had_runoff", "had_rerun",
    "first_tally_union_won", "union_won",
]


@pytest.fixture(scope="module")
def warehouse(sample_env):
    with duckdb.connect(str(sample_env.warehouse), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def elections(warehouse):
    return load_election_frame(warehouse)


@pytest.fixture(scope="module")
def members(warehouse):
    return load_member_frame(warehouse)


@pytest.fixture(scope="module")
def store(sample_env):
    return ModelStore(sample_env.models_dir)


def _active(store: ModelStore, name: str):
    return store.load(name, store.active(name).model_version)


def test_win_label_is_the_final_outcome_of_decided_rc_rm_elections(warehouse, elections):
    frame, counts = elections
    mart = warehouse.execute(
        "select election_unit_id, case_type_code, union_won, had_runoff or had_rerun as revoted "
        "from marts.mart_election_training"
    ).df()
    assert counts["left_out_decertification"] == (mart["case_type_code"] == "RD").sum() > 0
    organizing = mart[mart["case_type_code"].isin(["RC", "RM"]) & mart["union_won"].notna()]
    assert len(frame) == len(organizing) == counts["elections_in_mart"] - sum(
        value for key, value in counts.items() if key.startswith("left_out")
    )
    labels = frame.set_index("election_unit_id")["won"]
    expected = organizing.set_index("election_unit_id")["union_won"].astype(int)
    pd.testing.assert_series_equal(labels.sort_index(), expected.sort_index(), check_names=False)
    # Runoffs and reruns are in, labelled by their final tally.
    assert organizing["revoted"].sum() > 0


def test_win_frame_holds_only_allowlisted_columns_and_refuses_a_post_petition_one(elections):
    frame, _ = elections
    check_frame(frame, WIN_SPEC)
    assert not {feature.column for feature in WIN_SPEC.features} & set(POST_PETITION_COLUMNS)
    for column in POST_PETITION_COLUMNS:
        with pytest.raises(ValueError, match="allowlist"):
            check_frame(frame.assign(**{column: 1}), WIN_SPEC)


def test_industry_is_known_only_once_an_inspection_before_the_petition_recorded_it(elections):
    frame, _ = elections
    uninspected = frame["osha_inspections_5y"] == 0
    assert uninspected.any() and frame.loc[uninspected, "industry"].isna().all()
    assert frame.loc[~uninspected, "industry"].notna().mean() > 0.9


def test_worker_frame_reads_the_marts_grievance_record_and_the_join_date_back_from_tenure():
    """The mart counts grievances (tests/test_marts_point_in_time.py holds them to the as-of date); a contact's
    record is unknown, not zero, and stays so."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.mart_workers as select * from (values "
        "('k1', 'k1', 'union_roll', date '2025-06-30', 'W1', 2.0, 3.0, 'CNA', 2, true, 4, '35-44', false),"
        "('k3', 'k3', 'union_roll', date '2025-06-30', 'W1', 1.0, 1.0, 'CNA', 0, true, 0, '25-34', true),"
        "('c1', null, 'organizing_contacts', date '2025-06-30', 'W1', null, 5.0, null, null, false, 0, null, null)"
        ") as t(worker_key, member_key, source_system, as_of_date, workplace_id, union_tenure_years, tenure_years, "
        "classification, grievances_filed_total, is_registered_voter, general_elections_voted, age_band, is_leader)"
    )
    workers = load_worker_frame(con).set_index("worker_key")
    assert workers.loc["k1", "grievances_filed_total"] == 2
    assert workers.loc["k3", "grievances_filed_total"] == 0
    assert pd.isna(workers.loc["c1", "grievances_filed_total"])
    assert workers.loc["k3", "joined_on"] == pd.Timestamp("2024-06-30")
    assert pd.isna(workers.loc["c1", "joined_on"])


@pytest.mark.parametrize("spec_name", ["win_model", "leader_model"])
def test_time_split_trains_only_on_rows_known_before_every_test_row(spec_name, elections, members, store):
    spec, (frame, _) = {"win_model": (WIN_SPEC, elections), "leader_model": (LEADER_SPEC, members)}[spec_name]
    trained = _active(store, spec_name)
    split = time_split(frame, spec, pd.Timestamp(trained.window["cutoff"]))
    assert split.train[spec.known_on].max() <= split.cutoff < split.test[spec.starts_on].min()
    assert len(split.train) + len(split.test) + split.excluded == len(frame)
    assert (len(split.train), len(split.test)) == (trained.window["train_rows"], trained.window["test_rows"])
    assert split.test[spec.label].nunique() == 2


def _held_out(frame, spec, trained):
    test = time_split(frame, spec, pd.Timestamp(trained.window["cutoff"])).test
    return test, trained.predict_proba(test), trained.baseline.predict_proba(test)


def test_contacts_known_before_the_petition_show_the_sites_civic_habits(sample_env, elections):
    """The organizing committee's turnout, known before each petition, tracks the site's worker voter
    participation, the rule's term no other source shows at a site the union does not represent."""
    frame, _ = elections
    truth = pd.read_parquet(sample_env.landing_dir / "_truth" / "elections.parquet")
    truth["election_unit_id"] = truth["case_number"] + "/" + truth["unit_id"]
    joined = frame.merge(truth, on="election_unit_id").dropna(subset=["contact_general_election_turnout"])
    assert len(joined) > 150
    rho = spearmanr(joined["contact_general_election_turnout"], joined["feature_worker_voter_participation"]).statistic
    assert rho > 0.4


def test_win_model_recovers_the_generators_truth_on_held_out_elections(sample_env, elections, store):
    """Against the generator's truth, P(won | world), on the same held-out elections (sizes in docs/models.md).

    The small sample holds about 400 held-out elections: its AUC gap to the truth is 0.06 with a 95% bootstrap
    interval of 0.02-0.09, so a 0.03 tolerance cannot be resolved here; tests/test_models_oracle.py holds it at
    the medium scale (0.018, interval 0.007-0.029). The test holds what the small sample supports: the gap below
    0.12, the model above the rule without the workers' voter participation less 0.05 (the contacts recover part of
    that term), under the ceiling, and its scores ranked like the truth, well ahead of the baseline.
    """
    frame, _ = elections
    trained = _active(store, "win_model")
    test, model, baseline = _held_out(frame, WIN_SPEC, trained)
    oracles = election_oracles(sample_env.landing_dir / "_truth")
    report = oracle_comparison(test, "election_unit_id", "won", {"model": model, "baseline": baseline}, oracles)
    assert report["rows"] == len(test) >= 300 and report["rows_without_truth"] == 0
    assert report["oracle_true_probability_auc"] - report["model_auc"] < 0.12
    assert report["model_auc"] > report["oracle_rule_observable_auc"] - 0.05
    # More than the model could know (later events) would put it above the ceiling.
    assert report["model_auc"] < report["oracle_true_probability_auc"]
    joined = test[["election_unit_id"]].assign(model=model, baseline=baseline).merge(oracles, on="election_unit_id")
    model_rho = spearmanr(joined["model"], joined["true_probability"]).statistic
    baseline_rho = spearmanr(joined["baseline"], joined["true_probability"]).statistic
    assert model_rho > 0.6 and model_rho > baseline_rho + 0.1


def test_leader_model_recovers_the_generators_probability_on_the_newest_members(warehouse, sample_env, members, store):
    """The newest joiners of the small sample hold 14 leaders, so their AUC is noisy (the 95% bootstrap interval
    of the gap to the truth spans -0.11 to 0.06; the model's 0.636 happens to beat the truth's 0.617): the test
    holds the rank correlation with the generator's probability over all held-out members, and the AUC within
    that noise of the truth's. tests/test_models_oracle.py holds the 0.03 at the medium scale (gap 0.018)."""
    frame, _ = members
    trained = _active(store, "leader_model")
    test, model, baseline = _held_out(frame, LEADER_SPEC, trained)
    oracles = leader_oracles(warehouse, sample_env.landing_dir / "_truth")
    report = oracle_comparison(test, "worker_key", "is_leader", {"model": model, "baseline": baseline}, oracles)
    assert report["rows"] == len(test) and report["rows_without_truth"] == 0
    assert report["model_auc"] > report["baseline_auc"]
    assert abs(report["model_auc"] - report["oracle_true_probability_auc"]) < 0.1
    joined = test[["worker_key"]].assign(model=model, baseline=baseline).merge(oracles, on="worker_key")
    model_rho = spearmanr(joined["model"], joined["true_probability"]).statistic
    baseline_rho = spearmanr(joined["baseline"], joined["true_probability"]).statistic
    assert model_rho > 0.6 and model_rho > baseline_rho + 0.1


def test_scores_cover_every_row_with_three_reasons_from_the_active_model(warehouse, store):
    workplaces = warehouse.execute("select * from models.workplace_scores").df()
    expected = warehouse.execute("select workplace_id from marts.mart_workplaces where not is_represented").df()
    assert sorted(workplaces["workplace_id"]) == sorted(expected["workplace_id"])
    workers = warehouse.execute("select * from models.worker_scores").df()
    all_workers = warehouse.execute("select worker_key from marts.mart_workers").df()
    assert sorted(workers["worker_key"]) == sorted(all_workers["worker_key"])
    for scores, score, model_name in (
        (workplaces, "win_probability", "win_model"), (workers, "leader_score", "leader_model")
    ):
        assert scores[score].between(0, 1).all()
        assert set(scores["model_version"]) == {store.active(model_name).model_version}
        reasons = scores[["reason_1", "reason_2", "reason_3"]]
        assert reasons.notna().all().all()
        assert reasons.apply(lambda column: column.str.endswith("the odds")).all().all()
        # Three different features per row.
        assert (reasons.nunique(axis=1) == 3).all()


def test_reasons_name_the_largest_contributions_in_their_direction(warehouse, store):
    trained = _active(store, "win_model")
    workplaces = load_workplace_frame(warehouse).head(200)
    contributions = trained.model.contributions(workplaces)
    reasons = trained.reasons(workplaces)
    pd.testing.assert_frame_equal(reasons, trained.reasons(workplaces))
    top = contributions.abs().to_numpy().argmax(axis=1)
    for row, feature_index in enumerate(top):
        feature = trained.model.features[feature_index]
        phrase, _ = feature.phrase(workplaces.iloc[row][feature.column])
        direction = "raise" if contributions.iloc[row, feature_index] > 0 else "lower"
        assert reasons.iloc[row]["reason_1"].startswith(phrase)
        assert f" {direction}" in reasons.iloc[row]["reason_1"]


def test_reasons_read_as_plain_words():
    size = Feature("unit_size", "count", "", "a unit of {value:,} worker{s}", "unit size unknown", singular=True)
    violations = Feature("violations", "count", "", "{value:,} serious OSHA violation{s} in 5 years", "unknown",
                         zero_words="no serious OSHA violations in 5 years")
    city = Feature("city", "category", "", "a site in {value}", "city unknown")
    frame = pd.DataFrame({
        "unit_size": [450, 12, 30, 500, 25, np.nan],
        "violations": [0, 12, 1, 0, 5, 2],
        "city": ["TOLEDO", "DURHAM", "DURHAM", "TOLEDO", "DURHAM", None],
    })
    model = fit_linear(frame, np.array([0, 1, 1, 0, 1, 0]), (size, violations, city), regularization=10.0,
                       min_category_rows=1)
    reasons = model.reasons(frame)
    assert "a unit of 450 workers (above average) lowers the odds" in reasons.iloc[0].tolist()
    assert "12 serious OSHA violations in 5 years (above average) raise the odds" in reasons.iloc[1].tolist()
    # Fewer than the training rows' average: one violation counts against this site.
    assert "1 serious OSHA violation in 5 years (below average) lowers the odds" in reasons.iloc[2].tolist()
    assert "no serious OSHA violations in 5 years lower the odds" in reasons.iloc[3].tolist()
    assert {"unit size unknown", "city unknown"} <= {text.rsplit(" ", 3)[0] for text in reasons.iloc[5]}


def _run_records(run_id: str, event_type: dg.DagsterEventType):
    with dg.DagsterInstance.get() as instance:
        return instance.get_records_for_run(run_id, of_type=event_type).records


def test_session_run_gated_and_recorded_the_models_without_names(sample_env, warehouse):
    checks = {
        record.event_log_entry.dagster_event.event_specific_data.asset_check_key: record.event_log_entry.dagster_event
        .event_specific_data
        for record in _run_records(sample_env.run_id, dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    }
    for model_name in ("win_model", "leader_model"):
        gate = checks[dg.AssetCheckKey(dg.AssetKey(["models", f"{model_name}_candidate"]), "promotion_gate")]
        assert gate.passed
    materialized = {
        record.asset_key: record.asset_materialization.metadata
        for record in _run_records(sample_env.run_id, dg.DagsterEventType.ASSET_MATERIALIZATION)
    }
    names = warehouse.execute(
        "select distinct employer_name from marts.mart_workplaces where employer_name is not null"
    ).df()["employer_name"]
    for model_name in ("win_model", "leader_model"):
        metadata = materialized[dg.AssetKey(["models", f"{model_name}_candidate"])]
        assert metadata["roc"].value.startswith("![ROC curve](data:image/png;base64,")
        assert metadata["calibration"].value.startswith("![calibration](data:image/png;base64,")
        assert "## Held-out metrics" in metadata["model_card"].value
        assert 0.6 <= metadata["held_out_roc_auc"].value <= 1
        assert "model_auc" in metadata["oracle_comparison"].value
        texts = [str(value.value) for value in metadata.values()]
        text = " ".join(text.upper() for text in texts if not text.startswith("!["))
        assert not [name for name in names if name.upper() in text]
    active = warehouse.execute("select model_name, model_version from models.active_models order by 1").df()
    assert active["model_name"].tolist() == ["leader_model", "win_model"]
    recorded = materialized[dg.AssetKey(["models", "active_models"])]["versions"].value
    assert recorded == dict(zip(active["model_name"], active["model_version"]))
