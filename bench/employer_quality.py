"""Employer and workplace resolution quality: pairwise precision, recall and F1 against ground truth.

    python bench/employer_quality.py --scale medium              # generate (once), load, dbt, resolve, measure
    python bench/employer_quality.py --scale small --no-docs     # print only
    python bench/employer_quality.py --scale small --thresholds 0.5,0.9,0.99

Generates the sample (seed 42) into a work folder unless it is already there, loads OSHA, NLRB and the union's
files (roll, grievances, organizing contacts), builds int_employer_mentions with dbt, runs
shopfloor.resolution.employers.resolve_employers at each threshold and scores workplaces and employers against
_truth/ (source_map.parquet, workplaces.parquet) with shopfloor.resolution.evaluation. Targets: F1 >= 0.95 and
precision >= 0.97 for both, at small and medium scale.
Rewrites the "Employer and workplace resolution" section of docs/quality.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from quality_doc import prepare_warehouse, write_section

REPO = Path(__file__).resolve().parents[1]
SECTION_TITLE = "## Employer and workplace resolution"
F1_TARGET = 0.95
PRECISION_TARGET = 0.97
SOURCES = ("osha", "nlrb", "membership", "grievances", "contacts")


def measure(scale: str, seed: int, work: Path, thresholds: list[float]) -> list[dict]:
    import duckdb

    from shopfloor.resolution.employers import resolve_employers
    from shopfloor.resolution.evaluation import employer_resolution_quality
    from shopfloor.sample import generate

    landing = work / f"{scale}-{seed}"
    if not (landing / "_truth" / "source_map.parquet").exists():
        generate(scale=scale, seed=seed, out=landing)
    warehouse = work / f"employers-{scale}.duckdb"
    prepare_warehouse(landing, warehouse, work / "dbt", SOURCES, "int_employer_mentions")
    results = []
    with duckdb.connect(str(warehouse)) as con:
        for threshold in thresholds:
            started = time.perf_counter()
            summary = resolve_employers(con, threshold=threshold)
            seconds = time.perf_counter() - started
            results.append({"scale": scale, "seed": seed, "threshold": threshold, "seconds": seconds,
                            "summary": summary, "quality": employer_resolution_quality(con, landing / "_truth")})
    return results


def section(results: list[dict], chosen_threshold: float) -> str:
    lines = [
        SECTION_TITLE, "",
        "Source records naming an employer (OSHA inspections, NLRB cases and election units, union members, "
        "grievances and organizing contacts; `intermediate.int_employer_mentions`) clustered into workplaces and "
        "employers by `shopfloor.resolution.employers` (`resolution.employer_mention_clusters`, "
        "`marts.workplace_links`), scored against the generated ground truth (`_truth/source_map.parquet` maps "
        "every record to its true workplace, `_truth/workplaces.parquet` each workplace to its employer). "
        f"Targets: F1 >= {F1_TARGET} and precision >= {PRECISION_TARGET} for workplaces and for employers, "
        "at small and medium scale.", "",
        "Metric: pairwise. Two records are a predicted pair when they share a predicted cluster and a true pair "
        "when they share a true one; precision = agreed pairs / predicted pairs, recall = agreed pairs / true "
        "pairs. Pairs are counted in DuckDB as n*(n-1)/2 per cluster and per (predicted, true) intersection, "
        "never listed. A record left without a workplace counts as a cluster of its own.", "",
        "Method:", "",
        "1. Standardization in dbt (`macros/employer_standardization.sql`): upper case, '&' as AND, d/b/a split, "
        "store numbers (#1234, STORE 1234, NO. 1234, a trailing number) and legal forms (INC, LLC, CORP, CO, LP, "
        "PLLC, ...) removed, abbreviations spelled out; addresses as house number and USPS-abbreviated street. "
        "NLRB representation cases and elections give the facility's address in the unit description; a "
        "grievance takes the grievant's worksite address from the roll; an organizing contact gives the "
        "worksite's address, city and state themselves, when they do.",
        "2. Names (in DuckDB, beside splink): a mistyped legal form ending a name is dropped (FOOD GIANT CROP); "
        "a name one dropped or swapped letter from a more used name maps to that name (8+ letters; 5-7 letters "
        "when the other is used 10 times as often; compared only within blocks sharing the first or last three "
        "letters); a trade name written alone or before the legal name maps to the legal name it is filed "
        "under (learned from the records that write both with d/b/a), in the state they were written together "
        "and elsewhere unless it names a local institution (a hospital, a school), and only in the city when an "
        "agency also writes it as a legal name. Then names of one state are joined when equal once their ends "
        "are trimmed (a word a file cut off, legal forms and their pieces, the city, the state, generic words "
        "such as SERVICES), when a name cut short begins the other, or when one letter apart (10+ letters).",
        "3. Workplaces: splink 5 (Fellegi-Sunter on DuckDB) over the records that carry an address, comparing "
        "name (exact legal name, same name after step 2, trade name or one name inside the other, Jaro-Winkler "
        "0.92 and 0.8), address (exact) and store number (exact); pairs are formed only in blocks (same address; "
        "same ZIP and first 4 letters of the name; same house number and first 3 letters), never all against "
        "all. u by seeded random sampling; m by EM blocked on address and on name + store number, except the "
        "share of one workplace's pairs whose address or store number differ, set to 0.02 (EM never sees "
        "them). Connected components of pairs at or above the match threshold are the workplaces.",
        "4. Employers: each workplace takes the name its records give most often (agency records count "
        "double); workplaces with the same name are one employer, except that a local institution's name "
        "(ending in HOSPITAL, MEDICAL CENTER, SCHOOL, COLLEGE, ...) is one employer per state. Records without an address "
        "(unfair-labor-practice cases, contacts who gave none) join their employer by name, and the workplace "
        "when the employer has exactly one known workplace in the city (a new workplace when it has none; none "
        "when it has several).",
        "",
        "Generated names only: the figures on real names are in \"Employer matching on real names\" below.", "",
        "What is left: most lost workplace pairs are unfair-labor-practice cases against chains with several "
        "stores in the case's city (the case names no address or store, so no workplace is guessed). Lost "
        "employer pairs are mostly a typo seen as often as the right spelling, a trade name seen once, or "
        "a college or medical center whose sites the generator puts in both states (Shopfloor keys a local "
        "institution's name by state: on real records same-named hospitals in two states are other employers); "
        "wrongly merged employers share a name, or differ by one dropped letter (CHAN / CHANG WOODWORKS).", "",
        "Ids are stable: workplace_id is 'W' and the first 12 hex digits of md5 of the smallest mention_id in the "
        "workplace, employer_id 'E' and those of the smallest mention_id of all the employer's records; splink's "
        "u sampling is seeded, so the same records give the same ids (tests/test_resolution_employers.py).", "",
        "Rerun: `python bench/employer_quality.py --scale small --scale medium`. Measured on 2 cores; seconds "
        "are the resolution step alone (splink training, prediction, clustering, employers), not generation, "
        "loading or dbt.", "",
        "| scale | threshold | records | scored pairs | workplaces | employers | no workplace "
        "| workplace P | workplace R | workplace F1 | employer P | employer R | employer F1 | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s, w, e = r["summary"], r["quality"]["workplaces"], r["quality"]["employers"]
        lines.append(
            f"| {r['scale']} | {r['threshold']} | {s.mentions:,} | {s.scored_pairs:,} | {s.workplaces:,} | "
            f"{s.employers:,} | {s.mentions_without_workplace:,} | {w['precision']:.4f} | {w['recall']:.4f} | "
            f"{w['f1']:.4f} | {e['precision']:.4f} | {e['recall']:.4f} | {e['f1']:.4f} | {r['seconds']:.1f} |")
    true_pairs = {r["scale"]: (r["quality"]["workplaces"]["pairs"], r["quality"]["employers"]["pairs"])
                  for r in results}
    lines += ["", "True pairs: " + "; ".join(f"{scale} {w:,} workplace, {e:,} employer"
                                             for scale, (w, e) in true_pairs.items()) + ".",
              f"Match threshold in use (`MATCH_THRESHOLD`): {chosen_threshold}.", ""]
    return "\n".join(lines)


def main() -> int:
    from shopfloor.resolution.employers import MATCH_THRESHOLD

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", action="append", choices=["small", "medium", "state"],
                        help="repeat for several; default: small and medium")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--thresholds", default=str(MATCH_THRESHOLD),
                        help=f"comma-separated match thresholds to measure (default: {MATCH_THRESHOLD})")
    parser.add_argument("--work", type=Path, help="folder for the sample and warehouse (default: a temp folder)")
    parser.add_argument("--no-docs", action="store_true", help="print the section, do not rewrite docs/quality.md")
    args = parser.parse_args()
    os.environ.setdefault("DO_NOT_TRACK", "1")
    thresholds = [float(t) for t in args.thresholds.split(",")]
    with tempfile.TemporaryDirectory(prefix="employer-quality-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        results = [r for scale in args.scale or ["small", "medium"]
                   for r in measure(scale, args.seed, work, thresholds)]
    text = section(results, MATCH_THRESHOLD)
    print(text)
    if not args.no_docs:
        write_section(SECTION_TITLE, text)
    in_use = [r["quality"] for r in results if r["threshold"] == MATCH_THRESHOLD]
    return 0 if all(q[level]["f1"] >= F1_TARGET and q[level]["precision"] >= PRECISION_TARGET
                    for q in in_use for level in ("workplaces", "employers")) else 1


if __name__ == "__main__":
    sys.exit(main())
