"""`shopfloor sample`: a landing folder of generated people, employers and events in the real file formats,
with the ground truth behind them in OUT/_truth/. See docs/sample_data.md."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from shopfloor.sample.world import SCALES

# Which layout each written file follows (the contract the loader and check_landing read).
FILE_LAYOUTS = {
    "voter_files/ncvoter_Statewide.txt": "ncvoter_2022",
    "voter_files/ncvhis_Statewide.txt": "ncvhis",
    "voter_files/ncvoter_Statewide_20210630.txt": "ncvoter_pre2022",
    "voter_files/SWVF_1_88.txt": "ohio_swvf",
    "membership/members_2025-06-30.csv": "sample_union_members_csv",
    "membership/members_2025-06-30.xlsx": "sample_union_members_xlsx",
    "grievances/grievance_log_2025-06-30.csv": "sample_union_grievances",
    "contacts/action_network_activists_2025-06-30.csv": "action_network_activists",
    "osha/osha_inspection.csv": "osha_inspection",
    "osha/osha_violation.csv": "osha_violation",
    "osha/osha_accident.csv": "osha_accident",
    "osha/osha_accident_injury.csv": "osha_accident_injury",
    "nlrb/election_results_foia.xlsx": "nlrb_foia_tallies",
    "nlrb/recent_election_results_20250630.csv": "nlrb_recent_results",
    "nlrb/case_search.csv": "nlrb_case_search",
    "suppression/suppression_list_2025-06-30.csv": "suppression_list",
}


@dataclass(frozen=True)
class SampleSummary:
    """Counts of what was written (never names)."""

    out: Path
    scale: str
    seed: int
    rows: dict[str, int]
    truth_rows: dict[str, int]

    def __str__(self) -> str:
        lines = [f"sample data ({self.scale}, seed {self.seed}) in {self.out}"]
        lines += [f"  {path:<48} {count:>12,} rows" for path, count in sorted(self.rows.items())]
        lines += [f"  _truth/{name:<41} {count:>12,} rows" for name, count in sorted(self.truth_rows.items())]
        return "\n".join(lines)


def generate(scale: str = "small", seed: int = 42, out: Path | str = "data/landing", *,
             voter_layouts: tuple[str, ...] = ("nc_2022", "ohio")) -> SampleSummary:
    """Write OUT/<source>/ files and OUT/_truth/. Same scale, seed and voter_layouts -> byte-identical files.

    Files this generator writes (FILE_LAYOUTS and _truth/) are replaced; other files in OUT are left alone.
    """
    from shopfloor.sample.contacts import write_contacts
    from shopfloor.sample.nlrb import write_nlrb
    from shopfloor.sample.osha import write_osha
    from shopfloor.sample.suppression import write_suppression
    from shopfloor.sample.truth import SourceMap, write_rules, write_world_truth
    from shopfloor.sample.union import write_grievances, write_members
    from shopfloor.sample.voters import VOTER_LAYOUTS, write_voter_files
    from shopfloor.sample.world import build_world, workplace_ids

    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}, not {scale!r}")
    unknown = set(voter_layouts) - set(VOTER_LAYOUTS)
    if unknown:
        raise ValueError(f"unknown voter layouts {sorted(unknown)}; choose from {VOTER_LAYOUTS}")
    out = Path(out)
    for relative in FILE_LAYOUTS:
        (out / relative).unlink(missing_ok=True)
    shutil.rmtree(out / "_truth", ignore_errors=True)
    truth_dir = out / "_truth"
    truth_dir.mkdir(parents=True)

    world = build_world(scale, seed)
    source_map = SourceMap(truth_dir / "source_map.parquet")
    rows: dict[str, int] = {}
    rows.update({f"voter_files/{k}": v for k, v in write_voter_files(world, out, truth_dir, voter_layouts).items()})
    rows.update({f"membership/{k}": v for k, v in write_members(world, out).items()})
    source_map.add("members", world.member_no.astype(str), workplace_ids(world.person_wp[: world.n_members]))
    grievance_count, grievance_truth = write_grievances(world, out)
    rows["grievances/grievance_log_2025-06-30.csv"] = grievance_count
    source_map.add("grievances", grievance_truth["grievance_id"], grievance_truth["workplace_id"])
    rows.update({f"contacts/{k}": v for k, v in write_contacts(world, out, truth_dir, source_map).items()})
    rows.update({f"suppression/{k}": v for k, v in write_suppression(world, out, truth_dir).items()})
    rows.update({f"osha/{k}": v for k, v in write_osha(world, out, source_map).items()})
    nlrb_rows, election_facts = write_nlrb(world, out, source_map)
    rows.update({f"nlrb/{k}": v for k, v in nlrb_rows.items()})
    truth_rows = {"source_map.parquet": source_map.close()}
    write_world_truth(world, truth_dir, election_facts)
    write_rules(world, truth_dir, scale, voter_layouts)
    truth_rows.update({"people.parquet": world.n_people, "workplaces.parquet": world.n_workplaces,
                       "employers.parquet": len(world.emp_name), "elections.parquet": len(world.el_wp),
                       "leaders.parquet": world.n_members, "supervisors.parquet": len(world.sup_wp),
                       "contacts.parquet": rows["contacts/action_network_activists_2025-06-30.csv"]})
    manifest = {path: {"layout": FILE_LAYOUTS[path], "rows": count} for path, count in sorted(rows.items())}
    (truth_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return SampleSummary(out=out, scale=scale, seed=seed, rows=rows, truth_rows=truth_rows)
