{{ config(tags=['after_resolution']) }}
-- One row per worker the union knows by name: each member on the latest roll and each organizing contact, with how
-- to reach them (as the roll or the export spells it), the workplace resolution placed them at and the voter
-- registration person resolution matched them to. Personal data for publishing's contact lists and for the voter
-- features of mart_workers; the analysts' copy holds marts only, so it never reaches analysts.
with links as (
    select source, record_id, state as voter_state, voter_id
    from {{ ref('stg_resolution__worker_voter_links') }}
    where matched
),

workplaces as (
    select source_system, source_record_id, workplace_id
    from {{ ref('workplace_links') }}
    where source_system in ('union_roll', 'organizing_contacts')
),

members as (
    select
        members.member_key as worker_key,
        'union_roll' as source_system,
        members.member_id as source_record_id,
        workplaces.workplace_id,
        members.first_name,
        members.last_name,
        members.street_address,
        members.city,
        members.state,
        members.zip5,
        members.phone,
        members.email,
        members.birth_date,
        cast(extract(year from members.birth_date) as integer) as birth_year,
        members.is_do_not_contact,
        links.voter_state,
        links.voter_id
    from {{ ref('stg_union_roll__members') }} as members
    left join workplaces
        on workplaces.source_system = 'union_roll' and workplaces.source_record_id = members.member_key
    left join links on links.source = 'member' and links.record_id = members.member_id
),

-- The export has no birth date: the matched registration's birth year stands in.
contacts as (
    select
        contacts.worker_key,
        'organizing_contacts' as source_system,
        contacts.contact_id as source_record_id,
        workplaces.workplace_id,
        contacts.first_name,
        contacts.last_name,
        contacts.street_address,
        contacts.city,
        contacts.state,
        contacts.zip5,
        contacts.phone,
        contacts.email,
        cast(null as date) as birth_date,
        cast(registrations.birth_year as integer) as birth_year,
        contacts.is_do_not_contact,
        links.voter_state,
        links.voter_id
    from {{ ref('stg_organizing__contacts') }} as contacts
    left join workplaces
        on workplaces.source_system = 'organizing_contacts' and workplaces.source_record_id = contacts.worker_key
    left join links on links.source = 'contact' and links.record_id = contacts.contact_id
    left join {{ ref('int_voter_registrations') }} as registrations
        on registrations.state = links.voter_state and registrations.voter_id = links.voter_id
)

select * from members
union all
select * from contacts
