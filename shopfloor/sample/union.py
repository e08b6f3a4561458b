"""The sample union's own exports: the member roll (CSV for some locals, XLSX for the others) and the grievance log.

The union types names, employers and worksites its own way, so they differ from the voter file and the agencies.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import numpy as np

from shopfloor.layouts import load_registry
from shopfloor.sample import names, vocab
from shopfloor.sample.people import as_dates, people_block
from shopfloor.sample.world import AS_OF, HORIZON, World, days, workplace_ids, zfill
from shopfloor.sample.writers import excel_date, fmt_dates, write_delimited, write_xlsx

ROLL_DATE = str(AS_OF)


def strip_accents(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")


def _first_name(first: str, rnd: random.Random) -> str:
    nickname = vocab.NICKNAMES.get(first)
    if nickname and rnd.random() < 0.5:
        return nickname
    value = first.title()
    if rnd.random() < 0.85:
        value = strip_accents(value)
    return names.typo(value, rnd) if rnd.random() < 0.03 else value


def _middle_name(middle: str, rnd: random.Random) -> str:
    roll = rnd.random()
    if not middle or roll < 0.25:
        return ""
    if roll < 0.6:
        return middle[0]
    if roll < 0.65:  # wrong initial typed
        return rnd.choice("ABCDEFGHJKLMNPRSTW")
    return strip_accents(middle.title())


def _last_name(last: str, hyphenated: bool, rnd: random.Random) -> str:
    value = last.title()
    if hyphenated and rnd.random() < 0.5:
        value = value.split("-")[0]
    if rnd.random() < 0.85:
        value = strip_accents(value)
    return names.typo(value, rnd) if rnd.random() < 0.03 else value


def _member_people(world: World) -> dict[str, np.ndarray]:
    """Voter-file attributes of members (people 0..n_members-1), rebuilt from their blocks."""
    parts = []
    for b in range(-(-world.n_members // world.scale.block)):
        parts.append(people_block(world, b))
    return {k: np.concatenate([p[k] for p in parts])[: world.n_members] for k in parts[0]}


def member_rows(world: World) -> dict[str, np.ndarray | list]:
    """Every member-roll column, in the union's spelling, plus the local each member belongs to."""
    rnd = random.Random(world.seed * 7 + 3)
    p = _member_people(world)
    M = world.n_members
    wp = world.person_wp[:M]
    first, middle, last, employer, worksite, address, email, phone = ([] for _ in range(8))
    for i in range(M):
        f = _first_name(p["first"][i], rnd)
        first.append(f)
        middle.append(_middle_name(p["middle"][i], rnd))
        surname = _last_name(p["last"][i], bool(p["hyphenated"][i]), rnd)
        last.append(surname)
        employer.append(rnd.choice(world.wp_union_names[wp[i]]))
        worksite.append(rnd.choice(world.wp_worksite_names[wp[i]]))
        moved = p["moved"][i]
        house = p["new_house"][i] if moved else p["house"][i]
        street = vocab.STREET_NAMES[p["new_street"][i] if moved else p["street"][i]]
        address.append(f"{house} {street.title()} {vocab.STREET_SUFFIXES[p['street_suffix'][i]].title()}")
        pick = p["email_pick"][i]
        domain = ("example.com", "example.net", "example.org", "")[pick]
        email.append(f"{strip_accents(f).lower()}.{strip_accents(surname).lower().replace(' ', '')}@{domain}"
                     if domain else "")
        area = (vocab.NC_AREA_CODES if p["state"][i] == "NC" else vocab.OH_AREA_CODES)[p["area_pick"][i]]
        number = str(p["phone"][i])
        dashed = f"{area}-{number[:3]}-{number[3:]}"
        phone.append(f"({area}) {number[:3]}-{number[3:]}" if rnd.random() < 0.7 else dashed)
    city = np.array([c[0].title() for c in vocab.CITIES])[p["city"]]
    zip5 = np.char.add(np.array([c[3] for c in vocab.CITIES])[p["city"]], zfill(p["zip"].astype(str), 2))
    wp_address = [f"{world.wp_house[w]} {vocab.STREET_NAMES[world.wp_street[w]].title()} "
                  f"{vocab.STREET_SUFFIXES[world.wp_suffix[w]].title()}" for w in wp]
    return {
        "Member #": world.member_no.astype(str), "First Name": first, "Middle": middle, "Last Name": last,
        "Suffix": np.select([p["suffix"] == "JR", p["suffix"] == "SR"], ["Jr", "Sr"], p["suffix"]), "DOB": as_dates(p["birth_day"]),
        "Home Address": address, "City": city, "State": p["state"], "Zip": zip5, "Phone": phone, "Email": email,
        "Employer": employer, "Worksite": worksite, "Worksite Address": wp_address,
        "Job Class": np.array([c[0] for c in vocab.MEMBER_CLASSES])[world.member_class],
        "Hire Date": days(world.member_hire), "Join Date": days(world.member_join),
        "Status": np.array([s[0] for s in vocab.MEMBER_STATUS])[world.member_status],
        "Dues Status": np.array([d[0] for d in vocab.DUES_STATUS])[world.member_dues],
        "Steward": np.where(world.member_steward, "Y", "N"),
        "Org Committee": np.where(world.member_committee, "Y", "N"),
        "Do Not Contact": np.where(world.member_dnc, "Y", "N"),
        "_local": world.wp_local[wp],
    }


