-- One row per OSHA inspection, with its citations and injuries summed up. source_system/source_record_id
-- name the inspection for the workplace link table (the workplace resolution models join workplace_id on them).
with inspections as (
    select * from {{ ref('stg_osha__inspections') }}
),

violation_totals as (
    select
        inspection_id,
        count(*) as violation_count,
        sum(case when violation_type_code = 'S' then 1 else 0 end) as serious_violation_count,
        sum(case when violation_type_code = 'W' then 1 else 0 end) as willful_violation_count,
        sum(case when violation_type_code = 'R' then 1 else 0 end) as repeat_violation_count,
        sum(initial_penalty) as initial_penalty_total,
        sum(current_penalty) as current_penalty_total
    from {{ ref('stg_osha__violations') }}
    -- Deleted citation items were withdrawn and carry no penalty.
    where not is_deleted
    group by inspection_id
),

injury_totals as (
    select
        inspection_id,
        count(*) as injured_worker_count,
        sum(case when degree_of_injury_code = '1' then 1 else 0 end) as fatality_count
    from {{ ref('stg_osha__accident_injuries') }}
    group by inspection_id
)

select
    inspections.inspection_id,
    'osha' as source_system,
    cast(inspections.inspection_id as {{ dbt.type_string() }}) as source_record_id,
    inspections.establishment_name,
    inspections.site_address,
    inspections.site_city,
    inspections.site_state,
    inspections.site_zip5,
    inspections.naics_code,
    inspections.sic_code,
    inspections.owner_type_code,
    inspections.owner_type,
    inspections.inspection_type_code,
    inspections.inspection_type,
    inspections.inspection_scope_code,
    inspections.inspection_scope,
    inspections.safety_or_health,
    inspections.is_union_represented,
    inspections.employees_at_establishment,
    inspections.opened_on,
    inspections.closed_on,
    cast(coalesce(violation_totals.violation_count, 0) as integer) as violation_count,
    cast(coalesce(violation_totals.serious_violation_count, 0) as integer) as serious_violation_count,
    cast(coalesce(violation_totals.willful_violation_count, 0) as integer) as willful_violation_count,
    cast(coalesce(violation_totals.repeat_violation_count, 0) as integer) as repeat_violation_count,
    cast(coalesce(violation_totals.initial_penalty_total, 0) as decimal(14, 2)) as initial_penalty_total,
    cast(coalesce(violation_totals.current_penalty_total, 0) as decimal(14, 2)) as current_penalty_total,
    cast(coalesce(injury_totals.injured_worker_count, 0) as integer) as injured_worker_count,
    cast(coalesce(injury_totals.fatality_count, 0) as integer) as fatality_count
from inspections
left join violation_totals on inspections.inspection_id = violation_totals.inspection_id
left join injury_totals on inspections.inspection_id = injury_totals.inspection_id
