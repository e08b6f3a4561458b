-- Representation-election tallies from the NLRB FOIA release (one row per case, unit and tally). The release
-- has no key of its own, so a file loaded twice is collapsed by dropping exact repeats.
with distinct_tallies as (
    select distinct
        case_number, case_name, unit_city, unit_state, case_status, case_filed_date, case_closed_date,
        closed_reason, election_mode, ballot_mail_date, ballot_count_date, schedule_election_date,
        scheduled_tally_date, tally_date, tally_type, tally_category, unit_id, ballots_impounded,
        num_eligible_voters, num_void_ballots, labor_organization_1_name, votes_for_labor_org1,
        labor_organization_2_name, votes_for_labor_org2, labor_organization_3_name, votes_for_labor_org3,
        votes_cast_against_labor_org, num_valid_votes_counted, num_challenged_ballots,
        challenges_r_determinitive, runoff_required, union_to_certify, unit_involved_on_petition,
        bargaining_unit_determined
    from {{ source('nlrb', 'nlrb_election_tallies') }}
)

select
    {{ clean_code('case_number') }} as case_number,
    {{ nlrb_case_type_code('case_number') }} as case_type_code,
    {{ clean_text('case_name') }} as case_name,
    {{ clean_text('unit_city') }} as city,
    {{ clean_code('unit_state') }} as state,
    {{ clean_text('case_status') }} as case_status,
    case_filed_date as filed_on,
    case_closed_date as closed_on,
    {{ clean_text('closed_reason') }} as closed_reason,
    {{ clean_text('election_mode') }} as election_mode,
    schedule_election_date as scheduled_election_on,
    tally_date as tallied_on,
    {{ nlrb_tally_type('tally_type') }} as tally_type,
    {{ clean_text('tally_category') }} as ballot_type,
    {{ clean_code('unit_id') }} as unit_id,
    {{ to_boolean('ballots_impounded') }} as are_ballots_impounded,
    num_eligible_voters as eligible_voters,
    num_void_ballots as void_ballots,
    {{ clean_text('labor_organization_1_name') }} as union_1_name,
    votes_for_labor_org1 as union_1_votes,
    {{ clean_text('labor_organization_2_name') }} as union_2_name,
    votes_for_labor_org2 as union_2_votes,
    {{ clean_text('labor_organization_3_name') }} as union_3_name,
    votes_for_labor_org3 as union_3_votes,
    votes_cast_against_labor_org as votes_against,
    num_valid_votes_counted as valid_votes_counted,
    num_challenged_ballots as challenged_ballots,
    {{ to_boolean('challenges_r_determinitive') }} as are_challenges_determinative,
    {{ to_boolean('runoff_required') }} as is_runoff_required,
    {{ clean_text('union_to_certify') }} as union_to_certify,
    {{ clean_text('bargaining_unit_determined') }} as bargaining_unit_description,
    {{ clean_text('unit_involved_on_petition') }} as petitioned_unit_description
from distinct_tallies
