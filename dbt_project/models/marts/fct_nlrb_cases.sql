-- One row per NLRB case known from any NLRB export: the case-search export describes C and R cases; election
-- tallies add the representation cases it lacks. source_record_id is the case number (workplace link key).
with searched_cases as (
    select * from {{ ref('stg_nlrb__cases') }}
),

-- Case attributes as the election exports report them: one row per case, from its latest tally.
election_cases as (
    select *
    from (
        select
            case_number,
            case_name,
            city,
            state,
            case_status,
            filed_on,
            closed_on,
            closed_reason,
            row_number() over (partition by case_number order by election_date desc, tally_sequence desc)
                as recency_rank
        from {{ ref('int_nlrb_elections') }}
    ) as ranked_election_cases
    where recency_rank = 1
),

election_outcomes as (
    select
        case_number,
        count(*) as tally_count,
        max(election_date) as last_election_date,
        max(case when union_to_certify is not null then union_to_certify end) as certified_union_name
    from {{ ref('int_nlrb_elections') }}
    group by case_number
),

all_case_numbers as (
    select case_number from searched_cases
    union
    select case_number from election_cases
),

case_types as (
    select * from {{ ref('nlrb_case_types') }}
)

select
    all_case_numbers.case_number,
    'nlrb' as source_system,
    all_case_numbers.case_number as source_record_id,
    {{ nlrb_case_type_code('all_case_numbers.case_number') }} as case_type_code,
    case_types.case_type,
    case_types.case_category,
    {{ dbt.safe_cast(dbt.split_part('all_case_numbers.case_number', "'-'", 1), dbt.type_int()) }} as region_number,
    coalesce(searched_cases.case_name, election_cases.case_name) as case_name,
    coalesce(searched_cases.city, election_cases.city) as city,
    coalesce(searched_cases.state, election_cases.state) as state,
    coalesce(searched_cases.case_status, election_cases.case_status) as case_status,
    coalesce(searched_cases.filed_on, election_cases.filed_on) as filed_on,
    coalesce(searched_cases.closed_on, election_cases.closed_on) as closed_on,
    coalesce(searched_cases.closed_reason, election_cases.closed_reason) as closed_reason,
    searched_cases.employees_involved,
    searched_cases.union_name,
    searched_cases.unit_sought,
    cast(coalesce(election_outcomes.tally_count, 0) as integer) as election_tally_count,
    election_outcomes.last_election_date,
    election_outcomes.certified_union_name,
    searched_cases.case_number is not null as is_in_case_search
from all_case_numbers
left join searched_cases on all_case_numbers.case_number = searched_cases.case_number
left join election_cases on all_case_numbers.case_number = election_cases.case_number
left join election_outcomes on all_case_numbers.case_number = election_outcomes.case_number
left join case_types on {{ nlrb_case_type_code('all_case_numbers.case_number') }} = case_types.case_type_code
