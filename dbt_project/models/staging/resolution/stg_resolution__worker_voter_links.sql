{{ config(tags=['after_resolution']) }}
-- Each member's and organizing contact's best voter registration, as the models after person resolution read it.
select
    source,
    record_id,
    state,
    voter_id,
    match_probability,
    match_weight,
    matched
from {{ source('resolution', 'worker_voter_links') }}
