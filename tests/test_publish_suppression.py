"""Suppression: across many generated rolls, nobody who must be left out is ever kept, and nobody else is dropped.

Hypothesis draws rolls of people (one or two contact rows each) with do-not-contact flags (true, false,
unknown), birth dates on both sides of the 18th birthday, birth years, voter records of every status and
confidentiality, and a suppression list naming some of them the way staff type it (e-mail in capitals with
spaces, phone with +1 or an extension, member number, name and ZIP with a nickname or accents). The oracle
below is the rule of shopfloor/publish/suppress.py written out plainly in Python.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.publish.suppress import (
    ENTRY_COLUMNS,
    NICKNAME_COLUMNS,
    PEOPLE_COLUMNS,
    REASONS,
    eighteen_years_before,
    suppress,
)

AS_OF = date(2025, 6, 30)
NICKNAMES = [("BOB", "ROBERT"), ("BILL", "WILLIAM"), ("PEPE", "JOSE"), ("BETH", "ELIZABETH")]
FIRST_NAMES = ["Robert", "Bob", "William", "José", "Elizabeth", "Maria", "Tran", "Ann-Marie"]
LAST_NAMES = ["Smith", "García", "O'Brien", "Nguyen", "Smith-Jones", "De La Cruz"]
ZIPS = ["27601", "27603", "44101"]
STATUSES = ["active", "inactive", "temporary", "removed", "denied", None]


def _letters(n: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'BA': a distinct letters-only tag per person."""
    tag = ""
    while True:
        tag = chr(ord("A") + n % 26) + tag
        n //= 26
        if not n:
            return tag


@dataclass
class Row:
    worker_key: str
    source_system: str
    source_record_id: str
    first_name: str
    last_name: str
    zip5: str
    phone: str | None
    email: str | None
    birth_date: date | None
    birth_year: int | None
    is_do_not_contact: bool | None
    voter_state: str | None
    voter_id: str | None


@dataclass
class Roll:
    rows: list[Row]
    voters: list[tuple]  # (voter_state, voter_id, is_confidential, registration_status, birth_year)
    entries: list[tuple]  # ENTRY_COLUMNS
    named: set[str] = field(default_factory=set)  # worker keys an entry was written for


birth_dates = st.one_of(
    st.none(),
    # Around the 18th birthday, where an off-by-one would publish a minor.
    st.integers(-3, 3).map(lambda days: eighteen_years_before(AS_OF) + timedelta(days=days)),
    st.dates(min_value=date(1940, 1, 1), max_value=date(2015, 12, 31)),
    st.sampled_from([date(2008, 2, 29), date(2007, 2, 28), date(2007, 3, 1), date(2007, 6, 30), date(2007, 7, 1)]),
)
birth_years = st.one_of(st.none(), st.integers(AS_OF.year - 80, AS_OF.year - 10))


@st.composite
def rolls(draw) -> Roll:
    n_people = draw(st.integers(1, 12))
    rows, voters, entries, named = [], [], [], set()
    for person in range(n_people):
        key = f"K{person:04d}"
        tag = _letters(person)
        first = draw(st.sampled_from(FIRST_NAMES))
        last = draw(st.sampled_from(LAST_NAMES)).replace("Smith", f"Smith{tag}", 1)
        if not last.startswith("Smith"):
            last = f"{tag}{last}"  # the first word of every last name is this person's own
        zip5 = draw(st.sampled_from(ZIPS))
        phone = f"919555{person:04d}"
        email = f"person{person}@example.org"
        is_member = draw(st.booleans())
        for copy in range(draw(st.integers(1, 2))):
            voter_id = None
            if draw(st.booleans()):
                voter_id = f"NC{person:06d}{copy}"
                voters.append(("NC", voter_id, draw(st.sampled_from([True, False, None])),
                               draw(st.sampled_from(STATUSES)), draw(birth_years)))
            rows.append(Row(
                worker_key=key,
                source_system="union_roll" if is_member and copy == 0 else "organizing_contacts",
                source_record_id=f"{100000 + person}",
                first_name=first, last_name=last, zip5=zip5,
                phone=draw(st.sampled_from([f"({phone[:3]}) {phone[3:6]}-{phone[6:]}", phone, None])),
                email=draw(st.sampled_from([email, email.title(), None])),
                birth_date=draw(birth_dates), birth_year=draw(birth_years),
                is_do_not_contact=draw(st.sampled_from([False, False, False, True, None])),
                voter_state="nc" if voter_id and copy else ("NC" if voter_id else None), voter_id=voter_id,
            ))
        if draw(st.integers(0, 3)) == 0:
            named.add(key)
            mine = [row for row in rows if row.worker_key == key]
            entries.append(draw(_entry_for(key, mine, first, last, zip5, phone, email, is_member)))
    for stranger in range(draw(st.integers(0, 3))):
        entries.append(("Zed", f"Stranger{_letters(stranger)}", f" stranger{stranger}@example.net ",
                        f"212555{stranger:04d}", "10001", f"9{stranger:05d}"))
    return Roll(rows=rows, voters=voters, entries=entries, named=named)


