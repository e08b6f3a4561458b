"""Person resolution: link each union member to the voter registration that is the same worker.

Input: intermediate.int_person_mentions (dbt), members and registrants with standardized names, the given
names a nickname stands for, birth year, house number, street and ZIP5. Output: resolution.member_voter_links,
one best registrant per member with splink's match probability and a `matched` flag.

The roll and the voter file spell the same worker differently (Bob / ROBERT, a dropped half of a
hyphenated surname, a typo, a new address after a move, a missing middle name) but the voter file has only a
birth year, so no single field is a key. splink (Fellegi-Sunter on DuckDB) weighs the agreements; pairs are
only formed inside blocks (same birth year and ZIP, or same birth year and surname, ...), never all against all.

splink runs in a private in-memory DuckDB so that its scratch tables never land in the warehouse; the
mentions go in and the links come out as Arrow tables.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from shopfloor.resolution.scratch import scratch_database

MENTIONS_TABLE = "intermediate.int_person_mentions"
LINKS_SCHEMA = "resolution"
LINKS_TABLE = f"{LINKS_SCHEMA}.member_voter_links"

# A member's best registrant counts as the same worker at or above this match probability. Chosen on the
# small and medium samples (bench/person_quality.py): true links score near 1, and the unregistered
# members' best candidates (strangers sharing a ZIP and birth year) score far below.
MATCH_THRESHOLD = 0.9
# splink's u estimation samples random pairs; a fixed seed makes the trained model, and the links, repeatable.
TRAINING_SEED = 42
U_SAMPLE_PAIRS = 2e6

_MEMBER = "member"
_VOTER = "voter"
_COLUMNS = ("mention_id", "source", "record_id", "state", "voter_id", "first_name_std", "first_name_canonical",
            "first_name_forms", "middle_name_std", "middle_initial", "last_name_std", "last_name_parts",
            "birth_year", "street_number", "street_name_std", "zip5")


@dataclass(frozen=True)
class PersonLinkSummary:
    """What a linking run did, in counts only: safe for logs and Dagster metadata."""

    members: int
    registrants: int
    scored_pairs: int
    members_with_candidate: int
    members_matched: int
    match_threshold: float

    def as_metadata(self) -> dict[str, int | float]:
        return asdict(self)


@dataclass(frozen=True)
class PersonLinkQuality:
    """Member -> registrant links against the sample's ground truth (OUT/_truth/people.parquet).

    A predicted link is right when member and registrant are the same true person; recall is over the members
    who truly have a registration in the voter files loaded.
    """

    predicted_links: int
    correct_links: int
    registered_members: int

    @property
    def precision(self) -> float:
        return self.correct_links / self.predicted_links if self.predicted_links else 0.0

    @property
    def recall(self) -> float:
        return self.correct_links / self.registered_members if self.registered_members else 0.0

    def as_metadata(self) -> dict[str, int | float]:
        return {**asdict(self), "precision": round(self.precision, 4), "recall": round(self.recall, 4)}


def person_link_settings():
    """The splink model: what is compared, at which levels, and how pairs are blocked for prediction."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    first_name = cl.CustomComparison(output_column_name="first_name", comparison_levels=[
        cll.NullLevel("first_name_std"),
        cll.ExactMatchLevel("first_name_std"),
        # Bob and Robert, Pat and Patricia: the two names share a given name in the nickname seed.
        cll.ArrayIntersectLevel("first_name_forms", 1),
        # One slip of the keyboard: a letter dropped, added, changed or two swapped.
        cll.DamerauLevenshteinLevel("first_name_std", 1),
        cll.ElseLevel(),
    ])
    middle_name = cl.CustomComparison(output_column_name="middle_name", comparison_levels=[
        cll.NullLevel("middle_initial"),
        cll.ExactMatchLevel("middle_name_std"),
        # The roll often holds an initial where the voter file has the whole name.
        cll.ExactMatchLevel("middle_initial"),
        cll.ElseLevel(),
    ])
    last_name = cl.CustomComparison(output_column_name="last_name", comparison_levels=[
        cll.NullLevel("last_name_std"),
        cll.ExactMatchLevel("last_name_std", term_frequency_adjustments=True),
        # GARCIA against GARCIA LOPEZ: one part of a hyphenated surname.
        cll.ArrayIntersectLevel("last_name_parts", 1),
        cll.DamerauLevenshteinLevel("last_name_std", 1),
        cll.ElseLevel(),
    ])
    birth_year = cl.CustomComparison(output_column_name="birth_year", comparison_levels=[
        cll.NullLevel("birth_year"),
        cll.ExactMatchLevel("birth_year"),
        cll.AbsoluteDifferenceLevel("birth_year", 1),
        cll.ElseLevel(),
    ])
    # Where the member lives against where the voter is registered. A confidential registration has no ZIP,
    # but its state still tells a member in Ohio from a namesake registered in North Carolina.
    residence = cl.CustomComparison(output_column_name="residence", comparison_levels=[
        cll.ExactMatchLevel("zip5"),
        cll.CustomLevel('"state_l" <> "state_r"', "different state"),
        cll.NullLevel("zip5"),
        cll.ElseLevel(),
    ])
    # A member who moved keeps the ZIP more often than the street: the address is weighed apart from it.
    address = cl.CustomComparison(output_column_name="address", comparison_levels=[
        cll.NullLevel("street_name_std"),
        cll.And(cll.ExactMatchLevel("street_number"), cll.ExactMatchLevel("street_name_std")),
        cll.ExactMatchLevel("street_name_std"),
        cll.ElseLevel(),
    ])
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="mention_id",
        comparisons=[first_name, middle_name, last_name, birth_year, residence, address],
        blocking_rules_to_generate_predictions=[
            block_on("birth_year", "zip5"),
            block_on("birth_year", "last_name_std"),
            # Any given name the two first names share (BEN: BENEDICT or BENJAMIN), for surnames typed apart.
            block_on("first_name_forms", "birth_year", "substr(last_name_std, 1, 1)",
                     arrays_to_explode=["first_name_forms"]),
            block_on("zip5", "last_name_std"),
        ],
        additional_columns_to_retain=["record_id", "voter_id"],
        retain_intermediate_calculation_columns=False,
    )


