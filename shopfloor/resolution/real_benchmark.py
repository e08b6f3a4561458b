"""A benchmark of employer matching on real names: NLRB representation-case records from four public files, and
pairs of them labelled same employer or not by written rules (docs/quality.md, "Employer matching on real names").

The records (one per file and case) are read from ../shared/real_data each time and never stored in the repo;
the labelled pairs are, as record keys only (PAIRS_FILE), so a change to the files or the rules shows as a diff.

Sources, and how they write the employer's name:
- cats: the CATS FOIA release of R cases, 1999-2009; names cut at 30 characters; unit state spelled out; most
  rows carry the employer's street address, ZIP and NAICS (used only to label, never shown to a matcher).
- fy_report: the NLRB "Elections" reports by fiscal year of closing, FY2011-FY2021; names cut at 100.
- tally: the 2017-2021 tally FOIA file; names cut at 100.
- recent: the Recent Election Results export, Regions 04 and 06.

Rules (each pair is of two different records):
- same case: the same case number in two files: same employer.
- same employer address: two CATS cases in one state whose employer street address and ZIP agree, of the same
  2-digit NAICS sector, at an address used by at most MAX_CASES_AT_ADDRESS cases in at most
  MAX_CITIES_AT_ADDRESS towns (more is a law office, an association or a plaza): same employer.
- by hand (BY_HAND_FILE): pairs drawn at random and labelled by reading them, where no written rule can tell:
  cases of one state whose plain names (the baseline's cleaning) share their first word and are close but not
  equal (token set ratio 55-89), or close (90 and up); and cases in two states with equal plain names, half
  of them names of hospitals, schools and the like. The same legal entity, or one the other's parent or
  d/b/a, is the same employer; sister companies (First Student, First Transit) and hospitals of one name in
  two states are not. Close CATS names at other ZIPs and NAICS sectors were tried as a rule for "not the
  same employer": 29 of 30 read were one chain's units.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import pandas as pd

from shopfloor.dbt_cli import compile_analysis
from shopfloor.resolution.employers import CLUSTERS_TABLE, resolve_employers, us_state_codes

PAIRS_FILE = Path(__file__).resolve().parents[2] / "bench" / "real_pairs" / "real_employer_pairs.csv"
# Pairs drawn from CATS and the FY reports where no rule can tell, labelled by reading them (module docstring).
BY_HAND_FILE = PAIRS_FILE.with_name("real_employer_pairs_by_hand.csv")
MAX_CASES_AT_ADDRESS = 10
# Cases in more towns than this at one address are many employers sharing an office (electrical contractors of
# six towns at their association's address): found by the hand check (docs/quality.md).
MAX_CITIES_AT_ADDRESS = 2
TALLY_FILE = "nlrb/NLRB-2022-000194_final-Election_results_with_election_mode_Jan_2017-Nov_2021.xlsx"
RECENT_FILE = "nlrb/recent_election_results__all_dates_--20230417103337.csv"
CATS_FIELDS = ("R_Case_Number", "Case_Name", "Unit_Loc_City", "Unit_Loc_State", "Employer_Address_1",
               "Employer_Zip", "NAICS_Code")
RECORD_COLUMNS = ("record_key", "source", "case_key", "raw_name", "city", "state", "employer_address", "zip5",
                  "naics_sector")
LEGAL_FORMS = re.compile(r"\b(inc|incorporated|llc|l l c|corp|corporation|co|company|ltd|limited|lp|llp|pllc)\b")


def case_key(case_number: str) -> str | None:
    """01-RC-022416 and 01-RC-22416 as one key: region, type and number without leading zeros."""
    match = re.fullmatch(r"\s*(\d+)-([A-Z]+)-0*(\d+)\s*", str(case_number))
    return f"{int(match[1]):02d}-{match[2]}-{int(match[3])}" if match else None


def plain_name(name: str) -> str:
    """The baseline's cleaning: lower case, punctuation out, legal forms out, single spaces."""
    text = re.sub(r"[^a-z0-9 ]+", " ", str(name).lower())
    return " ".join(LEGAL_FORMS.sub(" ", text).split())


