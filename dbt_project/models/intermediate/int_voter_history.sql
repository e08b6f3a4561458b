-- Elections each registered voter voted in, every state in one shape.
with north_carolina as (
    select
        'NC' as state,
        ncid as voter_id,
        election_date,
        election_type,
        election_description,
        voting_method,
        voted_party_code as ballot_party_code
    from {{ ref('stg_ncsbe__voter_history') }}
),

ohio as (
    select
        'OH' as state,
        sos_voter_id as voter_id,
        election_date,
        election_type,
        election_column as election_description,
        cast(null as {{ dbt.type_string() }}) as voting_method,
        primary_ballot_party_code as ballot_party_code
    from {{ ref('stg_ohio_sos__voter_history') }}
    -- The SWVF has a column for every election; a blank cell means the voter did not vote.
    where voted
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
