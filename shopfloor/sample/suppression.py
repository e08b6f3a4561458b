"""The union's suppression list: people who must never appear on a published list.

A few members and organizing contacts asked to be left alone (or must be, for their safety), plus a few people the
union knows of from elsewhere. Each entry names its person the way a staff member types it from a phone call or an
e-mail: by member number, by e-mail or phone in another spelling (upper case, +1, digits only), or by name and ZIP,
the first name sometimes the full given name where the contact wrote a nickname. Publishing must drop every one.

_truth/suppression.parquet holds each entry's person, member number or contact id and how the entry names them.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from shopfloor.layouts import load_registry
from shopfloor.sample import vocab
from shopfloor.sample.world import AS_OF, HORIZON, World, days

SUPPRESSION_FILE = f"suppression_list_{AS_OF}.csv"
LAYOUT = "suppression_list"
MEMBER_SHARE = 0.01
CONTACT_SHARE = 0.05
MIN_ENTRIES = 10
STRANGERS = 3
REASONS = ("Asked not to be contacted", "Safety concern", "Requested removal by e-mail", "Asked by phone call",
           "Legal hold")
# How an entry names its person; cycled so every way appears.
IDENTIFIED_BY = ("member_id", "email", "phone", "name_zip")


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _phone_respelled(phone: str, rnd: random.Random) -> str:
    number = _digits(phone)[-10:]
    return rnd.choice((f"+1 {number[:3]} {number[3:6]} {number[6:]}", number, f"1-{number[:3]}-{number[3:6]}-{number[6:]}"))


def _entry(first: str, last: str, email: str, phone: str, zip5: str, member_id: str, how: str,
           rnd: random.Random) -> tuple[dict[str, str], str]:
    """One file row naming the person by `how`, falling back to e-mail, then name and ZIP, when that is blank."""
    if how == "email" and not email:
        how = "phone" if phone else "name_zip"
    if how == "phone" and not phone:
        how = "email" if email else "name_zip"
    row = {"first_name": "", "last_name": "", "email": "", "phone": "", "zip": "", "member_id": ""}
    if how == "member_id":
        row["member_id"] = member_id
    elif how == "email":
        row["email"] = email.upper() if rnd.random() < 0.5 else f" {email} "
    elif how == "phone":
        row["phone"] = _phone_respelled(phone, rnd)
    else:
        row.update(first_name=first.upper(), last_name=last.upper(), zip=zip5)
    return row, how


def suppression_rows(world: World) -> tuple[dict[str, list[str]], dict[str, list]]:
    """The file's columns and the truth behind each row: members first, then contacts, then strangers."""
    from shopfloor.sample.contacts import contact_rows
    from shopfloor.sample.union import member_rows

    rng = np.random.default_rng([world.seed, 11])
    rnd = random.Random(world.seed * 7 + 11)
    rows: list[dict[str, str]] = []
    truth: dict[str, list] = {"person_id": [], "member_id": [], "contact_id": [], "identified_by": []}

    members = member_rows(world)
    n_members = len(members["Member #"])
    chosen = np.sort(rng.choice(n_members, min(n_members, max(MIN_ENTRIES, int(MEMBER_SHARE * n_members))),
                                replace=False))
    for k, i in enumerate(chosen):
        row, how = _entry(members["First Name"][i], members["Last Name"][i], members["Email"][i],
                          members["Phone"][i], str(members["Zip"][i]), str(members["Member #"][i]),
                          IDENTIFIED_BY[k % len(IDENTIFIED_BY)], rnd)
        rows.append(row)
        truth["person_id"].append(int(i))
        truth["member_id"].append(str(members["Member #"][i]))
        truth["contact_id"].append(None)
        truth["identified_by"].append(how)

    contacts, contact_truth = contact_rows(world)
    # Contacts who did not already ask for it through the export's own flag: the list is their only protection.
    eligible = np.flatnonzero(np.asarray(contacts["do_not_contact"]) == "")
    chosen = np.sort(rng.choice(eligible, min(len(eligible), max(MIN_ENTRIES, int(CONTACT_SHARE * len(eligible)))),
                                replace=False))
    given_names = _given_names(world, contact_truth["person_id"][chosen])
    contact_ways = ("email", "phone", "name_zip")
    for k, i in enumerate(chosen):
        how = contact_ways[k % len(contact_ways)]
        # Staff write down the full given name where the contact typed a nickname: the matcher must see through it.
        first = given_names[k] if how == "name_zip" and k % 2 else contacts["first_name"][i]
        row, how = _entry(first, contacts["last_name"][i], contacts["email"][i], contacts["can2_phone"][i],
                          str(contacts["zip_code"][i]), "", how, rnd)
        rows.append(row)
        truth["person_id"].append(int(contact_truth["person_id"][i]))
        truth["member_id"].append(None)
        truth["contact_id"].append(str(contact_truth["contact_id"][i]))
        truth["identified_by"].append(how)

    for k in range(STRANGERS):
        first, last = rnd.choice(vocab.FIRST_FEMALE + vocab.FIRST_MALE).title(), rnd.choice(vocab.LAST_NAMES).title()
        rows.append({"first_name": "", "last_name": "", "phone": "", "zip": "", "member_id": "",
                     "email": f"{first}.{last}.{k}@example.invalid".lower()})
        for column in truth:
            truth[column].append("email" if column == "identified_by" else None)

    added = days(HORIZON - rng.integers(1, 3 * 365, len(rows)))
    columns = {name: [row[name] for row in rows] for name in ("first_name", "last_name", "email", "phone", "zip",
                                                               "member_id")}
    # Person keys are written by `shopfloor forget` only, never by the union's own list.
    columns["person_key"] = [""] * len(rows)
    columns["reason"] = [rnd.choice(REASONS) for _ in rows]
    columns["added_on"] = [str(day) for day in added]
    return columns, truth


def _given_names(world: World, person_ids: np.ndarray) -> list[str]:
    """The voter-file given names of the people (title case), as a staff member would write them."""
    from shopfloor.sample.people import people_block

    block = world.scale.block
    names = {}
    for b in np.unique(person_ids // block):
        people = people_block(world, int(b))
        for person in person_ids[person_ids // block == b]:
            names[int(person)] = str(people["first"][person - b * block]).title()
    return [names[int(person)] for person in person_ids]


def write_suppression(world: World, out: Path, truth_dir: Path) -> dict[str, int]:
    """suppression/<SUPPRESSION_FILE> and _truth/suppression.parquet; rows written by file name."""
    from shopfloor.sample.writers import write_delimited

    columns, truth = suppression_rows(world)
    count = write_delimited(out / "suppression" / SUPPRESSION_FILE, load_registry()[LAYOUT], columns)
    pq.write_table(pa.table(truth, schema=pa.schema([("person_id", pa.int64()), ("member_id", pa.string()),
                                                     ("contact_id", pa.string()),
                                                     ("identified_by", pa.string())])),
                   truth_dir / "suppression.parquet")
    return {SUPPRESSION_FILE: count}
