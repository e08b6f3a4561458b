"""Employer and workplace resolution: which source records name the same establishment, and which
establishments belong to the same employer.

Input: intermediate.int_employer_mentions (dbt), one row per OSHA inspection, NLRB case, NLRB election unit,
union member and grievance, with the employer name standardized and split (legal core, d/b/a core, store
number) and the workplace address as house number and standardized street. Output:
resolution.employer_mention_clusters, one row per mention with its workplace_id, employer_id, match_method and
match_probability.

Four steps:
1. Names: a mistyped legal form ending a name is dropped ("FOOD GIANT CROP"), a name one dropped or swapped
   letter from a more used name maps to it, and a trade name written alone or before the legal name ("FOOD
   GIANT SUPERMARKET FOOD GIANT") maps to the legal name it is filed under.
2. Workplaces from mentions that carry a street address (all but NLRB unfair-labor-practice cases): splink
   (Fellegi-Sunter on DuckDB) scores pairs formed only inside blocks (same address; same ZIP and name prefix;
   same house number and name prefix), and connected components of the pairs at or above MATCH_THRESHOLD are
   the workplaces.
3. Employers: each workplace takes the name its mentions give most often (agency mentions count double).
   Workplaces with the same name are one employer, across sites and store numbers; a local institution's
   name (LOCAL_INSTITUTION_WORDS: a hospital, a school) only within a state, and a workplace or mention without
   a state counts in its name's most used state.
4. Mentions without an address (ULP cases name only the employer and city) join their employer by name, and
   the workplace only when that employer has exactly one known workplace in the city; with none they form a
   workplace of their own per employer and city, with several the workplace stays unknown (NULL).

Ids are stable: a workplace's id is derived from the smallest mention_id in it, an employer's from the
smallest mention_id of all its workplaces ('W'/'E' and the first 12 hex digits of md5). The same mentions give
the same ids; splink's training is seeded.

splink runs in a private in-memory DuckDB held to SHOPFLOOR_MEMORY_LIMIT (shopfloor.resolution.scratch), so its
scratch tables never land in the warehouse; rows go in and out as Parquet files. It scores distinct records, not
mentions (see _link_sites), in slices: the work is bounded in memory at state scale (docs/performance.md).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import asdict, dataclass

import duckdb

from shopfloor.resolution.scratch import (
    EM_MAX_PAIRS,
    EM_PROBE_SAMPLE,
    copy_from_scratch,
    copy_to_scratch,
    prediction_chunks,
    scratch_database,
)
from shopfloor.settings import DBT_PROJECT_DIR

MENTIONS_TABLE = "intermediate.int_employer_mentions"
CLUSTERS_SCHEMA = "resolution"
CLUSTERS_TABLE = f"{CLUSTERS_SCHEMA}.employer_mention_clusters"

# Pairs of address-bearing mentions at or above this probability are the same workplace. Chosen on the small
# and medium samples (bench/employer_quality.py, docs/quality.md).
MATCH_THRESHOLD = 0.5
# Share of one workplace's record pairs whose standardized addresses, or store numbers, still differ (a typo,
# a second entrance): set, not learned (see _exact_or_else).
ADDRESS_DIFFERS_M = 0.02
STORE_NUMBER_DIFFERS_M = 0.02
# splink's u estimation samples random pairs: a fixed seed makes the model, and so the clusters, repeatable.
TRAINING_SEED = 42
U_SAMPLE_PAIRS = 2e6
# A name key this long is a typo of a more used one a dropped or swapped letter away. A shorter one (down to
# SHORT_TYPO_NAME_LENGTH) only when the other is used SHORT_TYPO_SUPPORT_RATIO times as often: short names are
# too often another employer one letter away.
MIN_TYPO_NAME_LENGTH = 8
SHORT_TYPO_NAME_LENGTH = 5
SHORT_TYPO_SUPPORT_RATIO = 10
# A name cut short (name_cut), trimmed, joins a name of its state it begins when at least this long: shorter
# ones are too often another employer ("STJOSEPHHOSPITAL", "STJOSEPHHOSPITALOFORANGE").
CUT_PREFIX_LENGTH = 12
# Trimmed names of one state a letter apart are one name when at least this long ("CHOWNSCOMMUNICATION").
TYPO_VARIANT_LENGTH = 10
# Words that add nothing to a name at its end: kinds of business entity and the country.
GENERIC_NAME_WORDS = ("SERVICES", "SERVICE", "SYSTEMS", "SYSTEM", "ENTERPRISES", "AMERICA", "AMERICAS", "USA", "US",
                      "INTERNATIONAL", "DIVISION", "OF", "THE", "AND", "ET", "AL", "BLOCKING")
# Name keys ending in one of these (or in one and OF a place) name a local institution: the same name in two
# states is two employers (ST JOSEPH HOSPITAL). Other names are companies', one employer across states
# (DURHAM SCHOOL SERVICES, KAISER FOUNDATION HOSPITALS).
LOCAL_INSTITUTION_WORDS = ("HOSPITAL", "MEDICALCENTER", "HEALTHCENTER", "NURSINGHOME", "CLINIC", "SCHOOL", "COLLEGE",
                           "UNIVERSITY", "ACADEMY", "CHURCH", "COUNTY", "LIBRARY", "MUSEUM")
# Legal forms (and STORE) whose mistyped spelling ends a name ("FOOD GIANT CROP", "PARCEL EXPRESS INC TORE"):
# the standardization strips them when spelled right.
LEGAL_FORM_WORDS = ("INC", "INCORPORATED", "CORP", "CORPORATION", "COMPANY", "LLC", "LTD", "LIMITED",
                    "PARTNERSHIP", "STORE")
# Words a letter from a legal form that end real names (JOB CORPS, ACME STORES, HOLIDAY IN): never a typo.
WORDS_NEAR_LEGAL_FORMS = ("CORPS", "STORES", "IN")
# One list of states for Python and dbt: the dbt seed us_states.
US_STATES_FILE = DBT_PROJECT_DIR / "seeds" / "reference" / "us_states.csv"
# Sources whose names are the agencies' legal names (the union writes its own short forms and trade names).
AGENCY_SOURCES = ("osha_inspection", "nlrb_cases", "nlrb_election_tallies", "nlrb_recent_election_results")

_MENTION_COLUMNS = ("mention_id", "source_table", "legal_name_core", "legal_name_key", "dba_name_key", "name_cut",
                    "store_number", "address_key", "street_number", "zip5", "city", "state")
_LINK_COLUMNS = ("mention_id", "legal_name_key", "dba_name_key", "store_number", "address_key", "street_number",
                 "zip5")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmployerResolutionSummary:
    """What a run did, in counts only: safe for logs and Dagster metadata."""

    mentions: int
    mentions_with_address: int
    scored_pairs: int
    workplaces: int
    employers: int
    mentions_without_workplace: int
    match_threshold: float

    def as_metadata(self) -> dict[str, int | float]:
        return asdict(self)


def _exact_or_else(column: str, m_else: float):
    """Exact match or not. Records of one workplace (what EM learns from) seldom disagree here, so EM cannot
    estimate how often they do: m of the 'else' level is set (m_else) and EM leaves it as set."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[cll.NullLevel(column), cll.ExactMatchLevel(column),
                           cll.ElseLevel().configure(m_probability=m_else)],
    )


