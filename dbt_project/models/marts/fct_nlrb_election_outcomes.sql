-- One row per NLRB election (case and unit), 1999-2021, with the Board's certified outcome as the label.
-- Sources overlap (CATS runs into 2010, the FY2011 report reaches back to 2010 elections; the FY2017-21 reports
-- and the 2017-2021 tallies cover the same cases), so each case is taken whole from the best source holding it:
-- the tallies (unit ids, every tally, election mode), then the yearly reports, then CATS. The yearly report fills
-- the election agreement and, where the chosen source has none, the closing; CATS fills the industry code.
-- record_source names the source of every other field.
with by_source as (
    select
        *,
        min(source_priority) over (partition by case_number) as best_priority
    from {{ ref('int_nlrb_election_outcomes_by_source') }}
),

reports as (
    select case_number, closed_reason, election_agreement, is_marked_won_and_lost
    from by_source
    where record_source = 'fy_report'
),

cats as (
    select case_number, max(naics_code) as naics_code
    from by_source
    where record_source = 'cats'
    group by case_number
),

chosen as (
    select
        by_source.*,
        coalesce(by_source.closed_reason, reports.closed_reason) as closing,
        case when by_source.closed_reason is not null then by_source.record_source when reports.closed_reason
            is not null then 'fy_report' end as closing_source,
        coalesce(by_source.election_agreement, reports.election_agreement) as agreement,
        coalesce(by_source.is_marked_won_and_lost or reports.is_marked_won_and_lost, false) as marked_won_and_lost,
        coalesce(by_source.naics_code, cats.naics_code) as industry_code
    from by_source
    left join reports on by_source.case_number = reports.case_number
    left join cats on by_source.case_number = cats.case_number
    where by_source.source_priority = by_source.best_priority
),

labelled as (
    select
        chosen.*,
        union_1.affiliation as union_1_affiliation,
        union_1.designation as union_1_designation,
        union_2.affiliation as union_2_affiliation,
        union_2.designation as union_2_designation,
        union_3.affiliation as union_3_affiliation,
        union_3.designation as union_3_designation,
        -- Deauthorization (UD) votes and other case types elect no representative: no outcome.
        case
            when case_type_code in ('RC', 'RD', 'RM') then {{ nlrb_certified_union_won('closing') }}
        end as certified_union_won
    from chosen
    left join {{ ref('int_union_names') }} as union_1 on chosen.union_1_name = union_1.union_name
    left join {{ ref('int_union_names') }} as union_2 on chosen.union_2_name = union_2.union_name
    left join {{ ref('int_union_names') }} as union_3 on chosen.union_3_name = union_3.union_name
)

select
    {{ dbt.concat(['case_number', "'/'", "coalesce(unit_id, '-')"]) }} as election_key,
    case_number,
    unit_id,
    case_type_code,
    case_name,
    city,
    state,
    industry_code as naics_code,
    filed_on,
    election_date,
    cast({{ federal_fiscal_year('election_date') }} as integer) as election_fiscal_year,
    closed_on,
    cast({{ federal_fiscal_year('closed_on') }} as integer) as closed_fiscal_year,
    closing as closed_reason,
    closing_source as closed_reason_source,
    agreement as election_agreement,
    election_mode,
    eligible_voters,
    cast(votes_for_union as integer) as votes_for_union,
    votes_against,
    unions_on_ballot,
    union_1_name,
    union_1_affiliation,
    union_1_designation,
    union_2_name,
    union_2_affiliation,
    union_2_designation,
    union_3_name,
    union_3_affiliation,
    union_3_designation,
    union_to_certify,
    certified_union_won,
    tally_union_won,
    -- The label: the certification where the case closed with one, else the last tally's majority.
    case when case_type_code in ('RC', 'RD', 'RM') then coalesce(certified_union_won, tally_union_won) end as union_won,
    case
        when case_type_code not in ('RC', 'RD', 'RM') then null
        when certified_union_won is not null then 'certification'
        when tally_union_won is not null then 'tally'
    end as union_won_basis,
    marked_won_and_lost as is_marked_won_and_lost,
    record_source
from labelled
