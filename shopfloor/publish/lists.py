"""The lists, built in DuckDB from the warehouse: ranked target workplaces, then their leader candidates.

Targets are the scored non-represented workplaces, ranked per region by config/publish.yaml and cut to the top
per_region. Their workers (models.worker_scores) are joined to their contact rows (int_worker_contacts),
suppressed (suppress.py), and the best per_workplace of those left are the leader candidates. Experiment arms and
recommended tactics are joined when the experiments tables exist; without them those columns are empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from shopfloor.publish.config import PublishConfig
from shopfloor.publish.suppress import Suppression, suppress

# Relations the lists read, with the columns they use (the shared table contracts).
REQUIRED_INPUTS = {
    "models.workplace_scores": ("workplace_id", "as_of_date", "win_probability", "reason_1", "reason_2", "reason_3",
                                "model_version"),
    "models.worker_scores": ("worker_key", "workplace_id", "as_of_date", "leader_score", "reason_1", "reason_2",
                             "reason_3", "model_version"),
    "models.active_models": ("model_name", "model_version", "promoted_at", "training_window_end", "data_fingerprint"),
    "marts.mart_workplaces": ("workplace_id", "employer_id", "employer_name", "workplace_name", "city", "state",
                              "zip5", "naics_sector", "workplace_size", "is_represented", "members",
                              "osha_serious_violations_5y", "last_election_on", "last_election_case_type",
                              "last_election_union_won", "ulp_charges_against_employer_3y", "grievances_12m"),
    "marts.mart_workers": ("worker_key", "classification", "is_member_as_of", "is_do_not_contact"),
    "marts.fct_nlrb_cases": ("source_record_id", "case_type_code", "filed_on", "closed_on"),
    "marts.workplace_links": ("source_system", "source_record_id", "employer_id"),
    "intermediate.int_worker_contacts": ("worker_key", "source_system", "source_record_id", "workplace_id",
                                         "first_name", "last_name", "street_address", "city", "state", "zip5",
                                         "phone", "email", "birth_date", "birth_year", "is_do_not_contact",
                                         "voter_state", "voter_id"),
    "intermediate.int_voter_registrations": ("state", "voter_id", "is_confidential", "registration_status",
                                             "birth_year"),
    "staging.stg_suppression__entries": ("first_name", "last_name", "email", "phone", "zip5", "member_id"),
    "staging.nicknames": ("nickname", "given_name"),
}
OPTIONAL_INPUTS = {
    "experiments.assignments": ("experiment", "unit", "unit_key", "arm", "assigned_on"),
    "experiments.recommended_tactics": ("workplace_id", "recommended_tactic", "expected_uplift", "experiment"),
}
UNKNOWN_REGION = "Unknown"


class MissingInputError(RuntimeError):
    """A relation the lists need is missing, or lacks a column; the message names each."""


@dataclass(frozen=True)
class BuiltLists:
    as_of: date
    targets: str  # temp tables, every column a list may draw from
    leaders: str
    action_network: str
    suppression: Suppression
    experiments_joined: bool


def _relation_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "select table_schema || '.' || table_name, column_name from information_schema.columns "
        "where table_catalog = current_database()"
    ).fetchall()
    columns: dict[str, set[str]] = {}
    for relation, column in rows:
        columns.setdefault(relation, set()).add(column)
    return columns


def check_inputs(con: duckdb.DuckDBPyConnection) -> bool:
    """Raise MissingInputError naming every missing relation or column; True when the experiments tables exist."""
    present = _relation_columns(con)
    problems = []
    for relation, needed in REQUIRED_INPUTS.items():
        if relation not in present:
            problems.append(f"{relation} does not exist")
            continue
        lacking = [column for column in needed if column not in present[relation]]
        if lacking:
            problems.append(f"{relation} lacks {', '.join(lacking)}")
    optional = [relation for relation in OPTIONAL_INPUTS if relation in present]
    for relation in optional:
        lacking = [column for column in OPTIONAL_INPUTS[relation] if column not in present[relation]]
        if lacking:
            problems.append(f"{relation} lacks {', '.join(lacking)}")
    if problems:
        raise MissingInputError("Cannot build the lists: " + "; ".join(problems) + ".")
    return len(optional) == len(OPTIONAL_INPUTS)


def scores_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The one as-of date of the scores: the date every list is judged at (ages included)."""
    dates = [row[0] for row in con.execute(
        "select distinct as_of_date from models.workplace_scores "
        "union select distinct as_of_date from models.worker_scores order by 1"
    ).fetchall()]
    if len(dates) != 1 or dates[0] is None:
        raise MissingInputError(f"The scores must share one as-of date; found {[str(d) for d in dates] or 'none'}.")
    return dates[0]


