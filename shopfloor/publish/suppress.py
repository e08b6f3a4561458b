"""Suppression: who may never appear on a list, decided in DuckDB for every candidate person at once.

A person (a worker_key; a worker may have several contact rows) is suppressed when any of their rows:

- do_not_contact: is flagged do-not-contact (roll or contact export). An unknown flag (NULL) counts as flagged.
- suppression_list: matches an entry of the suppression list, by
    e-mail, trimmed and lower-cased;
    phone, its last 10 digits once an extension ("x12", "ext. 12") is cut (entries with fewer digits never match);
    member id, against the roll's member number (source_system 'union_roll', source_record_id);
    name and ZIP: same ZIP5, last names sharing their first word (Smith-Jones ~ Smith), and first names sharing
    their first letter or being a nickname of one another (Bob ~ Robert, seed nicknames). Names are compared
    upper case, accents dropped, letters and spaces only. This errs toward suppressing a namesake at the same ZIP.
- under_18: may be under 18 on the as-of date by any source: a birth date after the day 18 years before (a
    29 February birthday turns 18 on 1 March), or a birth year (roll, contact or voter record) that leaves a
    birthday in the as-of year still to come: birth_year >= as-of year - 18.
- age_unknown: no source gives a birth date or year. Nobody whose adulthood cannot be shown is published.
- voter_confidential: the matched voter record is confidential (NC confidential_ind), or its flag is unknown.
- voter_removed / voter_denied: the matched voter registration's status is removed (North Carolina removes
    the deceased with reason DECEASED, and those who moved or were convicted; Ohio drops them from its file) or
    denied.

A person counts once per reason that applies; people_suppressed counts each person once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

REASONS = ("do_not_contact", "suppression_list", "under_18", "age_unknown", "voter_confidential", "voter_removed",
           "voter_denied")
# Columns each input relation must have.
PEOPLE_COLUMNS = ("worker_key", "source_system", "source_record_id", "first_name", "last_name", "zip5", "phone",
                  "email", "birth_date", "birth_year", "is_do_not_contact", "voter_state", "voter_id")
ENTRY_COLUMNS = ("first_name", "last_name", "email", "phone", "zip5", "member_id")
VOTER_COLUMNS = ("voter_state", "voter_id", "is_confidential", "registration_status", "birth_year")
NICKNAME_COLUMNS = ("nickname", "given_name")


@dataclass(frozen=True)
class Suppression:
    table: str  # temp table (worker_key, reason), one row per person and reason
    people_checked: int
    people_suppressed: int
    by_reason: dict[str, int]


def eighteen_years_before(as_of: date) -> date:
    """The latest birth date of someone 18 on `as_of`; from 29 February it is 28 February (conservative)."""
    try:
        return as_of.replace(year=as_of.year - 18)
    except ValueError:
        return as_of.replace(year=as_of.year - 18, day=28)


def _name_key(column: str) -> str:
    return (f"nullif(trim(regexp_replace(regexp_replace(upper(strip_accents(coalesce({column}, ''))), "
            f"'[^A-Z -]', '', 'g'), '[ -]+', ' ', 'g')), '')")


def _phone_key(column: str) -> str:
    digits = f"regexp_replace(regexp_replace(lower(coalesce({column}, '')), '(x|ext).*$', ''), '[^0-9]', '', 'g')"
    return f"case when length({digits}) >= 10 then right({digits}, 10) end"


def _email_key(column: str) -> str:
    return f"nullif(lower(trim({column})), '')"


def _zip_key(column: str) -> str:
    return f"nullif(left(trim({column}), 5), '')"


def suppress(con: duckdb.DuckDBPyConnection, people: str, *, as_of: date, entries: str, voters: str,
             nicknames: str, into: str = "publish_suppressed") -> Suppression:
    """Create temp table `into` (worker_key, reason) for every person of `people` who must not be published.

    The arguments name relations with the columns PEOPLE_COLUMNS, ENTRY_COLUMNS, VOTER_COLUMNS (voter_state
    'NC'/'OH', registration_status as staging decodes it) and NICKNAME_COLUMNS.
    """
    adult_born_by = eighteen_years_before(as_of)
    youngest_adult_year = as_of.year - 19  # born that year or before: 18 by 1 January of the as-of year
    con.execute(
        f"""
        create or replace temp table {into} as
        with people as (
            select
                worker_key,
                source_system,
                trim(source_record_id) as source_record_id,
                {_name_key('first_name')} as first_key,
                {_name_key('last_name')} as last_key,
                {_zip_key('zip5')} as zip_key,
                {_email_key('email')} as email_key,
                {_phone_key('phone')} as phone_key,
                birth_date,
                birth_year,
                is_do_not_contact,
                upper(trim(voter_state)) as voter_state,
                trim(voter_id) as voter_id
            from {people}
        ),
        entries as (
            select
                {_name_key('first_name')} as first_key,
                {_name_key('last_name')} as last_key,
                {_zip_key('zip5')} as zip_key,
                {_email_key('email')} as email_key,
                {_phone_key('phone')} as phone_key,
                nullif(trim(member_id), '') as member_id
            from {entries}
        ),
        nickname_pairs as (
            select upper(nickname) as name_a, upper(given_name) as name_b from {nicknames}
            union
            select upper(given_name), upper(nickname) from {nicknames}
        ),
        -- People and entries at the same ZIP whose last names share their first word; first names compared below.
        same_name as (
            select
                people.worker_key,
                split_part(people.first_key, ' ', 1) as person_first,
                split_part(entries.first_key, ' ', 1) as entry_first
            from people
            join entries
                on entries.zip_key = people.zip_key
                and split_part(entries.last_key, ' ', 1) = split_part(people.last_key, ' ', 1)
        ),
        voter_records as (
            select people.worker_key, voters.*
            from people
            join {voters} as voters
                on upper(trim(voters.voter_state)) = people.voter_state and trim(voters.voter_id) = people.voter_id
        ),
        ages as (
            select
                people.worker_key,
                bool_or(
                    people.birth_date > ?::date
                    or people.birth_year > ?
                    or voter_records.birth_year > ?
                ) as may_be_minor,
                bool_and(
                    people.birth_date is null and people.birth_year is null and voter_records.birth_year is null
                ) as age_unknown
            from people
            left join voter_records
                on voter_records.worker_key = people.worker_key
                and upper(trim(voter_records.voter_state)) = people.voter_state
                and trim(voter_records.voter_id) = people.voter_id
            group by people.worker_key
        ),
        reasons as (
            select worker_key, 'do_not_contact' as reason from people where is_do_not_contact is distinct from false
            union all
            select people.worker_key, 'suppression_list'
            from people join entries on entries.email_key = people.email_key
            union all
            select people.worker_key, 'suppression_list'
            from people join entries on entries.phone_key = people.phone_key
            union all
            select people.worker_key, 'suppression_list'
            from people join entries
                on people.source_system = 'union_roll' and entries.member_id = people.source_record_id
            union all
            select same_name.worker_key, 'suppression_list'
            from same_name
            left join nickname_pairs
                on nickname_pairs.name_a = same_name.person_first and nickname_pairs.name_b = same_name.entry_first
            where left(same_name.person_first, 1) = left(same_name.entry_first, 1) or nickname_pairs.name_a is not null
            union all
            select worker_key, 'under_18' from ages where may_be_minor
            union all
            select worker_key, 'age_unknown' from ages where age_unknown
            union all
            select worker_key, 'voter_confidential' from voter_records where is_confidential is distinct from false
            union all
            select worker_key, 'voter_removed' from voter_records where lower(registration_status) = 'removed'
            union all
            select worker_key, 'voter_denied' from voter_records where lower(registration_status) = 'denied'
        )
        select distinct worker_key, reason from reasons
        """,
        [adult_born_by, youngest_adult_year, youngest_adult_year],
    )
    checked, suppressed, counted = con.execute(
        f"""
        select
            (select count(distinct worker_key) from {people}),
            (select count(distinct worker_key) from {into}),
            (select map(list(reason), list(n)) from (select reason, count(*) as n from {into} group by reason))
        """
    ).fetchone()
    return Suppression(
        table=into,
        people_checked=checked,
        people_suppressed=suppressed,
        by_reason={reason: (counted or {}).get(reason, 0) for reason in REASONS},
    )
