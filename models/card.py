"""The model card (markdown) and the two held-out plots of a trained model. Counts and rates only, no names."""

from __future__ import annotations

import tempfile
from pathlib import Path

from models.evaluation import plot_calibration, plot_roc
from models.modelling import ModelSpec, TimeSplit, TrainedModel, label_array
from models.store import CALIBRATION_FILE, ROC_FILE

_METRIC_ROWS = (("model", "model (logistic)"), ("baseline", "baseline"))


def _metrics_table(trained: TrainedModel) -> list[str]:
    lines = [
        "| score | held-out rows | positive rate | ROC AUC | Brier | top-decile lift |",
        "|---|---|---|---|---|---|",
    ]
    for key, title in _METRIC_ROWS:
        metric = trained.metrics[key]
        lines.append(
            f"| {title} | {metric['n']:,} | {metric['base_rate']:.3f} | {metric['roc_auc']:.4f} | "
            f"{metric['brier']:.4f} | {metric['top_decile_lift']:.3f} |"
        )
    return lines


def _effects(trained: TrainedModel) -> list[str]:
    """Per feature, its coefficients on the standardized scale (categories: the two strongest each way)."""
    lines = []
    for feature, coefficients in trained.model.coefficients_by_feature().items():
        if len(coefficients) == 1:
            lines.append(f"- `{feature}`: {coefficients[0][1]:+.3f} per standard deviation")
            continue
        ranked = sorted(coefficients, key=lambda item: item[1])
        shown = ranked[:2] + ranked[-2:] if len(ranked) > 4 else ranked
        parts = ", ".join(f"{name.removeprefix(feature + '_')} {coef:+.3f}" for name, coef in shown)
        lines.append(f"- `{feature}` ({len(coefficients)} columns): {parts}")
    return lines


def model_card(trained: TrainedModel, spec: ModelSpec, counts: dict) -> str:
    window = trained.window
    calibration = trained.metrics["model"]["calibration"]
    lines = [
        f"# {spec.title} `{trained.version}`",
        "",
        f"- Label: {spec.label_definition}.",
        f"- Split: {spec.split_definition}.",
        f"- Cutoff {window['cutoff']}: {window['train_rows']:,} training rows ({window['train_positives']:,} "
        f"positive) from {window['train_from']}; {window['test_rows']:,} held-out rows "
        f"({window['test_positives']:,} positive) from {window['test_from']} to {window['test_through']}; "
        f"{window['excluded_straddling_cutoff']:,} rows straddling the cutoff in neither.",
        f"- Rows left out before the split: {', '.join(f'{k} {v:,}' for k, v in counts.items())}.",
        f"- Data fingerprint `{trained.data_fingerprint[:16]}`; L2 logistic, C = {window['regularization']} chosen "
        "by forward-chaining CV inside the training window.",
        f"- Baseline: {spec.baseline_title}.",
        "",
        "## Held-out metrics",
        "",
        *_metrics_table(trained),
        "",
        "## Calibration (held-out deciles of the score)",
        "",
        "| decile | rows | mean predicted | observed |",
        "|---|---|---|---|",
        *[
            f"| {n} | {row['n']:,} | {row['mean_predicted']:.3f} | {row['observed_rate']:.3f} |"
            for n, row in enumerate(calibration, start=1)
        ],
        "",
        "## Features (the allowlist) and when each is known",
        "",
        *[f"- `{feature.column}` ({feature.kind}): {feature.known}" for feature in spec.features],
        "",
        "## Effects (log-odds per standard deviation, or per category against the average row)",
        "",
        *_effects(trained),
        "",
        "## Reasons",
        "",
        "Each score carries three reasons: the features whose contribution, coefficient x (value - training mean) "
        "on the model's design columns, moves the row's log-odds the most against the average training row. "
        "Missing values are scored as the training median (numbers) or 'unknown' (categories), and say so.",
        "",
    ]
    return "\n".join(lines)


def held_out_plots(trained: TrainedModel, split: TimeSplit, spec: ModelSpec, outcome: str) -> dict[str, bytes]:
    """roc.png and calibration.png of model and baseline on the held-out rows, as PNG bytes."""
    y_test = label_array(split.test, spec)
    scores = {
        "model": trained.model.predict_proba(split.test),
        "baseline": trained.baseline.predict_proba(split.test),
    }
    title = f"{spec.title} {trained.version}: held out from {trained.window['test_from']}"
    with tempfile.TemporaryDirectory() as folder:
        roc = plot_roc({name: (y_test, score) for name, score in scores.items()}, Path(folder) / ROC_FILE, title)
        calibration = plot_calibration(
            {"model": trained.metrics["model"], "baseline": trained.metrics["baseline"]},
            Path(folder) / CALIBRATION_FILE,
            title,
            score_label=f"{outcome} probability",
            outcome=outcome,
        )
        return {ROC_FILE: roc.read_bytes(), CALIBRATION_FILE: calibration.read_bytes()}
