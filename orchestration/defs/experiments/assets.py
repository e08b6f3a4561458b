"""Experiments on organizing tactics (shopfloor.experiments) as assets in group "experiments".

assignments (with a blocking balance check) -> results -> recommended_tactics -> one report per declared experiment.
The declarations in config/experiments/ are read when the definitions load: a new experiment needs no edit here,
and an invalid one stops the code location with the file and field to fix.
"""

import dagster as dg

from orchestration.defs.as_of import run_as_of
from orchestration.defs.raw.assets import table_schema
from orchestration.defs.resources import Warehouse
from shopfloor.experiments.config import ExperimentConfig, load_experiments
from shopfloor.settings import get_settings

GROUP = "experiments"
OWNERS = ["team:data"]
ASSIGNMENTS = dg.AssetKey(["experiments", "assignments"])
RESULTS = dg.AssetKey(["experiments", "results"])
RECOMMENDED_TACTICS = dg.AssetKey(["experiments", "recommended_tactics"])
CAMPAIGN_ACTIVITY = dg.AssetKey(["marts", "fct_campaign_activity"])
# election_won outcomes are read from the NLRB elections, placed at workplaces by the link table.
ELECTION_OUTCOMES = [dg.AssetKey(["marts", "fct_nlrb_elections"]), dg.AssetKey(["marts", "workplace_links"])]


def population_keys(configs: list[ExperimentConfig]) -> list[dg.AssetKey]:
    """The assets the eligible-population queries read. A published list is read as last published, not as a
    dependency: the lists themselves depend on the assignments."""
    from shopfloor.experiments.store import PUBLISHED_SCHEMA, population_tables

    tables = {table for config in configs for table in population_tables(config)}
    return [dg.AssetKey([schema, table]) for schema, table in sorted(tables) if schema != PUBLISHED_SCHEMA]


def outcome_keys(configs: list[ExperimentConfig]) -> list[dg.AssetKey]:
    elections = any(config.primary_outcome == "election_won" for config in configs)
    return [CAMPAIGN_ACTIVITY, *(ELECTION_OUTCOMES if elections else [])]


def report_key(config: ExperimentConfig) -> dg.AssetKey:
    return dg.AssetKey(["experiments", f"{config.name}_report"])


