-- Representation-case tallies from the NLRB's CATS FOIA release (elections 1999-2009): one row per case, unit,
-- tally and union on the ballot. Each yearly file is a snapshot of every case still of interest, so a case recurs
-- in later files, and rows repeat exactly within a file. A case is taken from the latest snapshot holding it
-- (snapshots ordered by their latest filing date), its exact repeats collapsed.
with snapshot_rows as (
    select
        *,
        max(date_filed) over (partition by _source_file) as snapshot_filed_through
    from {{ source('nlrb', 'nlrb_cats_r_cases') }}
),

ranked_snapshot_rows as (
    select
        *,
        max(snapshot_filed_through) over (partition by case_number) as latest_snapshot_of_case
    from snapshot_rows
),

latest_snapshot_rows as (
    select * from ranked_snapshot_rows where snapshot_filed_through = latest_snapshot_of_case
),

distinct_rows as (
    select distinct
        {{ nlrb_case_number('case_number') }} as case_number,
        {{ nlrb_case_type_code('case_number') }} as case_type_code,
        {{ clean_text('case_name') }} as case_name,
        {{ clean_text('status') }} as case_status,
        {{ clean_code('unit_id') }} as unit_id,
        {{ clean_text('tally_type') }} as cats_tally_type,
        date_election as election_date,
        tally_ballot_date as tallied_on,
        date_filed as filed_on,
        date_closed as closed_on,
        {{ clean_text('closing_method') }} as closing_method,
        upper(trim(election_results)) as tally_result,
        num_elig_employees as eligible_voters,
        num_valid_votes as valid_votes_counted,
        num_votes_for as union_votes,
        num_votes_against as votes_against,
        {{ clean_text('petitioner') }} as petitioner_name,
        {{ clean_text('union_involved') }} as union_involved_name,
        {{ to_boolean('multiunion') }} as is_multi_union,
        {{ clean_text('unit_loc_city') }} as city,
        {{ clean_text('unit_loc_state') }} as state_name,
        {{ clean_text('naics_code') }} as naics_description,
        {{ regex_group(clean_text('naics_code'), '^([0-9]{2,6})') }} as naics_code,
        {{ clean_text('bargaining_unit_code') }} as bargaining_unit_code,
        _source_file as source_file
    from latest_snapshot_rows
)

select
    distinct_rows.*,
    us_states.state_code as state,
    -- CATS codes a tally in five letters, undocumented in DataFields_RCASE.xls. Read here as the count (I: the
    -- initial tally; R or Rev: the revised tally after challenges were resolved) and the round (Init, Reru(n),
    -- Runf (runoff); Seco, Thir, Four, Fift: the second to fifth ballot of the unit).
    cats_tally_type like 'R%' as is_revised_tally,
    case
        when cats_tally_type like '%Init' then 'Initial'
        when cats_tally_type like '%Reru' or cats_tally_type = 'RevRe' then 'Rerun'
        when cats_tally_type like '%Runf' then 'Runoff'
        when cats_tally_type like '%Seco' then 'Second'
        when cats_tally_type like '%Thir' then 'Third'
        when cats_tally_type like '%Four' then 'Fourth'
        when cats_tally_type like '%Fift' then 'Fifth'
    end as tally_round
from distinct_rows
left join {{ ref('us_states') }} as us_states
    on upper(distinct_rows.state_name) = us_states.state_name
