-- One row per grievance. The member appears only as the pseudonymous member_key; the supervisor's name and
-- the free-text description stay in staging. source_record_id is the grievance id (workplace link key).
select
    grievance_id,
    member_key,
    'union_roll' as source_system,
    grievance_id as source_record_id,
    employer_name,
    worksite_name,
    contract_article,
    category,
    incident_on,
    filed_on,
    cast({{ dbt.datediff('incident_on', 'filed_on', 'day') }} as integer) as days_from_incident_to_filing,
    step,
    status,
    outcome,
    settlement_amount,
    -- Outcome is the one field every export fills when a grievance ends; status words vary by union.
    outcome is null as is_open
from {{ ref('stg_union_roll__grievances') }}
