-- The union-petition (RC) and employer-petition (RM) elections of fct_nlrb_election_outcomes, with what the win
-- model needs to place each one in time: the filing date (estimated where the source has none), the day its
-- outcome became public, the keys its history is counted by, and what is fixed between filing and the vote.
-- The FY2011-FY2016 Elections reports give no filing date; those elections are dated back from the election
-- date by the median filing-to-election delay of the same fiscal year's elections that have both (all years'
-- median where a year has none), and flagged.
with elections as (
    select *
    from {{ ref('fct_nlrb_election_outcomes') }}
    where case_type_code in ('RC', 'RM')
),

delays as (
    select
        election_fiscal_year,
        percentile_cont(0.5) within group (order by {{ dbt.datediff('filed_on', 'election_date', 'day') }})
            as median_days_to_election
    from elections
    where filed_on is not null and election_date >= filed_on
    group by election_fiscal_year
),

overall_delay as (
    select
        percentile_cont(0.5) within group (order by {{ dbt.datediff('filed_on', 'election_date', 'day') }})
            as median_days_to_election
    from elections
    where filed_on is not null and election_date >= filed_on
),

dated as (
    select
        elections.*,
        cast(round(coalesce(delays.median_days_to_election, overall_delay.median_days_to_election)) as integer)
            as estimated_days_to_election
    from elections
    left join delays on elections.election_fiscal_year = delays.election_fiscal_year
    cross join overall_delay
)

select
    election_key,
    case_number,
    case_type_code,
    case_name,
    state,
    substr(case_number, 1, 2) as nlrb_region,
    substr(naics_code, 1, 2) as naics_sector,
    eligible_voters,
    union_1_affiliation as union_affiliation,
    case
        when union_1_affiliation is not null and union_1_designation is not null
            then {{ dbt.concat(['union_1_affiliation', "' '", 'union_1_designation']) }}
    end as union_local,
    -- CATS cuts names at 30 characters, so employers are compared on the first 24 characters of their key.
    substr({{ employer_name_key(employer_legal_name_core('case_name')) }}, 1, 24) as employer_key,
    coalesce(
        filed_on, cast({{ dbt.dateadd('day', '-estimated_days_to_election', 'election_date') }} as date)
    ) as filed_on,
    filed_on is null and election_date is not null as is_filed_on_estimated,
    election_date,
    election_fiscal_year,
    -- Fixed after filing, before the vote (the at-election variant). The delay is unknown where the filing date is.
    election_mode,
    unions_on_ballot,
    case
        when filed_on is not null and election_date is not null
            then {{ dbt.datediff('filed_on', 'election_date', 'day') }}
    end as days_filing_to_election,
    closed_on,
    union_won,
    union_won_basis,
    -- The tally is public on election day; a certified outcome once the case closes.
    case
        when union_won_basis = 'certification' then coalesce(closed_on, election_date)
        when union_won_basis = 'tally' then election_date
    end as outcome_known_on
from dated
