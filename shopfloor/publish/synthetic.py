"""Contract-shaped stand-ins for everything publishing reads, at any size, for tests and bench/publish.py.

Every relation of lists.REQUIRED_INPUTS (and the experiments tables) is written with the columns of the shared
table contracts, from DuckDB set operations: a few seconds at state scale. Values come from hash(), so the same
arguments give the same tables. People include the cases suppression must catch: do-not-contact flags, entries on
the suppression list (by e-mail, phone, member id, name and ZIP), minors, unknown ages, confidential, removed and
denied voter records.
"""

from __future__ import annotations

from datetime import date

import duckdb

AS_OF = date(2025, 6, 30)
STATES = ("NC", "OH", "SC", "VA")


def _u(seed: int, salt: int, column: str) -> str:
    """A uniform draw in [0, 1) from a column, stable for the same seed and salt."""
    return f"((hash({column}, {seed}, {salt}) % 1000003) / 1000003.0)"


def write_synthetic_inputs(con: duckdb.DuckDBPyConnection, *, workplaces: int, workers_per_workplace: int,
                           voters: int | None = None, seed: int = 7, experiments: bool = True,
                           as_of: date = AS_OF) -> None:
    """Create (or replace) every input relation of the lists in the database `con` is connected to.

    `voters` registrations exist in all (default: one per worker); workers with a voter link point into them.
    """
    n_workers = workplaces * workers_per_workplace
    voters = max(voters or n_workers, n_workers)
    for schema in ("models", "marts", "intermediate", "staging", *(("experiments",) if experiments else ())):
        con.execute(f"create schema if not exists {schema}")
    states = ", ".join(f"'{state}'" for state in STATES)
    con.execute(
        f"""
        create or replace table marts.mart_workplaces as
        select
            printf('W%07d', i) as workplace_id,
            ?::date as as_of_date,
            printf('E%06d', i // 3) as employer_id,
            printf('EMPLOYER %d LLC', i // 3) as employer_name,
            printf('SITE %d', i) as workplace_name,
            printf('CITY %d', i % 40) as city,
            case when i % 97 = 0 then null else [{states}][1 + i % {len(STATES)}] end as state,
            printf('%05d', 27000 + i % 900) as zip5,
            ['31', '44', '62', '48'][1 + i % 4] as naics_sector,
            cast(5 + floor({_u(seed, 1, 'i')} * 400) as integer) as workplace_size,
            i % 5 = 0 as is_represented,
            cast(case when i % 5 = 0 then 10 + i % 30 else i % 3 end as integer) as members,
            cast(floor({_u(seed, 2, 'i')} * 6) as integer) as osha_serious_violations_5y,
            case when i % 4 = 0 then ?::date - cast(100 + i % 2000 as integer) end as last_election_on,
            case when i % 4 = 0 then 'RC' end as last_election_case_type,
            case when i % 4 = 0 then i % 8 = 0 end as last_election_union_won,
            cast(i % 4 as integer) as ulp_charges_against_employer_3y,
            cast(case when i % 5 = 0 then i % 7 else 0 end as integer) as grievances_12m
        from range({workplaces}) as t(i)
        """,
        [as_of, as_of],
    )
    con.execute(
        f"""
        create or replace table models.workplace_scores as
        select
            workplace_id,
            as_of_date,
            {_u(seed, 3, 'workplace_id')} as win_probability,
            'Serious OSHA violations in the last 5 years' as reason_1,
            'Unfair labor practice charges against the employer' as reason_2,
            'Small unit' as reason_3,
            'win-synthetic-1' as model_version
        from marts.mart_workplaces
        where not is_represented
        """
    )
    con.execute(
        """
        create or replace table models.active_models as
        select * from (values
            ('leader_model', 'leader-synthetic-1', timestamp '2025-07-01 06:00:00', date '2025-06-30', 'sha256:l'),
            ('win_model', 'win-synthetic-1', timestamp '2025-07-01 06:00:00', date '2025-06-30', 'sha256:w')
        ) as t(model_name, model_version, promoted_at, training_window_end, data_fingerprint)
        """
    )
    con.execute(
        f"""
        create or replace table intermediate.int_worker_contacts as
        select
            printf('K%09d', j) as worker_key,
            case when j % 3 = 0 then 'union_roll' else 'organizing_contacts' end as source_system,
            case when j % 3 = 0 then printf('%d', 100000 + j) else printf('c-%d', j) end as source_record_id,
            printf('W%07d', j // {workers_per_workplace}) as workplace_id,
            ['Robert', 'Maria', 'José', 'Ann', 'William', 'Keisha', 'Tran', 'Elizabeth'][1 + j % 8] as first_name,
            printf('Worker-%d', j) as last_name,
            printf('%d Oak St', 100 + j % 900) as street_address,
            printf('CITY %d', j % 40) as city,
            'NC' as state,
            printf('%05d', 27000 + j % 900) as zip5,
            printf('(919) %03d-%04d', 200 + j % 700, j % 10000) as phone,
            printf('worker%d@example.org', j) as email,
            case when j % 11 = 1 then null
                 when j % 53 = 2 then ?::date - interval 17 year
                 else ?::date - cast(365 * (20 + j % 40) as integer)
            end::date as birth_date,
            case when j % 11 = 1 and j % 2 = 0 then year(?::date) - 30 end as birth_year,
            j % 37 = 3 as is_do_not_contact,
            case when j % 10 < 7 then 'NC' end as voter_state,
            case when j % 10 < 7 then printf('V%08d', j) end as voter_id
        from range({n_workers}) as t(j)
        """,
        [as_of, as_of, as_of],
    )
    con.execute(
        f"""
        create or replace table intermediate.int_voter_registrations as
        select
            'NC' as state,
            printf('V%08d', v) as voter_id,
            case when v % 10 < 7 then cast(1960 + v % 45 as integer) end as birth_year,
            case when v % 41 = 4 then 'removed' when v % 43 = 5 then 'denied' else 'active' end as registration_status,
            v % 47 = 6 as is_confidential
        from range({voters}) as t(v)
        """
    )
    con.execute(
        """
        create or replace table marts.mart_workers as
        with workers as (select *, cast(substr(worker_key, 2) as bigint) as j from intermediate.int_worker_contacts)
        select
            worker_key,
            source_system,
            ['CNA', 'Cashier', 'Driver', 'Material Handler'][1 + j % 4] as classification,
            source_system = 'union_roll' as is_member_as_of,
            j % 59 = 7 as is_do_not_contact
        from workers
        """
    )
    con.execute(
        f"""
        create or replace table models.worker_scores as
        select
            worker_key,
            workplace_id,
            ?::date as as_of_date,
            {_u(seed, 4, 'worker_key')} as leader_score,
            'Filed grievances in the last year' as reason_1,
            'Votes in most general elections' as reason_2,
            'Long tenure' as reason_3,
            'leader-synthetic-1' as model_version
        from intermediate.int_worker_contacts
        """,
        [as_of],
    )
    # Entries naming some people: e-mail in capitals, phone as digits with +1, member number, name and ZIP.
    con.execute(
        """
        create or replace table staging.stg_suppression__entries as
        with workers as (select *, cast(substr(worker_key, 2) as bigint) as j from intermediate.int_worker_contacts)
        select
            case when j % 4 = 3 then upper(first_name) end as first_name,
            case when j % 4 = 3 then upper(last_name) end as last_name,
            case when j % 4 = 0 then upper(email) end as email,
            case when j % 4 = 1 then '+1' || regexp_replace(phone, '[^0-9]', '', 'g') end as phone,
            case when j % 4 = 3 then zip5 end as zip5,
            case when j % 4 = 2 and source_system = 'union_roll' then source_record_id end as member_id,
            'Asked not to be contacted' as reason
        from workers
        where j % 31 = 5
        """
    )
    con.execute(
        """
        create or replace table staging.nicknames as
        select * from (values ('BOB', 'ROBERT'), ('BILL', 'WILLIAM'), ('BETH', 'ELIZABETH'), ('PEPE', 'JOSE'))
            as t(nickname, given_name)
        """
    )
    # Unfair-labor-practice charges against some employers: open ones, and ones closed before the as-of date.
    con.execute(
        f"""
        create or replace table marts.fct_nlrb_cases as
        select
            printf('10-CA-%06d', c) as source_record_id,
            'CA' as case_type_code,
            ?::date - cast(30 + c % 900 as integer) as filed_on,
            case when c % 3 = 0 then ?::date - cast(10 + c % 20 as integer) end as closed_on
        from range({max(workplaces // 4, 1)}) as t(c)
        """,
        [as_of, as_of],
    )
    con.execute(
        """
        create or replace table marts.workplace_links as
        select 'nlrb' as source_system, source_record_id, printf('E%06d', row_number() over (order by source_record_id))
            as employer_id
        from marts.fct_nlrb_cases
        """
    )
    if experiments:
        con.execute(
            """
            create or replace table experiments.assignments as
            select 'sample_card_drive' as experiment, 'workplace' as unit, workplace_id as unit_key,
                ['house_visit', 'phone', 'coworker_one_on_one', 'control'][1 + cast(hash(workplace_id) % 4 as integer)] as arm,
                'block' as block_key, date '2025-07-01' as assigned_on
            from models.workplace_scores
            """
        )
        con.execute(
            """
            create or replace table experiments.recommended_tactics as
            select workplace_id, 'coworker_one_on_one' as recommended_tactic, 0.05 as expected_uplift,
                'sample_card_drive' as experiment
            from models.workplace_scores
            """
        )
