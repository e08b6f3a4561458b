"""`shopfloor sample-activity`: what organizers did with the experiment assignments, as the union's CRM exports it.

Organizers act on the published assignments, so the activity can only be generated after the pipeline has
assigned units: this reads experiments.assignments (and the baselines) from the warehouse, finds each assigned
workplace's true workplace in the sample's _truth/ (through the employer resolution's clusters and
source_map.parquet), and writes:

- campaign_activity/activity_export_<week end>.csv, one file per week of the experiment window: every contact
  attempt (house visit, phone call, coworker one-on-one) with its result, and every authorization card signed.
  Each weekly export repeats the previous export's last two days, as CRM exports that overlap do; staging keeps
  one row per Activity ID.
- _truth/experiment_effects.json: the planted effects, per experiment and arm.

The planted model, per workplace i with n_i workers on the list (its workplace_size when assigned):
  base signing rate p0_i = (0.03 + 0.12 * worker voter participation_i) * lognormal(0, 0.35), at most 0.5;
  a treated workplace is reached (a complier) with the arm's contact rate; when reached, every worker's signing
  rate rises by the arm's effect tau_arm(i); cards_i ~ Binomial(n_i, p0_i + reached_i * tau_arm(i)).
  tau: house_visit 0.10 at workplaces under 100 workers, 0.04 at larger ones; phone 0.02;
  coworker_one_on_one 0.03, plus 0.12 where the true OSHA hazard is above 1 (dangerous work makes the coworker
  conversation land). Other arm names: 0.03.
The outcome the analysis estimates is the card share cards_i / n_i, so the planted intention-to-treat effect of
an arm is mean_i(contact rate * tau_arm(i)) over the experiment's units, and its complier effect mean_i tau_arm(i).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from shopfloor.experiments.config import CONTROL_ARM, ExperimentConfig, load_experiments
from shopfloor.layouts import load_registry
from shopfloor.sample.writers import write_delimited

LAYOUT = "campaign_activity_export"
SOURCE = "campaign_activity"
EFFECTS_FILE = "experiment_effects.json"
CONTACT_RATES = {"house_visit": 0.65, "phone": 0.5, "coworker_one_on_one": 0.8}
DEFAULT_CONTACT_RATE = 0.6
SMALL_WORKPLACE = 100
HIGH_HAZARD = 1.0
EFFECT_DESCRIPTIONS = {
    "house_visit": "0.10 where workplace_size < 100, else 0.04",
    "phone": "0.02",
    "coworker_one_on_one": "0.03, plus 0.12 where the true OSHA hazard > 1",
}
DEFAULT_EFFECT = 0.03
ACTIVITY_LABELS = {"house_visit": "House Visit", "phone": "Phone Call", "coworker_one_on_one": "1:1 Conversation"}
CARD_LABEL, SIGNED, CONTACT_MADE = "Card Signed", "Signed", "Contact Made"
FAILED_RESULTS = {
    "house_visit": ["Not Home", "Not Home", "Moved"],
    "phone": ["No Answer", "Left Message", "Wrong Number"],
    "coworker_one_on_one": ["Not Available", "Not Available", "Moved"],
}
ORGANIZERS = [f"ORG-{number:03d}" for number in range(101, 113)]
OVERLAP_DAYS = 2


def planted_effect(arm: str, size: np.ndarray, hazard: np.ndarray) -> np.ndarray:
    """tau_arm(i): the rise in each worker's signing rate at a workplace the arm reached (module docstring)."""
    if arm == "house_visit":
        return np.where(size < SMALL_WORKPLACE, 0.10, 0.04)
    if arm == "phone":
        return np.full(len(size), 0.02)
    if arm == "coworker_one_on_one":
        return 0.03 + 0.12 * (hazard > HIGH_HAZARD)
    return np.full(len(size), DEFAULT_EFFECT)


def _experiment_seed(seed: int, experiment: str) -> np.random.SeedSequence:
    return np.random.SeedSequence([seed, int.from_bytes(hashlib.sha256(experiment.encode()).digest()[:8], "big")])


def _contact_id(workplace: str, worker: int) -> str:
    """The CRM's opaque id of the worker-th person on a workplace's list: stable, and no name in it."""
    return "C" + hashlib.sha256(f"{workplace}:{worker}".encode()).hexdigest()[:10].upper()