def _region_sql(config: PublishConfig) -> str:
    value = f"workplaces.{config.region_by}"
    if not config.region_groups:
        return f"coalesce({value}, '{UNKNOWN_REGION}')"
    cases = " ".join(
        "when {} = '{}' then '{}'".format(value, key.replace("'", "''"), region.replace("'", "''"))
        for key, region in sorted(config.region_groups.items())
    )
    return f"coalesce(case {cases} else {value} end, '{UNKNOWN_REGION}')"


def _experiment_ctes(experiments: bool) -> str:
    """Each unit's latest assignment and each workplace's best tactic; empty relations without the tables."""
    if not experiments:
        return """
        assignments as (
            select null::varchar as unit, null::varchar as unit_key, null::varchar as experiment, null::varchar as arm
            where false
        ),
        tactics as (
            select null::varchar as workplace_id, null::varchar as recommended_tactic, null::double as expected_uplift
            where false
        )"""
    return """
        assignments as (
            select unit, unit_key, experiment, arm
            from experiments.assignments
            qualify row_number() over (partition by unit, unit_key order by assigned_on desc, experiment) = 1
        ),
        tactics as (
            select workplace_id, recommended_tactic, expected_uplift
            from experiments.recommended_tactics
            qualify row_number() over (
                partition by workplace_id order by expected_uplift desc nulls last, recommended_tactic, experiment
            ) = 1
        )"""


