-- Injured people in OSHA accidents. The DOL files repeat identical rows across load_dt, so rows are
-- deduplicated on every column except the load stamps.
with distinct_injuries as (
    select distinct
        summary_nr,
        rel_insp_nr,
        injury_line_nr,
        age,
        sex,
        nature_of_inj,
        part_of_body,
        src_of_injury,
        event_type,
        evn_factor,
        hum_factor,
        occ_code,
        degree_of_inj,
        task_assigned,
        hazsub,
        const_op,
        const_op_cause,
        fat_cause,
        fall_distance,
        fall_ht
    from {{ source('osha', 'osha_accident_injury') }}
)

select
    summary_nr as accident_id,
    rel_insp_nr as inspection_id,
    injury_line_nr,
    -- 0 is the DOL's "not recorded", not a newborn.
    nullif(age, 0) as age,
    {{ clean_code('sex') }} as sex,
    {{ clean_code('degree_of_inj') }} as degree_of_injury_code,
    case {{ clean_code('degree_of_inj') }}
        when '1' then 'Fatality'
        when '2' then 'Hospitalized'
        when '3' then 'Not hospitalized'
    end as degree_of_injury,
    {{ clean_code('nature_of_inj') }} as nature_of_injury_code,
    {{ clean_code('part_of_body') }} as part_of_body_code,
    {{ clean_code('src_of_injury') }} as source_of_injury_code,
    {{ clean_code('event_type') }} as event_type_code,
    {{ clean_code('evn_factor') }} as environmental_factor_code,
    {{ clean_code('hum_factor') }} as human_factor_code,
    {{ clean_code('occ_code') }} as occupation_code,
    case {{ clean_code('task_assigned') }} when '1' then true when '2' then false end as was_regularly_assigned_task,
    {{ clean_code('hazsub') }} as hazardous_substance_code,
    {{ clean_code('const_op') }} as construction_operation_code,
    {{ clean_code('const_op_cause') }} as construction_injury_cause_code,
    {{ clean_code('fat_cause') }} as construction_fatality_cause_code,
    {{ dbt.safe_cast('trim(fall_distance)', dbt.type_int()) }} as fall_distance_feet,
    {{ dbt.safe_cast('trim(fall_ht)', dbt.type_int()) }} as fall_height_feet
from distinct_injuries
