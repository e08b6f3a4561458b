-- Voter registrations of every state in one shape, for matching members and workers to voters.
with north_carolina as (
    select
        'NC' as state,
        ncid as voter_id,
        first_name,
        middle_name,
        last_name,
        name_suffix,
        birth_year,
        residential_street_address,
        residential_city,
        residential_zip5,
        county_name,
        registration_status,
        party_code,
        is_confidential,
        registered_on,
        loaded_at
    from {{ ref('stg_ncsbe__voters') }}
),

ohio as (
    select
        'OH' as state,
        sos_voter_id as voter_id,
        first_name,
        middle_name,
        last_name,
        name_suffix,
        birth_year,
        residential_street_address,
        residential_city,
        residential_zip5,
        -- The SWVF carries only the county number; counties are named in NC's file alone.
        cast(null as {{ dbt.type_string() }}) as county_name,
        registration_status,
        party_code,
        -- Ohio publishes no confidentiality flag: protected voters are left out of the file instead.
        false as is_confidential,
        registered_on,
        loaded_at
    from {{ ref('stg_ohio_sos__voters') }}
),

all_states as (
    select * from north_carolina
    union all
    select * from ohio
)

select
    {{ dbt.concat(['state', "':'", 'voter_id']) }} as voter_registration_key,
    *
from all_states
