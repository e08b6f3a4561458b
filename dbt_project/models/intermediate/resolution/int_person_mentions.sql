-- Every member on the roll, every organizing contact and every voter registration, in one shape for person
-- matching (shopfloor.resolution.persons): standardized names, the given names a nickname stands for, birth year,
-- house number, street and ZIP. Holds names and addresses; not for analysts. Builds on DuckDB and PostgreSQL
-- (arrays through macros/cross_db).
with members as (
    select
        'member' as source,
        member_id as record_id,
        state,
        cast(null as {{ dbt.type_string() }}) as voter_id,
        {{ person_name_std('first_name') }} as first_name_std,
        {{ person_name_std('middle_name') }} as middle_name_std,
        {{ person_name_std('last_name') }} as last_name_std,
        cast(extract(year from birth_date) as integer) as birth_year,
        {{ street_number('street_address') }} as street_number,
        {{ street_name_std('street_address') }} as street_name_std,
        zip5
    from {{ ref('stg_union_roll__members') }}
),

-- Contacts give no middle name and no birth date: the match rests on name, address and ZIP.
contacts as (
    select
        'contact' as source,
        contact_id as record_id,
        state,
        cast(null as {{ dbt.type_string() }}) as voter_id,
        {{ person_name_std('first_name') }} as first_name_std,
        cast(null as {{ dbt.type_string() }}) as middle_name_std,
        {{ person_name_std('last_name') }} as last_name_std,
        cast(null as integer) as birth_year,
        {{ street_number('street_address') }} as street_number,
        {{ street_name_std('street_address') }} as street_name_std,
        zip5
    from {{ ref('stg_organizing__contacts') }}
),

registrants as (
    select
        'voter' as source,
        voter_registration_key as record_id,
        state,
        voter_id,
        {{ person_name_std('first_name') }} as first_name_std,
        {{ person_name_std('middle_name') }} as middle_name_std,
        {{ person_name_std('last_name') }} as last_name_std,
        cast(birth_year as integer) as birth_year,
        {{ street_number('residential_street_address') }} as street_number,
        {{ street_name_std('residential_street_address') }} as street_name_std,
        residential_zip5 as zip5
    from {{ ref('int_voter_registrations') }}
),

mentions as (
    select * from members
    union all
    select * from contacts
    union all
    select * from registrants
),

-- A nickname can stand for several given names (PAT: PATRICIA, PATRICK); keep them all.
given_names as (
    select nickname, {{ sorted_array_agg('given_name') }} as given_names
    from {{ ref('nicknames') }}
    group by nickname
)

select
    mentions.source || ':' || mentions.record_id as mention_id,
    mentions.source,
    mentions.record_id,
    mentions.state,
    mentions.voter_id,
    mentions.first_name_std,
    -- One given name per nickname (the first alphabetically), a blocking key; first_name_forms for comparing.
    coalesce(given_names.given_names[1], mentions.first_name_std) as first_name_canonical,
    case when mentions.first_name_std is not null then
        {{ array_prepend_distinct('mentions.first_name_std', 'given_names.given_names') }}
    end as first_name_forms,
    mentions.middle_name_std,
    left(mentions.middle_name_std, 1) as middle_initial,
    mentions.last_name_std,
    -- A hyphenated surname is often typed with one part only: compare the parts as well as the whole.
    {{ split_to_array('mentions.last_name_std', ' ') }} as last_name_parts,
    mentions.birth_year,
    mentions.street_number,
    mentions.street_name_std,
    mentions.zip5
from mentions
left join given_names on mentions.first_name_std = given_names.nickname
