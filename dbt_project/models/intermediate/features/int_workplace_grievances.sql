{{ config(tags=['after_resolution']) }}
-- Grievances at resolved workplaces with the supervisor named on them: the input of the supervisor hot-spot
-- features. The supervisor's name stays here; the marts carry only counts and shares.
select
    links.workplace_id,
    grievances.grievance_id,
    grievances.member_key,
    grievances.filed_on,
    lower(grievances.category) as category,
    upper(grievances.supervisor_name) as supervisor_name
from {{ ref('stg_union_roll__grievances') }} as grievances
join {{ ref('workplace_links') }} as links
    on links.source_system = 'union_roll' and links.source_record_id = grievances.grievance_id
where links.workplace_id is not null
