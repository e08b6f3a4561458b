"""The sample-data generator at small scale: formats, quirks, determinism, ground truth and the planted signals."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from sklearn.metrics import roc_auc_score

from shopfloor.layouts import load_registry
from shopfloor.sample import FILE_LAYOUTS, generate, names, vocab
from shopfloor.sample.contract import check_landing

ALL_LAYOUTS = ("nc_2022", "nc_pre2022", "ohio")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    summary = generate(scale="small", seed=7, out=out, voter_layouts=ALL_LAYOUTS)
    (out / "_summary.txt").write_text(str(summary))
    return out


def _manifest(out: Path) -> dict:
    return json.loads((out / "_truth" / "manifest.json").read_text())


def _delimited(out: Path, relative: str) -> pd.DataFrame:
    layout = load_registry()[FILE_LAYOUTS[relative]]
    encoding = "latin-1" if relative.startswith("voter_files/nc") else "utf-8"
    return pd.read_csv(out / relative, sep=layout.delimiter, dtype=str, keep_default_na=False, encoding=encoding)


def _xlsx(out: Path, relative: str) -> pd.DataFrame:
    layout = load_registry()[FILE_LAYOUTS[relative]]
    sheet = load_workbook(out / relative, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(min_row=layout.header_row, values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def _members(out: Path) -> pd.DataFrame:
    xlsx = _xlsx(out, "membership/members_2025-06-30.xlsx").astype({"Member #": str})
    return pd.concat([_delimited(out, "membership/members_2025-06-30.csv"), xlsx], ignore_index=True)


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().upper()


def test_every_file_meets_the_loader_contract(landing):
    assert check_landing(landing) == []
    assert set(_manifest(landing)) == set(FILE_LAYOUTS)


def test_contract_catches_a_value_that_does_not_parse(landing, tmp_path):
    relative = "osha/osha_inspection.csv"
    (tmp_path / "osha").mkdir()
    (tmp_path / "_truth").mkdir()
    lines = (landing / relative).read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"2000-', '"31/12/2000-', 1)
    (tmp_path / relative).write_text("".join(lines))
    (tmp_path / "_truth" / "manifest.json").write_text(json.dumps({relative: _manifest(landing)[relative]}))
    problems = check_landing(tmp_path)
    assert len(problems) == 1 and "cannot read" in problems[0]


def test_headers_are_the_registry_columns_in_order(landing):
    registry = load_registry()
    for relative, entry in _manifest(landing).items():
        layout = registry[entry["layout"]]
        if layout.format == "xlsx":
            header = list(_xlsx(landing, relative).columns)
        else:
            encoding = "latin-1" if relative.startswith("voter_files/nc") else "utf-8"
            with open(landing / relative, encoding=encoding) as handle:
                header = [h.strip('"') for h in handle.readline().rstrip("\n").split(layout.delimiter)]
        assert header[: len(layout.columns)] == list(layout.columns), relative
        if layout.wide_columns:
            extra = header[len(layout.columns):]
            assert extra and all(re.match(layout.wide_columns.pattern, h) for h in extra)
        else:
            assert len(header) == len(layout.columns), relative


def test_nc_voter_file_is_quoted_latin1_with_ncsbe_quirks(landing):
    raw = (landing / "voter_files/ncvoter_Statewide.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    lines = raw.decode("latin-1").splitlines()
    assert all(f.startswith('"') and f.endswith('"') for line in lines[:200] for f in line.split("\t"))
    voters = _delimited(landing, "voter_files/ncvoter_Statewide.txt")
    assert voters["last_name"].str.contains("Ñ|É|Í|Ó|Ú|Á").any()
    assert voters["voter_reg_num"].str.fullmatch(r"\d{12}").all()
    assert voters["ncid"].is_unique
    shown = voters[voters["confidential_ind"] == "N"]
    assert shown["res_street_address"].str.contains("  ").mean() > 0.5
    assert shown["res_street_address"].str.endswith(" ").any()
    status = {k: v[0] for k, v in vocab.VOTER_STATUS.items()}
    assert set(voters["status_cd"]) == set(status)
    assert (voters["status_cd"].map(status) == voters["voter_status_desc"]).all()
    hidden = voters[voters["confidential_ind"] == "Y"]
    assert 0 < len(hidden) < 0.02 * len(voters)
    assert (hidden[["res_street_address", "zip_code", "mail_addr1"]] == "").all().all()
    assert voters["registr_dt"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    county = voters["county_id"].astype(int)
    assert (county.map(lambda c: vocab.NC_COUNTIES[c - 1]) == voters["county_desc"]).all()
    assert set(voters["race_code"]) <= {"A", "B", "I", "M", "O", "P", "U", "W"}
    assert set(voters["party_cd"]) <= {"DEM", "REP", "UNA", "LIB", "GRE", "CST"}
    assert (voters["age_at_year_end"].astype(int) == 2025 - voters["birth_year"].astype(int)).all()
    history = _delimited(landing, "voter_files/ncvhis_Statewide.txt")
    assert set(history["ncid"]) <= set(voters["ncid"])
    assert {"IN-PERSON", "ABSENTEE BY MAIL", "ABSENTEE ONESTOP"} <= set(history["voting_method"])
    assert not history.duplicated(["ncid", "election_lbl"]).any()


def test_pre2022_snapshot_and_ohio_file(landing):
    old = _delimited(landing, "voter_files/ncvoter_Statewide_20210630.txt")
    new = _delimited(landing, "voter_files/ncvoter_Statewide.txt")
    assert set(old["ncid"]) < set(new["ncid"])
    assert pd.to_datetime(old["registr_dt"], format="%m/%d/%Y").max() <= pd.Timestamp("2021-06-30")
    ohio = _delimited(landing, "voter_files/SWVF_1_88.txt")
    assert ohio["SOS_VOTERID"].is_unique and len(ohio) > 200
    assert ohio["DATE_OF_BIRTH"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    for column in vocab.OHIO_ELECTIONS:
        allowed = {"", "X"} if column.startswith("GENERAL") else {"", "D", "R"}
        assert set(ohio[column]) <= allowed and (ohio[column] != "").any()


def test_same_seed_gives_identical_bytes(landing, tmp_path):
    generate(scale="small", seed=7, out=tmp_path, voter_layouts=ALL_LAYOUTS)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert written and written == sorted(p.relative_to(landing) for p in landing.rglob("*")
                                         if p.is_file() and p.name != "_summary.txt")
    for relative in written:
        assert (tmp_path / relative).read_bytes() == (landing / relative).read_bytes(), relative


def test_a_different_seed_changes_the_data(landing, tmp_path):
    generate(scale="small", seed=8, out=tmp_path)
    assert (tmp_path / "osha/osha_inspection.csv").read_bytes() != (landing / "osha/osha_inspection.csv").read_bytes()


def test_counts_in_expected_ranges(landing):
    rows = {k: v["rows"] for k, v in _manifest(landing).items()}
    voters = rows["voter_files/ncvoter_Statewide.txt"] + rows["voter_files/SWVF_1_88.txt"]
    # The scale's 5,000 registrants, plus the registered workers drawn for organizing committees.
    assert 8_000 <= voters <= 10_000
    assert rows["membership/members_2025-06-30.csv"] + rows["membership/members_2025-06-30.xlsx"] == 1_500
    assert 2_000 <= rows["osha/osha_inspection.csv"] <= 5_000
    assert rows["osha/osha_violation.csv"] > rows["osha/osha_inspection.csv"]
    workplaces = pd.read_parquet(landing / "_truth/workplaces.parquet")
    assert 1_500 <= len(workplaces) <= 2_500
    elections = pd.read_parquet(landing / "_truth/elections.parquet")
    elections[["petition_date", "final_tally_date"]] = elections[["petition_date", "final_tally_date"]].apply(
        pd.to_datetime)
    assert len(elections) >= 1_500
    assert elections["workplace_id"].nunique() > 900
    assert elections["petition_date"].min() < pd.Timestamp("2002-01-01")
    assert pd.Timestamp("2024-01-01") < elections["final_tally_date"].max() <= pd.Timestamp("2025-06-30")
    summary = (landing / "_summary.txt").read_text()
    assert re.search(r"osha/osha_inspection\.csv\s+[\d,]+ rows", summary)


def test_truth_maps_every_record_that_names_an_employer(landing):
    source = pd.read_parquet(landing / "_truth/source_map.parquet")
    workplaces = set(pd.read_parquet(landing / "_truth/workplaces.parquet")["workplace_id"])
    assert set(source["workplace_id"]) <= workplaces
    keys = set(zip(source["source_table"], source["record_id"], source["unit_id"].fillna("")))
    inspections = _delimited(landing, "osha/osha_inspection.csv")
    assert {("osha_inspection", a, "") for a in inspections["activity_nr"]} <= keys
    assert {("members", m, "") for m in _members(landing)["Member #"]} <= keys
    grievances = _delimited(landing, "grievances/grievance_log_2025-06-30.csv")
    assert {("grievances", g, "") for g in grievances["Grievance No"]} <= keys
    recent = _delimited(landing, "nlrb/recent_election_results_20250630.csv")
    assert {("nlrb_recent_election_results", c, u) for c, u in zip(recent["Case Number"], recent["Unit ID"])} <= keys
    foia = _xlsx(landing, "nlrb/election_results_foia.xlsx")
    assert {("nlrb_election_tallies", c, u) for c, u in zip(foia["Case Number"], foia["Unit ID"])} <= keys
    cases = _delimited(landing, "nlrb/case_search.csv")
    assert {("nlrb_cases", c, "") for c in cases["Case Number"]} <= keys
    assert len(source) == len(set(zip(source["source_table"], source["record_id"], source["unit_id"])))


def test_members_and_voters_are_spelled_differently_but_share_a_person(landing):
    people = pd.read_parquet(landing / "_truth/people.parquet")
    members = _members(landing).merge(people, left_on="Member #", right_on="member_id", how="left")
    assert members["person_id"].notna().all()
    registered = members["ncid"].notna() | members["sos_voterid"].notna()
    assert 0.65 <= registered.mean() <= 0.85
    voters = _delimited(landing, "voter_files/ncvoter_Statewide.txt")
    pairs = members.merge(voters, on="ncid")
    assert len(pairs) > 500
    first_differs = pairs["First Name"].map(_fold) != pairs["first_name"].map(_fold)
    last_differs = pairs["Last Name"].map(_fold) != pairs["last_name"].map(_fold)
    middle_differs = pairs["Middle"].fillna("").map(_fold) != pairs["middle_name"].map(_fold)
    assert 0.05 < first_differs.mean() < 0.4
    assert 0.01 < last_differs.mean() < 0.2
    assert middle_differs.mean() > 0.3
    assert (pairs["Home Address"].str.upper() != pairs["mail_addr1"]).any()
    accented = pairs[pairs["last_name"].str.contains("Ñ|É|Í|Ó|Ú|Á")]
    assert len(accented) and (accented["Last Name"].map(_fold) == accented["last_name"].map(_fold)).mean() > 0.7


def test_an_employer_is_spelled_many_ways(landing):
    source = pd.read_parquet(landing / "_truth/source_map.parquet")
    inspections = _delimited(landing, "osha/osha_inspection.csv").merge(
        source[source["source_table"] == "osha_inspection"], left_on="activity_nr", right_on="record_id")
    members = _members(landing).merge(source[source["source_table"] == "members"], left_on="Member #",
                                      right_on="record_id")
    spellings = pd.concat([inspections[["workplace_id", "estab_name"]].set_axis(["w", "name"], axis=1),
                           members[["workplace_id", "Employer"]].set_axis(["w", "name"], axis=1)])
    per_workplace = spellings.groupby("w")["name"].nunique()
    assert (per_workplace >= 3).sum() > 10
    assert spellings["name"].str.contains("D/B/A|d/b/a|#").any()


def test_election_outcomes_follow_the_true_probability(landing):
    elections = pd.read_parquet(landing / "_truth/elections.parquet")
    contested = elections[elections["petition_type"].isin(["RC", "RM"])]
    auc = roc_auc_score(contested["won"], contested["true_win_probability"])
    assert 0.7 <= auc <= 0.9
    assert 0.35 < contested["won"].mean() < 0.8


def test_election_features_are_point_in_time(landing):
    """Recount serious violations in the 5 years before each petition from the landed OSHA files."""
    con = duckdb.connect()
    out = landing.as_posix()
    recount = con.execute(f"""
        WITH serious AS (
            SELECT m.workplace_id, v.issuance_date
            FROM read_csv('{out}/osha/osha_violation.csv', header=true, all_varchar=true) v
            JOIN read_parquet('{out}/_truth/source_map.parquet') m
              ON m.source_table = 'osha_inspection' AND m.record_id = v.activity_nr
            WHERE v.viol_type IN ('S', 'W', 'R'))
        SELECT e.case_number, e.unit_id, any_value(e.feature_serious_osha_violations_5y) AS planted,
               count(s.workplace_id) AS landed
        FROM read_parquet('{out}/_truth/elections.parquet') e
        LEFT JOIN serious s ON s.workplace_id = e.workplace_id
             AND CAST(s.issuance_date AS DATE) < e.petition_date
             AND CAST(s.issuance_date AS DATE) >= e.petition_date - INTERVAL 1825 DAY
        GROUP BY ALL""").df()
    assert (recount["planted"] == recount["landed"]).all()
    assert (recount["landed"] > 0).mean() > 0.1


def test_each_election_is_in_exactly_one_tally_file(landing):
    recent = _delimited(landing, "nlrb/recent_election_results_20250630.csv")
    foia = _xlsx(landing, "nlrb/election_results_foia.xlsx")
    recent_units = set(zip(recent["Case Number"], recent["Unit ID"]))
    foia_units = set(zip(foia["Case Number"], foia["Unit ID"]))
    elections = pd.read_parquet(landing / "_truth/elections.parquet")
    assert not recent_units & foia_units
    assert recent_units | foia_units == set(zip(elections["case_number"], elections["unit_id"]))
    assert recent["Voting Unit (Unit A)"].str.contains("\n").any()
    assert {"Initial", "Rerun", "Run-off"} <= set(foia["Tally Type"])
    assert re.fullmatch(r"\d\d-R[CDM]-\d{5,6}", foia["Case Number"].iloc[0])
    won = elections.set_index(["case_number", "unit_id"])["won"]
    final = foia.groupby(["Case Number", "Unit ID"]).tail(1)
    certified = final["Union To Certify"].notna().to_numpy()
    assert (certified == won.loc[list(zip(final["Case Number"], final["Unit ID"]))].to_numpy()).all()
    cases = _delimited(landing, "nlrb/case_search.csv")
    assert {"CA", "CB", "RC", "RD", "RM"} <= set(cases["Case Number"].str.split("-").str[1])
    assert cases.loc[cases["Case Type"] == "C", "Allegations"].str.contains("8\\(a\\)").any()


def test_leaders_follow_their_probability_and_reach_the_roll(landing):
    leaders = pd.read_parquet(landing / "_truth/leaders.parquet")
    assert 0.7 <= roc_auc_score(leaders["is_leader"], leaders["true_probability"]) <= 0.95
    assert 0.03 < leaders["is_leader"].mean() < 0.25
    members = _members(landing).merge(leaders, left_on="Member #", right_on="member_id")
    assert ((members["Steward"] == "Y") == members["is_steward"]).all()
    assert set(members["Do Not Contact"]) == {"Y", "N"}
    assert members["Do Not Contact"].notna().all()


def test_grievances_cluster_at_hot_supervisors_at_represented_sites(landing):
    supervisors = pd.read_parquet(landing / "_truth/supervisors.parquet")
    per_supervisor = supervisors.groupby("is_hot_spot")["grievances"].mean()
    assert per_supervisor[True] > 3 * per_supervisor[False]
    source = pd.read_parquet(landing / "_truth/source_map.parquet")
    workplaces = pd.read_parquet(landing / "_truth/workplaces.parquet").set_index("workplace_id")
    grievance_sites = source.loc[source["source_table"] == "grievances", "workplace_id"]
    assert workplaces.loc[grievance_sites, "represented"].all()
    grievances = _delimited(landing, "grievances/grievance_log_2025-06-30.csv")
    assert set(grievances["Category"]) == set(vocab.GRIEVANCE_CATEGORIES)
    assert set(grievances["Member #"]) <= set(_members(landing)["Member #"])


def test_osha_codes_come_from_the_dol_dictionary(landing):
    inspections = _delimited(landing, "osha/osha_inspection.csv")
    violations = _delimited(landing, "osha/osha_violation.csv")
    assert set(inspections["insp_type"]) <= set("ABCDEFGHIJKLM")
    assert set(inspections["owner_type"]) <= set("ABCD")
    assert set(inspections["union_status"]) <= {"Y", "U", "A", "N", "B", ""}
    assert set(violations["viol_type"]) == set("SWRO")
    assert violations["current_penalty"].str.fullmatch(r"\d+\.\d\d").all()
    for column in ("issuance_date", "final_order_date", "contest_date"):
        assert pd.to_datetime(violations[column]).max() <= pd.Timestamp("2025-06-30"), column
    assert set(violations["activity_nr"]) <= set(inspections["activity_nr"])
    injuries = _delimited(landing, "osha/osha_accident_injury.csv")
    assert set(injuries["rel_insp_nr"]) <= set(inspections["activity_nr"])


def test_rules_record_the_parameters(landing):
    rules = json.loads((landing / "_truth/rules.json").read_text())
    assert rules["as_of"] == "2025-06-30" and rules["history_start"] == "2000-01-01"
    assert rules["election_win"]["coefficients"]["log_unit_size"] < 0
    assert rules["grievance_hot_spots"]["hot_supervisor_rate_multiplier"] > 1


def test_generate_replaces_its_own_files_only_and_rejects_bad_arguments(tmp_path):
    generate(scale="small", seed=1, out=tmp_path, voter_layouts=ALL_LAYOUTS)
    (tmp_path / "osha" / "someone_elses.csv").write_text("x\n")
    generate(scale="small", seed=1, out=tmp_path, voter_layouts=("nc_2022",))
    assert (tmp_path / "osha" / "someone_elses.csv").exists()
    assert not (tmp_path / "voter_files" / "SWVF_1_88.txt").exists()
    with pytest.raises(ValueError):
        generate(scale="huge", out=tmp_path)
    with pytest.raises(ValueError):
        generate(scale="small", out=tmp_path, voter_layouts=("texas",))


def test_employer_names_carry_the_spellings_of_real_records():
    """OSHA cuts estab_name at its width; NLRB case names now and then add an a/k/a or words after the name."""
    rnd = random.Random(7)
    osha = [names.osha_name("Piedmont Longleaf Regional Hospital", "Incorporated", "Piedmont Regional Medical Center",
                            1234, rnd) for _ in range(200)]
    assert max(map(len, osha)) == names.OSHA_NAME_WIDTH
    nlrb = [names.nlrb_name(f"Acme {i} Foods", "Inc.", "Acme Market", "RALEIGH", rnd) for i in range(600)]
    for spelling in (" a/k/a Acme Market", ", et al.", " (BLOCKING)", " - Raleigh", " (Raleigh)"):
        assert any(name.endswith(spelling) or spelling in name for name in nlrb), spelling
    assert sum("a/k/a" in name or "et al." in name or "BLOCKING" in name or "Raleigh" in name for name in nlrb) < 0.15 * 600