def _train(linker) -> None:
    from splink import block_on

    # Same full name, birth year and ZIP: almost never two different workers. Nicknames, typos, hyphenated
    # surnames and confidential addresses escape the rule: assume it finds 60% of the true pairs.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name_std", "last_name_std", "birth_year", "zip5")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=TRAINING_SEED)
    # Two EM passes, each blocked on fields the other one estimates.
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_year", "zip5"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("last_name_std", "first_name_canonical"))


def link_members_to_voters(con: duckdb.DuckDBPyConnection, *, threshold: float = MATCH_THRESHOLD,
                           mentions_table: str = MENTIONS_TABLE) -> PersonLinkSummary:
    """Train splink on the mentions, score blocked member-registrant pairs and (re)write LINKS_TABLE."""
    scratch = scratch_database()
    try:
        members, registrants = (_copy_mentions(con, scratch, mentions_table, source) for source in (_MEMBER, _VOTER))
        if members and registrants:
            _score_pairs(scratch)
        else:
            scratch.execute("create table scored_pairs (member_id varchar, state varchar, voter_id varchar, "
                            "match_weight double, match_probability double)")
        scored_pairs = scratch.execute("select count(*) from scored_pairs").fetchall()[0][0]
        best_links = _best_links(scratch, threshold).to_arrow_table()
    finally:
        scratch.close()
    con.execute(f"create schema if not exists {LINKS_SCHEMA}")
    con.register("best_links_arrow", best_links)
    try:
        con.execute(f"create or replace table {LINKS_TABLE} as select * from best_links_arrow")
    finally:
        con.unregister("best_links_arrow")
    with_candidate, matched = con.execute(
        f"select count(*), count(*) filter (where matched) from {LINKS_TABLE}").fetchall()[0]
    summary = PersonLinkSummary(members=members, registrants=registrants, scored_pairs=scored_pairs,
                                members_with_candidate=with_candidate, members_matched=matched,
                                match_threshold=threshold)
    logging.getLogger(__name__).info("person links: %s", summary)
    return summary


