"""The union's organizing contacts: workers who filled in a web form, signed a petition or met an organizer, with
the employer and worksite they gave, as an activist export modeled on Action Network's (its core and can2_ columns
plus the union's custom form fields).

Contacts are coworkers from the world (people with a workplace who are not members), mostly at workplaces no union
represents and clustered at campaign workplaces, a few at represented ones; and at each workplace with an NLRB
election, a few coworkers met before its first petition (the organizing committee). They type their own names and
employers: nicknames, any letter case, a slip of the keyboard, the new address after a move, a short name or the
store brand for the employer. The export has no birth date; a start date only when the worker gave one.

_truth/contacts.parquet holds each contact's person, workplace, true classification, hire date and leader propensity
under the world's LEADER_RULE. See docs/sample_data.md.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from shopfloor.layouts import load_registry
from shopfloor.sample import names, vocab
from shopfloor.sample.people import people_block
from shopfloor.sample.truth import SourceMap
from shopfloor.sample.union import strip_accents
from shopfloor.sample.world import (
    AS_OF,
    EPOCH,
    HORIZON,
    LEADER_RULE,
    World,
    committee_sizes,
    days,
    expected_sigmoid,
    sigmoid,
    workplace_ids,
    zfill,
)
from shopfloor.sample.writers import fmt_dates, write_delimited

CONTACTS_FILE = f"action_network_activists_{AS_OF}.csv"
SOURCE_TABLE = "organizing_contacts"
LAYOUT = "action_network_activists"

# How workers write their job: spellings of each roll classification (the seed
# dbt_project/seeds/organizing/job_title_classifications.csv maps them back), and titles that name no class.
JOB_TITLES = {
    "Production Worker": ("Production Worker", "production", "Line worker", "Production associate"),
    "Material Handler": ("Material Handler", "material handler", "Warehouse associate", "Picker/packer"),
    "Machine Operator": ("Machine Operator", "machine operator", "Machinist", "Press operator"),
    "Maintenance Tech": ("Maintenance Tech", "Maintenance technician", "maintenance", "Mechanic"),
    "CNA": ("CNA", "C.N.A.", "Certified Nursing Assistant", "nursing assistant"),
    "LPN": ("LPN", "L.P.N.", "Licensed Practical Nurse", "nurse (LPN)"),
    "Cashier": ("Cashier", "cashier", "Front end cashier", "Checker"),
    "Driver": ("Driver", "driver", "Truck driver", "CDL driver"),
    "Housekeeper": ("Housekeeper", "housekeeping", "Room attendant", "EVS"),
}
UNMAPPED_JOB_TITLES = ("Associate", "Team member", "Crew", "Staff", "Temp")
SOURCE_CODES = ("web-form", "petition", "house-visit", "worksite-visit", "referral", "event-signup")
SOURCE_CODE_SHARES = (0.35, 0.25, 0.15, 0.12, 0.08, 0.05)
STREET_SUFFIX_WORDS = {"ST": "Street", "AVE": "Avenue", "RD": "Road", "DR": "Drive", "LN": "Lane", "CT": "Court",
                       "BLVD": "Boulevard", "WAY": "Way", "PKWY": "Parkway", "HWY": "Highway", "PL": "Place",
                       "CIR": "Circle"}
# Contacts per member (the sample union knows a quarter as many organizing contacts as it has members), and how much
# more likely a coworker at a campaign workplace, or less likely one at a represented workplace, reached out.
CONTACTS_PER_MEMBER = 0.25
CAMPAIGN_WEIGHT = 12.0
REPRESENTED_WEIGHT = 0.2
CONTACTS_PER_CAMPAIGN = 8
FIRST_CONTACT_FROM = np.datetime64("2017-01-01", "D")
# How many days before a site's first petition its organizing committee was first met (uniform in the range).
COMMITTEE_LEAD_DAYS = (30, 540)


def _top_k(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k indices drawn without replacement with probability proportional to weights (Gumbel top-k), sorted."""
    keys = np.log(weights) + rng.gumbel(size=len(weights))
    return np.sort(np.argpartition(-keys, k - 1)[:k]) if k < len(weights) else np.arange(len(weights))


