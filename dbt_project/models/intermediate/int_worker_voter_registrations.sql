{{ config(tags=['after_resolution']) }}
-- One row per worker (member or organizing contact) that person resolution matched to a voter registration, with
-- the registration's state and date: the registrations mart_workers counts point-in-time (macro worker_voting).
select
    workers.worker_key,
    registrations.voter_registration_key,
    -- The registration's person key, as person_links and the raw voter rows have it (`shopfloor forget` follows it).
    {{ person_key('registrations.voter_registration_key') }} as voter_key,
    registrations.state as voter_state,
    registrations.registered_on
from {{ ref('int_worker_contacts') }} as workers
join {{ ref('int_voter_registrations') }} as registrations
    on registrations.state = workers.voter_state and registrations.voter_id = workers.voter_id
