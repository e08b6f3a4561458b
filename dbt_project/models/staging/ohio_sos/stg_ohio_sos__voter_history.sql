-- Ohio voter history: the SWVF's election columns (GENERAL-11/08/2022 = X when the voter voted; a primary
-- holds the party ballot taken), one row per voter and election, from the latest file that carried it.
with latest_history as (
    {{ latest_record_per_key(source('ohio_sos', 'ohio_voter_history'), ['sos_voterid', 'election_column']) }}
)

select
    {{ clean_code('sos_voterid') }} as sos_voter_id,
    election_date,
    {{ clean_code('election_type') }} as election_type,
    {{ clean_text('election_column') }} as election_column,
    {{ clean_code('value') }} is not null as voted,
    case
        when {{ clean_code('election_type') }} = 'PRIMARY' and {{ clean_code('value') }} <> 'X'
            then {{ clean_code('value') }}
    end as primary_ballot_party_code,
    _loaded_at as loaded_at
from latest_history
where {{ not_forgotten(raw_person_key('ohio_voter_history')) }}
