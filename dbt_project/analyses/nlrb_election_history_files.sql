-- Per file of the NLRB election history (the FY2011-FY2021 reports and the CATS release): rows landed, rows kept
-- in staging, and the elections (case and unit) they hold; the data year is a report's fiscal year of closing. Landed minus kept is what staging dropped: a report's
-- exact repeats; CATS's repeats and the rows of cases a later yearly snapshot holds. Compiled and run by
-- shopfloor.nlrb_history for docs/nlrb_history.md.
with landed as (
    select _source_file as source_file, 'fy_report' as record_source, count(*) as rows_landed
    from {{ source('nlrb', 'nlrb_election_reports') }}
    group by _source_file
    union all
    select _source_file, 'cats', count(*)
    from {{ source('nlrb', 'nlrb_cats_r_cases') }}
    group by _source_file
),

kept as (
    select
        source_file,
        count(*) as rows_kept,
        count(distinct case_number) as elections_kept,
        max(closed_fiscal_year) as data_year
    from {{ ref('stg_nlrb__election_reports') }}
    group by source_file
    union all
    select
        source_file,
        count(*),
        count(distinct {{ dbt.concat(['case_number', "'/'", "coalesce(unit_id, '-')"]) }}),
        -- A CATS file is a snapshot: the year of its latest petition.
        cast(max(extract(year from filed_on)) as integer)
    from {{ ref('stg_nlrb__cats_r_cases') }}
    group by source_file
)

select
    landed.record_source,
    landed.source_file,
    kept.data_year,
    landed.rows_landed,
    coalesce(kept.rows_kept, 0) as rows_kept,
    landed.rows_landed - coalesce(kept.rows_kept, 0) as rows_dropped,
    coalesce(kept.elections_kept, 0) as elections_kept
from landed
left join kept on landed.source_file = kept.source_file
order by landed.record_source desc, landed.source_file
