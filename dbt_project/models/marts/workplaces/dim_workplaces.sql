{{ config(tags=['after_resolution']) }}
-- One row per resolved workplace (an employer at a site): its most used name, store number, address, city,
-- state, ZIP5 and NAICS, and how many records of each source name it.
{%- set attributes = ['name_std', 'legal_name_core', 'store_number', 'address_key', 'city', 'state', 'zip5',
                      'naics_code'] %}

with mentions as (
    select clusters.workplace_id, clusters.employer_id, mentions.*
    from {{ ref('int_employer_mentions') }} as mentions
    join {{ ref('stg_resolution__employer_mention_clusters') }} as clusters
        on clusters.mention_id = mentions.mention_id
    where clusters.workplace_id is not null
),

{% for attribute in attributes %}
{{ attribute }}_ranked as (
    select
        workplace_id,
        {{ attribute }},
        row_number() over (partition by workplace_id order by count(*) desc, {{ attribute }}) as rank_in_workplace
    from mentions
    where {{ attribute }} is not null
    group by workplace_id, {{ attribute }}
),
{% endfor %}

counts as (
    select
        workplace_id,
        min(employer_id) as employer_id,
        count(*) as source_records,
        cast(sum(case when source_table = 'osha_inspection' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as osha_inspections,
        cast(sum(case when source_table = 'nlrb_cases' then 1 else 0 end) as {{ dbt.type_bigint() }}) as nlrb_cases,
        cast(sum(
            case when source_table in ('nlrb_election_tallies', 'nlrb_recent_election_results') then 1 else 0 end
        ) as {{ dbt.type_bigint() }}) as nlrb_election_units,
        cast(sum(case when source_table = 'members' then 1 else 0 end) as {{ dbt.type_bigint() }}) as members,
        cast(sum(case when source_table = 'grievances' then 1 else 0 end) as {{ dbt.type_bigint() }}) as grievances,
        cast(sum(case when source_table = 'organizing_contacts' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as organizing_contacts
    from mentions
    group by workplace_id
)

select
    counts.workplace_id,
    counts.employer_id,
    name_std_ranked.name_std as workplace_name,
    legal_name_core_ranked.legal_name_core as employer_name_core,
    store_number_ranked.store_number,
    address_key_ranked.address_key as street_address,
    city_ranked.city,
    state_ranked.state,
    zip5_ranked.zip5,
    naics_code_ranked.naics_code,
    counts.source_records,
    counts.osha_inspections,
    counts.nlrb_cases,
    counts.nlrb_election_units,
    counts.members,
    counts.grievances,
    counts.organizing_contacts
from counts
{%- for attribute in attributes %}
left join {{ attribute }}_ranked
    on {{ attribute }}_ranked.workplace_id = counts.workplace_id and {{ attribute }}_ranked.rank_in_workplace = 1
{%- endfor %}
