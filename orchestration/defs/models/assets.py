"""Model assets (the logic is models.lifecycle):

    marts -> models/<model>_candidate --[promotion_gate, blocking]--> models/<model> -> models/<scores>

A candidate is trained and stored on every run. Its blocking promotion gate compares it with the quality floor
and with the model in use; when it fails, the promotion asset and the scores below it do not run, so the model
in use and the scores it wrote stay in force. Each promotion rewrites models.active_models from the store's
pointers at once; the active_models asset does the same once both promotions have run.
Metadata holds metrics, counts, the model card and the plots: never a name.
"""

import base64
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.defs.as_of import require_as_of, run_as_of
from orchestration.defs.resources import Warehouse
from shopfloor.settings import default, get_settings

if TYPE_CHECKING:
    from models.promotion import PromotionPolicy

GROUP = "models"
OWNERS = ["team:data"]
MARTS = {
    "win_model": [["marts", "mart_election_training"], ["marts", "mart_workplaces"]],
    "leader_model": [["marts", "mart_workers"], ["marts", "fct_grievances"]],
}
TITLES = {
    "win_model": "workplace win model: P(the union wins an RC/RM election at the site)",
    "leader_model": "leader model: P(a worker is a steward or organizing-committee member)",
}


def _store():
    from models.store import ModelStore

    return ModelStore(get_settings().models_dir)


def _image(path: Path, title: str) -> dg.MetadataValue:
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return dg.MetadataValue.md(f"![{title}](data:image/png;base64,{encoded})")


def _model_metadata(model_dir: Path, metadata: dict) -> dict[str, dg.MetadataValue]:
    from models.store import CALIBRATION_FILE, CARD_FILE, ROC_FILE

    model, baseline = metadata["metrics"]["model"], metadata["metrics"]["baseline"]
    window = metadata["training_window"]
    return {
        "model_version": dg.MetadataValue.text(metadata["version"]),
        "held_out_roc_auc": dg.MetadataValue.float(model["roc_auc"]),
        "held_out_brier": dg.MetadataValue.float(model["brier"]),
        "held_out_top_decile_lift": dg.MetadataValue.float(model["top_decile_lift"]),
        "baseline_roc_auc": dg.MetadataValue.float(baseline["roc_auc"]),
        "baseline_brier": dg.MetadataValue.float(baseline["brier"]),
        "training_window": dg.MetadataValue.json(window),
        "data_fingerprint": dg.MetadataValue.text(metadata["data_fingerprint"]),
        "model_dir": dg.MetadataValue.path(str(model_dir)),
        "model_card": dg.MetadataValue.md((model_dir / CARD_FILE).read_text()),
        "roc": _image(model_dir / ROC_FILE, "ROC curve"),
        "calibration": _image(model_dir / CALIBRATION_FILE, "calibration"),
    }


