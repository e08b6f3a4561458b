-- Tallies from the NLRB "Recent Election Results" export (several rows per case: one per unit and tally).
-- Exact repeats (the export holds some, and a file may be loaded twice) are dropped.
with distinct_results as (
    select distinct
        region, case_number, case_name, status, date_filed, date_closed, reason_closed, city,
        states_territories, unit_id, ballot_type, tally_type, tally_date, no_of_eligible_voters, void_ballots,
        labor_union1, votes_for_labor_union1, labor_union2, votes_for_labor_union2, labor_union3,
        votes_for_labor_union3, votes_against, total_ballots_counted, runoff_required, challenged_ballots,
        challenges_are_determinative, union_to_certify, voting_unit_unit_a, voting_unit_unit_b,
        voting_unit_unit_c, voting_unit_unit_d
    from {{ source('nlrb', 'nlrb_recent_election_results') }}
)

select
    {{ clean_code('case_number') }} as case_number,
    {{ nlrb_case_type_code('case_number') }} as case_type_code,
    {{ clean_text('region') }} as region_name,
    {{ clean_text('case_name') }} as case_name,
    {{ clean_text('city') }} as city,
    {{ clean_code('states_territories') }} as state,
    {{ clean_text('status') }} as case_status,
    date_filed as filed_on,
    date_closed as closed_on,
    {{ clean_text('reason_closed') }} as closed_reason,
    tally_date as tallied_on,
    {{ nlrb_tally_type('tally_type') }} as tally_type,
    {{ clean_text('ballot_type') }} as ballot_type,
    {{ clean_code('unit_id') }} as unit_id,
    no_of_eligible_voters as eligible_voters,
    void_ballots,
    {{ clean_text('labor_union1') }} as union_1_name,
    votes_for_labor_union1 as union_1_votes,
    {{ clean_text('labor_union2') }} as union_2_name,
    votes_for_labor_union2 as union_2_votes,
    {{ clean_text('labor_union3') }} as union_3_name,
    votes_for_labor_union3 as union_3_votes,
    votes_against,
    total_ballots_counted as valid_votes_counted,
    challenged_ballots,
    {{ to_boolean('challenges_are_determinative') }} as are_challenges_determinative,
    {{ to_boolean('runoff_required') }} as is_runoff_required,
    {{ clean_text('union_to_certify') }} as union_to_certify,
    -- The export names the unit in up to four columns (Unit A..D); the row's unit_id says which applies.
    {%- set unit_description -%}
        case {{ clean_code('unit_id') }}
            when 'B' then voting_unit_unit_b
            when 'C' then voting_unit_unit_c
            when 'D' then voting_unit_unit_d
            else voting_unit_unit_a
        end
    {%- endset %}
    {{ clean_text(unit_description) }} as bargaining_unit_description
from distinct_results
