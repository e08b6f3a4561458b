{{ config(tags=['after_resolution']) }}
-- The employer resolution's verdict on each employer mention, as the marts after it read it.
select
    mention_id,
    workplace_id,
    employer_id,
    match_method,
    match_probability
from {{ source('resolution', 'employer_mention_clusters') }}