def build_lists(con: duckdb.DuckDBPyConnection, config: PublishConfig) -> BuiltLists:
    """Create the temp tables publish_targets, publish_people, publish_leaders and publish_action_network."""
    experiments = check_inputs(con)
    as_of = scores_as_of(con)
    target_order = ", ".join(key.sql() for key in config.target_rank_by)
    con.execute(
        f"""
        create or replace temp table publish_targets as
        with {_experiment_ctes(experiments)},
        employer_cases as (
            select links.employer_id, cases.filed_on, cases.closed_on
            from marts.fct_nlrb_cases as cases
            join marts.workplace_links as links
                on links.source_system = 'nlrb' and links.source_record_id = cases.source_record_id
            where cases.case_type_code = 'CA'
        ),
        -- Charges against the employer filed before the as-of date and not closed by then.
        open_charges as (
            select workplaces.workplace_id, count(*) as open_ulp_charges
            from marts.mart_workplaces as workplaces
            join employer_cases
                on employer_cases.employer_id = workplaces.employer_id
                and employer_cases.filed_on < ?::date
                and (employer_cases.closed_on is null or employer_cases.closed_on >= ?::date)
            group by workplaces.workplace_id
        ),
        candidates as (
            select
                {_region_sql(config)} as region,
                scores.workplace_id,
                workplaces.workplace_name,
                workplaces.employer_name,
                workplaces.city,
                workplaces.state,
                workplaces.zip5,
                workplaces.naics_sector,
                round(scores.win_probability, 4) as win_probability,
                scores.reason_1,
                scores.reason_2,
                scores.reason_3,
                workplaces.workplace_size as workers,
                workplaces.members as members_inside,
                workplaces.osha_serious_violations_5y,
                workplaces.last_election_on,
                workplaces.last_election_case_type as last_election_type,
                case workplaces.last_election_union_won when true then 'won' when false then 'lost' end
                    as last_election_outcome,
                coalesce(open_charges.open_ulp_charges, 0) as open_ulp_charges,
                workplaces.ulp_charges_against_employer_3y as ulp_charges_3y,
                workplaces.grievances_12m,
                workplace_arms.experiment,
                workplace_arms.arm as experiment_arm,
                tactics.recommended_tactic,
                round(tactics.expected_uplift, 4) as expected_uplift,
                scores.as_of_date,
                scores.model_version
            from models.workplace_scores as scores
            join marts.mart_workplaces as workplaces on workplaces.workplace_id = scores.workplace_id
            left join open_charges on open_charges.workplace_id = scores.workplace_id
            left join assignments as workplace_arms
                on workplace_arms.unit = 'workplace' and workplace_arms.unit_key = scores.workplace_id
            left join tactics on tactics.workplace_id = scores.workplace_id
            where not workplaces.is_represented
        )
        select
            *,
            row_number() over (partition by region order by {target_order}, workplace_id) as rank_in_region
        from candidates
        qualify rank_in_region <= ?
        """,
        [as_of, as_of, config.per_region],
    )
    # Every contact row of every scored worker at a target workplace; the mart's do-not-contact flag joins in.
    con.execute(
        """
        create or replace temp table publish_people as
        select
            scores.worker_key,
            scores.workplace_id,
            round(scores.leader_score, 4) as leader_score,
            scores.reason_1,
            scores.reason_2,
            scores.reason_3,
            scores.model_version,
            scores.as_of_date,
            contacts.source_system,
            contacts.source_record_id,
            contacts.first_name,
            contacts.last_name,
            contacts.street_address,
            contacts.city,
            contacts.state,
            contacts.zip5,
            contacts.phone,
            contacts.email,
            contacts.birth_date,
            contacts.birth_year,
            contacts.is_do_not_contact is distinct from false or coalesce(workers.is_do_not_contact, false)
                as is_do_not_contact,
            contacts.voter_state,
            contacts.voter_id,
            workers.classification,
            coalesce(workers.is_member_as_of, false) as is_member
        from models.worker_scores as scores
        join publish_targets as targets on targets.workplace_id = scores.workplace_id
        join intermediate.int_worker_contacts as contacts on contacts.worker_key = scores.worker_key
        left join marts.mart_workers as workers on workers.worker_key = scores.worker_key
        """
    )
    con.execute(
        """
        create or replace temp view publish_voters as
        select state as voter_state, voter_id, is_confidential, registration_status, birth_year
        from intermediate.int_voter_registrations
        """
    )
    suppression = suppress(con, "publish_people", as_of=as_of, entries="staging.stg_suppression__entries",
                           voters="publish_voters", nicknames="staging.nicknames")
    leader_order = ", ".join(key.sql() for key in config.leader_rank_by)
    con.execute(
        f"""
        create or replace temp table publish_leaders as
        with {_experiment_ctes(experiments)},
        -- One contact row per person (the first by source), for people no suppression reason names.
        eligible as (
            select *
            from publish_people
            where not exists (
                select 1 from {suppression.table} as suppressed
                where suppressed.worker_key = publish_people.worker_key
            )
            qualify row_number() over (partition by worker_key order by source_system, source_record_id) = 1
        )
        select
            targets.region,
            targets.rank_in_region as workplace_rank,
            targets.workplace_id,
            targets.workplace_name,
            targets.employer_name,
            row_number() over (partition by eligible.workplace_id order by {leader_order}, eligible.worker_key)
                as candidate_rank,
            eligible.worker_key,
            eligible.first_name,
            eligible.last_name,
            eligible.phone,
            eligible.email,
            eligible.street_address,
            eligible.city,
            eligible.state,
            eligible.zip5,
            eligible.classification,
            eligible.is_member,
            eligible.leader_score,
            eligible.reason_1,
            eligible.reason_2,
            eligible.reason_3,
            coalesce(worker_arms.arm, targets.experiment_arm) as experiment_arm,
            targets.recommended_tactic,
            eligible.as_of_date,
            eligible.model_version
        from eligible
        join publish_targets as targets on targets.workplace_id = eligible.workplace_id
        left join assignments as worker_arms
            on worker_arms.unit = 'worker' and worker_arms.unit_key = eligible.worker_key
        qualify candidate_rank <= ?
        """,
        [config.per_workplace],
    )
    con.execute(
        """
        create or replace temp table publish_action_network as
        select
            region,
            workplace_rank,
            candidate_rank,
            first_name,
            last_name,
            email,
            phone as can2_phone,
            street_address as can2_user_address,
            city as can2_user_city,
            state as can2_state_abbreviated,
            zip5 as zip_code,
            worker_key as shopfloor_worker_key,
            workplace_id as shopfloor_workplace_id,
            workplace_name as shopfloor_workplace_name,
            -- Action Network advises tag names of letters, digits, dashes and underscores.
            concat_ws(',',
                'shopfloor-leader-candidate',
                'workplace-' || regexp_replace(lower(workplace_id), '[^a-z0-9_-]+', '-', 'g'),
                'region-' || regexp_replace(lower(region), '[^a-z0-9_-]+', '-', 'g'),
                'tactic-' || regexp_replace(lower(experiment_arm), '[^a-z0-9_-]+', '-', 'g')
            ) as tags
        from publish_leaders
        """
    )
    return BuiltLists(as_of=as_of, targets="publish_targets", leaders="publish_leaders",
                      action_network="publish_action_network", suppression=suppression,
                      experiments_joined=experiments)