def _xlsx_rows(path: Path) -> Iterator[dict[str, object]]:
    """Rows below every 'Case Number' header, on every sheet (the FY reports put one table per sheet)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    for index in range(len(workbook.sheet_names)):
        header = None
        for row in workbook.get_sheet_by_index(index).to_python():
            cells = [str(cell).strip() for cell in row]
            if "Case Number" in cells:
                header = cells
            elif header is not None and any(cells):
                yield dict(zip(header, row, strict=False))


def _cats_rows(folder: Path) -> Iterator[dict[str, str]]:
    for archive in sorted(folder.glob("CATS-FRF-R-*.final.zip")):
        with zipfile.ZipFile(archive) as zipped:
            member = next(name for name in zipped.namelist() if name.endswith(".xml"))
            with zipped.open(member) as raw:
                for _, element in ElementTree.iterparse(io.TextIOWrapper(raw, encoding="utf-16")):
                    if element.tag == "row":
                        yield {field: (element.findtext(field) or "").strip() for field in CATS_FIELDS}
                        element.clear()


def read_records(real_data: Path) -> pd.DataFrame:
    """One record per file and case (its first row): RECORD_COLUMNS."""
    states = us_state_codes()
    rows: list[tuple] = []
    for row in _cats_rows(real_data / "nlrb_history"):
        zip5 = row["Employer_Zip"][:5]
        rows.append(("cats", row["R_Case_Number"], row["Case_Name"], row["Unit_Loc_City"],
                     states.get(row["Unit_Loc_State"].upper()), " ".join(row["Employer_Address_1"].upper().split()),
                     zip5 if len(zip5) == 5 else None, row["NAICS_Code"][:2] or None))
    for report in sorted((real_data / "nlrb_history").glob("nlrb*_raw.xlsx")):
        for row in _xlsx_rows(report):
            rows.append(("fy_report", row.get("Case Number"), row.get("Case Name"), row.get("Dispute Unit City"),
                         row.get("Dispute Unit State"), None, None, None))
    for row in _xlsx_rows(real_data / TALLY_FILE):
        rows.append(("tally", row.get("Case Number"), row.get("Case Name"), row.get("Unit City"),
                     row.get("Unit State"), None, None, None))
    with (real_data / RECENT_FILE).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(("recent", row["Case Number"], row["Case Name"], row["City"], row["States & Territories"],
                         None, None, None))
    frame = pd.DataFrame(rows, columns=["source", "case_number", "raw_name", "city", "state", "employer_address",
                                        "zip5", "naics_sector"])
    frame["case_key"] = frame["case_number"].map(case_key)
    frame["raw_name"] = frame["raw_name"].astype("string").str.strip().replace("", pd.NA)
    frame = frame.dropna(subset=["case_key", "raw_name"]).drop_duplicates(["source", "case_key"])
    frame["record_key"] = frame["source"] + ":" + frame["case_key"]
    for column in ("city", "state", "employer_address"):
        frame[column] = frame[column].astype("string").str.strip().replace("", pd.NA)
    return frame[list(RECORD_COLUMNS)].sort_values("record_key").reset_index(drop=True)


def label_pairs(records: pd.DataFrame) -> pd.DataFrame:
    """The labelled pairs (left_key < right_key, same_employer 1/0, rule), by the rules in the module docstring."""
    pairs: list[tuple[str, str, int, str]] = []
    for _, group in records.groupby("case_key"):
        pairs += [(a, b, 1, "same case") for a, b in combinations(sorted(group["record_key"]), 2)]

    addressed = records[records["source"] == "cats"].dropna(subset=["employer_address", "zip5", "naics_sector", "state"])
    for _, group in addressed.groupby(["state", "employer_address", "zip5"]):
        if 1 < len(group) <= MAX_CASES_AT_ADDRESS and group["city"].str.upper().nunique() <= MAX_CITIES_AT_ADDRESS:
            for _, sector in group.groupby("naics_sector"):
                pairs += [(a, b, 1, "same employer address") for a, b in combinations(sorted(sector["record_key"]), 2)]

    by_hand = pd.read_csv(BY_HAND_FILE, dtype={"left_key": str, "right_key": str, "same_employer": int})
    frame = pd.concat([pd.DataFrame(pairs, columns=["left_key", "right_key", "same_employer", "rule"]),
                       by_hand.assign(rule="by hand")])
    return frame.drop_duplicates(["left_key", "right_key"]).sort_values(["left_key", "right_key"]).reset_index(drop=True)


def source_pair(left_key: str, right_key: str) -> str:
    """'cats / fy_report': the two files a pair's records come from, in name order."""
    return " / ".join(sorted((left_key.split(":")[0], right_key.split(":")[0])))


