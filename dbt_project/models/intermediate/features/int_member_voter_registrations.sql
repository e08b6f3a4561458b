{{ config(tags=['after_resolution']) }}
-- One row per member that person resolution linked to a voter registration, with the registration's state and
-- date. person_links holds only the pseudonymous voter_key, so registrations are matched on the same salted hash.
select
    person_links.member_key,
    registrations.voter_registration_key,
    registrations.state as voter_state,
    registrations.registered_on
from {{ ref('person_links') }} as person_links
join {{ ref('int_voter_registrations') }} as registrations
    on person_links.voter_key = {{ person_key('registrations.voter_registration_key') }}
where person_links.is_registered_voter