def _strip_accents(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@st.composite
def _entry_for(draw, key: str, rows: list[Row], first: str, last: str, zip5: str, phone: str, email: str,
               is_member: bool) -> tuple:
    """An entry (first, last, email, phone, zip5, member_id) naming the person by an identifier their rows carry,
    as staff would type it."""
    ways = (["email"] * any(row.email for row in rows) + ["phone"] * any(row.phone for row in rows)
            + ["name_zip"] + ["member_id"] * is_member)
    way = draw(st.sampled_from(ways))
    if way == "email":
        return (None, None, draw(st.sampled_from([email.upper(), f"  {email} "])), None, None, None)
    if way == "phone":
        spelled = draw(st.sampled_from([f"+1 {phone[:3]} {phone[3:6]} {phone[6:]}", f"1-{phone}",
                                        f"{phone} ext. 12", f"({phone[:3]}){phone[3:]}x7"]))
        return (None, None, None, spelled, None, None)
    if way == "member_id":
        return (None, None, None, None, None, f" {100000 + int(key[1:])} ")
    given = dict((nick.title(), full.title()) for nick, full in NICKNAMES).get(first, first)
    written = draw(st.sampled_from([first.upper(), _strip_accents(first).lower(), given, first[0]]))
    surname = draw(st.sampled_from([last.upper(), last.split("-")[0], _strip_accents(last)]))
    return (written, surname, None, None, f"{zip5}-1234", None)


def expected_reasons(roll: Roll) -> dict[str, set[str]]:
    """The rule of suppress.py, plainly: reason -> worker keys it applies to."""
    voters = {(state, voter_id): (confidential, status, year)
              for state, voter_id, confidential, status, year in roll.voters}
    cutoff = eighteen_years_before(AS_OF)
    reasons: dict[str, set[str]] = {reason: set() for reason in REASONS}
    by_worker: dict[str, list[Row]] = {}
    for row in roll.rows:
        by_worker.setdefault(row.worker_key, []).append(row)
    for key, rows in by_worker.items():
        ages_known = False
        for row in rows:
            voter = voters.get(((row.voter_state or "").upper(), row.voter_id)) if row.voter_id else None
            if row.is_do_not_contact is not False:
                reasons["do_not_contact"].add(key)
            years = [year for year in (row.birth_year, voter[2] if voter else None) if year is not None]
            if row.birth_date is not None or years:
                ages_known = True
            if (row.birth_date is not None and row.birth_date > cutoff) or any(y >= AS_OF.year - 18 for y in years):
                reasons["under_18"].add(key)
            if voter:
                if voter[0] is not False:
                    reasons["voter_confidential"].add(key)
                if voter[1] in ("removed", "denied"):
                    reasons[f"voter_{voter[1]}"].add(key)
        if not ages_known:
            reasons["age_unknown"].add(key)
    reasons["suppression_list"] = set(roll.named)
    return reasons


PEOPLE_SCHEMA = pa.schema([(column, pa.date32() if column == "birth_date" else pa.int32() if column == "birth_year"
                            else pa.bool_() if column == "is_do_not_contact" else pa.string())
                           for column in PEOPLE_COLUMNS])
VOTER_SCHEMA = pa.schema([("voter_state", pa.string()), ("voter_id", pa.string()), ("is_confidential", pa.bool_()),
                          ("registration_status", pa.string()), ("birth_year", pa.int32())])
ENTRY_SCHEMA = pa.schema([(column, pa.string()) for column in ENTRY_COLUMNS])
NICKNAME_SCHEMA = pa.schema([(column, pa.string()) for column in NICKNAME_COLUMNS])


def _table(con: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema, rows: list) -> None:
    con.register(name, pa.Table.from_pylist([dict(zip(schema.names, row)) for row in rows], schema=schema))


def run_suppression(con: duckdb.DuckDBPyConnection, roll: Roll):
    _table(con, "people", PEOPLE_SCHEMA, [[getattr(row, column) for column in PEOPLE_COLUMNS] for row in roll.rows])
    _table(con, "voters", VOTER_SCHEMA, roll.voters)
    _table(con, "entries", ENTRY_SCHEMA, roll.entries)
    _table(con, "nicknames", NICKNAME_SCHEMA, NICKNAMES)
    result = suppress(con, "people", as_of=AS_OF, entries="entries", voters="voters", nicknames="nicknames")
    found: dict[str, set[str]] = {reason: set() for reason in REASONS}
    for key, reason in con.execute(f"select worker_key, reason from {result.table}").fetchall():
        found[reason].add(key)
    return result, found


CONNECTION = duckdb.connect()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roll=rolls())
def test_nobody_who_must_be_left_out_is_ever_kept(roll):
    result, found = run_suppression(CONNECTION, roll)
    expected = expected_reasons(roll)
    everyone = {row.worker_key for row in roll.rows}
    must_go = set().union(*expected.values())
    kept = everyone - set().union(*found.values())
    assert not kept & must_go, {reason: keys & kept for reason, keys in expected.items() if keys & kept}
    # Exact, not merely safe: every reason finds exactly its people, and nobody else is dropped.
    assert found == expected
    assert result.people_checked == len(everyone)
    assert result.people_suppressed == len(must_go)
    assert result.by_reason == {reason: len(keys) for reason, keys in expected.items()}


