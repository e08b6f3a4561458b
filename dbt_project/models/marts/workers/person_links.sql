-- One row per member on the latest roll: is the member a registered voter, and under which pseudonymous
-- registration. Built after person resolution (shopfloor.resolution.persons) has written
-- resolution.worker_voter_links (members' and organizing contacts' links; contacts' links reach the marts through
-- mart_workers); keys only, no names, addresses or birth dates.
{{ config(tags=['after_resolution']) }}

with members as (
    select member_id, member_key from {{ ref('stg_union_roll__members') }}
),

links as (
    select * from {{ ref('stg_resolution__worker_voter_links') }}
    where source = 'member'
)

select
    members.member_key,
    coalesce(links.matched, false) as is_registered_voter,
    case when links.matched then links.state end as voter_state,
    case when links.matched then {{ person_key("links.state || ':' || links.voter_id") }} end as voter_key,
    -- The best candidate's score even when it falls short, so analysts can see how close the misses were.
    links.match_probability,
    links.match_weight
from members
left join links on links.record_id = members.member_id
