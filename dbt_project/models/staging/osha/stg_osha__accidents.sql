-- OSHA accident investigation summaries: the latest load of each summary number.
with latest_accidents as (
    {{ latest_record_per_key(source('osha', 'osha_accident'), ['summary_nr']) }}
)

select
    summary_nr as accident_id,
    report_id as reporting_id,
    event_date as occurred_on,
    {{ clean_text('event_time') }} as event_time_hhmm,
    {{ clean_text('event_desc') }} as event_description,
    {{ clean_text('event_keyword') }} as event_keywords,
    {{ to_boolean('fatality', blank_is_false=true) }} as is_fatal,
    {{ clean_code('state_flag') }} as state_flag,
    {{ clean_text('sic_list') }} as sic_codes,
    {{ clean_code('const_end_use') }} as construction_end_use_code,
    {{ clean_code('project_type') }} as construction_project_type_code,
    {{ clean_code('project_cost') }} as construction_project_cost_code,
    build_stories as building_stories,
    nonbuild_ht as non_building_height_feet,
    {{ clean_text('abstract_text') }} as abstract_text,
    _loaded_at as loaded_at
from latest_accidents
