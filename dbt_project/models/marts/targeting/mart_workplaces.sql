{{ config(tags=['after_resolution']) }}
-- One row per resolved workplace with its features as of var as_of_date (macros/point_in_time): what an
-- organizer needs to rank sites. Features come from the same macro as the election training table.
with spine as (
    select workplace_id, {{ as_of_date() }} as as_of_date
    from {{ ref('dim_workplaces') }}
),

features as (
    {{ workplace_features('spine') }}
)

select
    workplaces.workplace_id,
    features.as_of_date,
    workplaces.employer_id,
    employers.employer_name,
    employers.is_multi_site as is_multi_site_employer,
    workplaces.workplace_name,
    workplaces.store_number,
    workplaces.city,
    workplaces.state,
    workplaces.zip5,
    workplaces.naics_code,
    substr(workplaces.naics_code, 1, 2) as naics_sector,
    features.workplace_size,
    features.workplace_size_source,
    features.is_represented,
    features.is_nlrb_certified,
    features.nlrb_certified_on,
    features.members,
    features.stewards,
    features.member_density,
    features.registered_member_share,
    features.member_general_election_turnout,
    features.contacts_known,
    features.contact_registered_share,
    features.contact_general_election_turnout,
    features.osha_inspections_5y,
    features.last_osha_inspection_on,
    features.osha_serious_violations_5y,
    features.osha_willful_violations_5y,
    features.osha_repeat_violations_5y,
    features.osha_serious_willful_repeat_violations_5y,
    features.osha_initial_penalties_5y,
    features.osha_injured_workers_5y,
    features.osha_fatalities_5y,
    features.nlrb_petitions,
    features.last_nlrb_petition_on,
    features.nlrb_elections_won,
    features.nlrb_elections_lost,
    features.nlrb_decertification_elections,
    features.last_election_on,
    features.last_election_case_type,
    features.last_election_union_won,
    features.ulp_charges_against_employer_3y,
    features.ulp_charges_at_workplace_3y,
    features.grievances_12m,
    features.discipline_grievances_12m,
    features.overtime_grievances_12m,
    features.safety_grievances_12m,
    features.seniority_grievances_12m,
    features.pay_grievances_12m,
    features.scheduling_grievances_12m,
    features.grievances_per_member_12m,
    features.supervisors_grieved_12m,
    features.max_grievances_per_supervisor_12m,
    features.top_supervisor_grievance_share_12m
from {{ ref('dim_workplaces') }} as workplaces
join features on features.workplace_id = workplaces.workplace_id
left join {{ ref('dim_employers') }} as employers on employers.employer_id = workplaces.employer_id