def build_assets(configs: list[ExperimentConfig]) -> dg.Definitions:
    population = population_keys(configs)
    names = ", ".join(f"`{config.name}`" for config in configs) or "none yet"

    @dg.asset(
        key=ASSIGNMENTS,
        deps=population,
        group_name=GROUP,
        kinds={"python", "duckdb"},
        owners=OWNERS,
        description=(
            "`experiments.assignments`: the arm of every unit of every experiment declared in config/experiments/ "
            f"({names}). Blocked randomization, reproducible from the experiment's seed. Append-only: a run assigns "
            "only units newly eligible (none once the population's date is past the end date); a unit never changes "
            "arm, and keeps its row after leaving the population. Also writes `experiments.baseline` (each unit's "
            "numeric covariates when assigned) and `experiments.balance` (standardized mean differences)."
        ),
    )
    def assignments(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        from shopfloor.experiments.store import ASSIGNMENTS as TABLE
        from shopfloor.experiments.store import assign_experiment, ensure_schema, write_balance

        metadata: dict[str, object] = {}
        as_of = run_as_of(context)
        with warehouse.connect() as con:
            ensure_schema(con)
            for config in configs:
                update = assign_experiment(con, config, as_of)
                write_balance(con, config)
                context.log.info(f"{config.name}: {update.newly_assigned} units newly assigned, "
                                 f"{update.total_assigned} in all (population as of {update.as_of}).")
                metadata.update({f"{config.name}.{name}": value for name, value in update.metadata().items()})
            (rows,) = con.execute(f"select count(*) from {TABLE}").fetchone()
            schema = table_schema(con, "experiments", "assignments")
        return dg.MaterializeResult(metadata={**metadata, "dagster/row_count": dg.MetadataValue.int(rows),
                                              "dagster/column_schema": schema})

    @dg.asset_check(
        asset=ASSIGNMENTS,
        name="balance",
        blocking=True,
        description="Covariates are balanced across arms: no standardized mean difference of a declared covariate "
        "between a treatment arm and control above 0.25 in absolute value. Gross imbalance means a broken "
        "assignment or baseline, so it stops the analysis downstream.",
    )
    def balance(warehouse: Warehouse) -> dg.AssetCheckResult:
        from shopfloor.experiments.balance import check_balance
        from shopfloor.experiments.store import read_balance

        metadata: dict[str, object] = {}
        failing = []
        with warehouse.connect() as con:
            for config in configs:
                result = check_balance(read_balance(con, config.name))
                metadata[f"{config.name}.max_abs_smd"] = dg.MetadataValue.float(round(result.max_abs_smd, 4))
                if not result.passed:
                    pairs = ", ".join(f"{row.covariate} ({row.arm})" for row in result.failures.itertuples())
                    failing.append(f"{config.name}: {result.description}: {pairs}")
        description = "; ".join(failing) if failing else f"All {len(configs)} experiments balanced (|SMD| <= 0.25)."
        return dg.AssetCheckResult(passed=not failing, description=description, metadata=metadata)

    @dg.asset(
        key=RESULTS,
        deps=[ASSIGNMENTS, *outcome_keys(configs)],
        group_name=GROUP,
        kinds={"python", "duckdb"},
        owners=OWNERS,
        description=(
            "`experiments.results`: each arm against control per experiment, with 95% and Bonferroni intervals and "
            "Holm-adjusted p-values: difference in means (Neyman SE), Lin covariate-adjusted, blocked (size and "
            "precision weighted) and the complier effect (CACE) where attempts did not reach the unit. Also "
            "`experiments.block_results`, `experiments.arm_summary` and `experiments.result_status`. Before any "
            "campaign activity has landed for an experiment, its status says 'no outcomes yet'."
        ),
    )
    def results(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        from shopfloor.experiments.results import RESULTS as TABLE
        from shopfloor.experiments.results import experiment_results, write_results

        metadata: dict[str, object] = {}
        as_of = run_as_of(context)
        with warehouse.connect() as con:
            for config in configs:
                analysis = experiment_results(con, config, as_of)
                write_results(con, analysis, as_of)
                context.log.info(f"{config.name}: {analysis.status}.")
                metadata[f"{config.name}.status"] = analysis.status
                metadata[f"{config.name}.units_analyzed"] = len(analysis.outcomes.units)
                primary = analysis.results[analysis.results["method"] == "difference_in_means"]
                for row in primary.itertuples():
                    metadata[f"{config.name}.{row.arm}"] = (
                        f"{row.estimate:+.4f} [{row.ci_low:+.4f}, {row.ci_high:+.4f}], p Holm {row.p_holm:.4f}"
                    )
            (rows,) = con.execute(f"select count(*) from {TABLE}").fetchone()
        return dg.MaterializeResult(metadata={**metadata, "dagster/row_count": dg.MetadataValue.int(rows)})

    @dg.asset(
        key=RECOMMENDED_TACTICS,
        deps=[ASSIGNMENTS, *outcome_keys(configs), *population],
        group_name=GROUP,
        kinds={"python", "scikitlearn", "duckdb"},
        owners=OWNERS,
        description=(
            "`experiments.recommended_tactics` (workplace_id, recommended_tactic, expected_uplift, experiment): for "
            "every workplace of a finished workplace experiment's eligible population, the tactic with the largest "
            "expected uplift from a T-learner, evaluated by Qini coefficient and AUUC on 30% of units held out "
            "(`experiments.uplift_evaluation`). Arms whose ranking does not beat random use their average effect, "
            "and when the per-workplace policy does not beat the best single arm on held-out units every workplace "
            "gets that arm (`experiments.uplift_policy`). Empty until an experiment has ended with outcomes."
        ),
    )
    def recommended_tactics(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        from shopfloor.experiments.tactics import (
            RECOMMENDED_TACTICS as TABLE,
        )
        from shopfloor.experiments.tactics import (
            remove_undeclared,
            tactic_recommendations,
            write_recommendations,
        )

        metadata: dict[str, object] = {}
        as_of = run_as_of(context)
        with warehouse.connect() as con:
            removed = remove_undeclared(con, [config.name for config in configs])
            for config in configs:
                recommendations = tactic_recommendations(con, config, as_of)
                write_recommendations(con, recommendations)
                context.log.info(f"{config.name}: {recommendations.status}.")
                metadata[f"{config.name}.status"] = recommendations.status
                for row in recommendations.evaluation.itertuples():
                    metadata[f"{config.name}.{row.arm}.qini_coefficient"] = dg.MetadataValue.float(
                        round(row.qini_coefficient, 5)
                    )
                for row in recommendations.policy.itertuples():
                    metadata[f"{config.name}.personalized"] = bool(row.is_personalized)
            (rows,) = con.execute(f"select count(*) from {TABLE}").fetchone()
            schema = table_schema(con, "experiments", "recommended_tactics")
        metadata["removed_undeclared"] = removed
        return dg.MaterializeResult(metadata={**metadata, "dagster/row_count": dg.MetadataValue.int(rows),
                                              "dagster/column_schema": schema})

    reports = [_report_asset(config) for config in configs]
    return dg.Definitions(assets=[assignments, results, recommended_tactics, *reports], asset_checks=[balance])


def _report_asset(config: ExperimentConfig) -> dg.AssetsDefinition:
    @dg.asset(
        key=report_key(config),
        deps=[RESULTS, RECOMMENDED_TACTICS],
        group_name=GROUP,
        kinds={"python", "markdown"},
        owners=OWNERS,
        description=(
            f"The report of experiment `{config.name}`: design, balance, effects with an effect plot, per-block "
            f"estimates and the uplift evaluation. Written to <publish folder>/experiments/{config.name}/ "
            "(report.md, effects.png) and shown here in the metadata."
        ),
    )
    def report(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        from shopfloor.experiments.report import report_inputs, write_report

        with warehouse.connect() as con:
            inputs = report_inputs(con, config)
        written = write_report(inputs, get_settings().publish_dir)
        context.log.info(f"Report of {config.name} written to {written.markdown_path}.")
        metadata = {
            "report": dg.MetadataValue.md(written.inline_markdown),
            "report_path": dg.MetadataValue.path(str(written.markdown_path)),
        }
        if written.plot_path:
            metadata["plot_path"] = dg.MetadataValue.path(str(written.plot_path))
        return dg.MaterializeResult(metadata=metadata)

    return report


@dg.definitions
def defs() -> dg.Definitions:
    return build_assets(list(load_experiments().values()))
