{{ config(tags=['after_resolution']) }}
-- One row per resolved employer: the legal name and trade name its records use most (the agencies' spelling
-- preferred over the short forms of the union's roll and of organizing contacts), and how many workplaces and records it has.
with mentions as (
    select clusters.workplace_id, clusters.employer_id, mentions.*
    from {{ ref('int_employer_mentions') }} as mentions
    join {{ ref('stg_resolution__employer_mention_clusters') }} as clusters
        on clusters.mention_id = mentions.mention_id
),

legal_names as (
    select
        employer_id,
        legal_name_core,
        row_number() over (
            partition by employer_id
            order by sum(case when source_system in ('osha', 'nlrb') then 2 else 1 end) desc, legal_name_core
        ) as rank_in_employer
    from mentions
    where legal_name_core is not null
    group by employer_id, legal_name_core
),

trade_names as (
    select
        employer_id,
        dba_name_core,
        row_number() over (partition by employer_id order by count(*) desc, dba_name_core) as rank_in_employer
    from mentions
    where dba_name_core is not null
    group by employer_id, dba_name_core
),

counts as (
    select
        employer_id,
        count(distinct workplace_id) as workplaces,
        count(*) as source_records,
        cast(sum(case when workplace_id is null then 1 else 0 end) as {{ dbt.type_bigint() }})
            as source_records_without_workplace
    from mentions
    group by employer_id
)

select
    counts.employer_id,
    legal_names.legal_name_core as employer_name,
    trade_names.dba_name_core as trade_name,
    counts.workplaces,
    counts.workplaces > 1 as is_multi_site,
    counts.source_records,
    counts.source_records_without_workplace
from counts
left join legal_names on legal_names.employer_id = counts.employer_id and legal_names.rank_in_employer = 1
left join trade_names on trade_names.employer_id = counts.employer_id and trade_names.rank_in_employer = 1
