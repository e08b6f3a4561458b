-- Every NLRB election (case and unit) each source knows, in one shape, before the sources are reconciled in
-- fct_nlrb_election_outcomes. One row per source, case and unit:
-- - nlrb_tallies: the 2017-2021 FOIA tallies and the Recent Election Results export, already one set of tallies
--   per unit (int_nlrb_elections); the first tally gives the date and the eligible count, the last one the votes.
-- - fy_report: the yearly Elections reports, FY2011-FY2021, one row per case (they name no unit).
-- - cats: the CATS FOIA release, elections 1999-2009; a tally's rows (one per union on a multi-union ballot) are
--   added up, its first tally gives the date, its last tally the votes.
with tally_elections as (
    select
        {{ nlrb_case_number('case_number') }} as case_number,
        unit_id,
        case_type_code,
        case_name,
        city,
        state,
        filed_on,
        closed_on,
        closed_reason,
        election_date,
        election_mode,
        eligible_voters,
        votes_for_union,
        votes_against,
        union_1_name,
        union_2_name,
        union_3_name,
        union_to_certify,
        union_won,
        data_source,
        tally_sequence,
        row_number() over (partition by case_number, unit_id order by tally_sequence desc) as tally_from_last
    from {{ ref('int_nlrb_elections') }}
),

from_tallies as (
    select
        first_tally.case_number,
        first_tally.unit_id,
        first_tally.case_type_code,
        first_tally.case_name,
        first_tally.city,
        first_tally.state,
        first_tally.filed_on,
        first_tally.election_date,
        first_tally.closed_on,
        first_tally.closed_reason,
        cast(null as {{ dbt.type_string() }}) as election_agreement,
        first_tally.election_mode,
        first_tally.eligible_voters,
        last_tally.votes_for_union,
        last_tally.votes_against,
        first_tally.union_1_name,
        first_tally.union_2_name,
        first_tally.union_3_name,
        case
            when first_tally.union_3_name is not null then 3 when first_tally.union_2_name is not null then 2 else 1
        end as unions_on_ballot,
        last_tally.union_to_certify,
        last_tally.union_won as tally_union_won,
        false as is_marked_won_and_lost,
        cast(null as {{ dbt.type_string() }}) as naics_code,
        'nlrb_tallies' as record_source,
        1 as source_priority
    from tally_elections as first_tally
    inner join tally_elections as last_tally
        on first_tally.case_number = last_tally.case_number
        and coalesce(first_tally.unit_id, '-') = coalesce(last_tally.unit_id, '-')
        and last_tally.tally_from_last = 1
    where first_tally.tally_sequence = 1
),

latest_reports as (
    -- A case in two yearly reports (6 in FY2011-21) is the later report's.
    select
        *,
        row_number() over (partition by case_number order by closed_on desc, source_file desc, source_line) as recency
    from {{ ref('stg_nlrb__election_reports') }}
),

from_reports as (
    select
        case_number,
        cast(null as {{ dbt.type_string() }}) as unit_id,
        case_type_code,
        case_name,
        city,
        state,
        cast(null as date) as filed_on,
        election_date,
        closed_on,
        closed_reason,
        election_agreement,
        cast(null as {{ dbt.type_string() }}) as election_mode,
        eligible_voters,
        coalesce(union_1_votes, 0) + coalesce(union_2_votes, 0) + coalesce(union_3_votes, 0)
            + coalesce(votes_for_proposition, 0) as votes_for_union,
        votes_against,
        union_1_name,
        union_2_name,
        union_3_name,
        unions_on_ballot,
        union_to_certify,
        case
            when is_marked_won and not is_marked_lost then true
            when is_marked_lost and not is_marked_won then false
        end as tally_union_won,
        is_marked_won_and_lost,
        cast(null as {{ dbt.type_string() }}) as naics_code,
        'fy_report' as record_source,
        2 as source_priority
    from latest_reports
    where recency = 1
),

cats_tallies as (
    select
        case_number,
        unit_id,
        cats_tally_type,
        is_revised_tally,
        election_date,
        tallied_on,
        sum(union_votes) as votes_for_union,
        max(votes_against) as votes_against,
        max(eligible_voters) as eligible_voters,
        count(*) as union_rows
    from {{ ref('stg_nlrb__cats_r_cases') }}
    group by case_number, unit_id, cats_tally_type, is_revised_tally, election_date, tallied_on
),

cats_ordered_tallies as (
    select
        *,
        row_number() over (
            partition by case_number, unit_id order by election_date, tallied_on, is_revised_tally, cats_tally_type
        ) as tally_from_first,
        row_number() over (
            partition by case_number, unit_id
            order by election_date desc, tallied_on desc, is_revised_tally desc, cats_tally_type desc
        ) as tally_from_last
    from cats_tallies
),

cats_cases as (
    select
        case_number,
        max(case_type_code) as case_type_code,
        max(case_name) as case_name,
        max(city) as city,
        max(state) as state,
        max(filed_on) as filed_on,
        max(closed_on) as closed_on,
        max(closing_method) as closing_method,
        -- An RC petition is the union's; in RD and RM cases the petitioner is a worker or the employer.
        max(case when case_type_code = 'RC' then petitioner_name else union_involved_name end) as union_name,
        max(naics_code) as naics_code
    from {{ ref('stg_nlrb__cats_r_cases') }}
    group by case_number
),

from_cats as (
    select
        first_tally.case_number,
        first_tally.unit_id,
        cats_cases.case_type_code,
        cats_cases.case_name,
        cats_cases.city,
        cats_cases.state,
        cats_cases.filed_on,
        first_tally.election_date,
        cats_cases.closed_on,
        cats_cases.closing_method as closed_reason,
        cast(null as {{ dbt.type_string() }}) as election_agreement,
        cast(null as {{ dbt.type_string() }}) as election_mode,
        first_tally.eligible_voters,
        last_tally.votes_for_union,
        last_tally.votes_against,
        cats_cases.union_name as union_1_name,
        cast(null as {{ dbt.type_string() }}) as union_2_name,
        cast(null as {{ dbt.type_string() }}) as union_3_name,
        cast(first_tally.union_rows as integer) as unions_on_ballot,
        cast(null as {{ dbt.type_string() }}) as union_to_certify,
        case
            when last_tally.votes_for_union is not null or last_tally.votes_against is not null
                then coalesce(last_tally.votes_for_union, 0) > coalesce(last_tally.votes_against, 0)
        end as tally_union_won,
        false as is_marked_won_and_lost,
        cats_cases.naics_code,
        'cats' as record_source,
        3 as source_priority
    from cats_ordered_tallies as first_tally
    inner join cats_ordered_tallies as last_tally
        on first_tally.case_number = last_tally.case_number
        and coalesce(first_tally.unit_id, '-') = coalesce(last_tally.unit_id, '-')
        and last_tally.tally_from_last = 1
    inner join cats_cases on first_tally.case_number = cats_cases.case_number
    where first_tally.tally_from_first = 1
)

select * from from_tallies
union all
select * from from_reports
union all
select * from from_cats
