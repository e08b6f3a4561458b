-- One row per NLRB representation-election tally (case, unit, tally). A case's units can be different
-- workplaces, so source_record_id names the unit: <case number>/<unit id>.
select
    election_id,
    case_number,
    'nlrb' as source_system,
    {{ dbt.concat(['case_number', "'/'", "coalesce(unit_id, '-')"]) }} as source_record_id,
    case_type_code,
    unit_id,
    cast(tally_sequence as integer) as tally_sequence,
    tally_type,
    election_date,
    election_mode,
    ballot_type,
    eligible_voters,
    valid_votes_counted,
    votes_for_union,
    votes_against,
    challenged_ballots,
    void_ballots,
    case
        when eligible_voters > 0 then cast(
            cast(
                coalesce(valid_votes_counted, coalesce(votes_for_union, 0) + coalesce(votes_against, 0))
                as decimal(12, 4)
            ) / eligible_voters as decimal(7, 4)
        )
    end as turnout_rate,
    union_1_name as union_name,
    union_to_certify,
    are_challenges_determinative,
    is_runoff_required,
    union_won,
    data_source
from {{ ref('int_nlrb_elections') }}
