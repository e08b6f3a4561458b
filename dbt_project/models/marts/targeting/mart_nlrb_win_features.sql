-- The win model's rows: one per RC or RM election, decided or pending, with what was public the day before its
-- petition was filed (history_before_filing): earlier outcomes nationally, in its NLRB region and state, of its
-- union's affiliation and local, and at its employer, plus the employer's petitions of the past year (a wave).
-- Outcomes count from the day they became public, so a wave's early wins inform its later petitions.
-- Recent windows are two years: win rates drift (about 51% in FY2000, 70% in FY2019).
{%- set histories = [
    ('nation', "'all'", 730),
    ('region', 'nlrb_region', 730),
    ('state', 'state', 730),
    ('affiliation', 'union_affiliation', none),
    ('affiliation_recent', 'union_affiliation', 730),
    ('local', 'union_local', none),
    ('employer', 'employer_key', none),
] %}
with elections as (
    select * from {{ ref('int_nlrb_elections_at_filing') }}
),

{% for name, key, window_days in histories %}
{{ name }}_outcomes as (
    {{ history_before_filing('elections', key, 'outcome_known_on', 'cast(union_won as integer)', window_days) }}
),
{% endfor %}

employer_petitions as (
    {{ history_before_filing('elections', 'employer_key', 'filed_on') }}
),

employer_recent_petitions as (
    {{ history_before_filing('elections', 'employer_key', 'filed_on', window_days=365) }}
)

select
    elections.election_key,
    elections.case_number,
    elections.case_type_code,
    elections.case_name,
    elections.state,
    elections.nlrb_region,
    elections.naics_sector,
    elections.eligible_voters,
    elections.union_affiliation,
    elections.filed_on,
    elections.is_filed_on_estimated,
    elections.election_date,
    elections.election_fiscal_year,
    elections.election_mode,
    elections.unions_on_ballot,
    cast(elections.days_filing_to_election as integer) as days_filing_to_election,
    elections.outcome_known_on,
    elections.union_won,
    elections.union_won_basis,
    elections.case_type_code = 'RM' as is_employer_petition,
    {%- for name, key, window_days in histories %}
    cast(coalesce({{ name }}_outcomes.events, 0) as {{ dbt.type_bigint() }}) as {{ name }}_prior_elections,
    cast(coalesce({{ name }}_outcomes.weights, 0) as {{ dbt.type_bigint() }}) as {{ name }}_prior_wins,
    {%- endfor %}
    cast(coalesce(employer_petitions.events, 0) as {{ dbt.type_bigint() }}) as employer_prior_petitions,
    cast(coalesce(employer_recent_petitions.events, 0) as {{ dbt.type_bigint() }})
        as employer_petitions_past_year
from elections
{%- for name, key, window_days in histories %}
left join {{ name }}_outcomes on elections.election_key = {{ name }}_outcomes.election_key
{%- endfor %}
left join employer_petitions on elections.election_key = employer_petitions.election_key
left join employer_recent_petitions on elections.election_key = employer_recent_petitions.election_key
