{{ config(tags=['after_resolution']) }}
-- One row per worker as of var as_of_date: each member on the roll, and each organizing contact first contacted
-- strictly before the as-of date (a contact made later is not known yet). The features a leader model needs, the
-- labels (is_steward, is_committee_member: known for members, NULL for contacts) and the status and do-not-contact
-- flags publishing suppresses on. Keyed by the pseudonymous worker_key; age only as a band. Grievances,
-- registration and votes count only when dated strictly before the as-of date.
with members as (
    select *, {{ as_of_date() }} as as_of_date
    from {{ ref('dim_members') }}
),

contacts as (
    select
        contacts.worker_key,
        contacts.classification,
        contacts.hired_on,
        contacts.is_do_not_contact,
        workers.birth_year,
        {{ as_of_date() }} as as_of_date
    from {{ ref('stg_organizing__contacts') }} as contacts
    join {{ ref('int_worker_contacts') }} as workers on workers.worker_key = contacts.worker_key
    where contacts.first_contacted_on < {{ as_of_date() }}
),

workers as (
    select
        member_key as worker_key,
        'union_roll' as source_system,
        member_key,
        as_of_date,
        classification,
        hired_on,
        joined_on,
        birth_year,
        {{ is_member_on('joined_on', 'member_status', 'as_of_date') }} as is_member_as_of,
        member_status,
        dues_status,
        is_do_not_contact,
        is_steward,
        is_committee_member
    from members
    union all
    select
        worker_key,
        'organizing_contacts' as source_system,
        cast(null as {{ dbt.type_string() }}) as member_key,
        as_of_date,
        classification,
        hired_on,
        cast(null as date) as joined_on,
        birth_year,
        false as is_member_as_of,
        cast(null as {{ dbt.type_string() }}) as member_status,
        cast(null as {{ dbt.type_string() }}) as dues_status,
        is_do_not_contact,
        -- Whether a contact leads is what the leader model is to find out: unknown, not false.
        cast(null as boolean) as is_steward,
        cast(null as boolean) as is_committee_member
    from contacts
),

worker_workplaces as (
    select source_system, source_record_id as worker_key, workplace_id, employer_id
    from {{ ref('workplace_links') }}
    where source_system in ('union_roll', 'organizing_contacts')
),

-- Only members file grievances. The whole record counts for leadership: a 36-month window undercounts members of
-- long standing.
grievances_filed as (
    select
        members.member_key,
        sum(
            case when grievances.filed_on >= {{ dbt.dateadd('month', -12, 'members.as_of_date') }} then 1 else 0 end
        ) as grievances_filed_12m,
        sum(
            case when grievances.filed_on >= {{ dbt.dateadd('month', -36, 'members.as_of_date') }} then 1 else 0 end
        ) as grievances_filed_36m,
        count(*) as grievances_filed_total
    from members
    join {{ ref('fct_grievances') }} as grievances
        on grievances.member_key = members.member_key
        and grievances.filed_on < members.as_of_date
    group by members.member_key
),

voting as (
    {{ worker_voting('workers') }}
),

aged as (
    select
        worker_key,
        cast(extract(year from as_of_date) as integer) - birth_year as age_in_as_of_year
    from workers
)

select
    workers.worker_key,
    workers.source_system,
    workers.member_key,
    workers.as_of_date,
    worker_workplaces.workplace_id,
    worker_workplaces.employer_id,
    workers.classification,
    workers.is_member_as_of,
    cast(
        cast({{ dbt.datediff('workers.hired_on', 'workers.as_of_date', 'day') }} as decimal(12, 4)) / 365.25
        as decimal(6, 2)
    ) as tenure_years,
    cast(
        cast({{ dbt.datediff('workers.joined_on', 'workers.as_of_date', 'day') }} as decimal(12, 4)) / 365.25
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
    -- A contact has no grievance record: unknown, not zero.
    case
        when workers.member_key is not null then cast(coalesce(grievances_filed.grievances_filed_total, 0) as integer)
    end as grievances_filed_total,
    voting.is_registered_voter,
    voting.general_elections_eligible,
    voting.general_elections_voted,
    voting.general_election_turnout,
    workers.member_status,
    workers.dues_status,
    workers.is_do_not_contact,
    workers.is_steward,
    workers.is_committee_member,
    workers.is_steward or workers.is_committee_member as is_leader
from workers
left join worker_workplaces
    on worker_workplaces.source_system = workers.source_system and worker_workplaces.worker_key = workers.worker_key
left join grievances_filed on grievances_filed.member_key = workers.member_key
left join voting on voting.worker_key = workers.worker_key
left join aged on aged.worker_key = workers.worker_key
