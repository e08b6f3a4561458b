{{ config(tags=['after_resolution']) }}
-- Each general election a matched worker (member or organizing contact) could have voted in (held in the state of
-- their registration, on or after its date) and whether they did: the denominator and numerator of turnout in
-- mart_workers. Voter history lists only votes cast, so a state's election calendar is every general election date
-- anyone in its history voted in.
with general_elections as (
    select distinct state, election_date
    from {{ ref('int_voter_history') }}
    where election_type = 'GENERAL'
),

general_election_votes as (
    select distinct voter_registration_key, election_date
    from {{ ref('int_voter_history') }}
    where election_type = 'GENERAL'
)

select
    registrations.worker_key,
    general_elections.election_date,
    general_election_votes.voter_registration_key is not null as voted
from {{ ref('int_worker_voter_registrations') }} as registrations
join general_elections
    on general_elections.state = registrations.voter_state
    and (registrations.registered_on is null or general_elections.election_date >= registrations.registered_on)
left join general_election_votes
    on general_election_votes.voter_registration_key = registrations.voter_registration_key
    and general_election_votes.election_date = general_elections.election_date
