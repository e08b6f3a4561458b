-- Ohio registrations: the latest snapshot of each SOS voter id, typed and trimmed.
with latest_registrations as (
    {{ latest_record_per_key(source('ohio_sos', 'ohio_voters'), ['sos_voterid']) }}
)

select
    {{ clean_code('sos_voterid') }} as sos_voter_id,
    county_number,
    {{ clean_text('county_id') }} as county_voter_id,
    {{ clean_text('first_name') }} as first_name,
    {{ clean_text('middle_name') }} as middle_name,
    {{ clean_text('last_name') }} as last_name,
    {{ clean_text('suffix') }} as name_suffix,
    date_of_birth,
    cast(extract(year from date_of_birth) as {{ dbt.type_int() }}) as birth_year,
    registration_date as registered_on,
    {{ clean_code('voter_status') }} as voter_status,
    -- CONFIRMATION: the county mailed a confirmation notice that came back, Ohio's inactive status.
    case {{ clean_code('voter_status') }}
        when 'ACTIVE' then 'active'
        when 'CONFIRMATION' then 'inactive'
    end as registration_status,
    {{ clean_code('party_affiliation') }} as party_code,
    {{ clean_text('residential_address1') }} as residential_street_address,
    {{ clean_text('residential_secondary_addr') }} as residential_secondary_address,
    {{ clean_text('residential_city') }} as residential_city,
    {{ clean_code('residential_state') }} as residential_state,
    {{ zip5('residential_zip') }} as residential_zip5,
    {{ clean_text('mailing_address1') }} as mailing_address_line_1,
    {{ clean_text('mailing_city') }} as mailing_city,
    {{ clean_code('mailing_state') }} as mailing_state,
    {{ zip5('mailing_zip') }} as mailing_zip5,
    {{ clean_text('precinct_name') }} as precinct_name,
    {{ clean_code('precinct_code') }} as precinct_code,
    {{ clean_code('congressional_district') }} as congressional_district,
    {{ clean_code('state_senate_district') }} as state_senate_district,
    {{ clean_code('state_representative_district') }} as state_house_district,
    _source_file as source_file,
    _loaded_at as loaded_at
from latest_registrations
where {{ not_forgotten(raw_person_key('ohio_voters')) }}
