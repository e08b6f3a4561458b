"""NLRB exports: election tallies (FOIA xlsx for older elections, "Recent Election Results" CSV for newer ones) and
the case-search CSV of C and R cases. Each election lives in exactly one tally file, with one row per tally."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from shopfloor.layouts import load_registry
from shopfloor.sample import vocab
from shopfloor.sample.world import AS_OF, FOIA_CUTOFF, HORIZON, World, days, workplace_ids
from shopfloor.sample.writers import excel_date, fmt_dates, write_delimited, write_xlsx

FOIA_TITLE = "Elections held between January 1, 2000 and November 30, 2021"
_UNIT_GROUPS = {
    "hospital": "Registered Nurses", "nursing_home": "certified nursing assistants, dietary and housekeeping employees",
    "university": "graduate student employees", "retail": "sales associates, stockers and cashiers",
    "grocery": "clerks, stockers and meat department employees", "hotel": "housekeeping and food service employees",
    "warehouse": "warehouse associates and forklift operators", "trucking": "drivers and dockworkers",
    "call_center": "customer service representatives", "construction": "carpenters and laborers",
}


def _union_label(world: World, e: int, rnd: random.Random) -> str:
    if world.el_union[e] >= 0:
        return vocab.OTHER_UNIONS[world.el_union[e]]
    local = world.wp_local[world.el_wp[e]]
    number = vocab.UNION_LOCALS[local] if local >= 0 else rnd.choice(vocab.UNION_LOCALS)
    return f"{vocab.UNION_NAME}, Local {number}"


def _votes(rng: np.random.Generator, eligible: int, won: bool) -> tuple[int, int, int]:
    """(for, against, void) with the majority the outcome needs; a tie loses."""
    valid = max(1, int(round(eligible * rng.uniform(0.75, 0.97))))
    share = rng.uniform(0.53, 0.85) if won else rng.uniform(0.15, 0.49)
    yes = min(int(round(valid * share)), valid)
    if won and yes * 2 <= valid:
        yes = valid // 2 + 1
    if not won and yes * 2 > valid:
        yes = valid // 2
    return yes, valid - yes, int(rng.random() < 0.3)


def _unit_text(world: World, e: int) -> str:
    w = world.el_wp[e]
    industry = vocab.INDUSTRIES[world.emp_industry[world.wp_employer[w]]][0]
    group = _UNIT_GROUPS.get(industry, "production and maintenance employees")
    city, state = vocab.CITIES[world.wp_city[w]][0].title(), vocab.CITIES[world.wp_city[w]][1]
    street = f"{world.wp_house[w]} {vocab.STREET_NAMES[world.wp_street[w]].title()} " \
             f"{vocab.STREET_SUFFIXES[world.wp_suffix[w]].title()}"
    return (f"Included: All full-time and regular part-time {group} employed by the Employer at its {street}, "
            f"{city}, {state} facility.\n\nExcluded: All office clerical employees, managers, guards and "
            f"supervisors as defined in the Act.")


def election_tallies(world: World) -> tuple[list[dict], dict[str, np.ndarray]]:
    """One dict per tally (Initial, Rerun, Run-off) plus per-election facts (final tally date, file, closed date)."""
    rng = np.random.default_rng([world.seed, 4])
    rnd = random.Random(world.seed * 7 + 4)
    E = len(world.el_wp)
    tallies: list[dict] = []
    final_tally = np.zeros(E, dtype=np.int32)
    closed_day = np.zeros(E, dtype=np.int32)
    case_name: dict[str, str] = {}
    for e in range(E):
        won = bool(world.el_won[e])
        eligible = int(world.el_unit_size[e])
        case = str(world.el_case[e])
        name = case_name.setdefault(case, rnd.choice(world.wp_nlrb_names[world.el_wp[e]]))
        union1 = _union_label(world, e, rnd)
        two = world.el_type[e] != "RD" and rng.random() < 0.08
        union2 = rnd.choice([u for u in vocab.OTHER_UNIONS if u != union1]) if two else ""
        day = int(world.el_tally[e])
        base = {"case": case, "unit": str(world.el_unit[e]), "name": name, "e": e, "eligible": eligible,
                "union1": union1, "union2": union2, "two": two, "unit_text": _unit_text(world, e)}
        kind = rng.random()
        rows = []
        if two and kind < 0.5:  # nobody has a majority: runoff between the union and "no union"
            yes, against, void = _votes(rng, eligible, False)
            split = rng.uniform(0.55, 0.7)
            first = int(yes * split)
            rows.append(dict(base, type="Initial", day=day, v1=first, v2=yes - first, against=against, void=void,
                             runoff="Y", certify=""))
            yes, against, void = _votes(rng, eligible, won)
            day += int(rng.integers(21, 45))
            rows.append(dict(base, type="Run-off", day=day, v1=yes, v2=0, against=against, void=void, runoff="",
                             certify=union1 if won else ""))
        elif kind < 0.05:  # objections set the first tally aside
            yes, against, void = _votes(rng, eligible, not won)
            rows.append(dict(base, type="Initial", day=day, v1=yes, v2=0, against=against, void=void, runoff="N",
                             certify=""))
            yes, against, void = _votes(rng, eligible, won)
            day += int(rng.integers(60, 150))
            rows.append(dict(base, type="Rerun", day=day, v1=yes, v2=0, against=against, void=void, runoff="N",
                             certify=union1 if won else ""))
        else:
            yes, against, void = _votes(rng, eligible, won)
            second = int(yes * rng.uniform(0.1, 0.3)) if two else 0
            rows.append(dict(base, type="Initial", day=day, v1=yes - second, v2=second, against=against, void=void,
                             runoff="N" if rng.random() < 0.5 else "", certify=union1 if won else ""))
        final_tally[e] = day
        closed_day[e] = day + int(rng.integers(8, 60))
        for row in rows:
            row["challenged"] = int(rng.poisson(0.7))
            row["determinative"] = "Y" if row["challenged"] > abs(row["v1"] + row["v2"] - row["against"]) else \
                ("N" if row["challenged"] else "")
        tallies.extend(rows)
    first_tally = days(world.el_tally)
    return tallies, {"final_tally": final_tally, "closed": closed_day, "in_foia": first_tally < FOIA_CUTOFF}


def write_nlrb(world: World, out: Path, source_map) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    registry = load_registry()
    folder = out / "nlrb"
    tallies, facts = election_tallies(world)
    in_foia = facts["in_foia"]
    closed = facts["closed"]
    counts = {}

    def is_closed(e):
        return closed[e] <= HORIZON

    foia_rows = []
    for t in tallies:
        e = t["e"]
        if not in_foia[e]:
            continue
        w = world.el_wp[e]
        tally = days(np.array([t["day"]]))
        mail = tally[0] >= np.datetime64("2020-04-01") and t["day"] % 3 != 0
        foia_rows.append([
            t["case"], t["name"], vocab.CITIES[world.wp_city[w]][0].title(), vocab.CITIES[world.wp_city[w]][1],
            "Closed" if is_closed(e) else "Open", excel_date(days(world.el_petition[e:e + 1]))[0],
            excel_date(days(closed[e:e + 1]))[0] if is_closed(e) else None,
            ("Certification of Representative" if world.el_won[e] else "Certification of Results")
            if is_closed(e) else None,
            "Mail" if mail else "Manual", excel_date(tally - 21)[0] if mail else None,
            excel_date(tally)[0] if mail else None, None if mail else excel_date(tally)[0],
            excel_date(tally)[0], excel_date(tally)[0], t["type"],
            "Two Labor Organizations" if t["two"] else "Single Labor Organization", t["unit"],
            "N" if t["day"] % 5 else None, t["eligible"], t["void"], t["union1"], t["v1"], t["union2"] or None,
            t["v2"], None, 0, t["against"], t["v1"] + t["v2"] + t["against"], t["challenged"],
            t["determinative"] or None, t["runoff"] or None, t["certify"] or None, t["unit_text"],
            t["unit_text"].replace("\n\n", " ").replace("Included: ", "").replace("Excluded: ", "but excluding "),
        ])
    counts["election_results_foia.xlsx"] = write_xlsx(folder / "election_results_foia.xlsx",
                                                      registry["nlrb_foia_tallies"], foia_rows, (FOIA_TITLE, "", ""))

    recent = [t for t in tallies if not in_foia[t["e"]]]
    e_idx = np.array([t["e"] for t in recent], dtype=np.int64)
    region_name = np.array([vocab.NLRB_REGIONS[c[1]][1] for c in vocab.CITIES])
    city_idx = world.wp_city[world.el_wp[e_idx]]
    closed_mask = closed[e_idx] <= HORIZON
    unit = np.array([t["unit"] for t in recent])
    unit_text = np.array([t["unit_text"] for t in recent], dtype=object)
    reason = np.where(world.el_won[e_idx], "Certific. of Representative", "Certification of Results")
    cols = {
        "Region": region_name[city_idx], "Case Number": [t["case"] for t in recent],
        "Case Name": [t["name"] for t in recent], "Status": np.where(closed_mask, "Closed", "Open"),
        "Date Filed": fmt_dates(days(world.el_petition[e_idx]), "%m/%d/%Y"),
        "Date Closed": fmt_dates(days(closed[e_idx]), "%m/%d/%Y", ~closed_mask),
        "Reason Closed": np.where(closed_mask, reason, ""),
        "City": np.array([c[0].title() for c in vocab.CITIES])[city_idx],
        "States & Territories": np.array([c[1] for c in vocab.CITIES])[city_idx], "Unit ID": unit,
        "Ballot Type": ["Two Labor Organizations" if t["two"] else "Single Labor Organization" for t in recent],
        "Tally Type": [t["type"] for t in recent],
        "Tally Date": fmt_dates(days(np.array([t["day"] for t in recent], dtype=np.int64)), "%m/%d/%Y"),
        "No of Eligible Voters": [t["eligible"] for t in recent], "Void Ballots": [t["void"] or "" for t in recent],
        "Labor Union1": [t["union1"] for t in recent], "Votes for Labor Union1": [t["v1"] for t in recent],
        "Labor Union2": [t["union2"] for t in recent],
        "Votes for Labor Union2": [t["v2"] if t["two"] else "" for t in recent],
        "Labor Union3": np.full(len(recent), ""), "Votes for Labor Union3": np.full(len(recent), ""),
        "Votes Against": [t["against"] for t in recent],
        "Total Ballots Counted": [t["v1"] + t["v2"] + t["against"] for t in recent],
        "Runoff Required": [t["runoff"] for t in recent],
        "Challenged Ballots": [t["challenged"] or "" for t in recent],
        "Challenges are Determinative": [t["determinative"] for t in recent],
        "Union to Certify": [t["certify"] for t in recent],
    }
    for letter in "ABCD":
        cols[f"Voting Unit (Unit {letter})"] = np.where(unit == letter, unit_text, "")
    cols = {k: np.asarray(v).astype(str) if isinstance(v, list) else v for k, v in cols.items()}
    name = f"recent_election_results_{str(AS_OF).replace('-', '')}.csv"
    counts[name] = write_delimited(folder / name, registry["nlrb_recent_results"], cols)

    for file_table, mask in (("nlrb_election_tallies", in_foia), ("nlrb_recent_election_results", ~in_foia)):
        source_map.add(file_table, world.el_case[mask], workplace_ids(world.el_wp[mask]), world.el_unit[mask])

    counts["case_search.csv"] = _write_cases(world, folder / "case_search.csv", registry["nlrb_case_search"],
                                             tallies, closed, source_map)
    return counts, facts


def _write_cases(world: World, path: Path, layout, tallies, closed, source_map) -> int:
    """R cases (one row per case, first unit) and CA/CB charges, with multi-line Allegations and Participants."""
    rng = np.random.default_rng([world.seed, 6])
    rnd = random.Random(world.seed * 7 + 6)
    first_of_case = {}
    for t in tallies:
        first_of_case.setdefault(t["case"], t)
    rows: list[dict] = []
    for case, t in first_of_case.items():
        e = t["e"]
        w = world.el_wp[e]
        city, state = vocab.CITIES[world.wp_city[w]][0].title(), vocab.CITIES[world.wp_city[w]][1]
        done = closed[e] <= HORIZON
        rows.append({
            "Case Type": "R", "Region": vocab.NLRB_REGIONS[state][1], "Case Number": case, "Case Name": t["name"],
            "Status": "Closed" if done else "Open", "filed": world.el_petition[e], "closed": closed[e] if done else -1,
            "Reason Closed": ("Certific. of Representative" if world.el_won[e] else "Certification of Results")
            if done else "", "City": city, "States & Territories": state,
            "Employees on charge/petition": str(t["eligible"]), "Allegations": "",
            "Participants": f"Petitioner, Union, {t['union1']}, {city}, {state}\n"
                            f"Employer, Employer, {t['name']}, {city}, {state}\n",
            "Union": t["union1"], "Unit Sought": t["unit_text"], "Voters": str(t["eligible"]), "wp": w,
        })
    for k in range(len(world.ulp_wp)):
        w = world.ulp_wp[k]
        city, state = vocab.CITIES[world.wp_city[w]][0].title(), vocab.CITIES[world.wp_city[w]][1]
        employer = rnd.choice(world.wp_nlrb_names[w])
        filed = int(world.ulp_day[k])
        end = filed + int(rng.integers(60, 700))
        done = end <= HORIZON
        if world.ulp_against_union[k]:
            local = vocab.UNION_LOCALS[world.wp_local[w]]
            union = f"{vocab.UNION_NAME}, Local {local}"
            name = f"{union} ({employer})"
            allegations = rnd.sample(vocab.ULP_ALLEGATIONS_CB, 1)
            participants = (f"Charging Party, Individual\nCharged Party / Respondent, Union, {union}, {city}, {state}\n"
                            f"Involved Party, Employer, {employer}, {city}, {state}\n")
        else:
            name = employer
            allegations = rnd.sample(vocab.ULP_ALLEGATIONS_CA, rnd.randint(1, 3))
            charging_union = f"Charging Party, Union, {rnd.choice(vocab.OTHER_UNIONS)}, {city}, {state}"
            charging = rnd.choice(("Charging Party, Individual", charging_union))
            participants = f"{charging}\nCharged Party / Respondent, Employer, {employer}, {city}, {state}\n"
        rows.append({
            "Case Type": "C", "Region": vocab.NLRB_REGIONS[state][1], "Case Number": str(world.ulp_case[k]),
            "Case Name": name, "Status": "Closed" if done else "Open", "filed": filed, "closed": end if done else -1,
            "Reason Closed": rnd.choice(vocab.CASE_REASONS_C) if done else "", "City": city,
            "States & Territories": state,
            "Employees on charge/petition": str(max(1, int(world.wp_size[w] * rng.uniform(0.5, 1.5)))),
            "Allegations": "\n".join(allegations) + "\n", "Participants": participants, "Union": "",
            "Unit Sought": "", "Voters": "", "wp": w,
        })
    rows.sort(key=lambda r: (r["filed"], r["Case Number"]))
    filed = np.array([r["filed"] for r in rows], dtype=np.int64)
    end = np.array([r["closed"] for r in rows], dtype=np.int64)
    cols = {c: np.array([r.get(c, "") for r in rows], dtype=object).astype(str) for c in layout.columns}
    cols["Date Filed"] = fmt_dates(days(filed), "%m/%d/%Y")
    cols["Date Closed"] = fmt_dates(days(np.maximum(end, 0)), "%m/%d/%Y", end < 0)
    source_map.add("nlrb_cases", cols["Case Number"], workplace_ids(np.array([r["wp"] for r in rows])))
    return write_delimited(path, layout, cols)
