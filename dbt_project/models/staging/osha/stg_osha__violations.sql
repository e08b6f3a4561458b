-- OSHA citation items: the latest load of each (activity number, citation id), violation type decoded.
with latest_violations as (
    {{ latest_record_per_key(source('osha', 'osha_violation'), ['activity_nr', 'citation_id']) }}
),

violation_types as (
    select * from {{ ref('osha_violation_types') }}
)

select
    {{ dbt.concat([
        "cast(violations.activity_nr as " ~ dbt.type_string() ~ ")", "'-'", clean_code('violations.citation_id')
    ]) }} as violation_id,
    violations.activity_nr as inspection_id,
    {{ clean_code('violations.citation_id') }} as citation_id,
    coalesce({{ clean_code('violations.delete_flag') }} = 'D', false) as is_deleted,
    {{ clean_text('violations.standard') }} as standard,
    {{ clean_code('violations.viol_type') }} as violation_type_code,
    violation_types.violation_type,
    violations.issuance_date as issued_on,
    violations.abate_date as abate_by,
    {{ clean_code('violations.abate_complete') }} as abatement_status_code,
    violations.initial_penalty,
    violations.current_penalty,
    violations.contest_date as contested_on,
    violations.final_order_date as final_order_on,
    violations.nr_instances as instance_count,
    violations.nr_exposed as exposed_employee_count,
    {{ dbt.safe_cast('trim(violations.gravity)', dbt.type_int()) }} as gravity,
    {{ to_boolean('violations.emphasis', blank_is_false=true) }} as is_emphasis_program,
    {{ clean_code('violations.rec') }} as record_origin_code,
    {{ clean_text('violations.hazcat') }} as hazard_category,
    violations.fta_insp_nr as failure_to_abate_inspection_id,
    violations.fta_issuance_date as failure_to_abate_issued_on,
    violations.fta_penalty as failure_to_abate_penalty,
    violations._loaded_at as loaded_at
from latest_violations as violations
left join violation_types on {{ clean_code('violations.viol_type') }} = violation_types.violation_type_code
