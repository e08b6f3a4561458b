"""OSHA enforcement tables (inspection, violation, accident, accident_injury) in the DOL column order, in chunks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shopfloor.layouts import load_registry
from shopfloor.sample import vocab
from shopfloor.sample.world import HORIZON, World, days, workplace_ids, zfill
from shopfloor.sample.writers import DelimitedWriter, fmt_dates, join, text

LOAD_STAMP = "2025-06-30 00:18:59 EDT"
ACTIVITY_BASE = 300_000_000
SUMMARY_BASE = 200_000_000
_INDUSTRY_GROUP = {"poultry": "manuf", "textile": "manuf", "furniture": "manuf", "auto_parts": "manuf",
                   "construction": "const"}
_REPORTING = {"NC": (453710, 453720, 453730), "OH": (522000, 522300, 522500)}


def _money(values: np.ndarray, show: np.ndarray) -> pa.Array:
    cents = pa.array(np.round(values, 2)).cast(pa.decimal128(12, 2)).cast(pa.string())
    return pc.if_else(pa.array(show), cents, "")


def _iso(day: np.ndarray, show: np.ndarray | None = None) -> pa.Array:
    return fmt_dates(days(day), "%Y-%m-%d", None if show is None else ~show)


def _inspection_chunk(world: World, lo: int, hi: int, rng: np.random.Generator) -> tuple[dict, dict]:
    n = hi - lo
    idx = np.arange(lo, hi)
    w = world.insp_wp[lo:hi]
    industry = world.emp_industry[world.wp_employer[w]]
    group = np.array([_INDUSTRY_GROUP.get(ind[0], "") for ind in vocab.INDUSTRIES])[industry]
    public = np.isin(np.array([ind[0] for ind in vocab.INDUSTRIES])[industry], ["hospital", "university"])
    state = np.array([c[1] for c in vocab.CITIES])[world.wp_city[w]]
    open_day = world.insp_open[lo:hi]
    issue_day = world.insp_issue[lo:hi]
    safety = rng.random(n) < 0.75
    close_day = issue_day + rng.integers(30, 400, n)
    closed = close_day <= HORIZON
    scope = rng.choice(np.array(list("ABCD")), n, p=[0.6, 0.3, 0.05, 0.05])
    represented = world.wp_represented[w]
    union = np.where(represented, np.where(rng.random(n) < 0.9, "Y", "U"), np.where(rng.random(n) < 0.9, "N", "B"))
    union = np.where(rng.random(n) < 0.03, "", union)
    names = np.array([world.wp_osha_names[x][k] for x, k in zip(w.tolist(), rng.integers(0, 3, n).tolist())])
    address = join(text(world.wp_house[w]), np.array(vocab.STREET_NAMES)[world.wp_street[w]],
                   np.array(vocab.STREET_SUFFIXES)[world.wp_suffix[w]], sep=" ")
    city = np.array([c[0] for c in vocab.CITIES])[world.wp_city[w]]
    zip5 = np.char.add(np.array([c[3] for c in vocab.CITIES])[world.wp_city[w]],
                       zfill(world.wp_zip[w].astype(str), 2))
    mail = rng.random(n) < 0.5
    naics = np.array([ind[1] for ind in vocab.INDUSTRIES])[industry]
    sic = np.array([ind[2] for ind in vocab.INDUSTRIES])[industry]
    blank = np.full(n, "")
    size = np.maximum(1, np.round(world.wp_size[w] * rng.uniform(0.8, 1.2, n))).astype(np.int64)
    flag = lambda kind, grp: np.where((group == grp) & (safety == (kind == "S")), "X", "")  # noqa: E731
    reporting = np.array([_REPORTING[s][k] for s, k in zip(state.tolist(), rng.integers(0, 3, n).tolist())])
    cols = {
        "activity_nr": ACTIVITY_BASE + idx, "reporting_id": reporting,
        "state_flag": np.where(state == "NC", "S", "F"), "estab_name": names, "site_address": address,
        "site_city": city, "site_state": state, "site_zip": zip5,
        "owner_type": np.where(public, np.where(rng.random(n) < 0.5, "B", "C"), "A"), "owner_code": blank,
        "adv_notice": np.where(rng.random(n) < 0.03, "Y", "N"), "safety_hlth": np.where(safety, "S", "H"),
        "sic_code": np.where(open_day < 4 * 365, sic.astype(str), ""),
        "naics_code": np.where(open_day >= 2 * 365, naics.astype(str), ""),
        "insp_type": world.insp_type[lo:hi], "insp_scope": scope,
        "why_no_insp": np.where(scope == "D", rng.choice(np.array(list("ABCDEI")), n), ""), "union_status": union,
        "safety_manuf": flag("S", "manuf"), "safety_const": flag("S", "const"), "safety_marit": blank,
        "health_manuf": flag("H", "manuf"), "health_const": flag("H", "const"), "health_marit": blank,
        "migrant": blank, "mail_street": pc.if_else(pa.array(mail), address, ""),
        "mail_city": np.where(mail, city, ""), "mail_state": np.where(mail, state, ""),
        "mail_zip": np.where(mail, zip5, ""), "host_est_key": blank, "nr_in_estab": size,
        "open_date": _iso(open_day), "case_mod_date": _iso(np.minimum(close_day + 5, HORIZON)),
        "close_conf_date": _iso(np.minimum(open_day + rng.integers(5, 90, n), HORIZON)),
        "close_case_date": _iso(close_day, closed),
        "ld_dt": np.full(n, LOAD_STAMP),
    }
    truth = {"record_id": (ACTIVITY_BASE + idx).astype(str), "workplace_id": workplace_ids(w)}
    return cols, truth


def _violation_chunk(world: World, lo: int, hi: int, rng: np.random.Generator) -> dict:
    nviol = world.insp_nviol[lo:hi].astype(np.int64)
    insp = np.repeat(np.arange(lo, hi), nviol)
    n = len(insp)
    starts = np.repeat(np.cumsum(nviol) - nviol, nviol)
    item = np.arange(n) - starts + 1
    serious = item <= np.repeat(world.insp_nserious[lo:hi], nviol)
    viol_type = np.where(serious, rng.choice(np.array(list("SRW")), n, p=[0.85, 0.12, 0.03]), "O")
    issue = world.insp_issue[insp]
    other_penalty = np.where(rng.random(n) < 0.5, 0.0, rng.lognormal(6, 0.7, n))
    initial = np.where(serious, rng.lognormal(8.2, 0.8, n), other_penalty)
    initial = np.where(viol_type == "W", initial * 10, initial)
    current = initial * np.where(rng.random(n) < 0.6, rng.uniform(0.4, 1.0, n), 1.0)
    contested = (rng.random(n) < 0.08) & (issue + 14 <= HORIZON)
    final_order = issue + rng.integers(15, 200, n)
    insp_type = world.insp_type[insp]
    rec = np.select([insp_type == "A", insp_type == "B", insp_type == "C"], ["A", "C", "R"], "")
    blank = np.full(n, "")
    shown = np.ones(n, dtype=bool)
    return {
        "activity_nr": ACTIVITY_BASE + insp, "citation_id": np.char.add("01", zfill(item.astype(str), 3)),
        "delete_flag": np.where(rng.random(n) < 0.01, "D", ""),
        "standard": np.array(vocab.OSHA_STANDARDS)[rng.integers(0, len(vocab.OSHA_STANDARDS), n)],
        "viol_type": viol_type, "issuance_date": _iso(issue), "abate_date": _iso(issue + rng.integers(10, 60, n)),
        "abate_complete": rng.choice(np.array(["X", "Q", "I", ""]), n, p=[0.6, 0.15, 0.15, 0.1]),
        "current_penalty": _money(current, shown), "initial_penalty": _money(initial, shown),
        "contest_date": _iso(issue + 14, contested), "final_order_date": _iso(final_order, final_order <= HORIZON),
        "nr_instances": rng.integers(1, 4, n), "nr_exposed": rng.integers(1, 60, n), "rec": rec,
        "gravity": np.where(serious, zfill(rng.integers(1, 11, n).astype(str), 2), ""),
        "emphasis": np.where(rng.random(n) < 0.1, "X", ""), "hazcat": blank, "fta_insp_nr": blank,
        "fta_issuance_date": blank, "fta_penalty": blank, "fta_contest_date": blank, "fta_final_order_date": blank,
        "hazsub1": blank, "hazsub2": blank, "hazsub3": blank, "hazsub4": blank, "hazsub5": blank,
        "load_dt": np.full(n, LOAD_STAMP),
    }


def _accident_chunk(world: World, lo: int, hi: int, rng: np.random.Generator) -> tuple[dict, dict]:
    insp = lo + np.flatnonzero(np.isin(world.insp_type[lo:hi], ["A", "M"]))
    n = len(insp)
    summary = SUMMARY_BASE + insp
    fatal = world.insp_type[insp] == "M"
    event_day = world.insp_open[insp] - rng.integers(0, 6, n)
    desc = np.array(vocab.OSHA_ACCIDENT_EVENTS)[rng.integers(0, len(vocab.OSHA_ACCIDENT_EVENTS), n)]
    industry = world.emp_industry[world.wp_employer[world.insp_wp[insp]]]
    construction = np.array([ind[0] == "construction" for ind in vocab.INDUSTRIES])[industry]
    blank = np.full(n, "")
    state = np.array([c[1] for c in vocab.CITIES])[world.wp_city[world.insp_wp[insp]]]
    event_date = fmt_dates(days(event_day), "%m/%d/%Y")
    accidents = {
        "summary_nr": summary, "report_id": np.where(state == "NC", 453710, 522000), "event_date": _iso(event_day),
        "event_time": zfill(rng.integers(0, 2400, n).astype(str), 4), "event_desc": np.char.upper(desc),
        "event_keyword": np.where(fatal, "FATALITY,", ""), "const_end_use": np.where(construction, "A", ""),
        "build_stories": np.where(construction, rng.integers(1, 6, n).astype(str), ""),
        "nonbuild_ht": blank, "project_cost": np.where(construction, "B", ""),
        "project_type": np.where(construction, "A", ""),
        "sic_list": np.array([ind[2] for ind in vocab.INDUSTRIES])[industry],
        "fatality": np.where(fatal, "X", ""), "state_flag": np.where(state == "NC", "S", "F"),
        "abstract_text": join("On ", event_date, ", Employee #1 was injured: ", pc.utf8_lower(pa.array(desc)), "."),
        "load_dt": np.full(n, LOAD_STAMP),
    }
    per = np.where(rng.random(n) < 0.85, 1, rng.integers(2, 4, n))
    acc = np.repeat(np.arange(n), per)
    m = len(acc)
    line = np.arange(m) - np.repeat(np.cumsum(per) - per, per) + 1
    injuries = {
        "summary_nr": summary[acc], "rel_insp_nr": ACTIVITY_BASE + insp[acc], "age": rng.integers(18, 70, m),
        "sex": np.where(rng.random(m) < 0.8, "M", "F"), "nature_of_inj": rng.integers(1, 22, m),
        "part_of_body": rng.integers(1, 31, m), "src_of_injury": rng.integers(1, 47, m),
        "event_type": rng.integers(1, 14, m), "evn_factor": rng.integers(1, 19, m),
        "hum_factor": rng.integers(1, 20, m), "occ_code": rng.integers(1, 900, m),
        "degree_of_inj": np.where(fatal[acc] & (line == 1), "1", np.where(rng.random(m) < 0.6, "2", "3")),
        "task_assigned": np.where(rng.random(m) < 0.85, "1", "2"), "hazsub": np.full(m, ""),
        "const_op": np.where(construction[acc], rng.integers(1, 30, m).astype(str), ""),
        "const_op_cause": np.full(m, ""), "fat_cause": np.full(m, ""), "fall_distance": np.full(m, ""),
        "fall_ht": np.full(m, ""), "injury_line_nr": line, "load_dt": np.full(m, LOAD_STAMP),
    }
    return accidents, injuries


def write_osha(world: World, out: Path, source_map) -> dict[str, int]:
    """Four DOL tables in bounded memory; each inspection's workplace goes to the source map."""
    registry = load_registry()
    folder = out / "osha"
    writers = {name: DelimitedWriter(folder / f"{name}.csv", registry[name])
               for name in ("osha_inspection", "osha_violation", "osha_accident", "osha_accident_injury")}
    chunk = world.scale.osha_chunk
    for k, lo in enumerate(range(0, len(world.insp_wp), chunk)):
        hi = min(lo + chunk, len(world.insp_wp))
        rng = np.random.default_rng([world.seed, 3, k])
        inspections, truth = _inspection_chunk(world, lo, hi, rng)
        writers["osha_inspection"].write(inspections)
        source_map.add("osha_inspection", truth["record_id"], truth["workplace_id"])
        writers["osha_violation"].write(_violation_chunk(world, lo, hi, rng))
        accidents, injuries = _accident_chunk(world, lo, hi, rng)
        writers["osha_accident"].write(accidents)
        writers["osha_accident_injury"].write(injuries)
    return {w.path.name: w.close() for w in writers.values()}

