"""The experiments part of `shopfloor demo`: after the first run has assigned units, simulate what organizers did,
run what the activity feeds, and compare the reported effects with the effects planted in the sample."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from shopfloor.settings import get_settings

# The raw activity and everything downstream of it but the lists: staging and fact models, results, tactics,
# reports. The lists stay those of the first run: they describe the sample world's last day, and the tactics
# learned here go to the lists of later runs.
ACTIVITY_SELECTION = "key:raw/campaign_activity+ and not group:published"


def analysis_date() -> dt.date:
    """The day after the last declared experiment ends: the demo reads the experiments' results then."""
    from shopfloor.experiments.config import load_experiments

    return max(config.end_date for config in load_experiments().values()) + dt.timedelta(days=1)


def planted_effect_summary() -> list[str]:
    """One line per experiment arm: the planted ITT and whether the reported 95% interval holds it."""
    from shopfloor.experiments.results import RESULTS
    from shopfloor.sample.campaign import EFFECTS_FILE, planted_effect_check

    settings = get_settings()
    truth = json.loads((settings.landing_dir / "_truth" / EFFECTS_FILE).read_text())
    lines = []
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for experiment, planted in truth.items():
            results = con.execute(f"select * from {RESULTS} where experiment = ?", [experiment]).df()
            check = planted_effect_check(results, planted)
            check = check[check["method"] == "difference_in_means"]
            if check.empty:
                lines.append(f"{experiment}: no effects reported yet")
            for row in check.itertuples():
                verdict = "inside" if row.inside else "OUTSIDE"
                lines.append(f"{experiment} {row.arm:22} planted ITT {row.planted:.4f}  reported {row.estimate:.4f} "
                             f"[{row.ci_low:.4f}, {row.ci_high:.4f}]  {verdict} the 95% interval")
    return lines


def run_activity_demo(seed: int) -> bool:
    """Simulate campaign activity from the assignments, then run the assets it feeds as of the experiments' end.
    False if that run failed."""
    from shopfloor.experiments.config import load_experiments
    from shopfloor.runner import run_assets
    from shopfloor.sample.campaign import simulate_campaign_activity

    settings = get_settings()
    if not (settings.landing_dir / "_truth" / "source_map.parquet").exists():
        print("The landing folder is not a generated sample: no campaign activity is simulated.")
        return True
    summary = simulate_campaign_activity(settings.warehouse, settings.landing_dir, seed=seed)
    print(f"\nOrganizers at work (simulated from the assignments):\n{summary}\n")
    succeeded = run_assets(ACTIVITY_SELECTION, as_of=analysis_date())
    print()
    for line in planted_effect_summary():
        print(line)
    for name in load_experiments():
        print(f"report of {name}: {settings.publish_dir / 'experiments' / name / 'report.md'}")
    return succeeded
