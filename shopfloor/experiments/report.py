"""A readable report per experiment: Markdown and an effect plot (PNG), from the tables the pipeline wrote.

Written under <publish_dir>/experiments/<experiment>/ (report.md, effects.png) atomically: each file goes to a
temporary file in the same folder (created 0600), then is renamed over the old one, so a reader never sees half a
report. The same Markdown, with the plot inlined, is the report asset's metadata in the Dagster UI.
Counts and estimates only: no unit is named.
"""

from __future__ import annotations

import base64
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from shopfloor.experiments.config import ExperimentConfig

REPORT_FILE = "report.md"
PLOT_FILE = "effects.png"
# Methods shown in the plot, in order, with how they are labelled.
PLOTTED_METHODS = {"difference_in_means": "difference in means", "lin_adjusted": "Lin adjusted",
                   "cace": "complier effect (CACE)"}
OUTCOME_UNITS = {
    ("cards_signed", "workplace"): "share of the workplace's workers who signed a card",
    ("cards_signed", "worker"): "probability that the worker signed a card",
    ("election_won", "workplace"): "probability that the union won an NLRB election",
}


@dataclass(frozen=True)
class ReportInputs:
    config: ExperimentConfig
    arm_counts: dict[str, int]
    balance: pd.DataFrame
    results: pd.DataFrame
    blocks: pd.DataFrame
    summary: pd.DataFrame
    status: pd.DataFrame  # one row of experiments.result_status, or none before the first analysis
    uplift: pd.DataFrame
    policy: pd.DataFrame  # one row of experiments.uplift_policy once tactics are learned
    recommendations: pd.DataFrame


def report_inputs(con: duckdb.DuckDBPyConnection, config: ExperimentConfig) -> ReportInputs:
    """Everything the report shows, read from the experiments schema (empty frames for what is not there yet)."""
    from shopfloor.experiments.results import read_results
    from shopfloor.experiments.store import read_assignments, read_balance
    from shopfloor.experiments.tactics import RECOMMENDED_TACTICS, UPLIFT_EVALUATION, UPLIFT_POLICY, ensure_tables

    assignments = read_assignments(con, config.name)
    tables = read_results(con, config.name)
    ensure_tables(con)
    uplift = con.execute(f"select * from {UPLIFT_EVALUATION} where experiment = ? order by arm", [config.name]).df()
    policy = con.execute(f"select * from {UPLIFT_POLICY} where experiment = ?", [config.name]).df()
    recommendations = con.execute(
        f"select recommended_tactic from {RECOMMENDED_TACTICS} where experiment = ?", [config.name]
    ).df()
    return ReportInputs(
        config=config,
        arm_counts={arm: int((assignments["arm"] == arm).sum()) for arm in config.arms},
        balance=read_balance(con, config.name),
        results=tables["results"],
        blocks=tables["block_results"],
        summary=tables["arm_summary"],
        status=tables["result_status"],
        uplift=uplift,
        policy=policy,
        recommendations=recommendations,
    )


