-- One row per OSHA citation item still in force (deleted items are left out). The workplace of a
-- violation is its inspection's: source_record_id is the inspection's activity number.
select
    violation_id,
    inspection_id,
    'osha' as source_system,
    cast(inspection_id as {{ dbt.type_string() }}) as source_record_id,
    citation_id,
    standard,
    violation_type_code,
    violation_type,
    issued_on,
    abate_by,
    contested_on,
    final_order_on,
    contested_on is not null as was_contested,
    cast(initial_penalty as decimal(12, 2)) as initial_penalty,
    cast(current_penalty as decimal(12, 2)) as current_penalty,
    instance_count,
    exposed_employee_count,
    gravity,
    is_emphasis_program,
    hazard_category
from {{ ref('stg_osha__violations') }}
where not is_deleted
