{{ config(tags=['after_resolution']) }}
-- Every source record that names an employer, with the workplace and employer it was resolved to. Keyed like
-- the facts (source_system, source_record_id), so any fact joins its workplace_id here.
with resolved as (
    select
        mentions.source_system,
        mentions.source_record_id,
        mentions.source_table,
        clusters.workplace_id,
        clusters.employer_id,
        clusters.match_method,
        clusters.match_probability,
        -- An election unit in both NLRB exports is one record: the recent export wins, as in int_nlrb_elections.
        row_number() over (
            partition by mentions.source_system, mentions.source_record_id
            order by case mentions.source_table when 'nlrb_recent_election_results' then 1 else 2 end,
                mentions.mention_id
        ) as preference
    from {{ ref('int_employer_mentions') }} as mentions
    join {{ ref('stg_resolution__employer_mention_clusters') }} as clusters
        on clusters.mention_id = mentions.mention_id
),

-- Representation cases the case search lacks but the election exports hold take their first unit's workplace.
cases_from_elections as (
    select
        'nlrb' as source_system,
        mentions.record_id as source_record_id,
        mentions.source_table,
        clusters.workplace_id,
        clusters.employer_id,
        clusters.match_method,
        clusters.match_probability,
        row_number() over (
            partition by mentions.record_id
            order by mentions.unit_id, case mentions.source_table when 'nlrb_recent_election_results' then 1 else 2 end
        ) as preference
    from {{ ref('int_employer_mentions') }} as mentions
    join {{ ref('stg_resolution__employer_mention_clusters') }} as clusters
        on clusters.mention_id = mentions.mention_id
    where mentions.source_table in ('nlrb_election_tallies', 'nlrb_recent_election_results')
        and mentions.record_id not in (
            select record_id from {{ ref('int_employer_mentions') }} where source_table = 'nlrb_cases'
        )
),

links as (
    select * from resolved where preference = 1
    union all
    select * from cases_from_elections where preference = 1
)

select
    source_system,
    source_record_id,
    source_table,
    workplace_id,
    employer_id,
    match_method,
    match_probability
from links
