{{ config(tags=['after_resolution']) }}
-- One row per NLRB election unit (case and bargaining unit) resolved to a workplace: its petition's filing date,
-- its tally history summed up and its outcomes (first tally, last decided tally). The spine and labels of
-- mart_election_training, kept as a table so the feature macro joins a relation of known size.
with first_tallies as (
    select *
    from (
        select *, row_number() over (partition by source_record_id order by tally_sequence) as tally_rank
        from {{ ref('fct_nlrb_elections') }}
    ) as ranked_tallies
    where tally_rank = 1
),

-- The last tally that decided something: a runoff pending leaves union_won NULL.
final_tallies as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by source_record_id
                order by case when union_won is null then 1 else 0 end, tally_sequence desc
            ) as tally_rank
        from {{ ref('fct_nlrb_elections') }}
    ) as ranked_tallies
    where tally_rank = 1
),

tally_histories as (
    select
        source_record_id,
        count(*) as tally_count,
        max(election_date) as last_tally_on,
        sum(case when tally_type = 'Runoff' then 1 else 0 end) > 0 as had_runoff,
        sum(case when tally_type = 'Rerun' then 1 else 0 end) > 0 as had_rerun
    from {{ ref('fct_nlrb_elections') }}
    group by source_record_id
)

select
    first_tallies.source_record_id as election_unit_id,
    first_tallies.case_number,
    first_tallies.unit_id,
    first_tallies.case_type_code,
    links.workplace_id,
    cases.filed_on as petition_filed_on,
    first_tallies.election_date as first_tally_on,
    first_tallies.tally_type as first_tally_type,
    tally_histories.last_tally_on,
    cast(tally_histories.tally_count as integer) as tally_count,
    tally_histories.had_runoff,
    tally_histories.had_rerun,
    first_tallies.eligible_voters,
    first_tallies.union_name,
    first_tallies.union_won as first_tally_union_won,
    final_tallies.union_won
from first_tallies
join tally_histories on tally_histories.source_record_id = first_tallies.source_record_id
join final_tallies on final_tallies.source_record_id = first_tallies.source_record_id
join {{ ref('fct_nlrb_cases') }} as cases on cases.case_number = first_tallies.case_number
join {{ ref('workplace_links') }} as links
    on links.source_system = 'nlrb' and links.source_record_id = first_tallies.source_record_id
where links.workplace_id is not null
    and cases.filed_on is not null
