-- North Carolina registrations: the latest snapshot of each NCID, typed, trimmed and decoded.
-- Both ncvoter layouts land in raw.ncvoter; the columns used here exist in both.
with latest_registrations as (
    {{ latest_record_per_key(source('ncsbe', 'ncvoter'), ['ncid']) }}
),

status_codes as (
    select * from {{ ref('ncsbe_voter_status_codes') }}
),

race_codes as (
    select * from {{ ref('ncsbe_race_codes') }}
),

ethnicity_codes as (
    select * from {{ ref('ncsbe_ethnicity_codes') }}
),

party_codes as (
    select * from {{ ref('ncsbe_party_codes') }}
)

select
    {{ clean_code('registrations.ncid') }} as ncid,
    registrations.county_id,
    {{ clean_text('registrations.county_desc') }} as county_name,
    {{ clean_text('registrations.voter_reg_num') }} as county_voter_registration_number,
    {{ clean_text('registrations.first_name') }} as first_name,
    {{ clean_text('registrations.middle_name') }} as middle_name,
    {{ clean_text('registrations.last_name') }} as last_name,
    {{ clean_text('registrations.name_suffix_lbl') }} as name_suffix,
    registrations.birth_year,
    {{ clean_code('registrations.gender_code') }} as gender_code,
    {{ clean_code('registrations.status_cd') }} as status_code,
    status_codes.status_description,
    status_codes.registration_status,
    {{ clean_code('registrations.reason_cd') }} as status_reason_code,
    {{ clean_text('registrations.voter_status_reason_desc') }} as status_reason_description,
    {{ clean_code('registrations.race_code') }} as race_code,
    race_codes.race,
    {{ clean_code('registrations.ethnic_code') }} as ethnicity_code,
    ethnicity_codes.ethnicity,
    {{ clean_code('registrations.party_cd') }} as party_code,
    party_codes.party,
    {{ clean_text('registrations.res_street_address') }} as residential_street_address,
    {{ clean_text('registrations.res_city_desc') }} as residential_city,
    {{ clean_code('registrations.state_cd') }} as residential_state,
    {{ zip5('registrations.zip_code') }} as residential_zip5,
    {{ clean_text('registrations.mail_addr1') }} as mailing_address_line_1,
    {{ clean_text('registrations.mail_city') }} as mailing_city,
    {{ clean_code('registrations.mail_state') }} as mailing_state,
    {{ zip5('registrations.mail_zipcode') }} as mailing_zip5,
    {{ clean_text('registrations.full_phone_number') }} as phone_number,
    {{ to_boolean('registrations.confidential_ind', blank_is_false=true) }} as is_confidential,
    registrations.registr_dt as registered_on,
    {{ clean_code('registrations.precinct_abbrv') }} as precinct_code,
    {{ clean_text('registrations.precinct_desc') }} as precinct_name,
    {{ clean_code('registrations.cong_dist_abbrv') }} as congressional_district,
    {{ clean_code('registrations.nc_senate_abbrv') }} as state_senate_district,
    {{ clean_code('registrations.nc_house_abbrv') }} as state_house_district,
    registrations._source_file as source_file,
    registrations._loaded_at as loaded_at
from latest_registrations as registrations
left join status_codes on {{ clean_code('registrations.status_cd') }} = status_codes.status_code
left join race_codes on {{ clean_code('registrations.race_code') }} = race_codes.race_code
left join ethnicity_codes on {{ clean_code('registrations.ethnic_code') }} = ethnicity_codes.ethnicity_code
left join party_codes on {{ clean_code('registrations.party_cd') }} = party_codes.party_code
where {{ not_forgotten(raw_person_key('ncvoter', 'registrations')) }}