def effect_plot_png(results: pd.DataFrame, config: ExperimentConfig) -> bytes:
    """Each treatment arm's effect against control with its 95% interval, one marker per method."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    arms = [arm for arm in config.treatment_arms if arm in set(results["arm"])]
    methods = [m for m in PLOTTED_METHODS if m in set(results["method"])]
    figure = Figure(figsize=(7.5, 1.2 + 0.9 * max(len(arms), 1)), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    offsets = np.linspace(-0.22, 0.22, len(methods)) if len(methods) > 1 else np.zeros(1)
    markers = ["o", "s", "^"]
    for offset, marker, method in zip(offsets, markers, methods):
        rows = results[results["method"] == method].set_index("arm").reindex(arms)
        positions = np.arange(len(arms)) + offset
        errors = np.vstack([rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]])
        axes.errorbar(rows["estimate"], positions, xerr=errors, fmt=marker, capsize=3, label=PLOTTED_METHODS[method])
    axes.axvline(0, color="grey", linewidth=1, linestyle="--")
    axes.set_yticks(np.arange(len(arms)), [arm.replace("_", " ") for arm in arms])
    axes.invert_yaxis()
    axes.set_xlabel(f"effect vs control: {OUTCOME_UNITS[(config.primary_outcome, config.unit)]}")
    axes.set_title(f"{config.name}: effects with 95% intervals")
    axes.legend(loc="best", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _number(value: float, digits: int = 3) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.{digits}f}"


def _p_value(value: float) -> str:
    return "–" if value is None or pd.isna(value) else ("< 0.0001" if value < 0.0001 else f"{value:.4f}")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    def cells(values: list[str]) -> str:
        # Block keys read 'state=NC|naics_sector=31': a bare pipe would split the cell.
        return "| " + " | ".join(str(value).replace("|", "\\|") for value in values) + " |"

    return [cells(header), "|" + "---|" * len(header), *(cells(row) for row in rows)]


def render_markdown(inputs: ReportInputs, plot_reference: str | None) -> str:
    """The report; `plot_reference` is the image's link (a file name or a data URI), None when there is no plot."""
    config = inputs.config
    lines = [f"# Experiment `{config.name}`", ""]
    if config.description:
        lines += [config.description, ""]
    shares = ", ".join(f"{arm.replace('_', ' ')} {share:.0%}" for arm, share in config.arms.items())
    lines += [
        "## Design",
        "",
        f"- Unit: {config.unit}; arms: {shares}",
        f"- Blocked by: {', '.join(config.blocking) or 'nothing (complete randomization)'}; seed {config.seed}",
        f"- Runs {config.start_date} to {config.end_date}; primary outcome: {config.primary_outcome} "
        f"({OUTCOME_UNITS[(config.primary_outcome, config.unit)]})",
        f"- Assigned: {sum(inputs.arm_counts.values())} units "
        f"({', '.join(f'{arm} {count}' for arm, count in inputs.arm_counts.items())})",
        "",
        "## Balance",
        "",
    ]
    if inputs.balance.empty:
        lines += ["No covariate balance to show (no covariates or no assigned units).", ""]
    else:
        worst = inputs.balance.loc[inputs.balance["smd"].abs().idxmax()]
        lines += [
            f"Largest standardized mean difference: {worst['smd']:+.3f} ({worst['covariate']}, {worst['arm']} vs "
            "control); the check fails above 0.25.",
            "",
            *_table(["covariate", *sorted(set(inputs.balance["arm"]))],
                    [[covariate, *(_number(v, 3) for v in group.set_index("arm").sort_index()["smd"])]
                     for covariate, group in inputs.balance.groupby("covariate", sort=True)]),
            "",
        ]

    lines += ["## Effects", ""]
    status = inputs.status.iloc[0] if len(inputs.status) else None
    if status is None or status["status"] != "ok":
        reason = "no outcomes yet" if status is None else status["status"]
        lines += [f"**{reason[0].upper() + reason[1:]}.** Effects appear once campaign activity for the experiment "
                  "window has landed in `campaign_activity/` and the pipeline has run.", ""]
        return "\n".join(lines) + "\n"
    if status["notes"]:
        lines += [f"Note: {status['notes']}.", ""]
    if plot_reference:
        lines += [f"![Effects with 95% intervals]({plot_reference})", ""]
    lines += ["Each arm against control. 95% intervals are normal-approximation; p (Holm) and the Bonferroni interval "
              f"correct for the {len(config.treatment_arms)} comparisons with control.", ""]
    shown = inputs.results[inputs.results["method"].isin(list(PLOTTED_METHODS) + ["blocked_size_weighted"])]
    lines += _table(
        ["arm", "method", "estimate", "95% interval", "Bonferroni interval", "p", "p (Holm)", "n arm / control"],
        [[row.arm, row.method.replace("_", " "), _number(row.estimate),
          f"[{_number(row.ci_low)}, {_number(row.ci_high)}]",
          f"[{_number(row.ci_low_bonferroni)}, {_number(row.ci_high_bonferroni)}]",
          _p_value(row.p_value), _p_value(row.p_holm), f"{row.n_arm} / {row.n_control}"]
         for row in shown.sort_values(["arm", "method"]).itertuples()],
    )
    lines += ["", "### Per arm", ""]
    lines += _table(
        ["arm", "units", "contacted", "attempts per unit", "cards signed", "mean outcome"],
        [[row.arm, str(row.units), _number(row.contacted_share, 2), _number(row.attempts_per_unit, 1), str(row.cards),
          _number(row.mean_outcome)] for row in inputs.summary.itertuples()],
    )
    if len(inputs.blocks):
        lines += ["", "### Per block", "",
                  "Blocks with at least two units in both the arm and control; blocked_size_weighted above "
                  "combines them.",
                  ""]
        lines += _table(
            ["arm", "block", "estimate", "se", "n arm / control"],
            [[row.arm, row.block_key, _number(row.estimate), _number(row.se), f"{row.n_arm} / {row.n_control}"]
             for row in inputs.blocks.sort_values(["arm", "block_key"]).itertuples()],
        )
    lines += ["", "## Which tactic for which workplace", ""]
    if inputs.uplift.empty:
        lines += ["No uplift model yet: it is fitted once the experiment has ended and outcomes are in.", ""]
    else:
        lines += ["T-learner evaluated on 30% of units held out; a Qini coefficient above 0 means its ranking beats "
                  "random targeting. Arms at or below 0 use their average effect for every workplace.", ""]
        lines += _table(
            ["arm", "AUUC", "AUUC random", "Qini coefficient", "held-out units", "uplift from"],
            [[row.arm, _number(row.auuc, 4), _number(row.auuc_random, 4), _number(row.qini_coefficient, 4),
              str(row.n_units), row.uplift_source.replace("_", " ")] for row in inputs.uplift.itertuples()],
        )
        if len(inputs.policy):
            policy = inputs.policy.iloc[0]
            verdict = ("so each workplace gets its own recommendation" if policy["is_personalized"] else
                       "so personalizing does not pay here and every workplace gets the arm with the best average "
                       "effect")
            lines += ["", f"On the held-out units, recommending per workplace reaches a mean outcome of "
                      f"{_number(policy['personalized_value'], 4)}, against {_number(policy['single_arm_value'], 4)} "
                      f"for giving every workplace {policy['single_arm'].replace('_', ' ')}: {verdict}."]
        counts = inputs.recommendations["recommended_tactic"].value_counts()
        lines += ["", "Recommended tactic across the eligible workplaces: "
                  + ", ".join(f"{tactic} {count}" for tactic, count in counts.sort_index().items()) + "."]
    return "\n".join(lines) + "\n"


def _write_atomically(path: Path, content: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class WrittenReport:
    markdown_path: Path
    plot_path: Path | None
    inline_markdown: str  # the report with the plot as a data URI, for the Dagster UI


def write_report(inputs: ReportInputs, publish_dir: Path) -> WrittenReport:
    """report.md (and effects.png when there are effects) under publish_dir/experiments/<experiment>/."""
    folder = publish_dir / "experiments" / inputs.config.name
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    has_effects = len(inputs.results) > 0
    png = effect_plot_png(inputs.results, inputs.config) if has_effects else None
    plot_path = folder / PLOT_FILE
    if png is not None:
        _write_atomically(plot_path, png)
    else:
        plot_path.unlink(missing_ok=True)  # a stale plot must not outlive the effects it showed
    markdown = render_markdown(inputs, PLOT_FILE if png is not None else None)
    _write_atomically(folder / REPORT_FILE, markdown.encode())
    inline = render_markdown(
        inputs, f"data:image/png;base64,{base64.b64encode(png).decode()}" if png is not None else None
    )
    return WrittenReport(folder / REPORT_FILE, plot_path if png is not None else None, inline)
