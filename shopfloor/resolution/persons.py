"""Person resolution: link each union member and each organizing contact to the voter registration that is the
same worker.

Input: intermediate.int_person_mentions (dbt), members, contacts and registrants with standardized names, the
given names a nickname stands for, birth year (none for contacts), house number, street and ZIP5. Output:
resolution.worker_voter_links, one best registrant per worker (source 'member' or 'contact', and record_id, the
member or contact id) with splink's match probability and a `matched` flag.

The roll, the contacts export and the voter file spell the same worker differently (Bob / ROBERT, a dropped half
of a hyphenated surname, a typo, a new address after a move, a missing middle name) but the voter file has only a
birth year and the contacts none, so no single field is a key. Members and contacts form one side of the link.
splink (Fellegi-Sunter on DuckDB) weighs the agreements; pairs are only formed inside blocks (same birth year and
ZIP, or same birth year and surname, ...), never all against all.

splink runs in a private in-memory DuckDB held to SHOPFLOOR_MEMORY_LIMIT (shopfloor.resolution.scratch), so that
its scratch tables never land in the warehouse; the mentions go in and the links come out as Parquet files, and
pairs are predicted in slices (docs/performance.md).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from shopfloor.resolution.scratch import (
    EM_MAX_PAIRS,
    EM_PROBE_SAMPLE,
    copy_from_scratch,
    copy_to_scratch,
    prediction_chunks,
    scratch_database,
)

MENTIONS_TABLE = "intermediate.int_person_mentions"
LINKS_SCHEMA = "resolution"
LINKS_TABLE = f"{LINKS_SCHEMA}.worker_voter_links"

# A worker's best registrant counts as the same worker at or above this match probability. Chosen on the
# small and medium samples (bench/person_quality.py): true links score near 1, and the unregistered
# workers' best candidates (strangers sharing a ZIP and birth year or surname) score far below.
MATCH_THRESHOLD = 0.9
# splink's u estimation samples random pairs; a fixed seed makes the trained model, and the links, repeatable.
TRAINING_SEED = 42
U_SAMPLE_PAIRS = 2e6

_MEMBER = "member"
_CONTACT = "contact"
_VOTER = "voter"
# The side of the link the workers are on: members and contacts, one scratch table.
_WORKER = "worker"
_WORKER_SOURCES = (_MEMBER, _CONTACT)
# Where the truth names each source's workers (file in _truth/, id column), for evaluate_person_links.
_TRUTH_RECORDS = {_MEMBER: ("people.parquet", "member_id"), _CONTACT: ("contacts.parquet", "contact_id")}
_COLUMNS = ("mention_id", "source", "record_id", "state", "voter_id", "first_name_std", "first_name_canonical",
            "first_name_forms", "middle_name_std", "middle_initial", "last_name_std", "last_name_parts",
            "birth_year", "street_number", "street_name_std", "zip5")


@dataclass(frozen=True)
class PersonLinkSummary:
    """What a linking run did, in counts only: safe for logs and Dagster metadata."""

    members: int
    contacts: int
    registrants: int
    scored_pairs: int
    workers_with_candidate: int
    members_matched: int
    contacts_matched: int
    match_threshold: float

    def as_metadata(self) -> dict[str, int | float]:
        return asdict(self)


@dataclass(frozen=True)
class PersonLinkQuality:
    """One source's worker -> registrant links against the sample's ground truth (OUT/_truth/people.parquet,
    and contacts.parquet for contacts).

    A predicted link is right when worker and registrant are the same true person; recall is over the workers
    of the source who truly have a registration in the voter files loaded.
    """

    source: str
    predicted_links: int
    correct_links: int
    registered_workers: int

    @property
    def precision(self) -> float:
        return self.correct_links / self.predicted_links if self.predicted_links else 0.0

    @property
    def recall(self) -> float:
        return self.correct_links / self.registered_workers if self.registered_workers else 0.0

    def as_metadata(self) -> dict[str, int | float]:
        counts = {name: value for name, value in asdict(self).items() if name != "source"}
        return {**counts, "precision": round(self.precision, 4), "recall": round(self.recall, 4)}


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
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_year", "zip5"), max_pairs=EM_MAX_PAIRS, record_sample_proportion=EM_PROBE_SAMPLE)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("last_name_std", "first_name_canonical"), max_pairs=EM_MAX_PAIRS,
        record_sample_proportion=EM_PROBE_SAMPLE)


def link_workers_to_voters(con: duckdb.DuckDBPyConnection, *, threshold: float = MATCH_THRESHOLD,
                           mentions_table: str = MENTIONS_TABLE) -> PersonLinkSummary:
    """Train splink on the mentions, score blocked worker-registrant pairs and (re)write LINKS_TABLE."""
    scratch = scratch_database()
    try:
        workers = _copy_mentions(con, scratch, mentions_table, _WORKER, _WORKER_SOURCES)
        registrants = _copy_mentions(con, scratch, mentions_table, _VOTER, (_VOTER,))
        members, contacts = scratch.execute(
            f"select count(*) filter (where source = '{_MEMBER}'), count(*) filter (where source = '{_CONTACT}') "
            f"from {_WORKER}_mentions").fetchall()[0]
        if workers and registrants:
            _score_pairs(scratch)
        else:
            scratch.execute("create table scored_pairs (worker_mention_id varchar, state varchar, voter_id varchar, "
                            "match_weight double, match_probability double)")
        scored_pairs = scratch.execute("select count(*) from scored_pairs").fetchall()[0][0]
        con.execute(f"create schema if not exists {LINKS_SCHEMA}")
        copy_from_scratch(_best_links(scratch, threshold), con, LINKS_TABLE)
    finally:
        scratch.close()
    with_candidate, members_matched, contacts_matched = con.execute(
        f"select count(*), count(*) filter (where matched and source = '{_MEMBER}'), "
        f"count(*) filter (where matched and source = '{_CONTACT}') from {LINKS_TABLE}").fetchall()[0]
    summary = PersonLinkSummary(members=members, contacts=contacts, registrants=registrants,
                                scored_pairs=scored_pairs, workers_with_candidate=with_candidate,
                                members_matched=members_matched, contacts_matched=contacts_matched,
                                match_threshold=threshold)
    logging.getLogger(__name__).info("person links: %s", summary)
    return summary


def _copy_mentions(con: duckdb.DuckDBPyConnection, scratch: duckdb.DuckDBPyConnection, mentions_table: str,
                   side: str, sources: tuple[str, ...]) -> int:
    """Copy the mentions of `sources` into scratch table <side>_mentions, in a fixed order; return the count."""
    source_list = ", ".join(f"'{source}'" for source in sources)
    return copy_to_scratch(con, scratch, f"select {', '.join(_COLUMNS)} from {mentions_table} "
                           f"where source in ({source_list})", f"{side}_mentions", order_by="mention_id")


def _score_pairs(scratch: duckdb.DuckDBPyConnection) -> None:
    """Train the model and score every blocked pair into scratch table scored_pairs, worker side first. splink
    predicts a slice of records at a time (shopfloor.resolution.scratch.PAIRS_PER_PREDICT_CHUNK) and only the
    columns below are kept: at state scale its whole prediction table would not fit in memory."""
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=scratch)
    inputs = [db_api.register(f"{source}_mentions", dataset_display_name=source) for source in (_WORKER, _VOTER)]
    linker = Linker(inputs, person_link_settings(), log_level=logging.WARNING)
    _train(linker)
    chunks, estimated = prediction_chunks(inputs, person_link_settings())
    scratch.execute("create table scored_pairs (worker_mention_id varchar, state varchar, voter_id varchar, "
                    "match_weight double, match_probability double)")
    for chunk in range(1, chunks + 1):
        predictions = linker.inference.predict_chunk(left_chunk=(chunk, chunks), right_chunk=(1, 1),
                                                     warning_mode="never")
        # splink orders the two sides of a pair by its own rules; put the worker on the left.
        scratch.execute(f"""
            insert into scored_pairs
            select
                case when worker_left then mention_id_l else mention_id_r end,
                case when worker_left then state_r else state_l end,
                case when worker_left then voter_id_r else voter_id_l end,
                match_weight,
                match_probability
            from (select *, not starts_with(mention_id_l, '{_VOTER}:') as worker_left
                  from {predictions.physical_name})
        """)
        predictions.drop_table_from_database_and_remove_from_cache()
    logging.getLogger(__name__).info("person links: about %d pairs blocked, scored in %d slices", estimated, chunks)


def _best_links(scratch: duckdb.DuckDBPyConnection, threshold: float) -> duckdb.DuckDBPyRelation:
    """Each worker's highest-weighted registrant (ties: state, voter id). It is matched at or above threshold,
    unless another worker of the same source (member, contact) links to the same registrant with more weight: a
    registration is one member, or one contact. A member who is also a contact may share theirs."""
    return scratch.sql(f"""
        with best_per_worker as (
            select worker_mention_id, state, voter_id, match_probability, match_weight
            from scored_pairs
            qualify row_number() over (
                partition by worker_mention_id order by match_weight desc, state, voter_id) = 1
        ),
        best_links as (
            select workers.source, workers.record_id, best.state, best.voter_id, best.match_probability,
                   best.match_weight
            from best_per_worker as best
            join {_WORKER}_mentions as workers on workers.mention_id = best.worker_mention_id
        )
        select source, record_id, state, voter_id, match_probability, match_weight,
               match_probability >= {float(threshold)}
               and row_number() over (partition by source, state, voter_id order by match_weight desc, record_id) = 1
               as matched
        from best_links
        order by source, record_id
    """)


def evaluate_person_links(con: duckdb.DuckDBPyConnection, truth_dir: Path | str,
                          source: str = _MEMBER) -> PersonLinkQuality:
    """Precision and recall of LINKS_TABLE's matched links of one source (member or contact) against the sample's
    _truth/ (people.parquet; contacts.parquet names the contacts' people), as the pairwise scores of two
    clusterings of that source's workers and the registrations (shared with employer resolution)."""
    from shopfloor.resolution.evaluation import pairwise_scores

    truth_file, id_column = _TRUTH_RECORDS[source]
    people = str(Path(truth_dir) / "people.parquet").replace("'", "''")
    workers = str(Path(truth_dir) / truth_file).replace("'", "''")
    # A matched link is a cluster of two records, the worker and the registration, named after the registration.
    predicted = f"""(
        select '{source}:' || record_id as record_key, state || ':' || voter_id as cluster_id
        from {LINKS_TABLE} where matched and source = '{source}'
        union all
        select state || ':' || voter_id, state || ':' || voter_id from {LINKS_TABLE}
        where matched and source = '{source}'
    )"""
    # Every true person is a cluster of their worker record and their registrations.
    truth = f"""(
        select '{source}:' || {id_column} as record_key, cast(person_id as varchar) as cluster_id
        from read_parquet('{workers}') where {id_column} is not null
        union all
        select 'NC:' || ncid, cast(person_id as varchar) from read_parquet('{people}') where ncid is not null
        union all
        select 'OH:' || sos_voterid, cast(person_id as varchar) from read_parquet('{people}')
        where sos_voterid is not null
    )"""
    scores = pairwise_scores(con, predicted, truth)
    return PersonLinkQuality(source=source, predicted_links=scores["predicted_pairs"],
                             correct_links=scores["agreed_pairs"], registered_workers=scores["pairs"])


def person_link_metadata(con: duckdb.DuckDBPyConnection, summary: PersonLinkSummary,
                         truth_dir: Path | str) -> dict[str, int | float]:
    """Counts and rates describing a linking run, plus precision and recall per source (truth_members_*,
    truth_contacts_*) when truth_dir holds the sample's ground truth. Never names, ids or addresses: workers can
    be retaliated against."""
    metadata: dict[str, int | float] = dict(summary.as_metadata())
    for source, (truth_file, _) in _TRUTH_RECORDS.items():
        if (Path(truth_dir) / "people.parquet").exists() and (Path(truth_dir) / truth_file).exists():
            quality = evaluate_person_links(con, truth_dir, source)
            metadata.update({f"truth_{source}s_{name}": value for name, value in quality.as_metadata().items()})
    return metadata
