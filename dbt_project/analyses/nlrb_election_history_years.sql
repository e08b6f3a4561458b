-- Elections per fiscal year of the election in fct_nlrb_election_outcomes, by the source each came from, with
-- the share the union won, the share resting on a certification and the share whose first union has a known
-- affiliation. Compiled and run by shopfloor.nlrb_history
-- for docs/nlrb_history.md.
select
    election_fiscal_year,
    cast(count(*) as integer) as elections,
    cast(sum(case when record_source = 'cats' then 1 else 0 end) as integer) as from_cats,
    cast(sum(case when record_source = 'fy_report' then 1 else 0 end) as integer) as from_fy_report,
    cast(sum(case when record_source = 'nlrb_tallies' then 1 else 0 end) as integer) as from_nlrb_tallies,
    cast(sum(case when is_marked_won_and_lost then 1 else 0 end) as integer) as marked_won_and_lost,
    round(avg(case when union_won then 1.0 when not union_won then 0.0 end), 3) as union_won_share,
    round(avg(case when union_won_basis = 'certification' then 1.0 else 0.0 end), 3) as certified_share,
    round(avg(case when union_1_affiliation is not null then 1.0 else 0.0 end), 3) as union_affiliation_share
from {{ ref('fct_nlrb_election_outcomes') }}
group by election_fiscal_year
order by election_fiscal_year
