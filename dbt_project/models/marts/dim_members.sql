-- One row per member on the latest roll, keyed by the pseudonymous member_key. No names, contact details
-- or exact birth date: analysts count and segment members here; identities stay in staging.
with members as (
    select * from {{ ref('stg_union_roll__members') }}
),

grievance_counts as (
    select member_key, count(*) as grievance_count
    from {{ ref('stg_union_roll__grievances') }}
    group by member_key
)

select
    members.member_key,
    'union_roll' as source_system,
    members.member_key as source_record_id,
    cast(extract(year from members.birth_date) as integer) as birth_year,
    members.city,
    members.state,
    members.zip5,
    members.employer_name,
    members.worksite_name,
    members.classification,
    members.hired_on,
    members.joined_on,
    members.member_status,
    members.dues_status,
    members.is_steward,
    members.is_committee_member,
    members.is_do_not_contact,
    members.email is not null as has_email,
    members.phone is not null as has_phone,
    cast(coalesce(grievance_counts.grievance_count, 0) as integer) as grievance_count
from members
left join grievance_counts on members.member_key = grievance_counts.member_key