def write_members(world: World, out: Path) -> dict[str, int]:
    """Locals at even positions of UNION_LOCALS go to the CSV, the others to the XLSX: no member is in both."""
    registry = load_registry()
    rows = member_rows(world)
    in_csv = rows.pop("_local") % 2 == 0
    date_columns = ("DOB", "Hire Date", "Join Date")
    csv_layout = registry["sample_union_members_csv"]
    csv_cols = {}
    for name in csv_layout.columns:
        values = np.asarray(rows[name])[in_csv]
        csv_cols[name] = fmt_dates(values, "%m/%d/%Y") if name in date_columns else values
    folder = out / "membership"
    counts = {f"members_{ROLL_DATE}.csv": write_delimited(folder / f"members_{ROLL_DATE}.csv", csv_layout, csv_cols)}
    xlsx_layout = registry["sample_union_members_xlsx"]
    columns = []
    for name in xlsx_layout.columns:
        values = np.asarray(rows[name])[~in_csv]
        cells = excel_date(values) if name in date_columns else [v if v != "" else None for v in values.tolist()]
        columns.append(cells)
    counts[f"members_{ROLL_DATE}.xlsx"] = write_xlsx(folder / f"members_{ROLL_DATE}.xlsx", xlsx_layout, zip(*columns))
    return counts


def grievance_rows(world: World) -> dict[str, np.ndarray | list]:
    rnd = random.Random(world.seed * 7 + 5)
    rng = np.random.default_rng([world.seed, 5])
    G = len(world.gr_member)
    category = np.array(vocab.GRIEVANCE_CATEGORIES)[world.gr_category]
    filed = world.gr_filed
    year = days(filed).astype("datetime64[Y]").astype(int) + 1970
    seq = np.zeros(G, dtype=np.int64)
    for y in np.unique(year):  # numbered within each year
        rows = np.flatnonzero(year == y)
        seq[rows] = np.arange(1, len(rows) + 1)
    grievance_no = np.char.add(np.char.add(np.char.add("G-", year.astype(str)), "-"), zfill(seq.astype(str), 4))
    wp = world.sup_wp[world.gr_sup]
    is_open = filed > HORIZON - 150
    step = np.array(vocab.GRIEVANCE_STEPS)[np.minimum(rng.geometric(0.55, G) - 1, 3)]
    outcome = np.where(is_open, "", np.array(vocab.GRIEVANCE_OUTCOMES)[rng.choice(4, G, p=[0.2, 0.35, 0.3, 0.15])])
    money = np.isin(category, ["pay", "overtime"]) & np.isin(outcome, ["Granted", "Settled"])
    settlement = np.where(money, np.round(rng.lognormal(6.0, 1.0, G), 2), np.nan)
    description, employer, worksite = [], [], []
    for i in range(G):
        text = rnd.choice(vocab.GRIEVANCE_TEXT[category[i]])
        if rnd.random() < 0.3:
            text += f". Supervisor {world.sup_name[world.gr_sup[i]].split()[-1]} involved"
        description.append(text)
        employer.append(rnd.choice(world.wp_union_names[wp[i]]))
        worksite.append(rnd.choice(world.wp_worksite_names[wp[i]]))
    return {
        "Grievance No": grievance_no, "Member #": world.member_no[world.gr_member].astype(str),
        "Employer": employer, "Worksite": worksite,
        "Supervisor": np.array(world.sup_name, dtype=object)[world.gr_sup],
        "Article": np.vectorize(vocab.GRIEVANCE_ARTICLES.get)(category), "Category": category,
        "Date Filed": fmt_dates(days(filed), "%m/%d/%Y"),
        "Incident Date": fmt_dates(days(filed - rng.integers(1, 30, G)), "%m/%d/%Y"),
        "Step": step, "Status": np.where(is_open, "Open", "Closed"), "Outcome": outcome,
        "Settlement ($)": np.where(money, np.char.mod("%.2f", settlement), ""), "Description": description,
        "_workplace_id": workplace_ids(wp),
    }


def write_grievances(world: World, out: Path) -> tuple[int, dict]:
    rows = grievance_rows(world)
    workplace = rows.pop("_workplace_id")
    path = out / "grievances" / f"grievance_log_{ROLL_DATE}.csv"
    count = write_delimited(path, load_registry()["sample_union_grievances"], rows)
    return count, {"grievance_id": rows["Grievance No"], "workplace_id": workplace}
