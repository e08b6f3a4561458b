{{ config(tags=['after_resolution']) }}
-- Training table of the win model: one row per NLRB representation election (case and bargaining unit) at a
-- resolved workplace, with the workplace's features as they stood on the petition's filing date (the same macro
-- as mart_workplaces) and the outcome. Every case type (RC, RM, RD) and every unit is kept, with its tally
-- history summed up, so that the model chooses: the win model trains on case_type_code in ('RC', 'RM');
-- union_won is the final decided tally (after any runoff or rerun), first_tally_union_won the initial count.
with spine as (
    select distinct workplace_id, petition_filed_on as as_of_date
    from {{ ref('int_nlrb_election_units') }}
),

features as (
    {{ workplace_features('spine') }}
)

select
    elections.election_unit_id,
    elections.case_number,
    elections.unit_id,
    elections.case_type_code,
    elections.workplace_id,
    elections.petition_filed_on,
    elections.first_tally_on,
    elections.first_tally_type,
    elections.last_tally_on,
    elections.tally_count,
    elections.had_runoff,
    elections.had_rerun,
    elections.eligible_voters,
    elections.union_name,
    features.workplace_size,
    features.workplace_size_source,
    features.is_represented,
    features.is_nlrb_certified,
    features.members,
    features.member_density,
    features.registered_member_share,
    features.member_general_election_turnout,
    features.contacts_known,
    features.contact_registered_share,
    features.contact_general_election_turnout,
    features.osha_inspections_5y,
    features.osha_serious_violations_5y,
    features.osha_willful_violations_5y,
    features.osha_repeat_violations_5y,
    features.osha_serious_willful_repeat_violations_5y,
    features.osha_initial_penalties_5y,
    features.osha_injured_workers_5y,
    features.osha_fatalities_5y,
    features.nlrb_petitions,
    features.nlrb_elections_won,
    features.nlrb_elections_lost,
    features.nlrb_decertification_elections,
    features.last_election_on,
    features.last_election_union_won,
    features.ulp_charges_against_employer_3y,
    features.ulp_charges_at_workplace_3y,
    features.grievances_12m,
    features.max_grievances_per_supervisor_12m,
    elections.first_tally_union_won,
    elections.union_won
from {{ ref('int_nlrb_election_units') }} as elections
join features
    on features.workplace_id = elections.workplace_id and features.as_of_date = elections.petition_filed_on
