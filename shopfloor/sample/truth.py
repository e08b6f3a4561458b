"""Ground truth in OUT/_truth/: the world's hidden ids, the record -> workplace map, outcomes and rules.json."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from shopfloor.sample import vocab
from shopfloor.sample.world import (
    AS_OF,
    ELECTION_RULE,
    EPOCH,
    FOIA_CUTOFF,
    GRIEVANCE_RULE,
    LEADER_RULE,
    RD_UNION_KEEPS_PROBABILITY,
    World,
    days,
    workplace_ids,
    zfill,
)

SOURCE_MAP_SCHEMA = pa.schema([("source_table", pa.string()), ("record_id", pa.string()), ("unit_id", pa.string()),
                               ("workplace_id", pa.string())])


class SourceMap:
    """Streams (source_table, record_id, unit_id, workplace_id) rows to _truth/source_map.parquet."""

    def __init__(self, path: Path):
        self.writer = pq.ParquetWriter(path, SOURCE_MAP_SCHEMA)
        self.rows = 0

    def add(self, source_table: str, record_ids, workplace_ids_, unit_ids=None) -> None:
        record_ids = np.asarray(record_ids).astype(str)
        n = len(record_ids)
        self.writer.write_table(pa.table({
            "source_table": pa.array(np.full(n, source_table)), "record_id": pa.array(record_ids),
            "unit_id": pa.array(np.asarray(unit_ids).astype(str) if unit_ids is not None else [None] * n, pa.string()),
            "workplace_id": pa.array(np.asarray(workplace_ids_).astype(str)),
        }, schema=SOURCE_MAP_SCHEMA))
        self.rows += n

    def close(self) -> int:
        self.writer.close()
        return self.rows


def _parquet(path: Path, columns: dict) -> int:
    table = pa.table(columns)
    pq.write_table(table, path)
    return table.num_rows


def write_world_truth(world: World, truth_dir: Path, election_facts: dict) -> None:
    W = world.n_workplaces
    E = len(world.emp_name)
    industry = world.emp_industry
    _parquet(truth_dir / "employers.parquet", {
        "employer_id": np.char.add("E", zfill(np.arange(E).astype(str), 6)),
        "canonical_name": world.emp_name, "legal_suffix": world.emp_suffix,
        "dba_name": [d or None for d in world.emp_dba],
        "industry": np.array([ind[0] for ind in vocab.INDUSTRIES])[industry],
        "naics_code": np.array([ind[1] for ind in vocab.INDUSTRIES])[industry],
        "is_chain": np.arange(E) < len(vocab.CHAINS),
    })
    wp_industry = industry[world.wp_employer]
    local = world.wp_local
    _parquet(truth_dir / "workplaces.parquet", {
        "workplace_id": workplace_ids(np.arange(W)),
        "employer_id": np.char.add("E", zfill(world.wp_employer.astype(str), 6)),
        "address": [f"{h} {vocab.STREET_NAMES[s]} {vocab.STREET_SUFFIXES[x]}"
                    for h, s, x in zip(world.wp_house.tolist(), world.wp_street.tolist(), world.wp_suffix.tolist())],
        "city": np.array([c[0] for c in vocab.CITIES])[world.wp_city],
        "state": np.array([c[1] for c in vocab.CITIES])[world.wp_city],
        "zip": np.char.add(np.array([c[3] for c in vocab.CITIES])[world.wp_city],
                           zfill(world.wp_zip.astype(str), 2)),
        "naics_code": np.array([ind[1] for ind in vocab.INDUSTRIES])[wp_industry],
        "store_number": pa.array(np.where(world.wp_store > 0, world.wp_store, 0)).cast(pa.int32()),
        "true_size": world.wp_size, "represented": world.wp_represented,
        "union": pa.array([f"{vocab.UNION_NAME}, Local {vocab.UNION_LOCALS[x]}" if x >= 0 else None
                           for x in local.tolist()], pa.string()),
        "worker_voter_participation": world.wp_civic, "osha_hazard": world.wp_hazard,
        "union_density_city": world.wp_density, "employer_has_represented_site": world.wp_affiliated,
    })
    tally_file = np.where(election_facts["in_foia"], "nlrb/election_results_foia.xlsx",
                          f"nlrb/recent_election_results_{str(AS_OF).replace('-', '')}.csv")
    _parquet(truth_dir / "elections.parquet", {
        "case_number": world.el_case, "unit_id": world.el_unit, "workplace_id": workplace_ids(world.el_wp),
        "petition_type": world.el_type, "petition_date": days(world.el_petition),
        "first_tally_date": days(world.el_tally), "final_tally_date": days(election_facts["final_tally"]),
        "unit_size": world.el_unit_size, "true_win_probability": world.el_true_prob, "won": world.el_won,
        "tally_file": tally_file, **{f"feature_{k}": v for k, v in world.el_features.items()},
    })
    M = world.n_members
    _parquet(truth_dir / "leaders.parquet", {
        "member_id": world.member_no.astype(str), "person_id": np.arange(M, dtype=np.int64),
        "workplace_id": workplace_ids(world.person_wp[:M]), "true_probability": world.member_leader_true_prob,
        "is_leader": world.member_leader, "is_steward": world.member_steward,
        "is_committee": world.member_committee, "grievances_filed": np.bincount(world.gr_member, minlength=M),
    })
    _parquet(truth_dir / "supervisors.parquet", {
        "supervisor_name": world.sup_name, "workplace_id": workplace_ids(world.sup_wp), "is_hot_spot": world.sup_hot,
        "rate_multiplier": np.where(world.sup_hot, GRIEVANCE_RULE["hot_supervisor_rate_multiplier"], 1.0),
        "grievances": np.bincount(world.gr_sup, minlength=len(world.sup_wp)),
    })


def write_rules(world: World, truth_dir: Path, scale_name: str, voter_layouts: tuple[str, ...]) -> None:
    rules = {
        "seed": world.seed, "scale": scale_name, "voter_layouts": list(voter_layouts),
        "history_start": str(EPOCH), "as_of": str(AS_OF), "foia_xlsx_holds_first_tallies_before": str(FOIA_CUTOFF),
        "election_win": {
            "applies_to": ["RC", "RM"], "link": "logistic", "point_in_time": "features use only events dated before "
            "the petition date (OSHA violations by issuance date, ULP charges by filing date)",
            "coefficients": ELECTION_RULE,
        },
        "true_probability": "each outcome was drawn as Bernoulli(logistic(z + e)), z the rule's linear predictor and "
        "e ~ N(0, noise_sd^2) drawn once per outcome and used nowhere else; true_win_probability (elections) and "
        "true_probability (leaders, contacts) are P(outcome | world) = E_e[logistic(z + e)], by Gauss-Hermite "
        "quadrature",
        "decertification_union_keeps_probability": RD_UNION_KEEPS_PROBABILITY,
        "leader": {"link": "logistic", "coefficients": LEADER_RULE,
                   "roles": "a leader is a steward with probability 0.65 and on the org committee with probability "
                            "0.55 (both possible)"},
        "grievance_hot_spots": GRIEVANCE_RULE,
        "member_registered_share": 0.75,
    }
    (truth_dir / "rules.json").write_text(json.dumps(rules, indent=2, sort_keys=True) + "\n")


def sample_as_of(landing_dir: Path) -> date | None:
    """The last day of the world a generated landing folder describes; None for any other folder."""
    rules = landing_dir / "_truth" / "rules.json"
    return date.fromisoformat(json.loads(rules.read_text())["as_of"]) if rules.is_file() else None
