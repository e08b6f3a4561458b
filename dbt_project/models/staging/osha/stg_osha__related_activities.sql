-- Activities (complaints, referrals, accidents, other inspections) related to an OSHA inspection; exact
-- repeats across loads are dropped.
with distinct_relations as (
    select distinct activity_nr, rel_type, rel_act_nr, rel_safety, rel_health
    from {{ source('osha', 'osha_related_activity') }}
)

select
    activity_nr as inspection_id,
    {{ clean_code('rel_type') }} as related_activity_type_code,
    case {{ clean_code('rel_type') }}
        when 'A' then 'Accident'
        when 'C' then 'Complaint'
        when 'I' then 'Inspection'
        when 'R' then 'Referral'
    end as related_activity_type,
    rel_act_nr as related_activity_id,
    {{ to_boolean('rel_safety', blank_is_false=true) }} as is_safety_related,
    {{ to_boolean('rel_health', blank_is_false=true) }} as is_health_related
from distinct_relations