def _copy_mentions(con: duckdb.DuckDBPyConnection, scratch: duckdb.DuckDBPyConnection, mentions_table: str,
                   source: str) -> int:
    """Copy one source's mentions into scratch table <source>_mentions, in a fixed order; return the count."""
    mentions = con.sql(f"select {', '.join(_COLUMNS)} from {mentions_table} where source = $source "
                       "order by mention_id", params={"source": source}).to_arrow_table()
    scratch.register("mentions_arrow", mentions)
    try:
        scratch.execute(f"create table {source}_mentions as select * from mentions_arrow")
    finally:
        scratch.unregister("mentions_arrow")
    return mentions.num_rows


def _score_pairs(scratch: duckdb.DuckDBPyConnection) -> None:
    """Train the model and score every blocked pair into scratch table scored_pairs, member side first."""
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=scratch)
    inputs = [db_api.register(f"{source}_mentions", dataset_display_name=source) for source in (_MEMBER, _VOTER)]
    linker = Linker(inputs, person_link_settings(), log_level=logging.WARNING)
    _train(linker)
    predictions = linker.inference.predict()
    # splink orders the two sides of a pair by its own rules; put the member on the left.
    scratch.execute(f"""
        create table scored_pairs as
        select
            case when member_left then record_id_l else record_id_r end as member_id,
            case when member_left then state_r else state_l end as state,
            case when member_left then voter_id_r else voter_id_l end as voter_id,
            match_weight,
            match_probability
        from (select *, starts_with(mention_id_l, '{_MEMBER}:') as member_left
              from {predictions.physical_name})
    """)


def _best_links(scratch: duckdb.DuckDBPyConnection, threshold: float) -> duckdb.DuckDBPyRelation:
    """Each member's highest-weighted registrant (ties: state, voter id). It is matched at or above threshold,
    unless another member's link to the same registrant weighs more: a registration is one worker."""
    return scratch.sql(f"""
        with best_per_member as (
            select member_id, state, voter_id, match_probability, match_weight
            from scored_pairs
            qualify row_number() over (partition by member_id order by match_weight desc, state, voter_id) = 1
        )
        select member_id, state, voter_id, match_probability, match_weight,
               match_probability >= {float(threshold)}
               and row_number() over (partition by state, voter_id order by match_weight desc, member_id) = 1
               as matched
        from best_per_member
        order by member_id
    """)


def evaluate_person_links(con: duckdb.DuckDBPyConnection, truth_dir: Path | str) -> PersonLinkQuality:
    """Precision and recall of LINKS_TABLE's matched links against the sample's _truth/people.parquet, as the
    pairwise scores of two clusterings of members and registrations (shared with employer resolution)."""
    from shopfloor.resolution.evaluation import pairwise_scores

    people = str(Path(truth_dir) / "people.parquet").replace("'", "''")
    # A matched link is a cluster of two records, the member and the registration, named after the registration.
    predicted = f"""(
        select 'member:' || member_id as record_key, state || ':' || voter_id as cluster_id
        from {LINKS_TABLE} where matched
        union all
        select state || ':' || voter_id, state || ':' || voter_id from {LINKS_TABLE} where matched
    )"""
    # Every true person is a cluster of their member record and their registrations.
    truth = f"""(
        select 'member:' || member_id as record_key, cast(person_id as varchar) as cluster_id
        from read_parquet('{people}') where member_id is not null
        union all
        select 'NC:' || ncid, cast(person_id as varchar) from read_parquet('{people}') where ncid is not null
        union all
        select 'OH:' || sos_voterid, cast(person_id as varchar) from read_parquet('{people}')
        where sos_voterid is not null
    )"""
    scores = pairwise_scores(con, predicted, truth)
    return PersonLinkQuality(predicted_links=scores["predicted_pairs"], correct_links=scores["agreed_pairs"],
                             registered_members=scores["pairs"])


def person_link_metadata(con: duckdb.DuckDBPyConnection, summary: PersonLinkSummary,
                         truth_dir: Path | str) -> dict[str, int | float]:
    """Counts and rates describing a linking run, plus precision and recall (truth_*) when truth_dir holds the
    sample's ground truth. Never names, ids or addresses: workers can be retaliated against."""
    metadata: dict[str, int | float] = dict(summary.as_metadata())
    if (Path(truth_dir) / "people.parquet").exists():
        quality = evaluate_person_links(con, truth_dir)
        metadata.update({f"truth_{name}": value for name, value in quality.as_metadata().items()})
    return metadata
