"""Voter files: NC ncvoter (2022 and pre-2022 layouts) and ncvhis in Latin-1, and Ohio's SWVF, block by block."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from shopfloor.layouts import load_registry
from shopfloor.sample import vocab
from shopfloor.sample.people import as_dates, n_blocks, ncid, people_block, sos_voterid
from shopfloor.sample.world import EPOCH, World, workplace_ids, zfill
from shopfloor.sample.writers import DelimitedWriter, fmt_dates, join, text

VOTER_LAYOUTS = ("nc_2022", "nc_pre2022", "ohio")
SNAPSHOT_2021 = np.datetime64("2021-06-30", "D")

_CITY = np.array([c[0] for c in vocab.CITIES])
_CITY_ZIP = np.array([c[3] for c in vocab.CITIES])
_CITY_COUNTY = np.array([c[2] for c in vocab.CITIES])
_CITY_COUNTY_ID = np.array([vocab.NC_COUNTIES.index(c[2]) + 1 if c[1] == "NC" else vocab.OHIO_COUNTY_NUMBER[c[2]]
                            for c in vocab.CITIES])
_STREET = np.array(vocab.STREET_NAMES)
_STREET_SUFFIX = np.array(vocab.STREET_SUFFIXES)
_PADS = np.array([" ", "  ", "   ", "  "])
_ELECTION_DAYS = np.array([(np.datetime64(f"{lbl[6:]}-{lbl[:2]}-{lbl[3:5]}") - EPOCH).astype(int)
                           for lbl, _, _ in vocab.ELECTIONS])
_ELECTION_PRIMARY = np.array([kind == "P" for _, _, kind in vocab.ELECTIONS])
_METHODS = np.array([m for m, _ in vocab.VOTING_METHODS])
_METHOD_CUM = np.cumsum([s for _, s in vocab.VOTING_METHODS])


def _status_columns(p: dict) -> dict:
    desc = {k: v[0] for k, v in vocab.VOTER_STATUS.items()}
    status = p["status"]
    reason_cd = np.empty(len(status), dtype=object)
    reason_desc = np.empty(len(status), dtype=object)
    for code, (_, _, reasons) in vocab.VOTER_STATUS.items():
        rows = status == code
        pick = p["reason_pick"][rows] % len(reasons)
        reason_cd[rows] = np.array([r[0] for r in reasons])[pick]
        reason_desc[rows] = np.array([r[1] for r in reasons])[pick]
    return {"status_cd": status, "voter_status_desc": np.vectorize(desc.get)(status) if len(status) else status,
            "reason_cd": reason_cd.astype(str), "voter_status_reason_desc": reason_desc.astype(str)}


def _nc_common(p: dict) -> dict:
    """Columns the 2022 and pre-2022 NC layouts share."""
    n = len(p["person_id"])
    hidden = p["confidential"]
    pid = p["person_id"]
    # NCSBE pads the parts of res_street_address with runs of spaces.
    padded = join(text(p["house"]), _PADS[pid % 4], _STREET[p["street"]], _PADS[(pid // 4) % 4],
                  _STREET_SUFFIX[p["street_suffix"]], np.where(pid % 3 == 0, "  ", ""))
    plain = join(text(p["house"]), _STREET[p["street"]], _STREET_SUFFIX[p["street_suffix"]], sep=" ")
    city = _CITY[p["city"]]
    zip5 = join(_CITY_ZIP[p["city"]], zfill(p["zip"].astype(str), 2))
    mail = p["has_mail"] & ~hidden
    area = np.array(vocab.NC_AREA_CODES)[p["area_pick"]]
    precinct = zfill(p["precinct"].astype(str), 2)
    blank = np.full(n, "")
    county_id = _CITY_COUNTY_ID[p["city"]]
    cols = {
        "county_id": county_id, "county_desc": _CITY_COUNTY[p["city"]],
        "voter_reg_num": zfill(((pid * 2_654_435_761 + 30_000_017) % 100_000_000).astype(str), 12),
        "ncid": ncid(pid), "last_name": p["last"], "first_name": p["first"], "middle_name": p["middle"],
        "name_suffix_lbl": p["suffix"],
        "res_street_address": np.where(hidden, "", np.asarray(padded.to_numpy(zero_copy_only=False), dtype=str)),
        "res_city_desc": np.where(hidden, "", city), "state_cd": np.where(hidden, "", "NC"),
        "zip_code": np.where(hidden, "", np.asarray(zip5.to_numpy(zero_copy_only=False), dtype=str)),
        "mail_addr1": np.where(mail, np.asarray(plain.to_numpy(zero_copy_only=False), dtype=str), ""),
        "mail_addr2": blank, "mail_addr3": blank, "mail_addr4": blank,
        "mail_city": np.where(mail, city, ""), "mail_state": np.where(mail, "NC", ""),
        "mail_zipcode": np.where(mail, np.asarray(zip5.to_numpy(zero_copy_only=False), dtype=str), ""),
        "full_phone_number": np.where(p["has_phone"] & ~hidden, np.char.add(area, p["phone"].astype(str)), ""),
        "confidential_ind": np.where(hidden, "Y", "N"),
        "registr_dt": fmt_dates(as_dates(p["reg_day"]), "%m/%d/%Y"),
        "race_code": p["race"], "ethnic_code": p["ethnic"], "party_cd": p["party"], "gender_code": p["gender"],
        "birth_year": as_dates(p["birth_day"]).astype("datetime64[Y]").astype(int) + 1970,
        "birth_state": p["birth_state"], "drivers_lic": p["drivers_lic"],
        "precinct_abbrv": precinct, "precinct_desc": np.char.add("PRECINCT ", precinct),
        "municipality_abbrv": np.char.upper(np.char.replace(city, " ", "")).astype("<U3"),
        "municipality_desc": city, "ward_abbrv": blank, "ward_desc": blank,
        "cong_dist_abbrv": (county_id % 14 + 1).astype(str), "super_court_abbrv": (county_id % 30 + 1).astype(str),
        "judic_dist_abbrv": (county_id % 40 + 1).astype(str),
        "nc_senate_abbrv": ((county_id + p["precinct"]) % 50 + 1).astype(str),
        "nc_house_abbrv": ((county_id * 3 + p["precinct"]) % 120 + 1).astype(str),
        "county_commiss_abbrv": (p["precinct"] % 6 + 1).astype(str),
        "county_commiss_desc": np.char.add("COMMISSIONER DISTRICT ", (p["precinct"] % 6 + 1).astype(str)),
        "township_abbrv": blank, "township_desc": blank,
        "school_dist_abbrv": blank, "school_dist_desc": blank, "fire_dist_abbrv": blank, "fire_dist_desc": blank,
        "water_dist_abbrv": blank, "water_dist_desc": blank, "sewer_dist_abbrv": blank, "sewer_dist_desc": blank,
        "sanit_dist_abbrv": blank, "sanit_dist_desc": blank, "rescue_dist_abbrv": blank, "rescue_dist_desc": blank,
        "munic_dist_abbrv": blank, "munic_dist_desc": blank,
        "dist_1_abbrv": (county_id % 43 + 1).astype(str),
        "dist_1_desc": np.char.add("PROSECUTORIAL DISTRICT ", (county_id % 43 + 1).astype(str)),
        "vtd_abbrv": precinct, "vtd_desc": precinct,
    }
    cols.update(_status_columns(p))
    return cols


def _subset(p: dict, rows: np.ndarray) -> dict:
    return {k: v[rows] for k, v in p.items()}


def _ncvhis(p: dict, cols: dict) -> dict:
    eligible = (_ELECTION_DAYS[None, :] > p["reg_day"][:, None]) & (p["status"] != "D")[:, None]
    chance = np.where(_ELECTION_PRIMARY[None, :], p["propensity"][:, None] * 0.45, p["propensity"][:, None])
    who, which = np.nonzero(eligible & (p["vote_draw"] < chance))
    method_draw = p["method_pick"][who, which]
    method = _METHODS[np.minimum(np.searchsorted(_METHOD_CUM, method_draw * _METHOD_CUM[-1]), len(_METHODS) - 1)]
    party = p["party"][who]
    primary = _ELECTION_PRIMARY[which]
    crossover = np.where(method_draw < 0.5, "DEM", "REP")
    voted_party = np.where(primary & ~np.isin(party, ["DEM", "REP"]), crossover, party)
    labels = np.array([e[0] for e in vocab.ELECTIONS])
    descs = np.array([e[1] for e in vocab.ELECTIONS])
    county_id = np.asarray(cols["county_id"])[who]
    return {
        "county_id": county_id, "county_desc": np.asarray(cols["county_desc"])[who],
        "voter_reg_num": np.asarray(cols["voter_reg_num"])[who], "election_lbl": labels[which],
        "election_desc": descs[which], "voting_method": method, "voted_party_cd": voted_party,
        "voted_party_desc": np.vectorize(vocab.PARTY_DESC.get)(voted_party) if len(who) else voted_party,
        "pct_label": np.asarray(cols["precinct_abbrv"])[who],
        "pct_description": np.asarray(cols["precinct_desc"])[who], "ncid": np.asarray(cols["ncid"])[who],
        "voted_county_id": county_id, "voted_county_desc": np.asarray(cols["county_desc"])[who],
        "vtd_label": np.asarray(cols["precinct_abbrv"])[who],
        "vtd_description": np.asarray(cols["precinct_abbrv"])[who],
    }


def _ohio(p: dict) -> dict:
    n = len(p["person_id"])
    blank = np.full(n, "")
    city = _CITY[p["city"]]
    party = np.select([p["party"] == "DEM", p["party"] == "REP"], ["D", "R"], "")
    precinct = zfill(p["precinct"].astype(str), 3)
    cols = {
        "SOS_VOTERID": sos_voterid(p["person_id"]), "COUNTY_NUMBER": _CITY_COUNTY_ID[p["city"]],
        "COUNTY_ID": (p["person_id"] * 37 % 9_000_000 + 100_000).astype(str),
        "LAST_NAME": p["last"], "FIRST_NAME": p["first"], "MIDDLE_NAME": p["middle"], "SUFFIX": p["suffix"],
        "DATE_OF_BIRTH": fmt_dates(as_dates(p["birth_day"]), "%Y-%m-%d"),
        "REGISTRATION_DATE": fmt_dates(as_dates(p["reg_day"]), "%Y-%m-%d"),
        "VOTER_STATUS": np.where(p["status"] == "I", "CONFIRMATION", "ACTIVE"), "PARTY_AFFILIATION": party,
        "RESIDENTIAL_ADDRESS1": join(text(p["house"]), _STREET[p["street"]], _STREET_SUFFIX[p["street_suffix"]],
                                     sep=" "),
        "RESIDENTIAL_SECONDARY_ADDR": blank, "RESIDENTIAL_CITY": city, "RESIDENTIAL_STATE": np.full(n, "OH"),
        "RESIDENTIAL_ZIP": join(_CITY_ZIP[p["city"]], zfill(p["zip"].astype(str), 2)),
        "RESIDENTIAL_ZIP_PLUS4": blank, "RESIDENTIAL_COUNTRY": blank, "RESIDENTIAL_POSTALCODE": blank,
        "MAILING_ADDRESS1": blank, "MAILING_SECONDARY_ADDRESS": blank, "MAILING_CITY": blank, "MAILING_STATE": blank,
        "MAILING_ZIP": blank, "MAILING_ZIP_PLUS4": blank, "MAILING_COUNTRY": blank, "MAILING_POSTAL_CODE": blank,
        "CAREER_CENTER": blank, "CITY": city, "CITY_SCHOOL_DISTRICT": np.char.add(city, " CITY SD"),
        "COUNTY_COURT_DISTRICT": blank, "CONGRESSIONAL_DISTRICT": (p["city"] % 15 + 1).astype(str).astype("<U2"),
        "COURT_OF_APPEALS": (p["city"] % 12 + 1).astype(str), "EDU_SERVICE_CENTER_DISTRICT": blank,
        "EXEMPTED_VILL_SCHOOL_DISTRICT": blank, "LIBRARY": blank, "LOCAL_SCHOOL_DISTRICT": blank,
        "MUNICIPAL_COURT_DISTRICT": np.char.add(city, " MUNICIPAL COURT"),
        "PRECINCT_NAME": np.char.add(np.char.add(city, " "), precinct), "PRECINCT_CODE": precinct,
        "STATE_BOARD_OF_EDUCATION": (p["city"] % 11 + 1).astype(str),
        "STATE_REPRESENTATIVE_DISTRICT": ((p["city"] * 7 + p["precinct"]) % 99 + 1).astype(str),
        "STATE_SENATE_DISTRICT": ((p["city"] * 3 + p["precinct"]) % 33 + 1).astype(str),
        "TOWNSHIP": blank, "VILLAGE": blank, "WARD": blank,
    }
    offset = len(vocab.ELECTIONS) - len(vocab.OHIO_ELECTIONS)
    for k, column in enumerate(vocab.OHIO_ELECTIONS):
        kind, date = column.split("-", 1)
        day = (np.datetime64(f"{date[6:]}-{date[:2]}-{date[3:5]}") - EPOCH).astype(int)
        chance = p["propensity"] * (0.45 if kind == "PRIMARY" else 1.0)
        voted = (p["reg_day"] < day) & (p["vote_draw"][:, offset + k] < chance)
        if kind == "PRIMARY":
            ballot = np.where(party == "", np.where(p["method_pick"][:, offset + k] < 0.5, "D", "R"), party)
        else:
            ballot = np.full(n, "X")
        cols[column] = np.where(voted, ballot, "")
    return cols


def write_voter_files(world: World, out: Path, truth_dir: Path, voter_layouts: tuple[str, ...]) -> dict[str, int]:
    """Every voter layout asked for, plus _truth/people.parquet; returns row counts per file."""
    registry = load_registry()
    folder = out / "voter_files"
    writers: dict[str, DelimitedWriter] = {}
    if "nc_2022" in voter_layouts:
        writers["ncvoter"] = DelimitedWriter(folder / "ncvoter_Statewide.txt", registry["ncvoter_2022"],
                                             quote_all=True, encoding="latin-1")
        writers["ncvhis"] = DelimitedWriter(folder / "ncvhis_Statewide.txt", registry["ncvhis"],
                                            quote_all=True, encoding="latin-1")
    if "nc_pre2022" in voter_layouts:
        writers["ncvoter_pre2022"] = DelimitedWriter(folder / "ncvoter_Statewide_20210630.txt",
                                                     registry["ncvoter_pre2022"], quote_all=True, encoding="latin-1")
    if "ohio" in voter_layouts:
        writers["ohio"] = DelimitedWriter(folder / "SWVF_1_88.txt", registry["ohio_swvf"],
                                          extra_columns=vocab.OHIO_ELECTIONS)
    people_schema = pa.schema([("person_id", pa.int64()), ("role", pa.string()), ("workplace_id", pa.string()),
                               ("member_id", pa.string()), ("ncid", pa.string()), ("sos_voterid", pa.string())])
    truth = pq.ParquetWriter(truth_dir / "people.parquet", people_schema)
    n_members, n_work = world.n_members, world.n_members + world.n_coworkers
    for b in range(n_blocks(world)):
        p = people_block(world, b)
        pid = p["person_id"]
        nc_rows = p["registered"] & (p["state"] == "NC")
        oh_rows = p["registered"] & (p["state"] == "OH")
        nc = _subset(p, nc_rows)
        if "ncvoter" in writers or "ncvoter_pre2022" in writers:
            cols = _nc_common(nc)
            if "ncvoter" in writers:
                cols["age_at_year_end"] = 2025 - cols["birth_year"]
                writers["ncvoter"].write(cols)
                writers["ncvhis"].write(_ncvhis(nc, cols))
            if "ncvoter_pre2022" in writers:
                before = as_dates(nc["reg_day"]) <= SNAPSHOT_2021
                old = {k: (v.filter(pa.array(before)) if isinstance(v, pa.Array) else np.asarray(v)[before])
                       for k, v in cols.items()}
                old["birth_age"] = 2021 - old["birth_year"]
                old["absent_ind"] = old["name_prefx_cd"] = old["dist_2_abbrv"] = old["dist_2_desc"] = np.full(
                    int(before.sum()), "")
                writers["ncvoter_pre2022"].write(old)
        if "ohio" in writers:
            writers["ohio"].write(_ohio(_subset(p, oh_rows)))
        role = np.where(pid < n_members, "member", np.where(pid < n_work, "coworker", "resident"))
        work = pid < n_work
        wp = np.full(len(pid), "", dtype=object)
        wp[work] = workplace_ids(world.person_wp[pid[work]])
        member = np.full(len(pid), None, dtype=object)
        member[pid < n_members] = world.member_no[pid[pid < n_members]].astype(str)
        in_snapshot = as_dates(p["reg_day"]) <= SNAPSHOT_2021
        in_nc = nc_rows & (("ncvoter" in writers) | (("ncvoter_pre2022" in writers) & in_snapshot))
        in_oh = oh_rows & ("ohio" in writers)
        truth.write_table(pa.table({
            "person_id": pid, "role": role, "workplace_id": pa.array(np.where(work, wp, None), pa.string()),
            "member_id": pa.array(member, pa.string()),
            "ncid": pa.array(np.where(in_nc, ncid(pid), None), pa.string()),
            "sos_voterid": pa.array(np.where(in_oh, sos_voterid(pid), None), pa.string()),
        }, schema=people_schema))
    truth.close()
    return {writer.path.name: writer.close() for writer in writers.values()}
