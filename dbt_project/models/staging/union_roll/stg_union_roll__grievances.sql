-- The grievance log: the latest export's version of each grievance.
with latest_grievances as (
    {{ latest_record_per_key(source('union_roll', 'grievances'), ['grievance_id']) }}
)

select
    trim(grievance_id) as grievance_id,
    trim(member_id) as member_id,
    {{ person_key('member_id') }} as member_key,
    {{ clean_text('employer_name') }} as employer_name,
    {{ clean_text('worksite_name') }} as worksite_name,
    {{ clean_text('supervisor_name') }} as supervisor_name,
    {{ clean_text('contract_article') }} as contract_article,
    {{ clean_text('category') }} as category,
    filed_date as filed_on,
    incident_date as incident_on,
    {{ clean_text('step') }} as step,
    lower({{ clean_text('status') }}) as status,
    {{ clean_text('outcome') }} as outcome,
    settlement_amount,
    {{ clean_text('description') }} as description,
    _loaded_at as loaded_at
from latest_grievances
where {{ not_forgotten(raw_person_key('grievances')) }}