def link_settings():
    """The splink model: how two address-bearing mentions are compared and which pairs are formed."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    name = cl.CustomComparison(
        output_column_name="employer_name",
        comparison_levels=[
            cll.NullLevel("legal_name_key"),
            cll.ExactMatchLevel("legal_name_key"),
            # The same legal name once trade names and typos are mapped (_canonical_names).
            cll.ExactMatchLevel("employer_key"),
            # A trade name on one side, or one name inside the other ("SUNRISE CARE CENTER SUNRISE SENIOR LIVING").
            cll.CustomLevel(
                "legal_name_key_l = dba_name_key_r or dba_name_key_l = legal_name_key_r "
                "or dba_name_key_l = dba_name_key_r "
                "or (length(legal_name_key_r) >= 6 and contains(legal_name_key_l, legal_name_key_r)) "
                "or (length(legal_name_key_l) >= 6 and contains(legal_name_key_r, legal_name_key_l))",
                label_for_charts="Trade name or contained name",
            ),
            cll.JaroWinklerLevel("legal_name_key", 0.92),
            cll.JaroWinklerLevel("legal_name_key", 0.8),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="mention_id",
        comparisons=[
            name,
            _exact_or_else("address_key", ADDRESS_DIFFERS_M),
            _exact_or_else("store_number", STORE_NUMBER_DIFFERS_M),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("address_key"),
            block_on("zip5", "substr(legal_name_key, 1, 4)"),
            block_on("street_number", "substr(legal_name_key, 1, 3)"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def _train(linker, seed: int) -> None:
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("address_key", "legal_name_key")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
    # Each session fixes the comparisons it blocks on and learns the others' m values.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("address_key"), max_pairs=EM_MAX_PAIRS, record_sample_proportion=EM_PROBE_SAMPLE)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("legal_name_key", "store_number"), max_pairs=EM_MAX_PAIRS, record_sample_proportion=EM_PROBE_SAMPLE)


def resolve_employers(con: duckdb.DuckDBPyConnection, *, mentions_table: str = MENTIONS_TABLE,
                      threshold: float = MATCH_THRESHOLD, seed: int = TRAINING_SEED) -> EmployerResolutionSummary:
    """Cluster the mentions in `mentions_table` into workplaces and employers; (re)write CLUSTERS_TABLE."""
    scratch = scratch_database()
    try:
        # Sorted, so that splink sees the same input in the same order every run.
        copy_to_scratch(con, scratch, f"select {', '.join(_MENTION_COLUMNS)} from {mentions_table}", "mentions",
                        order_by="mention_id")
        _canonical_names(scratch)
        scored_pairs = _link_sites(scratch, threshold, seed)
        _assign_employers(scratch)
        _place_mentions_without_address(scratch)
        counts = scratch.execute("""
            select count(*), count(*) filter (where address_key is not null),
                   count(distinct workplace_id), count(distinct employer_id), count(*) - count(workplace_id)
            from mention_clusters join mentions using (mention_id)
        """).fetchall()[0]
        con.execute(f"create schema if not exists {CLUSTERS_SCHEMA}")
        copy_from_scratch(scratch.sql("select * from mention_clusters order by mention_id"), con, CLUSTERS_TABLE)
    finally:
        scratch.close()
    summary = EmployerResolutionSummary(
        mentions=counts[0], mentions_with_address=counts[1], scored_pairs=scored_pairs, workplaces=counts[2],
        employers=counts[3], mentions_without_workplace=counts[4], match_threshold=threshold)
    log.info("Employer resolution: %s", summary)
    return summary


def _link_sites(scratch: duckdb.DuckDBPyConnection, threshold: float, seed: int) -> int:
    """Table site_members(mention_id, site_key, match_probability): address-bearing mentions in workplaces.
    Returns the number of mention pairs at or above threshold.

    splink is trained on every address-bearing mention but scores distinct records only: most of a big
    workplace's mentions (its OSHA inspections) agree in every compared column, and pairing them all is what
    grows with the square of a workplace's size. A pair's probability depends only on the level each comparison
    takes (no term-frequency adjustments), so two mentions score as their records do, and two mentions of one
    record as that record against itself.
    """
    from splink import DuckDBAPI, Linker

    compared = ", ".join(_LINK_COLUMNS[1:] + ("employer_key",))
    scratch.execute(f"create table link_input as select {', '.join(_LINK_COLUMNS)}, mention_names.employer_key "
                    "from mentions join mention_names using (mention_id) where address_key is not null "
                    "order by mention_id")
    # A record is named after its smallest mention_id, so that the ids splink sees stay mention ids.
    scratch.execute(f"""
        create table record_of_mention as
        select mention_id, min(mention_id) over (partition by {compared}) as record_id from link_input
    """)
    scratch.execute(f"""
        create table link_records as
        select record_id as mention_id, {compared}, count(*) as mentions
        from link_input join record_of_mention using (mention_id)
        group by all order by mention_id
    """)
    if not scratch.execute("select count(*) from link_input").fetchall()[0][0]:
        # Nothing to train on (splink's estimates divide by the number of pairs): no workplace from addresses.
        scratch.execute("create table site_members (mention_id varchar, site_key varchar, match_probability double)")
        return 0
    db_api = DuckDBAPI(scratch)
    linker = Linker(db_api.register("link_input"), link_settings(), log_level=logging.WARNING)
    _train(linker, seed)
    model = linker.misc.save_model_to_json()
    records = db_api.register("link_records")
    record_linker = Linker(records, model, log_level=logging.WARNING)
    _score_record_pairs(scratch, record_linker, records, threshold)
    _score_records_against_themselves(scratch, db_api, model)
    clusters = record_linker.clustering.cluster_pairwise_predictions_at_threshold(
        db_api.register("record_pairs"), threshold)
    scratch.execute(f"""
        create table site_members as
        with record_edges as (
            select mention_id_l as record_id, match_probability from record_pairs
            union all select mention_id_r, match_probability from record_pairs
        ),
        best_edges as (
            select record_id, max(match_probability) as match_probability from record_edges group by record_id
        ),
        records as (
            select clusters.mention_id as record_id, clusters.cluster_id,
                   count(*) over (partition by clusters.cluster_id) > 1 as has_edges,
                   coalesce(self.match_probability >= {float(threshold)}, false) as mentions_match,
                   greatest(best_edges.match_probability,
                            case when self.match_probability >= {float(threshold)}
                                 then self.match_probability end) as match_probability
            from {clusters.physical_name} as clusters
            left join best_edges on best_edges.record_id = clusters.mention_id
            left join record_self_pairs as self on self.record_id = clusters.mention_id
        ),
        -- The mentions of a record are one workplace if they match each other or the record matches another;
        -- otherwise each mention is a workplace of its own.
        grouped as (
            select record_of_mention.mention_id,
                   case when records.has_edges or records.mentions_match then records.cluster_id
                        else record_of_mention.mention_id end as site_group,
                   records.match_probability
            from record_of_mention join records using (record_id)
        )
        select mention_id, min(mention_id) over (partition by site_group) as site_key, match_probability
        from grouped
    """)
    return scratch.execute(f"""
        select coalesce((select sum(l.mentions * r.mentions) from record_pairs
                         join link_records as l on l.mention_id = record_pairs.mention_id_l
                         join link_records as r on r.mention_id = record_pairs.mention_id_r), 0)
             + coalesce((select sum(mentions * (mentions - 1) // 2) from record_self_pairs
                         join link_records on link_records.mention_id = record_self_pairs.record_id
                         where record_self_pairs.match_probability >= {float(threshold)}), 0)
    """).fetchall()[0][0]


def _score_record_pairs(scratch: duckdb.DuckDBPyConnection, record_linker, records, threshold: float) -> None:
    """Table record_pairs(mention_id_l, mention_id_r, match_probability): the blocked record pairs at or above
    threshold, predicted a slice of records at a time (shopfloor.resolution.scratch.PAIRS_PER_PREDICT_CHUNK)."""
    chunks, estimated = prediction_chunks(records, link_settings())
    scratch.execute("create table record_pairs (mention_id_l varchar, mention_id_r varchar, "
                    "match_probability double)")
    for chunk in range(1, chunks + 1):
        predictions = record_linker.inference.predict_chunk(
            left_chunk=(chunk, chunks), right_chunk=(1, 1), threshold_match_probability=threshold,
            warning_mode="never")
        scratch.execute(f"insert into record_pairs select mention_id_l, mention_id_r, match_probability "
                        f"from {predictions.physical_name}")
        predictions.drop_table_from_database_and_remove_from_cache()
    log.info("Employer resolution: about %d record pairs blocked, scored in %d slices", estimated, chunks)


def _score_records_against_themselves(scratch: duckdb.DuckDBPyConnection, db_api, model: dict) -> None:
    """Table record_self_pairs(record_id, match_probability): how two mentions of one record score, for every
    record with more than one mention: the record against a copy of itself, with the trained model."""
    from splink import Linker

    scratch.execute("""
        create table record_copies as
        select mention_id as record_id, * from link_records where mentions > 1
        union all
        select mention_id, * replace (mention_id || ':copy' as mention_id) from link_records where mentions > 1
    """)
    copies_linker = Linker(db_api.register("record_copies"),
                           {**model, "blocking_rules_to_generate_predictions": ["l.record_id = r.record_id"]},
                           log_level=logging.WARNING)
    self_pairs = copies_linker.inference.predict(warning_mode="never")
    # A record's id is a prefix of its copy's: the lesser of the pair.
    scratch.execute(f"create table record_self_pairs as select least(mention_id_l, mention_id_r) as record_id, "
                    f"match_probability from {self_pairs.physical_name}")
    self_pairs.drop_table_from_database_and_remove_from_cache()


def _canonical_names(scratch: duckdb.DuckDBPyConnection) -> None:
    """Table mention_names(mention_id, employer_key): each mention's legal name key with a mistyped legal form
    dropped, a mistyped name corrected, and a trade name mapped to the legal name it stands for."""
    _strip_mistyped_legal_forms(scratch)
    _fix_typos(scratch)
    agency = ", ".join(f"'{source}'" for source in AGENCY_SOURCES)
    scratch.execute(f"""
        create table name_aliases as
        -- The trade name typed before the legal name, as one name: maps to the legal name.
        with pairs as (
            select coalesce(fixed_dba.employer_key, mentions.dba_name_key) as dba_key,
                   fixed_legal.employer_key as legal_key, mentions.state, mentions.city, count(*) as uses
            from mentions
            join base_names using (mention_id)
            join typo_fixed_names as fixed_legal on fixed_legal.name_key = base_names.name_key
            left join typo_fixed_names as fixed_dba on fixed_dba.name_key = mentions.dba_name_key
            where mentions.dba_name_key is not null
            group by all
        ),
        -- An agency's legal name written without d/b/a may be a name of its own, another employer's elsewhere.
        agency_legal_names as (
            select distinct base_names.name_key from mentions join base_names using (mention_id)
            where mentions.source_table in ({agency}) and mentions.dba_name_key is null
        ),
        candidates as (
            select dba_key || legal_key as name_key, legal_key as employer_key, state, city, uses,
                   false as agency_legal_name
            from pairs
            union all
            select dba_key, legal_key, state, city, uses,
                   dba_key in (select name_key from agency_legal_names where name_key is not null)
            from pairs
        ),
        -- A trade name stands for its legal name in the state the two were written together; in other states
        -- too, unless it names a local institution (Dignity Health trades as St. Mary's Medical Center in
        -- California, not in Minnesota). A name an agency also writes as a legal name, only in the city.
        scoped as (
            select name_key, employer_key, state, city, uses from candidates
            where agency_legal_name and state is not null and city is not null
            union all
            select name_key, employer_key, state, null, uses from candidates
            where not agency_legal_name and state is not null
            union all
            select name_key, employer_key, null, null, uses from candidates
            where not agency_legal_name and not regexp_matches(name_key, '{_institution_pattern()}')
        )
        select name_key, state, city,
               first(employer_key order by uses desc, length(employer_key), employer_key) as employer_key
        from scoped
        where name_key <> employer_key
        group by name_key, state, city
    """)
    scratch.execute("""
        create table aliased_names as
        with named as (
            select base_names.mention_id, mentions.state, mentions.city,
                   coalesce(typo_fixed_names.employer_key, base_names.name_key) as name_key
            from base_names
            join mentions using (mention_id)
            left join typo_fixed_names on typo_fixed_names.name_key = base_names.name_key
        ),
        -- A record without a state (the union's roll) takes a trade name's legal name if every state agrees.
        stateless as (
            select name_key, min(employer_key) as employer_key from name_aliases
            where state is not null and city is null
            group by name_key having count(distinct employer_key) = 1
        )
        select named.mention_id,
               coalesce(in_city.employer_key, in_state.employer_key, anywhere.employer_key,
                        case when named.state is null then stateless.employer_key end, named.name_key) as employer_key
        from named
        left join name_aliases as in_city
            on in_city.name_key = named.name_key and in_city.state = named.state and in_city.city = named.city
        left join name_aliases as in_state
            on in_state.name_key = named.name_key and in_state.state = named.state and in_state.city is null
        left join name_aliases as anywhere on anywhere.name_key = named.name_key and anywhere.state is null
        left join stateless on stateless.name_key = named.name_key
    """)
    _join_name_variants(scratch)


def _join_name_variants(scratch: duckdb.DuckDBPyConnection) -> None:
    """Table mention_names(mention_id, employer_key): aliased_names, with the names of one state that are one
    employer's mapped to one of them (the most used). Two names of a state are joined when
    - they are equal once their ends are trimmed: a last word a file cut off (name_cut: "... SUPPLY COMPA"),
      then trailing words of _trimmed_tail_words, of the record's city or its state code ("FIRST STUDENT INC
      COLMAR A" and "FIRST STUDENT"; "FJC SECURITY SERVICES" and "FJC SECURITY");
    - a name cut short, trimmed, begins the other ("HARRAHS CHESTER CASINO AND RACE" and "... RACETRACK");
    - trimmed, they are one dropped, added or swapped letter apart, at least TYPO_VARIANT_LENGTH long, whichever
      is more used ("SECURITY COUNSULTANTS GROUP" and "SECURITY CONSULTANTS GROUP").
    Joins chain (connected components). A record without a state takes the mapping its name has in every state
    that has one."""
    tail_words, cut_pieces = (", ".join(f"'{word}'" for word in sorted(words)) for words in _trimmed_tail_words())
    scratch.execute(f"""
        create table state_names as
        with spelled as (
            -- A cut name ends in its legal name only without a trade name after it.
            select aliased_names.employer_key, mentions.state,
                   bool_or(mentions.name_cut and mentions.dba_name_key is null) as name_cut,
                   -- The name's own words when it is spelled as written (not mapped to another name).
                   first(string_split(mentions.legal_name_core, ' ') order by mentions.mention_id)
                       filter (where aliased_names.employer_key = mentions.legal_name_key) as words,
                   first(string_split(coalesce(mentions.city, ''), ' ') order by mentions.mention_id) as city_words,
                   count(*) as uses
            from aliased_names join mentions using (mention_id)
            where mentions.state is not null and aliased_names.employer_key is not null
            group by aliased_names.employer_key, mentions.state
        ),
        uncut as (
            select *, case when name_cut and len(words) > 1 then words[1:len(words) - 1] else words end as kept
            from spelled
        ),
        trimmed as (
            select *, coalesce(list_position(list_transform(list_reverse(kept),
                                   lambda word: list_contains([{tail_words}], word)
                                                or list_contains(city_words, word) or word = state
                                                or (name_cut and (list_contains([{cut_pieces}], word)
                                                                  or length(word) = 1))), false), 0)
                       as first_kept_from_end
            from uncut
        )
        select employer_key, state, name_cut, uses,
               coalesce(case when first_kept_from_end > 0
                             then array_to_string(kept[1:len(kept) - first_kept_from_end + 1], '') end,
                        employer_key) as variant_key
        from trimmed
    """)
    # A trimmed name may be a trade name written with its legal name ("CAREPOINT MEDICAL CENTER CAREPOINT HEALTH
    # CORP NO" cut from "... NO. 1412"): it stands for the legal name, as the whole name does.
    scratch.execute("""
        create or replace table state_names as
        select state_names.* replace (coalesce(in_state.employer_key, anywhere.employer_key,
                                               state_names.variant_key) as variant_key)
        from state_names
        left join name_aliases as in_state on in_state.name_key = state_names.variant_key
            and in_state.state = state_names.state and in_state.city is null
        left join name_aliases as anywhere on anywhere.name_key = state_names.variant_key and anywhere.state is null
    """)
    scratch.execute(f"""
        create table typo_names as
        select employer_key, state, variant_key, left(variant_key, 6) as head, right(variant_key, 6) as tail,
               length(variant_key) as length
        from state_names where length(variant_key) >= {TYPO_VARIANT_LENGTH}
    """)
    scratch.execute(f"""
        create table name_edges as
        -- Each rule is its own equality join: an OR in a join condition would compare every pair of a state.
        select a.employer_key as key_a, b.employer_key as key_b, a.state
        from state_names as a join state_names as b
            on a.state = b.state and a.variant_key = b.variant_key and a.employer_key <> b.employer_key
        union
        select a.employer_key, b.employer_key, a.state
        from state_names as a join state_names as b
            on a.state = b.state and a.variant_key = b.employer_key and a.employer_key <> b.employer_key
        union
        select a.employer_key, b.employer_key, a.state
        from state_names as a join state_names as b
            on a.state = b.state and a.name_cut
            and left(a.variant_key, {CUT_PREFIX_LENGTH}) = left(b.employer_key, {CUT_PREFIX_LENGTH})
            and length(a.variant_key) >= {CUT_PREFIX_LENGTH}
            and starts_with(b.employer_key, a.variant_key) and a.employer_key <> b.employer_key
        union
        select key_a, key_b, state from (
            -- Blocked on the first or last six letters and the length (equal, or one more on the right).
            select a.employer_key as key_a, b.employer_key as key_b, a.state, a.variant_key as variant_a,
                   b.variant_key as variant_b
            from typo_names as a join typo_names as b
                on a.state = b.state and a.head = b.head and a.length in (b.length, b.length - 1)
            union
            select a.employer_key, b.employer_key, a.state, a.variant_key, b.variant_key
            from typo_names as a join typo_names as b
                on a.state = b.state and a.tail = b.tail and a.length in (b.length, b.length - 1)
        )
        where key_a <> key_b
            and damerau_levenshtein(variant_a, variant_b) = 1
            and (length(variant_a) <> length(variant_b)
                 or list_sort(string_split(variant_a, '')) = list_sort(string_split(variant_b, '')))
    """)
    # Connected components by passing the least key along edges until nothing changes.
    scratch.execute("create table name_components as select employer_key, state, employer_key as component "
                    "from state_names")
    while True:
        changed = scratch.execute("""
            with edges as (select key_a, key_b, state from name_edges
                           union all select key_b, key_a, state from name_edges),
            least_neighbour as (
                select edges.key_a as employer_key, edges.state, min(neighbour.component) as component
                from edges join name_components as neighbour
                    on neighbour.employer_key = edges.key_b and neighbour.state = edges.state
                group by all
            )
            update name_components set component = least_neighbour.component
            from least_neighbour
            where least_neighbour.employer_key = name_components.employer_key
                and least_neighbour.state = name_components.state
                and least_neighbour.component < name_components.component
        """).fetchall()[0][0]
        if not changed:
            break
    scratch.execute("""
        create table variant_names as
        with ranked as (
            select name_components.employer_key, name_components.state, name_components.component,
                   first(name_components.employer_key order by state_names.uses desc,
                         length(name_components.employer_key), name_components.employer_key)
                       over (partition by name_components.state, name_components.component) as joined_key
            from name_components join state_names using (employer_key, state)
        )
        select employer_key, state, joined_key from ranked where joined_key <> employer_key
    """)
    scratch.execute("""
        create table mention_names as
        with stateless as (
            select employer_key, min(joined_key) as joined_key from variant_names
            group by employer_key having count(distinct joined_key) = 1
        )
        select aliased_names.mention_id,
               coalesce(variant_names.joined_key,
                        case when mentions.state is null then stateless.joined_key end,
                        aliased_names.employer_key) as employer_key
        from aliased_names
        join mentions using (mention_id)
        left join variant_names
            on variant_names.employer_key = aliased_names.employer_key and variant_names.state = mentions.state
        left join stateless on stateless.employer_key = aliased_names.employer_key
    """)


def _institution_pattern() -> str:
    """A regular expression matching the name keys of local institutions (LOCAL_INSTITUTION_WORDS)."""
    return f"({'|'.join(LOCAL_INSTITUTION_WORDS)})(OF[A-Z]+)?$"


def us_state_codes() -> dict[str, str]:
    """State code by upper-case state name (us_states.csv: the states, DC, Puerto Rico, Guam, Virgin Islands)."""
    with US_STATES_FILE.open(newline="") as handle:
        return {row["state_name"]: row["state_code"] for row in csv.DictReader(handle)}


def _trimmed_tail_words() -> tuple[set[str], set[str]]:
    """Words trimmed off the end of a name before names are compared: always GENERIC_NAME_WORDS, legal forms
    and one-word state names (the record's own state code, its city's words and, in a name cut short, single
    letters are added in SQL); in a name cut short also every first piece of a legal form, of D/B/A or of a
    store number's NO ("COMPA", "CORPORATI", "D B"), which elsewhere are words of their own ("HOLIDAY IN")."""
    states = {name for name in us_state_codes() if " " not in name}
    forms = (*LEGAL_FORM_WORDS, "CO", "LP", "LLP", "PLLC", "DBA")
    pieces = {form[:end] for form in (*forms, "NO", "NUMBER") for end in range(1, len(form) + 1)}
    return set(GENERIC_NAME_WORDS) | states | set(forms), pieces


def _strip_mistyped_legal_forms(scratch: duckdb.DuckDBPyConnection) -> None:
    """Table base_names(mention_id, name_key): legal_name_key, without last words that are a legal form (or
    STORE) with one letter dropped or two swapped."""
    forms = ", ".join(f"'{form}'" for form in LEGAL_FORM_WORDS)
    words = ", ".join(f"'{word}'" for word in WORDS_NEAR_LEGAL_FORMS)
    scratch.execute(f"""
        create table mistyped_forms as
        with last_words as (
            select distinct words[len(words)] as word from (
                select string_split(legal_name_core, ' ') as words from mentions where legal_name_core is not null)
            union
            select distinct words[len(words) - 1] from (
                select string_split(legal_name_core, ' ') as words from mentions where legal_name_core is not null)
        )
        select distinct last_words.word
        from last_words join unnest([{forms}]) as forms(form)
            on abs(length(last_words.word) - length(forms.form)) <= 1
            and last_words.word not in ({words})
        where damerau_levenshtein(last_words.word, forms.form) = 1
            and (length(last_words.word) <> length(forms.form)
                 or list_sort(string_split(last_words.word, '')) = list_sort(string_split(forms.form, '')))
    """)
    # Two passes: "INC TORE" loses TORE, then INC.
    scratch.execute(f"""
        create table base_names as
        with words as (
            select mention_id, legal_name_key, string_split(legal_name_core, ' ') as words from mentions
        ),
        first_pass as (
            select mention_id, legal_name_key,
                   case when len(words) > 1 and words[len(words)] in (select word from mistyped_forms)
                        then words[1:len(words) - 1] else words end as words
            from words
        ),
        second_pass as (
            select mention_id, legal_name_key,
                   case when len(words) > 1 and (words[len(words)] in (select word from mistyped_forms)
                                                 or words[len(words)] in ({forms}))
                        then words[1:len(words) - 1] else words end as words
            from first_pass
        )
        select mention_id,
               case when legal_name_key is not null then array_to_string(words, '') end as name_key
        from second_pass
    """)


def _fix_typos(scratch: duckdb.DuckDBPyConnection) -> None:
    """Table typo_fixed_names(name_key, employer_key): every base name key, mapped to the more used name one
    dropped or swapped letter away when there is one. A substituted letter is not taken as a typo: HANSEN and
    HANSON are different people. Names are only compared when they share their first or last three letters and
    become the same string with at most one letter deleted from each: never all names against all (300,000
    names at state scale)."""
    scratch.execute("""
        create table name_support as
        select name_key, count(*) as uses, list_sort(string_split(name_key, '')) as letters
        from base_names where name_key is not null group by name_key
    """)
    # A typo is at least SHORT_TYPO_NAME_LENGTH long and its fix at most one letter shorter.
    scratch.execute(f"""
        create table name_deletions as
        select distinct name_key, variant from (
            select name_key, name_key as variant from name_support
            union all
            select name_key, substr(name_key, 1, position - 1) || substr(name_key, position + 1)
            from (select name_key, unnest(range(1, length(name_key) + 1)) as position from name_support)
        )
        where length(name_key) >= {SHORT_TYPO_NAME_LENGTH - 1}
    """)
    scratch.execute(f"""
        create table typo_fixed_names as
        with candidate_pairs as (
            select distinct typo.name_key, fixed.name_key as fixed_key
            from name_deletions as typo join name_deletions as fixed using (variant)
            where typo.name_key <> fixed.name_key
        ),
        fixes as (
            select typo.name_key,
                   first(fixed.name_key order by fixed.uses desc, length(fixed.name_key), fixed.name_key)
                       as employer_key
            from candidate_pairs
            join name_support as typo on typo.name_key = candidate_pairs.name_key
            join name_support as fixed on fixed.name_key = candidate_pairs.fixed_key
            where (left(typo.name_key, 3) = left(fixed.name_key, 3)
                   or right(typo.name_key, 3) = right(fixed.name_key, 3))
                and fixed.uses > typo.uses and length(typo.name_key) >= {SHORT_TYPO_NAME_LENGTH}
                and (length(typo.name_key) >= {MIN_TYPO_NAME_LENGTH}
                     or fixed.uses >= {SHORT_TYPO_SUPPORT_RATIO} * typo.uses)
                and damerau_levenshtein(typo.name_key, fixed.name_key) = 1
                and (length(typo.name_key) <> length(fixed.name_key) or typo.letters = fixed.letters)
            group by typo.name_key
        )
        select name_support.name_key, coalesce(fixes.employer_key, name_support.name_key) as employer_key
        from name_support left join fixes using (name_key)
    """)


def _assign_employers(scratch: duckdb.DuckDBPyConnection) -> None:
    """Table sites(site_key, employer_key, city, state): each workplace's most used name and place."""
    agency = ", ".join(f"'{source}'" for source in AGENCY_SOURCES)
    scratch.execute(f"""
        create table sites as
        -- The agencies write legal names; the union often a short form or the trade name: theirs count double.
        with votes as (
            select site_members.site_key, mention_names.employer_key,
                   sum(case when mentions.source_table in ({agency}) then 2 else 1 end) as weight
            from site_members
            join mention_names using (mention_id)
            join mentions using (mention_id)
            where mention_names.employer_key is not null
            group by all
        ),
        places as (
            select site_members.site_key, mentions.city, mentions.state, count(*) as uses
            from site_members join mentions using (mention_id)
            where mentions.city is not null and mentions.state is not null
            group by all
        )
        select site_key,
               (select first(employer_key order by weight desc, length(employer_key), employer_key)
                from votes where votes.site_key = keys.site_key) as employer_key,
               (select first(city order by uses desc, city, state)
                from places where places.site_key = keys.site_key) as city,
               (select first(state order by uses desc, city, state)
                from places where places.site_key = keys.site_key) as state
        from (select distinct site_key from site_members) as keys
    """)


def _place_mentions_without_address(scratch: duckdb.DuckDBPyConnection) -> None:
    """Table mention_clusters(mention_id, workplace_id, employer_id, match_method, match_probability)."""
    scratch.execute("""
        create table placed as
        with unplaced as (
            select mentions.mention_id, mention_names.employer_key, mentions.city, mentions.state
            from mentions join mention_names using (mention_id)
            where mentions.address_key is null
        ),
        candidate_sites as (
            select unplaced.mention_id, count(sites.site_key) as sites, min(sites.site_key) as site_key
            from unplaced
            left join sites on sites.employer_key = unplaced.employer_key
                and sites.city = unplaced.city and sites.state = unplaced.state
            group by unplaced.mention_id
        )
        select
            unplaced.mention_id,
            unplaced.employer_key,
            case
                when candidate_sites.sites = 1 then candidate_sites.site_key
                when candidate_sites.sites = 0 and unplaced.employer_key is not null
                    then min(unplaced.mention_id) over (
                        partition by unplaced.employer_key, unplaced.city, unplaced.state, candidate_sites.sites = 0)
            end as site_key,
            case
                when candidate_sites.sites = 1 then 'employer name and city'
                when candidate_sites.sites = 0 and unplaced.employer_key is not null then 'new site: employer and city'
                when unplaced.employer_key is null then 'unresolved'
                else 'employer only: several sites in city'
            end as match_method
        from unplaced join candidate_sites using (mention_id)
    """)
    scratch.execute(f"""
        create table mention_clusters as
        with all_members as (
            select site_members.mention_id, sites.employer_key, sites.state, site_members.site_key,
                   case when site_members.match_probability is null then 'single record'
                        else 'splink' end as match_method,
                   site_members.match_probability
            from site_members join sites using (site_key)
            union all
            select placed.mention_id, placed.employer_key, mentions.state, placed.site_key, placed.match_method,
                   cast(null as double)
            from placed join mentions using (mention_id)
        ),
        -- A record without a state (the union's roll) is placed in its name's most used state.
        name_states as (
            select employer_key, first(state order by uses desc, state) as state
            from (select employer_key, state, count(*) as uses from all_members
                  where employer_key is not null and state is not null group by all)
            group by employer_key
        ),
        -- A local institution's name is an employer in each state (Good Samaritan Hospital in three states is
        -- three employers); a company's name is one employer across states (a chain's stores). A workplace
        -- whose records name no employer (only a legal form, say) is an employer of its own; so is such a record
        -- without a workplace.
        keyed as (
            select all_members.*,
                   coalesce(all_members.employer_key
                            || case when regexp_matches(all_members.employer_key, '{_institution_pattern()}')
                                    then '|' || coalesce(all_members.state, name_states.state, '') else '' end,
                            'site:' || all_members.site_key, 'mention:' || all_members.mention_id) as employer_group
            from all_members left join name_states using (employer_key)
        ),
        ids as (
            select *, min(mention_id) over (partition by employer_group) as employer_anchor from keyed
        )
        select
            mention_id,
            -- site_key is already the smallest mention_id of the workplace.
            case when site_key is not null then 'W' || left(md5(site_key), 12) end as workplace_id,
            'E' || left(md5(employer_anchor), 12) as employer_id,
            match_method,
            -- Rounded: the last digits depend on the order DuckDB sums in, and the output should not.
            round(match_probability, 6) as match_probability
        from ids
    """)
