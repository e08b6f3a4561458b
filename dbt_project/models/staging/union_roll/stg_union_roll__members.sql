-- The member roll: the latest export's version of each member. Names, contact details and date of birth
-- stay in staging for record linkage; marts carry only the pseudonymous member_key.
with latest_members as (
    {{ latest_record_per_key(source('union_roll', 'members'), ['member_id']) }}
)

select
    trim(member_id) as member_id,
    {{ person_key('member_id') }} as member_key,
    {{ clean_text('first_name') }} as first_name,
    {{ clean_text('middle_name') }} as middle_name,
    {{ clean_text('last_name') }} as last_name,
    {{ clean_text('name_suffix') }} as name_suffix,
    birth_date,
    {{ clean_text('street_address') }} as street_address,
    {{ clean_text('city') }} as city,
    {{ clean_code('state') }} as state,
    {{ zip5('zip_code') }} as zip5,
    {{ clean_text('phone') }} as phone,
    lower({{ clean_text('email') }}) as email,
    {{ clean_text('employer_name') }} as employer_name,
    {{ clean_text('worksite_name') }} as worksite_name,
    {{ clean_text('worksite_address') }} as worksite_address,
    {{ clean_text('classification') }} as classification,
    hire_date as hired_on,
    join_date as joined_on,
    lower({{ clean_text('member_status') }}) as member_status,
    lower({{ clean_text('dues_status') }}) as dues_status,
    {{ to_boolean('is_steward', blank_is_false=true) }} as is_steward,
    {{ to_boolean('is_committee_member', blank_is_false=true) }} as is_committee_member,
    {{ to_boolean('do_not_contact', blank_is_false=true) }} as is_do_not_contact,
    _source_file as source_file,
    _loaded_at as loaded_at
from latest_members
where {{ not_forgotten(raw_person_key('members')) }}
