{{ config(tags=['after_resolution']) }}
-- One row per member on the roll, as of var as_of_date: the features a leader model needs, the labels
-- (is_steward, is_committee_member) and the status and do-not-contact flags publishing suppresses on. Keyed by
-- the pseudonymous member_key; age only as a band. Grievances, registration and votes count only when dated
-- strictly before the as-of date.
with members as (
    select *, {{ as_of_date() }} as as_of_date
    from {{ ref('dim_members') }}
),

member_workplaces as (
    select source_record_id as member_key, workplace_id, employer_id
    from {{ ref('workplace_links') }}
    where source_system = 'union_roll'
),

grievances_filed as (
    select
        members.member_key,
        sum(
            case when grievances.filed_on >= {{ dbt.dateadd('month', -12, 'members.as_of_date') }} then 1 else 0 end
        ) as grievances_filed_12m,
        count(*) as grievances_filed_36m
    from members
    join {{ ref('fct_grievances') }} as grievances
        on grievances.member_key = members.member_key
        and grievances.filed_on < members.as_of_date
        and grievances.filed_on >= {{ dbt.dateadd('month', -36, 'members.as_of_date') }}
    group by members.member_key
),

voting as (
    {{ member_voting('members') }}
),

aged as (
    select
        member_key,
        cast(extract(year from as_of_date) as integer) - birth_year as age_in_as_of_year
    from members
)

select
    members.member_key as worker_key,
    'union_roll' as source_system,
    members.member_key,
    members.as_of_date,
    member_workplaces.workplace_id,
    member_workplaces.employer_id,
    members.classification,
    {{ is_member_on('members.joined_on', 'members.member_status', 'members.as_of_date') }} as is_member_as_of,
    cast(
        cast({{ dbt.datediff('members.hired_on', 'members.as_of_date', 'day') }} as decimal(12, 4)) / 365.25
        as decimal(6, 2)
    ) as tenure_years,
    cast(
        cast({{ dbt.datediff('members.joined_on', 'members.as_of_date', 'day') }} as decimal(12, 4)) / 365.25
        as decimal(6, 2)
    ) as union_tenure_years,
    case
        when aged.age_in_as_of_year is null then null
        when aged.age_in_as_of_year < 25 then 'under 25'
        when aged.age_in_as_of_year < 35 then '25-34'
        when aged.age_in_as_of_year < 45 then '35-44'
        when aged.age_in_as_of_year < 55 then '45-54'
        when aged.age_in_as_of_year < 65 then '55-64'
        else '65 and over'
    end as age_band,
    cast(coalesce(grievances_filed.grievances_filed_12m, 0) as integer) as grievances_filed_12m,
    cast(coalesce(grievances_filed.grievances_filed_36m, 0) as integer) as grievances_filed_36m,
    voting.is_registered_voter,
    voting.general_elections_eligible,
    voting.general_elections_voted,
    voting.general_election_turnout,
    members.member_status,
    members.dues_status,
    members.is_do_not_contact,
    members.is_steward,
    members.is_committee_member,
    members.is_steward or members.is_committee_member as is_leader
from members
left join member_workplaces on member_workplaces.member_key = members.member_key
left join grievances_filed on grievances_filed.member_key = members.member_key
left join voting on voting.member_key = members.member_key
left join aged on aged.member_key = members.member_key
