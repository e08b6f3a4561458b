"""Employer matching on real names: the labelled pairs are what the written rules give on ../shared/real_data,
Shopfloor holds its measured recall and precision on them, and the defects found on real names stay fixed
(no address anywhere, one name in several states, names cut short)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from real_data import REAL_DATA, needs_real_data

from shopfloor.resolution.employers import CLUSTERS_TABLE, resolve_employers
from shopfloor.resolution.real_benchmark import (
    case_key,
    label_pairs,
    link_scores,
    read_pairs,
    read_records,
    same_cluster,
    shopfloor_clusters,
)

# Measured on 2026-12-07 (docs/quality.md, "Employer matching on real names"); a change that lowers them fails.
MIN_RECALL = 0.985
MIN_PRECISION = 0.999
MIN_CUT_NAME_RECALL = 0.85  # CATS (names cut at 30 characters) against the FY reports
# The pairs labelled by hand: close names of one state, equal names of two.
MIN_BY_HAND_RECALL = 0.85
MIN_BY_HAND_PRECISION = 0.98


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return read_records(REAL_DATA)


def test_case_numbers_of_both_eras_share_a_key():
    assert case_key("01-RC-022416") == case_key("01-RC-22416 ") == "01-RC-22416"
    assert case_key("Case Number") is None


@needs_real_data
def test_the_pairs_file_is_what_the_rules_give(records):
    assert len(records) > 50_000
    rebuilt = label_pairs(records)
    pd.testing.assert_frame_equal(rebuilt, read_pairs(), check_dtype=False)
    assert set(rebuilt["rule"]) == {"same case", "same employer address", "by hand"}


@needs_real_data
def test_shopfloor_holds_its_figures_on_real_names(records, tmp_path):
    pairs = read_pairs()
    scores = link_scores(pairs, same_cluster(pairs, shopfloor_clusters(records, tmp_path))).set_index("source_pair")
    assert scores.at["all", "recall"] >= MIN_RECALL
    assert scores.at["all", "precision"] >= MIN_PRECISION
    assert scores.at["cats / fy_report", "recall"] >= MIN_CUT_NAME_RECALL
    assert scores.at["rule: by hand", "recall"] >= MIN_BY_HAND_RECALL
    assert scores.at["rule: by hand", "precision"] >= MIN_BY_HAND_PRECISION


def _resolve(rows: list[tuple]) -> dict[str, tuple[str | None, str]]:
    """Resolve hand-made mentions (mention_id, legal name core, state) that carry no address: {mention_id:
    (workplace_id, employer_id)}."""
    con = duckdb.connect()
    con.execute("""
        create table mentions (mention_id varchar, source_table varchar, legal_name_core varchar,
            legal_name_key varchar, dba_name_key varchar, name_cut boolean, store_number varchar, address_key varchar,
            street_number varchar, zip5 varchar, city varchar, state varchar)
    """)
    con.executemany("insert into mentions values (?, 'nlrb_cases', ?, replace(?, ' ', ''), null, ?, null, null, "
                    "null, null, 'TOWN', ?)",
                    [(mention_id, name, name, len(name) >= 30, state) for mention_id, name, state in rows])
    resolve_employers(con, mentions_table="mentions")
    return {row[0]: (row[1], row[2]) for row in con.execute(
        f"select mention_id, workplace_id, employer_id from {CLUSTERS_TABLE}").fetchall()}


def test_mentions_without_any_address_are_resolved():
    # splink's training divided by zero when no mention had an address.
    clusters = _resolve([("a", "ACME WIDGETS", "NC"), ("b", "ACME WIDGETS", "NC"), ("c", "BETA FOODS", "NC")])
    assert clusters["a"][1] == clusters["b"][1] != clusters["c"][1]


def test_a_hospital_name_in_three_states_is_three_employers_and_a_company_one():
    clusters = _resolve([("oh", "GOOD SAMARITAN HOSPITAL", "OH"), ("ca", "GOOD SAMARITAN HOSPITAL", "CA"),
                         ("ny", "GOOD SAMARITAN HOSPITAL", "NY"), ("ny2", "GOOD SAMARITAN HOSPITAL", "NY"),
                         ("bus mn", "FIRST STUDENT", "MN"), ("bus ct", "FIRST STUDENT", "CT")])
    assert len({clusters[key][1] for key in ("oh", "ca", "ny")}) == 3
    assert clusters["ny"][1] == clusters["ny2"][1]
    assert clusters["bus mn"][1] == clusters["bus ct"][1]


def test_a_name_cut_short_meets_the_whole_name_in_its_state():
    clusters = _resolve([("cut", "OVERNITE TRANSPORTATION COMPAN", "IN"), ("whole", "OVERNITE TRANSPORTATION", "IN"),
                         ("short", "ST JOSEPH HOSPITAL", "IN"), ("longer", "ST JOSEPH HOSPITAL OF ORANGE", "IN")])
    assert clusters["cut"][1] == clusters["whole"][1]
    assert clusters["short"][1] != clusters["longer"][1]


def test_real_words_a_letter_from_a_legal_form_are_kept():
    clusters = _resolve([("corps", "JOB CORPS", "NC"), ("job", "JOB", "NC"), ("stores", "ACME STORES", "NC"),
                         ("acme", "ACME", "NC"), ("in", "HOLIDAY IN", "NC"), ("holiday", "HOLIDAY", "NC"),
                         ("typo", "FOOD GIANT CROP", "NC"), ("food giant", "FOOD GIANT", "NC")])
    assert clusters["corps"][1] != clusters["job"][1]
    assert clusters["stores"][1] != clusters["acme"][1]
    assert clusters["in"][1] != clusters["holiday"][1]
    assert clusters["typo"][1] == clusters["food giant"][1]