def write_pairs(pairs: pd.DataFrame, path: Path = PAIRS_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pairs.to_csv(path, index=False, lineterminator="\n")


def read_pairs(path: Path = PAIRS_FILE) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"left_key": str, "right_key": str, "same_employer": int, "rule": str})


def same_cluster(pairs: pd.DataFrame, cluster_of: pd.Series) -> pd.Series:
    """Whether a matcher links each pair: both records in one cluster of `cluster_of` (indexed by record_key;
    a record missing from it is linked to nothing)."""
    left = pairs["left_key"].map(cluster_of)
    return left.notna() & (left == pairs["right_key"].map(cluster_of))


def link_scores(pairs: pd.DataFrame, linked: pd.Series) -> pd.DataFrame:
    """Per source pair, per labelling rule and in all: labelled pairs, how many a matcher links, precision,
    recall and F1."""
    judged = pairs.assign(linked=linked.astype(int).to_numpy(),
                          source_pair=[source_pair(a, b) for a, b in zip(pairs["left_key"], pairs["right_key"],
                                                                         strict=True)])
    rows = []
    groups = [*judged.groupby("source_pair"), *((f"rule: {rule}", group) for rule, group in judged.groupby("rule")),
              ("all", judged)]
    for name, group in groups:
        positives = int(group["same_employer"].sum())
        true_links = int((group["linked"] & group["same_employer"]).sum())
        false_links = int((group["linked"] & (1 - group["same_employer"])).sum())
        precision = true_links / (true_links + false_links) if true_links + false_links else float("nan")
        recall = true_links / positives if positives else float("nan")
        rows.append({"source_pair": name, "same_pairs": positives, "other_pairs": len(group) - positives,
                     "true_links": true_links, "false_links": false_links, "precision": precision,
                     "recall": recall, "f1": 2 * precision * recall / (precision + recall)
                     if precision + recall else float("nan")})
    return pd.DataFrame(rows)


def shopfloor_clusters(records: pd.DataFrame, work: Path) -> pd.Series:
    """Shopfloor's employer_id of each record: the records standardized by dbt's macros
    (analyses/employer_benchmark_mentions.sql), then resolved by shopfloor.resolution.employers."""
    work.mkdir(parents=True, exist_ok=True)
    compiled = compile_analysis("employer_benchmark_mentions", work / "benchmark.duckdb", work / "dbt")
    with duckdb.connect(str(work / "benchmark.duckdb")) as con:
        con.register("benchmark_records", records)
        con.execute("create or replace table employer_benchmark_records as select * from benchmark_records")
        con.execute(f"create or replace table benchmark_mentions as {compiled}")
        resolve_employers(con, mentions_table="benchmark_mentions")
        clusters = con.execute(f"select mention_id, employer_id from {CLUSTERS_TABLE}").df()
    return clusters.set_index("mention_id")["employer_id"]

