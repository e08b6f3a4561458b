-- OSHA inspections: the latest load of each activity number, codes decoded from the DOL data dictionary.
with latest_inspections as (
    {{ latest_record_per_key(source('osha', 'osha_inspection'), ['activity_nr']) }}
),

inspection_types as (
    select * from {{ ref('osha_inspection_types') }}
),

inspection_scopes as (
    select * from {{ ref('osha_inspection_scopes') }}
),

owner_types as (
    select * from {{ ref('osha_owner_types') }}
)

select
    inspections.activity_nr as inspection_id,
    inspections.reporting_id,
    {{ clean_code('inspections.state_flag') }} as state_flag,
    {{ clean_text('inspections.estab_name') }} as establishment_name,
    {{ clean_text('inspections.site_address') }} as site_address,
    {{ clean_text('inspections.site_city') }} as site_city,
    {{ clean_code('inspections.site_state') }} as site_state,
    {{ zip5('inspections.site_zip') }} as site_zip5,
    {{ clean_text('inspections.mail_street') }} as mailing_street_address,
    {{ clean_text('inspections.mail_city') }} as mailing_city,
    {{ clean_code('inspections.mail_state') }} as mailing_state,
    {{ zip5('inspections.mail_zip') }} as mailing_zip5,
    {{ clean_code('inspections.owner_type') }} as owner_type_code,
    owner_types.owner_type,
    {{ clean_text('inspections.owner_code') }} as federal_agency_code,
    {{ clean_code('inspections.insp_type') }} as inspection_type_code,
    inspection_types.inspection_type,
    {{ clean_code('inspections.insp_scope') }} as inspection_scope_code,
    inspection_scopes.inspection_scope,
    case {{ clean_code('inspections.safety_hlth') }} when 'S' then 'Safety' when 'H' then 'Health' end
        as safety_or_health,
    {{ to_boolean('inspections.adv_notice') }} as had_advance_notice,
    -- Dictionary: union representation during the inspection is Y/U/A; N/B/blank mean none.
    coalesce({{ clean_code('inspections.union_status') }} in ('Y', 'U', 'A'), false) as is_union_represented,
    {{ to_boolean('inspections.migrant', blank_is_false=true) }} as is_migrant_labor,
    {{ clean_code('inspections.why_no_insp') }} as why_no_inspection_code,
    inspections.sic_code,
    inspections.naics_code,
    inspections.nr_in_estab as employees_at_establishment,
    {{ clean_text('inspections.host_est_key') }} as host_establishment_key,
    inspections.open_date as opened_on,
    inspections.case_mod_date as case_modified_on,
    inspections.close_conf_date as closing_conference_on,
    inspections.close_case_date as closed_on,
    inspections._loaded_at as loaded_at
from latest_inspections as inspections
left join inspection_types on {{ clean_code('inspections.insp_type') }} = inspection_types.inspection_type_code
left join inspection_scopes on {{ clean_code('inspections.insp_scope') }} = inspection_scopes.inspection_scope_code
left join owner_types on {{ clean_code('inspections.owner_type') }} = owner_types.owner_type_code