def _person(**overrides) -> Row:
    values = dict(worker_key="K1", source_system="organizing_contacts", source_record_id="c-1", first_name="Bob",
                  last_name="Smith-Jones", zip5="27601", phone="(919) 555-0100", email="bob@example.org",
                  birth_date=date(1980, 1, 1), birth_year=None, is_do_not_contact=False, voter_state=None,
                  voter_id=None)
    return Row(**{**values, **overrides})


@pytest.mark.parametrize("entry", [
    ("ROBERT", "SMITH", None, None, "27601", None),  # nickname, first word of a hyphenated name
    ("Bob", "Smith-Jones", None, None, "27601-0001", None),
    (None, None, "BOB@EXAMPLE.ORG ", None, None, None),
    (None, None, None, "1 (919) 555-0100 ext 4", None, None),
])
def test_a_suppression_entry_finds_its_person(entry):
    _, found = run_suppression(duckdb.connect(), Roll(rows=[_person()], voters=[], entries=[entry]))
    assert found["suppression_list"] == {"K1"}


@pytest.mark.parametrize("entry", [
    ("ROBERT", "SMITH", None, None, "27603", None),  # another ZIP
    ("Alice", "Smith-Jones", None, None, "27601", None),  # another first name
    (None, None, None, "555-0100", None, None),  # 7 digits identify nobody
    (None, None, None, None, None, "c-1"),  # a member number only matches the roll
])
def test_an_entry_for_someone_else_leaves_the_person_alone(entry):
    _, found = run_suppression(duckdb.connect(), Roll(rows=[_person()], voters=[], entries=[entry]))
    assert found["suppression_list"] == set()


@pytest.mark.parametrize(("birth_date", "birth_year", "minor"), [
    (eighteen_years_before(AS_OF), None, False),  # 18 today
    (eighteen_years_before(AS_OF) + timedelta(days=1), None, True),  # 18 tomorrow
    (None, AS_OF.year - 18, True),  # a birth year alone: the birthday may still be to come
    (None, AS_OF.year - 19, False),
])
def test_age_is_judged_at_the_as_of_date(birth_date, birth_year, minor):
    roll = Roll(rows=[_person(birth_date=birth_date, birth_year=birth_year)], voters=[], entries=[])
    _, found = run_suppression(duckdb.connect(), roll)
    assert (found["under_18"] == {"K1"}) is minor


def test_a_29_february_birthday_turns_18_on_1_march():
    assert eighteen_years_before(date(2024, 2, 29)) == date(2006, 2, 28)
    con = duckdb.connect()
    run_suppression(con, Roll(rows=[_person(birth_date=date(2008, 2, 29))], voters=[], entries=[]))
    for as_of, minor in ((date(2026, 2, 28), True), (date(2026, 3, 1), False)):
        result = suppress(con, "people", as_of=as_of, entries="entries", voters="voters", nicknames="nicknames")
        reasons = {reason for (reason,) in con.execute(f"select reason from {result.table}").fetchall()}
        assert ("under_18" in reasons) is minor, as_of
