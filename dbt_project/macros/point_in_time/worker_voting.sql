{#- Voter-file participation of workers (members and organizing contacts) as of dates. spine_relation: a relation
    or CTE with worker_key and as_of_date; registrations come from int_worker_voter_registrations, elections from
    int_worker_general_elections. Only registrations made and elections held strictly before as_of_date count.
    Returns one row per spine pair: is_registered_voter, general_elections_eligible and general_elections_voted over
    the worker's last `recent_elections` general elections before the date (held after they registered), and
    their turnout share. -#}
{% macro worker_voting(spine_relation, recent_elections=4) %}
with voting_spine as (
    select distinct worker_key, as_of_date from {{ spine_relation }}
),

registrations as (
    select voting_spine.worker_key, voting_spine.as_of_date
    from voting_spine
    join {{ ref('int_worker_voter_registrations') }} as registrations
        on registrations.worker_key = voting_spine.worker_key
        -- A registration with no date is taken as old: states left it blank for long-standing voters.
        and (registrations.registered_on is null or registrations.registered_on < voting_spine.as_of_date)
),

ranked_elections as (
    select
        voting_spine.worker_key,
        voting_spine.as_of_date,
        elections.voted,
        row_number() over (
            partition by voting_spine.worker_key, voting_spine.as_of_date order by elections.election_date desc
        ) as recency_rank
    from voting_spine
    join {{ ref('int_worker_general_elections') }} as elections
        on elections.worker_key = voting_spine.worker_key
        and elections.election_date < voting_spine.as_of_date
),

recent_turnout as (
    select
        worker_key,
        as_of_date,
        count(*) as general_elections_eligible,
        sum(case when voted then 1 else 0 end) as general_elections_voted
    from ranked_elections
    where recency_rank <= {{ recent_elections }}
    group by worker_key, as_of_date
)

select
    voting_spine.worker_key,
    voting_spine.as_of_date,
    registrations.worker_key is not null as is_registered_voter,
    cast(coalesce(recent_turnout.general_elections_eligible, 0) as integer) as general_elections_eligible,
    cast(coalesce(recent_turnout.general_elections_voted, 0) as integer) as general_elections_voted,
    cast(
        cast(recent_turnout.general_elections_voted as decimal(9, 4)) / recent_turnout.general_elections_eligible
        as decimal(5, 4)
    ) as general_election_turnout
from voting_spine
left join registrations
    on registrations.worker_key = voting_spine.worker_key and registrations.as_of_date = voting_spine.as_of_date
left join recent_turnout
    on recent_turnout.worker_key = voting_spine.worker_key and recent_turnout.as_of_date = voting_spine.as_of_date
{% endmacro %}
