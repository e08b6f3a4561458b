-- NLRB cases from the case-search export: the latest load of each case number, case type decoded from
-- the number (06-RC-309800 -> RC).
with latest_cases as (
    {{ latest_record_per_key(source('nlrb', 'nlrb_cases'), ['case_number']) }}
),

case_types as (
    select * from {{ ref('nlrb_case_types') }}
)

select
    {{ clean_code('cases.case_number') }} as case_number,
    {{ nlrb_case_type_code('cases.case_number') }} as case_type_code,
    case_types.case_type,
    case_types.case_category,
    {{ dbt.safe_cast(dbt.split_part('cases.case_number', "'-'", 1), dbt.type_int()) }} as region_number,
    {{ clean_text('cases.region') }} as region_name,
    {{ clean_text('cases.case_name') }} as case_name,
    {{ clean_text('cases.status') }} as case_status,
    cases.date_filed as filed_on,
    cases.date_closed as closed_on,
    {{ clean_text('cases.reason_closed') }} as closed_reason,
    {{ clean_text('cases.city') }} as city,
    {{ clean_code('cases.states_territories') }} as state,
    cases.employees_on_charge_petition as employees_involved,
    -- Allegations and participants are multi-line lists; kept as text for search.
    trim(cases.allegations) as allegations,
    trim(cases.participants) as participants,
    {{ clean_text('cases.union') }} as union_name,
    {{ clean_text('cases.unit_sought') }} as unit_sought,
    {{ dbt.safe_cast('trim(cases.voters)', dbt.type_int()) }} as voters,
    cases._loaded_at as loaded_at
from latest_cases as cases
left join case_types on {{ nlrb_case_type_code('cases.case_number') }} = case_types.case_type_code
