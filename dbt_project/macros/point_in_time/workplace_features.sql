{#- Workplace features as they stood on given dates: the one definition behind mart_workplaces (as of
    var as_of_date) and mart_election_training (as of each petition's filing date).

    spine_relation: a relation or CTE with the columns workplace_id and as_of_date. Returns one row per distinct
    pair. Point-in-time rule: an event counts only when dated strictly before as_of_date (OSHA inspections by
    opening date, citations by issue date, NLRB cases by filing date, tallies by election date, grievances by
    filing date, members by join date, organizing contacts by first contact, registrations by registration date,
    votes by election date).

    Known limits of the sources: the member roll is the latest one, with no leaving date, so members who have
    since left (terminated, retired) are missing at every date, and steward and committee flags are today's. -#}
{% macro workplace_features(spine_relation) %}
{%- set grievance_categories = ['discipline', 'overtime', 'safety', 'seniority', 'pay', 'scheduling'] -%}
with feature_spine as (
    select distinct spine.workplace_id, spine.as_of_date, workplaces.employer_id
    from {{ spine_relation }} as spine
    left join {{ ref('dim_workplaces') }} as workplaces on workplaces.workplace_id = spine.workplace_id
),

links as (
    select source_system, source_record_id, workplace_id, employer_id
    from {{ ref('workplace_links') }}
),

osha_inspections as (
    select links.workplace_id, inspections.*
    from {{ ref('fct_osha_inspections') }} as inspections
    join links on links.source_system = 'osha' and links.source_record_id = inspections.source_record_id
),

osha_inspection_features as (
    select
        feature_spine.workplace_id,
        feature_spine.as_of_date,
        count(*) as osha_inspections_5y,
        sum(osha_inspections.injured_worker_count) as osha_injured_workers_5y,
        sum(osha_inspections.fatality_count) as osha_fatalities_5y
    from feature_spine
    join osha_inspections
        on osha_inspections.workplace_id = feature_spine.workplace_id
        and osha_inspections.opened_on < feature_spine.as_of_date
        and osha_inspections.opened_on >= {{ dbt.dateadd('year', -5, 'feature_spine.as_of_date') }}
    group by feature_spine.workplace_id, feature_spine.as_of_date
),

-- The latest inspection before the date, for its headcount and date.
latest_osha_inspections as (
    select
        feature_spine.workplace_id,
        feature_spine.as_of_date,
        osha_inspections.opened_on,
        osha_inspections.employees_at_establishment,
        row_number() over (
            partition by feature_spine.workplace_id, feature_spine.as_of_date
            order by osha_inspections.opened_on desc, osha_inspections.inspection_id desc
        ) as recency_rank
    from feature_spine
    join osha_inspections
        on osha_inspections.workplace_id = feature_spine.workplace_id
        and osha_inspections.opened_on < feature_spine.as_of_date
),

-- Penalties as first assessed: the current penalty reflects settlements that may come after the date.
osha_violation_features as (
    select
        feature_spine.workplace_id,
        feature_spine.as_of_date,
        sum(case when violations.violation_type_code = 'S' then 1 else 0 end) as osha_serious_violations_5y,
        sum(case when violations.violation_type_code = 'W' then 1 else 0 end) as osha_willful_violations_5y,
        sum(case when violations.violation_type_code = 'R' then 1 else 0 end) as osha_repeat_violations_5y,
        sum(violations.initial_penalty) as osha_initial_penalties_5y
    from feature_spine
    join links on links.source_system = 'osha' and links.workplace_id = feature_spine.workplace_id
    join {{ ref('fct_osha_violations') }} as violations
        on violations.source_record_id = links.source_record_id
        and violations.issued_on < feature_spine.as_of_date
        and violations.issued_on >= {{ dbt.dateadd('year', -5, 'feature_spine.as_of_date') }}
    group by feature_spine.workplace_id, feature_spine.as_of_date
),

nlrb_cases as (
    select links.workplace_id, links.employer_id, cases.case_number, cases.case_type_code, cases.filed_on
    from {{ ref('fct_nlrb_cases') }} as cases
    join links on links.source_system = 'nlrb' and links.source_record_id = cases.source_record_id
),

nlrb_petition_features as (
    select
        feature_spine.workplace_id,
        feature_spine.as_of_date,
        count(*) as nlrb_petitions,
        max(nlrb_cases.filed_on) as last_nlrb_petition_on
    from feature_spine
    join nlrb_cases
        on nlrb_cases.workplace_id = feature_spine.workplace_id
        and nlrb_cases.case_type_code in ('RC', 'RM', 'RD')
        and nlrb_cases.filed_on < feature_spine.as_of_date
    group by feature_spine.workplace_id, feature_spine.as_of_date
),

-- Charges against the employer (CA) name a city, not a site, so they count for every site of the employer;
-- those resolved to this very site are counted apart.
unfair_labor_practice_features as (
    select
        feature_spine.workplace_id,
        feature_spine.as_of_date,
        count(*) as ulp_charges_against_employer_3y,
        sum(case when nlrb_cases.workplace_id = feature_spine.workplace_id then 1 else 0 end)
            as ulp_charges_at_workplace_3y
    from feature_spine
    join nlrb_cases
        on nlrb_cases.employer_id = feature_spine.employer_id
        and nlrb_cases.case_type_code = 'CA'
        and nlrb_cases.filed_on < feature_spine.as_of_date
        and nlrb_cases.filed_on >= {{ dbt.dateadd('year', -3, 'feature_spine.as_of_date') }}
    group by feature_spine.workplace_id, feature_spine.as_of_date
),

election_tallies as (
    select links.workplace_id, tallies.*
    from {{ ref('fct_nlrb_elections') }} as tallies
    join links on links.source_system = 'nlrb' and links.source_record_id = tallies.source_record_id
),

-- Each election unit's outcome as known on the date: its latest decided tally before it.
election_outcomes as (
    select *
    from (
        select
            feature_spine.workplace_id,
            feature_spine.as_of_date,
            election_tallies.case_type_code,
            election_tallies.election_date,
            election_tallies.union_won,
            row_number() over (
                partition by feature_spine.workplace_id, feature_spine.as_of_date, election_tallies.source_record_id
                order by election_tallies.tally_sequence desc
            ) as recency_rank
        from feature_spine
        join election_tallies
            on election_tallies.workplace_id = feature_spine.workplace_id
            and election_tallies.election_date < feature_spine.as_of_date
            and election_tallies.union_won is not null
    ) as ranked_outcomes
    where recency_rank = 1
),

-- Organizing elections (RC, RM) won and lost; a decertification (RD) the union lost ends a certification.
election_features as (
    select
        workplace_id,
        as_of_date,
        sum(case when case_type_code in ('RC', 'RM') and union_won then 1 else 0 end) as nlrb_elections_won,
        sum(case when case_type_code in ('RC', 'RM') and not union_won then 1 else 0 end) as nlrb_elections_lost,
        sum(case when case_type_code = 'RD' then 1 else 0 end) as nlrb_decertification_elections,
        max(case when case_type_code in ('RC', 'RM') and union_won then election_date end) as nlrb_certified_on,
        max(case when case_type_code = 'RD' and not union_won then election_date end) as nlrb_decertified_on
    from election_outcomes
    group by workplace_id, as_of_date
),

-- Units decided on the same day can split: the union won that day if it won any of them.
last_elections as (
    select
        workplace_id,
        as_of_date,
        case_type_code,
        election_date,
        union_won,
        row_number() over (
            partition by workplace_id, as_of_date order by election_date desc, union_won desc, case_type_code
        ) as recency_rank
    from election_outcomes
),

-- Eligible voters of the latest tally before the date: the size evidence where OSHA has none.
latest_eligible_voters as (
    select
        feature_spine.workplace_id,
        feature_spine.as_of_date,
        election_tallies.eligible_voters,
        row_number() over (
            partition by feature_spine.workplace_id, feature_spine.as_of_date
            -- Units tallied the same day: the largest one.
            order by election_tallies.election_date desc, election_tallies.eligible_voters desc
        ) as recency_rank
    from feature_spine
    join election_tallies
        on election_tallies.workplace_id = feature_spine.workplace_id
        and election_tallies.election_date < feature_spine.as_of_date
        and election_tallies.eligible_voters > 0
),

recent_grievances as (
    select feature_spine.workplace_id, feature_spine.as_of_date, grievances.category, grievances.supervisor_name
    from feature_spine
    join {{ ref('int_workplace_grievances') }} as grievances
        on grievances.workplace_id = feature_spine.workplace_id
        and grievances.filed_on < feature_spine.as_of_date
        and grievances.filed_on >= {{ dbt.dateadd('month', -12, 'feature_spine.as_of_date') }}
),

grievance_features as (
    select
        workplace_id,
        as_of_date,
        count(*) as grievances_12m
        {%- for category in grievance_categories %},
        sum(case when category = '{{ category }}' then 1 else 0 end) as {{ category }}_grievances_12m
        {%- endfor %}
    from recent_grievances
    group by workplace_id, as_of_date
),

supervisor_grievances as (
    select workplace_id, as_of_date, supervisor_name, count(*) as grievances
    from recent_grievances
    where supervisor_name is not null
    group by workplace_id, as_of_date, supervisor_name
),

supervisor_features as (
    select
        workplace_id,
        as_of_date,
        count(*) as supervisors_grieved_12m,
        max(grievances) as max_grievances_per_supervisor_12m,
        cast(cast(max(grievances) as decimal(9, 4)) / sum(grievances) as decimal(5, 4))
            as top_supervisor_grievance_share_12m
    from supervisor_grievances
    group by workplace_id, as_of_date
),

members_as_of as (
    -- A member's worker_key is their member_key (int_worker_contacts).
    select feature_spine.workplace_id, feature_spine.as_of_date, members.member_key as worker_key, members.is_steward
    from feature_spine
    join links on links.source_system = 'union_roll' and links.workplace_id = feature_spine.workplace_id
    join {{ ref('dim_members') }} as members
        on members.source_record_id = links.source_record_id
        and {{ is_member_on('members.joined_on', 'members.member_status', 'feature_spine.as_of_date') }}
),

member_voting_as_of as (
    {{ worker_voting('members_as_of') }}
),

member_features as (
    select
        members_as_of.workplace_id,
        members_as_of.as_of_date,
        count(*) as members,
        sum(case when members_as_of.is_steward then 1 else 0 end) as stewards,
        avg(case when member_voting_as_of.is_registered_voter then 1.0 else 0.0 end) as registered_member_share,
        avg(member_voting_as_of.general_election_turnout) as member_general_election_turnout
    from members_as_of
    join member_voting_as_of
        on member_voting_as_of.worker_key = members_as_of.worker_key
        and member_voting_as_of.as_of_date = members_as_of.as_of_date
    group by members_as_of.workplace_id, members_as_of.as_of_date
),

-- Organizing contacts the union knew at the site before the date (its organizing committee before a petition),
-- with their voter registration and turnout as of the date: the site's civic habits, seen through people the union
-- knows. Turnout pools every general election before the date that a registered contact could vote in.
contacts_known_as_of as (
    select feature_spine.workplace_id, feature_spine.as_of_date, workers.worker_key
    from feature_spine
    join {{ ref('int_worker_contacts') }} as workers
        on workers.source_system = 'organizing_contacts' and workers.workplace_id = feature_spine.workplace_id
    join {{ ref('stg_organizing__contacts') }} as contacts
        on contacts.worker_key = workers.worker_key and contacts.first_contacted_on < feature_spine.as_of_date
),

contact_voting_as_of as (
    {{ worker_voting('contacts_known_as_of', recent_elections=100) }}
),

contact_features as (
    select
        contacts_known_as_of.workplace_id,
        contacts_known_as_of.as_of_date,
        count(*) as contacts_known,
        avg(case when contact_voting_as_of.is_registered_voter then 1.0 else 0.0 end) as contact_registered_share,
        cast(sum(contact_voting_as_of.general_elections_voted) as decimal(9, 4))
            / nullif(sum(contact_voting_as_of.general_elections_eligible), 0) as contact_general_election_turnout
    from contacts_known_as_of
    join contact_voting_as_of
        on contact_voting_as_of.worker_key = contacts_known_as_of.worker_key
        and contact_voting_as_of.as_of_date = contacts_known_as_of.as_of_date
    group by contacts_known_as_of.workplace_id, contacts_known_as_of.as_of_date
),

sized as (
    select
        feature_spine.workplace_id,
        feature_spine.as_of_date,
        coalesce(latest_osha_inspections.employees_at_establishment, latest_eligible_voters.eligible_voters)
            as workplace_size,
        case
            when latest_osha_inspections.employees_at_establishment is not null then 'osha inspection'
            when latest_eligible_voters.eligible_voters is not null then 'nlrb eligible voters'
        end as workplace_size_source
    from feature_spine
    left join latest_osha_inspections
        on latest_osha_inspections.workplace_id = feature_spine.workplace_id
        and latest_osha_inspections.as_of_date = feature_spine.as_of_date
        and latest_osha_inspections.recency_rank = 1
        and latest_osha_inspections.employees_at_establishment > 0
    left join latest_eligible_voters
        on latest_eligible_voters.workplace_id = feature_spine.workplace_id
        and latest_eligible_voters.as_of_date = feature_spine.as_of_date
        and latest_eligible_voters.recency_rank = 1
)

select
    feature_spine.workplace_id,
    feature_spine.as_of_date,
    cast(sized.workplace_size as integer) as workplace_size,
    sized.workplace_size_source,
    cast(coalesce(osha_inspection_features.osha_inspections_5y, 0) as integer) as osha_inspections_5y,
    cast(coalesce(osha_violation_features.osha_serious_violations_5y, 0) as integer) as osha_serious_violations_5y,
    cast(coalesce(osha_violation_features.osha_willful_violations_5y, 0) as integer) as osha_willful_violations_5y,
    cast(coalesce(osha_violation_features.osha_repeat_violations_5y, 0) as integer) as osha_repeat_violations_5y,
    cast(
        coalesce(osha_violation_features.osha_serious_violations_5y, 0)
        + coalesce(osha_violation_features.osha_willful_violations_5y, 0)
        + coalesce(osha_violation_features.osha_repeat_violations_5y, 0)
        as integer
    ) as osha_serious_willful_repeat_violations_5y,
    cast(coalesce(osha_violation_features.osha_initial_penalties_5y, 0) as decimal(14, 2)) as osha_initial_penalties_5y,
    cast(coalesce(osha_inspection_features.osha_injured_workers_5y, 0) as integer) as osha_injured_workers_5y,
    cast(coalesce(osha_inspection_features.osha_fatalities_5y, 0) as integer) as osha_fatalities_5y,
    latest_osha_inspections.opened_on as last_osha_inspection_on,
    cast(coalesce(nlrb_petition_features.nlrb_petitions, 0) as integer) as nlrb_petitions,
    nlrb_petition_features.last_nlrb_petition_on,
    cast(coalesce(election_features.nlrb_elections_won, 0) as integer) as nlrb_elections_won,
    cast(coalesce(election_features.nlrb_elections_lost, 0) as integer) as nlrb_elections_lost,
    cast(coalesce(election_features.nlrb_decertification_elections, 0) as integer) as nlrb_decertification_elections,
    last_elections.election_date as last_election_on,
    last_elections.case_type_code as last_election_case_type,
    last_elections.union_won as last_election_union_won,
    election_features.nlrb_certified_on,
    coalesce(
        election_features.nlrb_certified_on is not null
        and (election_features.nlrb_decertified_on is null
             or election_features.nlrb_decertified_on < election_features.nlrb_certified_on),
        false
    ) as is_nlrb_certified,
    cast(coalesce(unfair_labor_practice_features.ulp_charges_against_employer_3y, 0) as integer)
        as ulp_charges_against_employer_3y,
    cast(coalesce(unfair_labor_practice_features.ulp_charges_at_workplace_3y, 0) as integer)
        as ulp_charges_at_workplace_3y,
    cast(coalesce(grievance_features.grievances_12m, 0) as integer) as grievances_12m,
    {%- for category in grievance_categories %}
    cast(coalesce(grievance_features.{{ category }}_grievances_12m, 0) as integer) as {{ category }}_grievances_12m,
    {%- endfor %}
    cast(
        case when member_features.members > 0
            then cast(coalesce(grievance_features.grievances_12m, 0) as decimal(9, 4)) / member_features.members
        end as decimal(9, 4)
    ) as grievances_per_member_12m,
    cast(coalesce(supervisor_features.supervisors_grieved_12m, 0) as integer) as supervisors_grieved_12m,
    cast(coalesce(supervisor_features.max_grievances_per_supervisor_12m, 0) as integer)
        as max_grievances_per_supervisor_12m,
    supervisor_features.top_supervisor_grievance_share_12m,
    cast(coalesce(member_features.members, 0) as integer) as members,
    cast(coalesce(member_features.stewards, 0) as integer) as stewards,
    cast(
        case when sized.workplace_size > 0
            then cast(coalesce(member_features.members, 0) as decimal(12, 4)) / sized.workplace_size
        end as decimal(9, 4)
    ) as member_density,
    cast(member_features.registered_member_share as decimal(5, 4)) as registered_member_share,
    cast(member_features.member_general_election_turnout as decimal(5, 4)) as member_general_election_turnout,
    cast(coalesce(contact_features.contacts_known, 0) as integer) as contacts_known,
    cast(contact_features.contact_registered_share as decimal(5, 4)) as contact_registered_share,
    cast(contact_features.contact_general_election_turnout as decimal(5, 4)) as contact_general_election_turnout,
    -- Represented: a certification still standing, or members at the site.
    coalesce(
        election_features.nlrb_certified_on is not null
        and (election_features.nlrb_decertified_on is null
             or election_features.nlrb_decertified_on < election_features.nlrb_certified_on),
        false
    ) or coalesce(member_features.members, 0) > 0 as is_represented
from feature_spine
left join sized
    on sized.workplace_id = feature_spine.workplace_id and sized.as_of_date = feature_spine.as_of_date
left join latest_osha_inspections
    on latest_osha_inspections.workplace_id = feature_spine.workplace_id
    and latest_osha_inspections.as_of_date = feature_spine.as_of_date
    and latest_osha_inspections.recency_rank = 1
left join osha_inspection_features
    on osha_inspection_features.workplace_id = feature_spine.workplace_id
    and osha_inspection_features.as_of_date = feature_spine.as_of_date
left join osha_violation_features
    on osha_violation_features.workplace_id = feature_spine.workplace_id
    and osha_violation_features.as_of_date = feature_spine.as_of_date
left join nlrb_petition_features
    on nlrb_petition_features.workplace_id = feature_spine.workplace_id
    and nlrb_petition_features.as_of_date = feature_spine.as_of_date
left join election_features
    on election_features.workplace_id = feature_spine.workplace_id
    and election_features.as_of_date = feature_spine.as_of_date
left join last_elections
    on last_elections.workplace_id = feature_spine.workplace_id
    and last_elections.as_of_date = feature_spine.as_of_date
    and last_elections.recency_rank = 1
left join unfair_labor_practice_features
    on unfair_labor_practice_features.workplace_id = feature_spine.workplace_id
    and unfair_labor_practice_features.as_of_date = feature_spine.as_of_date
left join grievance_features
    on grievance_features.workplace_id = feature_spine.workplace_id
    and grievance_features.as_of_date = feature_spine.as_of_date
left join supervisor_features
    on supervisor_features.workplace_id = feature_spine.workplace_id
    and supervisor_features.as_of_date = feature_spine.as_of_date
left join member_features
    on member_features.workplace_id = feature_spine.workplace_id
    and member_features.as_of_date = feature_spine.as_of_date
left join contact_features
    on contact_features.workplace_id = feature_spine.workplace_id
    and contact_features.as_of_date = feature_spine.as_of_date
{% endmacro %}