def candidate_asset(model_name: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["models", f"{model_name}_candidate"],
        deps=[dg.AssetKey(key) for key in MARTS[model_name]],
        group_name=GROUP,
        kinds={"scikit-learn", "python"},
        owners=OWNERS,
        description=(
            f"A newly trained {TITLES[model_name]}, kept in the model store (SHOPFLOOR_MODELS_DIR/{model_name}/"
            "<version>/) with its metadata, model card and held-out ROC and calibration plots. Trained on the "
            "earlier rows and judged on the later ones (docs/models.md); the promotion gate decides whether it "
            "replaces the model in use."
        ),
    )
    def candidate(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        from models.lifecycle import MODEL_KINDS, oracle_report, train_candidate_on

        store = _store()
        kind = MODEL_KINDS[model_name]
        truth_dir = get_settings().landing_dir / "_truth"
        with warehouse.connect() as con:
            frame, counts = kind.load_labelled(con)
        built = train_candidate_on(frame, counts, store, kind)
        metadata = _model_metadata(built.path, store.metadata(model_name, built.trained.version))
        metadata["rows_left_out"] = dg.MetadataValue.json(counts)
        if truth_dir.is_dir():  # generated data: how close the model comes to the generator's own probabilities
            with warehouse.connect() as con:
                metadata["oracle_comparison"] = dg.MetadataValue.json(oracle_report(con, truth_dir, built))
        metrics, window = built.trained.metrics, built.trained.window
        context.log.info(
            f"{model_name} {built.trained.version}: held-out AUC {metrics['model']['roc_auc']:.4f} "
            f"(baseline {metrics['baseline']['roc_auc']:.4f}) on {window['test_rows']} rows."
        )
        return dg.MaterializeResult(metadata={**metadata, "dagster/row_count": len(frame)})

    return candidate


def promotion_policy() -> "PromotionPolicy":
    """The promotion gate's thresholds, from the settings (SHOPFLOOR_MODEL_*)."""
    from models.promotion import PromotionPolicy

    settings = get_settings()
    return PromotionPolicy(
        min_auc=settings.model_min_auc,
        min_gain_over_baseline=settings.model_min_gain_over_baseline,
        tolerance=settings.model_auc_tolerance,
    )


def promotion_gate(model_name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["models", f"{model_name}_candidate"]),
        name="promotion_gate",
        blocking=True,
        description=(
            "The candidate replaces the model in use only if its held-out ROC AUC meets the floor "
            f"(SHOPFLOOR_MODEL_MIN_AUC, default {default('SHOPFLOOR_MODEL_MIN_AUC')}), it beats its baseline, and on "
            "the rows held out from both it does no worse than the model in use (within "
            f"SHOPFLOOR_MODEL_AUC_TOLERANCE, default {default('SHOPFLOOR_MODEL_AUC_TOLERANCE')}). A failure blocks "
            "the promotion and the scores: the model in use keeps its scores."
        ),
    )
    def gate(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        from models.lifecycle import gate_candidate

        policy = promotion_policy()
        with warehouse.connect() as con:
            decision = gate_candidate(con, _store(), model_name, policy)
        context.log.info(decision.summary())
        return dg.AssetCheckResult(
            passed=decision.passed,
            description=decision.summary(),
            metadata={
                "candidate_version": decision.candidate_version,
                "active_version": decision.active_version or "none",
                "checks": dg.MetadataValue.json(decision.checks),
                "policy": dg.MetadataValue.json(policy.__dict__),
            },
        )

    return gate


def promotion_asset(model_name: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["models", model_name],
        deps=[dg.AssetKey(["models", f"{model_name}_candidate"])],
        group_name=GROUP,
        kinds={"scikit-learn", "duckdb"},
        owners=OWNERS,
        description=(
            f"The {TITLES[model_name]} in use: the candidate that passed its promotion gate, recorded in the "
            f"store's active pointer ({model_name}/active.json) and in `models.active_models`."
        ),
    )
    def promoted(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        from models.lifecycle import promote_candidate

        store = _store()
        with warehouse.connect() as con:
            active = promote_candidate(con, store, model_name)
        metadata = _model_metadata(
            store.model_dir(model_name, active.model_version), store.metadata(model_name, active.model_version)
        )
        context.log.info(f"{model_name} in use: {active.model_version}, promoted at {active.promoted_at}.")
        return dg.MaterializeResult(
            metadata={**metadata, "promoted_at": dg.MetadataValue.text(active.promoted_at.isoformat())}
        )

    return promoted


def _score_metadata(scores, score_column: str) -> dict[str, dg.MetadataValue]:
    quantiles = scores[score_column].quantile([0.1, 0.5, 0.9]) if len(scores) else None
    return {
        "dagster/row_count": dg.MetadataValue.int(len(scores)),
        "model_version": dg.MetadataValue.text(str(scores["model_version"].iloc[0]) if len(scores) else "none"),
        f"{score_column}_mean": dg.MetadataValue.float(float(scores[score_column].mean()) if len(scores) else 0.0),
        f"{score_column}_deciles_1_5_9": dg.MetadataValue.json(
            [float(value) for value in quantiles] if quantiles is not None else []
        ),
    }


@dg.asset(
    key=["models", "workplace_scores"],
    deps=[dg.AssetKey(["models", "win_model"]), dg.AssetKey(["marts", "mart_workplaces"])],
    group_name=GROUP,
    kinds={"scikit-learn", "duckdb"},
    owners=OWNERS,
    description=(
        "`models.workplace_scores`: every workplace of mart_workplaces the union does not represent, with its win "
        "probability from the win model in use (features as of the mart's as-of date, as a union petition), "
        "three reasons in plain words and the model version."
    ),
)
def workplace_scores(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from models.lifecycle import WORKPLACE_SCORES_COLUMNS, WORKPLACE_SCORES_TABLE, replace_table, score_workplaces

    with warehouse.connect() as con:
        require_as_of(con, "marts.mart_workplaces", run_as_of(context))
        scores = score_workplaces(con, _store())
        replace_table(con, WORKPLACE_SCORES_TABLE, scores, WORKPLACE_SCORES_COLUMNS)
    context.log.info(f"models.{WORKPLACE_SCORES_TABLE}: {len(scores)} workplaces scored.")
    return dg.MaterializeResult(metadata=_score_metadata(scores, "win_probability"))


@dg.asset(
    key=["models", "worker_scores"],
    deps=[dg.AssetKey(["models", "leader_model"]), dg.AssetKey(["marts", "mart_workers"])],
    group_name=GROUP,
    kinds={"scikit-learn", "duckdb"},
    owners=OWNERS,
    description=(
        "`models.worker_scores`: every row of mart_workers (members, and organizing contacts with their missing "
        "features imputed) with its leader score from the leader model in use, three reasons in plain words and "
        "the model version. Do-not-contact rows are scored too: publishing suppresses them."
    ),
)
def worker_scores(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from models.lifecycle import WORKER_SCORES_COLUMNS, WORKER_SCORES_TABLE, replace_table, score_workers

    with warehouse.connect() as con:
        require_as_of(con, "marts.mart_workers", run_as_of(context))
        scores = score_workers(con, _store())
        replace_table(con, WORKER_SCORES_TABLE, scores, WORKER_SCORES_COLUMNS)
    context.log.info(f"models.{WORKER_SCORES_TABLE}: {len(scores)} workers scored.")
    return dg.MaterializeResult(metadata=_score_metadata(scores, "leader_score"))


@dg.asset(
    key=["models", "active_models"],
    deps=[dg.AssetKey(["models", name]) for name in MARTS],
    group_name=GROUP,
    kinds={"duckdb"},
    owners=OWNERS,
    description=(
        "`models.active_models`: the models in use, one row per model (version, promotion time, end of the "
        "training window, data fingerprint), rebuilt from the store's active pointers. Each promotion rewrites it "
        "too, so the table matches the scores even when the other model's gate refused."
    ),
)
def active_models(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from models.lifecycle import sync_active_models

    with warehouse.connect() as con:
        rows = sync_active_models(con, _store())
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(rows)),
            "versions": dg.MetadataValue.json(dict(zip(rows["model_name"], rows["model_version"]))),
        }
    )


@dg.definitions
def defs() -> dg.Definitions:
    names = list(MARTS)
    return dg.Definitions(
        assets=[candidate_asset(name) for name in names]
        + [promotion_asset(name) for name in names]
        + [active_models, workplace_scores, worker_scores],
        asset_checks=[promotion_gate(name) for name in names],
    )
