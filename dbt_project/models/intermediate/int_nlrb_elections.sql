-- NLRB representation-election tallies from both exports in one shape: one row per case, unit and tally.
-- The FOIA release (2017-2021) and the Recent Election Results export overlap; where both hold the same
-- tally, the recent export wins, as the later word on the case.
{%- set tally_columns = [
    'case_number', 'case_type_code', 'case_name', 'city', 'state', 'case_status', 'filed_on', 'closed_on',
    'closed_reason', 'tally_type', 'ballot_type', 'unit_id', 'eligible_voters', 'void_ballots',
    'union_1_name', 'union_1_votes', 'union_2_name', 'union_2_votes', 'union_3_name', 'union_3_votes',
    'votes_against', 'valid_votes_counted', 'challenged_ballots', 'are_challenges_determinative',
    'is_runoff_required', 'union_to_certify', 'bargaining_unit_description',
] %}

with foia_tallies as (
    select
        {{ tally_columns | join(',\n        ') }},
        coalesce(tallied_on, scheduled_election_on) as election_date,
        election_mode,
        'nlrb_foia_tallies' as data_source,
        2 as source_priority
    from {{ ref('stg_nlrb__election_tallies') }}
),

recent_results as (
    select
        {{ tally_columns | join(',\n        ') }},
        tallied_on as election_date,
        cast(null as {{ dbt.type_string() }}) as election_mode,
        'nlrb_recent_election_results' as data_source,
        1 as source_priority
    from {{ ref('stg_nlrb__recent_election_results') }}
),

all_tallies as (
    select * from foia_tallies
    union all
    select * from recent_results
),

-- A unit can have two tallies of one type on one day (e.g. self-determination voting groups): number them
-- within each source so that both survive and the same tally matches across sources.
numbered_tallies as (
    select
        *,
        row_number() over (
            partition by data_source, case_number, unit_id, tally_type, election_date
            order by valid_votes_counted desc, votes_against desc, union_1_votes desc, eligible_voters desc
        ) as same_day_tally_number
    from all_tallies
),

preferred_tallies as (
    select
        *,
        row_number() over (
            partition by case_number, unit_id, tally_type, election_date, same_day_tally_number
            order by source_priority
        ) as source_rank
    from numbered_tallies
),

tallies as (
    select
        *,
        row_number() over (
            partition by case_number, unit_id
            order by
                election_date,
                case tally_type when 'Initial' then 1 when 'Runoff' then 2 when 'Rerun' then 3 else 4 end,
                same_day_tally_number
        ) as tally_sequence,
        case
            when union_1_votes is null and union_2_votes is null and union_3_votes is null then null
            else coalesce(union_1_votes, 0) + coalesce(union_2_votes, 0) + coalesce(union_3_votes, 0)
        end as votes_for_union
    from preferred_tallies
    where source_rank = 1
)

select
    {{ dbt.concat([
        'case_number', "'/'", "coalesce(unit_id, '-')", "'/'", "cast(tally_sequence as " ~ dbt.type_string() ~ ")"
    ]) }} as election_id,
    case_number,
    case_type_code,
    unit_id,
    tally_sequence,
    tally_type,
    election_date,
    election_mode,
    ballot_type,
    case_name,
    city,
    state,
    case_status,
    filed_on,
    closed_on,
    closed_reason,
    eligible_voters,
    void_ballots,
    challenged_ballots,
    valid_votes_counted,
    votes_for_union,
    votes_against,
    union_1_name,
    union_1_votes,
    union_2_name,
    union_2_votes,
    union_3_name,
    union_3_votes,
    are_challenges_determinative,
    is_runoff_required,
    union_to_certify,
    -- Per tally: the votes decide, unless challenged ballots could change the outcome and the Board
    -- certified a union, or a runoff is still to come. With no counts, a certified union means a win.
    -- In a decertification (RD) election, a win means the union kept its majority.
    case
        when are_challenges_determinative and union_to_certify is not null then true
        when is_runoff_required then null
        when votes_for_union is not null or votes_against is not null
            then coalesce(votes_for_union, 0) > coalesce(votes_against, 0)
        when union_to_certify is not null then true
    end as union_won,
    bargaining_unit_description,
    data_source
from tallies
