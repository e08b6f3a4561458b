-- One row per landing source with dated records: its newest record on or before the run's as-of date, and how
-- old that is. Publishing refuses lists built on a source older than its limit (config/sources.yaml).
with records as (

    select 'voter_files' as source_name, registered_on as record_on from {{ ref('stg_ncsbe__voters') }}
    union all
    select 'voter_files', registered_on from {{ ref('stg_ohio_sos__voters') }}
    union all
    select 'voter_files', election_date from {{ ref('stg_ncsbe__voter_history') }}
    union all
    select 'nlrb', filed_on from {{ ref('stg_nlrb__election_tallies') }}
    union all
    select 'nlrb', filed_on from {{ ref('stg_nlrb__recent_election_results') }}
    union all
    select 'nlrb', filed_on from {{ ref('stg_nlrb__cases') }}
    union all
    select 'osha', opened_on from {{ ref('stg_osha__inspections') }}
    union all
    select 'membership', joined_on from {{ ref('stg_union_roll__members') }}
    union all
    select 'grievances', filed_on from {{ ref('stg_union_roll__grievances') }}
    union all
    select 'contacts', first_contacted_on from {{ ref('stg_organizing__contacts') }}
    union all
    select 'campaign_activity', activity_on from {{ ref('stg_campaign__activity') }}

),

per_source as (

    select
        source_name,
        max(case when record_on <= {{ as_of_date() }} then record_on end) as newest_record_on,
        min(record_on) as oldest_record_on
    from records
    group by source_name

)

select
    source_name,
    newest_record_on,
    oldest_record_on,
    {{ as_of_date() }} as as_of_date,
    cast({{ dbt.datediff('newest_record_on', as_of_date(), 'day') }} as integer) as data_age_days
from per_source
where newest_record_on is not null