def choose_contacts(world: World, rng: np.random.Generator) -> np.ndarray:
    """Person ids of the coworkers who are contacts: mostly at a few campaign workplaces no union represents
    (neither the sample union nor one certified after an NLRB win), some scattered elsewhere, a few at represented
    workplaces."""
    first = world.n_members
    coworker_wp = world.person_wp[first: first + world.n_coworkers]
    n_contacts = min(world.n_coworkers, max(200, int(CONTACTS_PER_MEMBER * world.n_members)))
    per_workplace = np.bincount(coworker_wp, minlength=world.n_workplaces)
    represented = world.wp_represented.copy()
    represented[world.el_wp[world.el_won & (world.el_type != "RD")]] = True
    open_shops = np.flatnonzero(~represented & (per_workplace > 0))
    n_campaigns = min(len(open_shops), max(5, n_contacts // CONTACTS_PER_CAMPAIGN))
    campaign = np.zeros(world.n_workplaces, dtype=bool)
    campaign[open_shops[_top_k(rng, per_workplace[open_shops].astype(float) ** 2, n_campaigns)]] = True
    weight = (np.where(campaign[coworker_wp], CAMPAIGN_WEIGHT, 1.0)
              * np.where(represented[coworker_wp], REPRESENTED_WEIGHT, 1.0))
    return first + _top_k(rng, weight, n_contacts)


def _people(world: World, person_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Voter-file attributes of the given (sorted) people, rebuilt block by block."""
    block = world.scale.block
    parts = []
    for b in np.unique(person_ids // block):
        rows = person_ids[person_ids // block == b] - b * block
        parts.append({k: v[rows] for k, v in people_block(world, int(b)).items()})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _self_typed(name: str, rnd: random.Random) -> str:
    """A name as its owner types it into a form: mostly capitalized, sometimes all lower or upper case."""
    roll = rnd.random()
    value = name.lower() if roll < 0.12 else name.upper() if roll < 0.2 else name.title()
    return names.typo(value, rnd) if rnd.random() < 0.02 else value


def _first_name(first: str, rnd: random.Random) -> str:
    nickname = vocab.NICKNAMES.get(first)
    return _self_typed(nickname if nickname and rnd.random() < 0.4 else first, rnd)


def _last_name(last: str, hyphenated: bool, rnd: random.Random) -> str:
    return _self_typed(last.split("-")[0] if hyphenated and rnd.random() < 0.4 else last, rnd)


def _street(house: int, street: str, suffix: str, rnd: random.Random) -> str:
    spelled = STREET_SUFFIX_WORDS[suffix] if rnd.random() < 0.35 else suffix.title()
    return f"{house} {street.title()} {spelled}"


def _phone(area: str, number: str, rnd: random.Random) -> str:
    return rnd.choice((f"({area}) {number[:3]}-{number[3:]}", f"{area}-{number[:3]}-{number[3:]}",
                       f"{area}{number}", f"+1{area}{number}"))


def _employer(world: World, w: int, rnd: random.Random) -> str:
    """The employer as a worker writes it: an OSHA-style legal name, or the union's kind of short name or brand."""
    e = world.wp_employer[w]
    if rnd.random() < 0.25:
        return rnd.choice(world.wp_osha_names[w]).title()
    name = names.union_name(world.emp_name[e], world.emp_dba[e], rnd)
    return name.lower() if rnd.random() < 0.1 else name


def choose_committee_contacts(world: World, taken: np.ndarray,
                              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Person ids (sorted) and first-contact days of an organizing committee at each workplace with an NLRB
    election: coworkers there who are not already contacts, COMMITTEE_SHARE of the first petitioned
    unit (at least one, at most COMMITTEE_CAP), each first met some weeks to a year and a half before the site's
    first petition. Real unions know workers before they file; these contacts carry the site's civic habits (their
    registration and turnout follow its worker_voter_participation) into the warehouse before the petition."""
    wanted, petition = committee_sizes(world.el_wp, world.el_petition, world.el_unit_size, world.n_workplaces)

    coworkers = world.n_members + np.arange(world.n_coworkers)
    candidates = coworkers[(wanted[world.person_wp[coworkers]] > 0) & ~np.isin(coworkers, taken)]
    site = world.person_wp[candidates]
    order = np.lexsort((rng.random(len(candidates)), site))
    starts = np.r_[0, np.flatnonzero(np.diff(site[order])) + 1]
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    chosen = np.sort(candidates[order[rank < wanted[site[order]]]])
    before = petition[world.person_wp[chosen]]
    first_contact = np.maximum(before - rng.integers(COMMITTEE_LEAD_DAYS[0], COMMITTEE_LEAD_DAYS[1], len(chosen)), 0)
    known = first_contact < before
    return chosen[known], first_contact[known].astype(np.int32)


def contact_rows(world: World) -> tuple[dict[str, object], dict[str, object]]:
    """Every export column in the layout's header spelling, and the truth behind each row: the campaign contacts,
    then the organizing committees of NLRB election sites (their own random stream, so adding them changes no
    other generated value)."""
    rng = np.random.default_rng([world.seed, 7])
    campaign_ids = choose_contacts(world, rng)
    campaign = _contact_batch(world, campaign_ids, None, rng, random.Random(world.seed * 7 + 7))
    committee_rng = np.random.default_rng([world.seed, 7, 1])
    committee_ids, committee_first_contact = choose_committee_contacts(world, campaign_ids, committee_rng)
    committee = _contact_batch(world, committee_ids, committee_first_contact, committee_rng,
                               random.Random(f"organizing-committees-{world.seed}"))
    return tuple({key: np.concatenate([np.asarray(a[key]), np.asarray(b[key])]) for key in a}
                 for a, b in zip(campaign, committee))


def _contact_batch(world: World, person_ids: np.ndarray, first_contact: np.ndarray | None, rng: np.random.Generator,
                   rnd: random.Random) -> tuple[dict[str, object], dict[str, object]]:
    """Export columns and truth of the given (sorted) people; first contacts drawn recent unless given."""
    n = len(person_ids)
    p = _people(world, person_ids)
    wp = world.person_wp[person_ids]

    contact_id = np.array([f"{a:08x}-{b >> 16:04x}-4{b & 0xfff:03x}-{8 | c >> 30:x}{c >> 16 & 0xfff:03x}-"
                           f"{c & 0xffff:04x}{d:08x}"
                           for a, b, c, d in rng.integers(0, 2**32, (n, 4), dtype=np.uint64).tolist()])
    if first_contact is None:
        # Most campaign contacts are recent: campaigns run hot for a year or two.
        horizon_day = HORIZON - 1
        earliest = int((FIRST_CONTACT_FROM - EPOCH).astype(int))
        first_contact = np.clip(horizon_day - rng.exponential(500, n), earliest, horizon_day).astype(np.int32)
    class_p = np.array([c[1] for c in vocab.MEMBER_CLASSES])
    classification = rng.choice(len(vocab.MEMBER_CLASSES), n, p=class_p / class_p.sum())
    hire = np.minimum(rng.integers(-15 * 365, HORIZON - 60, n), first_contact - 14).astype(np.int32)
    gave_start_date = rng.random(n) < 0.4
    gave_address = rng.random(n) < 0.9
    gave_phone = rng.random(n) < 0.7
    email_status = rng.choice(np.array(["subscribed", "unsubscribed", "bouncing"]), n, p=[0.88, 0.08, 0.04])
    sms_status = np.where(gave_phone, np.where(rng.random(n) < 0.9, "subscribed", "unsubscribed"), "")
    do_not_contact = rng.random(n) < 0.03
    source_code = np.array(SOURCE_CODES)[rng.choice(len(SOURCE_CODES), n, p=SOURCE_CODE_SHARES)]

    first, last, email, phone, address = [], [], [], [], []
    employer, worksite, worksite_address, worksite_city, worksite_state, job_title = ([] for _ in range(6))
    class_names = [c[0] for c in vocab.MEMBER_CLASSES]
    for i in range(n):
        f = _first_name(p["first"][i], rnd)
        surname = _last_name(p["last"][i], bool(p["hyphenated"][i]), rnd)
        first.append(f)
        last.append(surname)
        local = re.sub(r"[^a-z0-9.]", "", strip_accents(f"{f}.{surname}").lower())
        email.append(f"{local}{rnd.randrange(100) if rnd.random() < 0.4 else ''}@"
                     f"{('example.com', 'example.net', 'example.org')[p['email_pick'][i] % 3]}")
        area = (vocab.NC_AREA_CODES if p["state"][i] == "NC" else vocab.OH_AREA_CODES)[p["area_pick"][i]]
        phone.append(_phone(area, str(p["phone"][i]), rnd) if gave_phone[i] else "")
        moved = p["moved"][i]
        address.append(_street(p["new_house"][i] if moved else p["house"][i],
                               vocab.STREET_NAMES[p["new_street"][i] if moved else p["street"][i]],
                               vocab.STREET_SUFFIXES[p["street_suffix"][i]], rnd) if gave_address[i] else "")
        w = wp[i]
        employer.append(_employer(world, w, rnd))
        city, state = vocab.CITIES[world.wp_city[w]][:2]
        noun = vocab.INDUSTRIES[world.emp_industry[world.wp_employer[w]]][5][0]
        worksite.append(names.worksite_name(city, vocab.STREET_NAMES[world.wp_street[w]], int(world.wp_store[w]),
                                            noun, rnd) if rnd.random() < 0.5 else "")
        worksite_address.append(_street(world.wp_house[w], vocab.STREET_NAMES[world.wp_street[w]],
                                        vocab.STREET_SUFFIXES[world.wp_suffix[w]], rnd)
                                if rnd.random() < 0.8 else "")
        given_city = rnd.random() < 0.9
        worksite_city.append(city.title() if given_city else "")
        worksite_state.append(state if given_city else "")
        roll = rnd.random()
        job_title.append(rnd.choice(JOB_TITLES[class_names[classification[i]]]) if roll < 0.8
                         else rnd.choice(UNMAPPED_JOB_TITLES) if roll < 0.9 else "")

    home_city = np.array([c[0].title() for c in vocab.CITIES])[p["city"]]
    zip5 = np.char.add(np.array([c[3] for c in vocab.CITIES])[p["city"]], zfill(p["zip"].astype(str), 2))
    columns = {
        "uuid": contact_id, "first_name": first, "last_name": last, "email": email, "can2_phone": phone,
        "can2_user_address": address, "can2_user_city": np.where(gave_address, home_city, ""),
        "can2_state_abbreviated": p["state"], "zip_code": zip5, "can2_country": np.full(n, "US"),
        "can2_subscription_status": email_status, "can2_sms_status": sms_status,
        "created_date": fmt_dates(days(first_contact), "%Y-%m-%d"), "source_code": source_code,
        "employer": employer, "worksite": worksite, "worksite_address": worksite_address,
        "worksite_city": worksite_city, "worksite_state": worksite_state, "job_title": job_title,
        "start_date": fmt_dates(days(hire), "%Y-%m-%d", missing=~gave_start_date),
        "do_not_contact": np.where(do_not_contact, "Yes", ""),
    }
    truth = {
        "contact_id": contact_id, "person_id": person_ids.astype(np.int64), "workplace_id": workplace_ids(wp),
        "workplace_represented": world.wp_represented[wp],
        "classification": np.array(class_names)[classification], "hire_date": days(hire),
        "start_date_exported": gave_start_date, "first_contact_date": days(first_contact),
        "is_do_not_contact": do_not_contact | (email_status == "unsubscribed"),
        **_leader_truth(world, person_ids, p, classification, hire, rng),
    }
    return columns, truth


def _leader_truth(world: World, person_ids: np.ndarray, p: dict, classification: np.ndarray, hire: np.ndarray,
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The world's LEADER_RULE applied to a contact as of AS_OF. Contacts are not members: tenure is years since
    hire (members: since joining), grievances filed are 0 (only members file them)."""
    lr = LEADER_RULE
    birth_year = days(p["birth_day"]).astype("datetime64[Y]").astype(int) + 1970
    age = 2025 - birth_year
    band = np.select([age < 25, age < 35, age < 55], ["<25", "25-34", "35-54"], "55+")
    tenure = (HORIZON - hire) / 365.25
    class_effect = np.array([c[2] for c in vocab.MEMBER_CLASSES])[classification]
    registered = world.person_registered[person_ids]
    z = (lr["intercept"] + lr["tenure_years"] * tenure + class_effect
         + lr["voter_propensity_if_registered"] * world.person_propensity[person_ids] * registered
         + np.vectorize(lr["age_band_effect"].get)(band))
    drawn = sigmoid(z + rng.normal(0, lr["noise_sd"], len(person_ids)))
    return {"tenure_years": tenure, "age_band": band, "is_registered": registered,
            "true_probability": expected_sigmoid(z, lr["noise_sd"]), "is_leader": rng.random(len(person_ids)) < drawn}


def write_contacts(world: World, out: Path, truth_dir: Path, source_map: SourceMap) -> dict[str, int]:
    """contacts/<CONTACTS_FILE>, _truth/contacts.parquet and the contacts' rows of the source map."""
    columns, truth = contact_rows(world)
    count = write_delimited(out / "contacts" / CONTACTS_FILE, load_registry()[LAYOUT], columns)
    pq.write_table(pa.table(truth), truth_dir / "contacts.parquet")
    source_map.add(SOURCE_TABLE, truth["contact_id"], truth["workplace_id"])
    return {CONTACTS_FILE: count}
