-- The NLRB's yearly "Elections" reports (FY2011-FY2021), one row per election closed in the fiscal year. The
-- loader read each section by its own header, so a section's columns are where they belong. A report can list an
-- election twice (14 exact repeats in the real FY2011-21 files): repeats are collapsed, keeping the first row.
with report_rows as (
    select
        {{ nlrb_case_number('case_number') }} as case_number,
        {{ nlrb_case_type_code('case_number') }} as case_type_code,
        {{ clean_text('case_name') }} as case_name,
        {{ clean_text('region') }} as region,
        {{ clean_text('dispute_unit_city') }} as city,
        {{ clean_code('dispute_unit_state') }} as state,
        election_held_date as election_date,
        closed_date as closed_on,
        {{ clean_text('closed_reason') }} as closed_reason,
        {{ clean_text('election_agreement') }} as election_agreement,
        num_eligible_voters as eligible_voters,
        -- A deauthorization (UD) section counts votes for and against the proposition, not for a union.
        coalesce(valid_votes_against, against_proposition) as votes_against,
        for_proposition as votes_for_proposition,
        {{ clean_text('labor_org_1_name') }} as union_1_name,
        votes_for_labor_org_1 as union_1_votes,
        {{ clean_text('labor_org_2_name') }} as union_2_name,
        votes_for_labor_org_2 as union_2_votes,
        {{ clean_text('labor_org_3_name') }} as union_3_name,
        votes_for_labor_org_3 as union_3_votes,
        {{ clean_text('union_to_certify') }} as union_to_certify,
        upper(trim(certified_representative)) = 'WON' as is_marked_won,
        upper(trim(certified_results)) = 'LOSS' as is_marked_lost,
        _sheet_name as report_section,
        _source_file as source_file,
        _source_line as source_line
    from {{ source('nlrb', 'nlrb_election_reports') }}
),

numbered as (
    select
        *,
        row_number() over (
            partition by
                source_file, case_number, case_name, election_date, closed_on, eligible_voters, votes_against,
                union_1_name, union_1_votes, union_2_votes, union_3_votes
            order by report_section, source_line
        ) as repeat_number
    from report_rows
)

select
    case_number,
    case_type_code,
    case_name,
    region,
    city,
    state,
    election_date,
    closed_on,
    cast({{ federal_fiscal_year('closed_on') }} as integer) as closed_fiscal_year,
    closed_reason,
    election_agreement,
    eligible_voters,
    votes_against,
    votes_for_proposition,
    union_1_name,
    union_1_votes,
    union_2_name,
    union_2_votes,
    union_3_name,
    union_3_votes,
    case when union_3_name is not null then 3 when union_2_name is not null then 2 else 1 end as unions_on_ballot,
    union_to_certify,
    coalesce(is_marked_won, false) as is_marked_won,
    coalesce(is_marked_lost, false) as is_marked_lost,
    -- Both columns marked (29 rows in the real FY2011-21 reports): the closing reason is the Board's word.
    coalesce(is_marked_won and is_marked_lost, false) as is_marked_won_and_lost,
    report_section,
    source_file,
    source_line
from numbered
where repeat_number = 1