def true_workplaces(con: duckdb.DuckDBPyConnection, truth_dir: Path) -> pd.DataFrame:
    """Resolved workplace_id -> the true workplace most of its records come from, with its hidden attributes."""
    source_map = str(truth_dir / "source_map.parquet").replace("'", "''")
    workplaces = str(truth_dir / "workplaces.parquet").replace("'", "''")
    return con.execute(f"""
        with votes as (
            select clusters.workplace_id, truth.workplace_id as true_workplace_id, count(*) as records
            from resolution.employer_mention_clusters as clusters
            join read_parquet('{source_map}') as truth
                on clusters.mention_id = truth.source_table || ':' || truth.record_id
                                         || coalesce(':' || truth.unit_id, '')
            where clusters.workplace_id is not null
            group by all
        )
        select votes.workplace_id, votes.true_workplace_id, workplaces.osha_hazard,
               workplaces.worker_voter_participation
        from votes
        join read_parquet('{workplaces}') as workplaces on workplaces.workplace_id = votes.true_workplace_id
        qualify row_number() over (partition by votes.workplace_id
                                   order by votes.records desc, votes.true_workplace_id) = 1
    """).df()


@dataclass(frozen=True)
class SimulatedExperiment:
    activity: pd.DataFrame  # one row per activity, columns as the export names them (before week files)
    truth: dict


def simulate_experiment(units: pd.DataFrame, config: ExperimentConfig, seed: int) -> SimulatedExperiment:
    """`units`: unit_key, arm, workplace_size, osha_hazard, worker_voter_participation (one row per workplace)."""
    rng = np.random.default_rng(_experiment_seed(seed, config.name))
    units = units.sort_values("unit_key").reset_index(drop=True)
    size = units["workplace_size"].fillna(0).astype(int).to_numpy()
    hazard = units["osha_hazard"].fillna(units["osha_hazard"].median()).to_numpy()
    participation = units["worker_voter_participation"].fillna(units["worker_voter_participation"].median()).to_numpy()
    arms = units["arm"].to_numpy()
    treated = arms != CONTROL_ARM

    base = np.minimum((0.03 + 0.12 * participation) * rng.lognormal(0, 0.35, len(units)), 0.5)
    contact_rate = np.array([CONTACT_RATES.get(arm, DEFAULT_CONTACT_RATE) for arm in arms])
    effect = np.zeros(len(units))
    for arm in config.treatment_arms:
        effect[arms == arm] = planted_effect(arm, size[arms == arm], hazard[arms == arm])
    reached = treated & (rng.random(len(units)) < contact_rate)
    cards = rng.binomial(size, base + reached * effect)

    days = (config.end_date - config.start_date).days + 1
    rows = []
    for i in np.flatnonzero(size > 0):
        workplace, arm = units.at[i, "unit_key"], arms[i]
        if treated[i]:
            attempted = rng.choice(size[i], size=min(size[i], 5 + rng.poisson(10)), replace=False)
            made = rng.random(len(attempted)) < 0.55 if reached[i] else np.zeros(len(attempted), dtype=bool)
            if reached[i]:
                made[rng.integers(len(attempted))] = True
            failures = FAILED_RESULTS.get(arm, ["No Answer"])
            for worker, success in zip(attempted, made):
                rows.append((int(rng.integers(days)), config.name, workplace, _contact_id(workplace, worker),
                             ACTIVITY_LABELS.get(arm, arm.replace("_", " ").title()),
                             CONTACT_MADE if success else failures[rng.integers(len(failures))],
                             ORGANIZERS[rng.integers(len(ORGANIZERS))]))
        for worker in rng.choice(size[i], size=cards[i], replace=False):
            # About a third of cards are signed online, with no organizer present.
            organizer = ORGANIZERS[rng.integers(len(ORGANIZERS))] if rng.random() < 0.65 else ""
            rows.append((int(rng.integers(days)), config.name, workplace, _contact_id(workplace, worker),
                         CARD_LABEL, SIGNED, organizer))
    activity = pd.DataFrame(rows, columns=["day", "Campaign", "Workplace ID", "Contact ID", "Activity", "Result",
                                           "Organizer"])
    activity["Date"] = [config.start_date + dt.timedelta(days=int(d)) for d in activity["day"]]
    activity = activity.sort_values(["Date", "Workplace ID", "Contact ID", "Activity"], kind="stable")
    digest = hashlib.sha256(config.name.encode()).hexdigest()[:4].upper()
    activity["Activity ID"] = [f"A{digest}{n:07d}" for n in range(1, len(activity) + 1)]
    activity["Worker Key"] = ""

    truth_arms = {}
    for arm in config.treatment_arms:
        tau = planted_effect(arm, size, hazard)  # every unit's effect had it been given this arm
        rate = CONTACT_RATES.get(arm, DEFAULT_CONTACT_RATE)
        truth_arms[arm] = {
            "itt": float(np.mean(rate * tau)),
            "cace": float(np.mean(tau)),
            "contact_rate": rate,
            "effect_when_contacted": EFFECT_DESCRIPTIONS.get(arm, f"{DEFAULT_EFFECT}"),
        }
    truth = {
        "outcome": "cards signed / workplace_size recorded at assignment (share of the workplace's workers)",
        "units": int(len(units)),
        "base_rate": float(base.mean()),
        "arms": truth_arms,
        "seed": seed,
    }
    return SimulatedExperiment(activity=activity.drop(columns="day").reset_index(drop=True), truth=truth)


