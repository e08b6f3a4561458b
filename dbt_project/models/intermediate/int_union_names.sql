-- Every union name the NLRB election files write, standardized to the national affiliation (the codes OLMS uses:
-- IBT, SEIU, UFCW, ...) and the local's designation, so that the many spellings of one union agree
-- ("INTERNATIONAL BROTHERHOOD OF TEAMSTERS, LOCAL 633", "Teamsters Local No. 633", "IBT Local 633").
-- An affiliation is the longest alias of seed union_affiliation_aliases in the name, the earliest of equal
-- length: in "Legal Services Workers/ United Auto Workers Local 2320", "UNITED AUTO WORKERS" (UAW) outweighs the
-- "WORKERS UNITED" the slash made; "338 RWDSU/UFCW" is RWDSU, the division that bargains. A name with no alias
-- (an independent union, "AN INDIVIDUAL") has none.
with names as (
    select union_1_name as union_name from {{ ref('int_nlrb_election_outcomes_by_source') }}
    union
    select union_2_name from {{ ref('int_nlrb_election_outcomes_by_source') }}
    union
    select union_3_name from {{ ref('int_nlrb_election_outcomes_by_source') }}
),

name_words as (
    select
        union_name,
        {{ union_name_words('union_name') }} as words,
        {{ union_designation('union_name') }} as designation
    from names
    where union_name is not null
),

aliases as (
    select {{ union_name_words('alias') }} as alias_words, affiliation, affiliation_name
    from {{ ref('union_affiliation_aliases') }}
),

ranked_matches as (
    select
        name_words.union_name,
        aliases.affiliation,
        aliases.affiliation_name,
        row_number() over (
            partition by name_words.union_name
            order by length(aliases.alias_words) desc, position(aliases.alias_words in name_words.words)
        ) as match_rank
    from name_words
    inner join aliases on position(aliases.alias_words in name_words.words) > 0
)

select
    name_words.union_name,
    ranked_matches.affiliation,
    ranked_matches.affiliation_name,
    name_words.designation
from name_words
left join ranked_matches
    on name_words.union_name = ranked_matches.union_name
    and ranked_matches.match_rank = 1