def weekly_exports(activity: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """File name -> rows: one export per week ending Sunday, each repeating the previous export's last days."""
    week_end = activity["Date"].map(lambda day: day + dt.timedelta(days=6 - day.weekday()))
    exports = {}
    for end in sorted(set(week_end)):
        start = end - dt.timedelta(days=6 + OVERLAP_DAYS)
        rows = activity[(activity["Date"] >= start) & (activity["Date"] <= end)]
        exports[f"activity_export_{end.isoformat()}.csv"] = rows
    return exports


@dataclass(frozen=True)
class CampaignSummary:
    files: dict[str, int]  # relative path -> rows
    truth: dict

    def __str__(self) -> str:
        lines = [f"campaign activity: {len(self.files)} weekly files, {sum(self.files.values()):,} rows"]
        for name, experiment in self.truth.items():
            arms = ", ".join(f"{arm} ITT {values['itt']:.4f}" for arm, values in experiment["arms"].items())
            lines.append(f"  {name}: {experiment['units']} workplaces; planted {arms}")
        return "\n".join(lines)


def simulate_campaign_activity(warehouse: Path | str, landing_dir: Path | str, seed: int = 42) -> CampaignSummary:
    """Write campaign_activity/ and _truth/experiment_effects.json for every workplace experiment with assignments.

    Files this function wrote before are replaced; the landing manifest lists the new ones.
    """
    landing_dir = Path(landing_dir)
    truth_dir = landing_dir / "_truth"
    if not (truth_dir / "source_map.parquet").exists():
        raise FileNotFoundError(f"{truth_dir} holds no sample truth: generate the sample first (`shopfloor sample`)")
    from shopfloor.experiments.store import ASSIGNMENTS, experiment_units

    configs = [c for c in load_experiments().values() if c.unit == "workplace" and c.primary_outcome == "cards_signed"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if not con.execute("select count(*) from information_schema.tables where table_schema = 'experiments' "
                           "and table_name = 'assignments'").fetchone()[0]:
            raise RuntimeError(f"{warehouse} has no {ASSIGNMENTS}: run the pipeline first, so units are assigned")
        truth_workplaces = true_workplaces(con, truth_dir)
        simulated = {}
        for config in configs:
            units = experiment_units(con, config)
            if units.empty:
                continue
            units = units.merge(truth_workplaces, left_on="unit_key", right_on="workplace_id", how="left")
            simulated[config.name] = simulate_experiment(units, config, seed)

    folder = landing_dir / SOURCE
    for old in folder.glob("activity_export_*.csv"):
        old.unlink()
    layout = load_registry()[LAYOUT]
    activity = pd.concat([s.activity for s in simulated.values()], ignore_index=True) if simulated else None
    files = {}
    if activity is not None and len(activity):
        for name, rows in weekly_exports(activity).items():
            columns = {column: rows[column].to_numpy() for column in layout.columns if column != "Date"}
            columns["Date"] = np.array([day.strftime("%m/%d/%Y") for day in rows["Date"]])
            files[f"{SOURCE}/{name}"] = write_delimited(folder / name, layout, columns)
    truth = {name: s.truth for name, s in simulated.items()}
    (truth_dir / EFFECTS_FILE).write_text(json.dumps(truth, indent=2) + "\n")
    _update_manifest(truth_dir / "manifest.json", files)
    return CampaignSummary(files=files, truth=truth)


def _update_manifest(path: Path, files: dict[str, int]) -> None:
    """The landing manifest (shopfloor.sample.contract.check_landing) lists every file the sample wrote."""
    manifest = json.loads(path.read_text()) if path.exists() else {}
    manifest = {name: entry for name, entry in manifest.items() if not name.startswith(f"{SOURCE}/")}
    manifest.update({name: {"layout": LAYOUT, "rows": rows} for name, rows in files.items()})
    path.write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n")


def planted_effect_check(results: pd.DataFrame, truth: dict) -> pd.DataFrame:
    """Per arm and method, the planted effect beside the reported 95% interval and whether it lies inside.

    `results` is experiments.results for one experiment; ITT methods are compared with the planted ITT, the
    CACE with the planted complier effect.
    """
    rows = []
    for row in results.itertuples():
        arm_truth = truth["arms"].get(row.arm)
        if arm_truth is None or row.method not in ("difference_in_means", "lin_adjusted", "cace"):
            continue
        planted = arm_truth["cace" if row.method == "cace" else "itt"]
        rows.append({"arm": row.arm, "method": row.method, "planted": planted, "estimate": row.estimate,
                     "ci_low": row.ci_low, "ci_high": row.ci_high,
                     "inside": bool(row.ci_low <= planted <= row.ci_high)})
    return pd.DataFrame(rows, columns=["arm", "method", "planted", "estimate", "ci_low", "ci_high", "inside"])
