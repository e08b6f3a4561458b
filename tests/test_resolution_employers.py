"""Employer and workplace resolution: the standardization macros on hand-made names and addresses, the pairwise
metric on a hand-made case, and, on the session's small sample warehouse, the quality targets, the marts and
repeatable ids."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from work_folder import builds_warehouse

from shopfloor.resolution.employers import CLUSTERS_TABLE, MENTIONS_TABLE, resolve_employers
from shopfloor.resolution.evaluation import employer_resolution_quality, pairwise_scores
from shopfloor.settings import DBT_PROJECT_DIR

TARGET_F1 = 0.95
TARGET_PRECISION = 0.97

# raw name -> (legal name core, trade name core, store number)
NAME_CASES = {
    "WAL-MART STORES INC #1234": ("WAL MART STORES", None, "1234"),
    "Walmart Inc.": ("WALMART", None, None),
    "Wal-Mart Stores, Inc. d/b/a Wal Mart Supercenter STORE 5678": ("WAL MART STORES", "WAL MART SUPERCENTER", "5678"),
    "ACME WIDGETS DOING BUSINESS AS ACME": ("ACME WIDGETS", "ACME", None),
    "Acme Widgets L.L.C.": ("ACME WIDGETS", None, None),
    "Smith & Jones Company, Inc.": ("SMITH AND JONES", None, None),
    "The Piedmont Regional Hosp, PLLC": ("PIEDMONT REGIONAL HOSPITAL", None, None),
    "QuikShip Log. No. 42": ("QUIKSHIP LOGISTICS", None, "42"),
    "FOOD GIANT CORP 7290": ("FOOD GIANT", None, "7290"),
    "Harbor Freight Transport, L.P.": ("HARBOR FREIGHT TRANSPORT", None, None),
    # Another name (d/b/a, t/a, a/k/a, f/k/a) is split off only at whole words, never inside one.
    "Gorham Healthcare d/b/a Gorham": ("GORHAM HEALTHCARE", "GORHAM", None),
    "ACME WIDGETS AKA ACME": ("ACME WIDGETS", "ACME", None),
    "Acme Widgets, A.K.A. Acme Co.": ("ACME WIDGETS", "ACME", None),
    "Harbor Marine Services Also Known As Harbor Marine": ("HARBOR MARINE SERVICES", "HARBOR MARINE", None),
    "Northgate Foods T/A Northgate Market": ("NORTHGATE FOODS", "NORTHGATE MARKET", None),
    "Riverside Foods Inc. F/K/A Riverside Grocers": ("RIVERSIDE FOODS", "RIVERSIDE GROCERS", None),
    "Blue Line Transit formerly known as Blue Line Bus Co": ("BLUE LINE TRANSIT", "BLUE LINE BUS", None),
    "Acme Inc. dba Acme Market aka Acme Grocery": ("ACME", "ACME MARKET", None),
    "United Export Trading Association": ("UNITED EXPORT TRADING ASSOCIATION", None, None),
    "EAST/AMERICAN FOODS": ("EAST AMERICAN FOODS", None, None),
    "Sandbar Grill": ("SANDBAR GRILL", None, None),
    "Osaka Sushi": ("OSAKA SUSHI", None, None),
    # Periods: single letters collapse, a period beside a longer word is a space.
    "MEDICAL TRANSP.MGMT.CORP.": ("MEDICAL TRANSPORTATION MANAGEMENT", None, None),
    "Acme Trans Co.": ("ACME TRANSPORT", None, None),
    "Acme.Co.Inc.": ("ACME", None, None),
    "U.S. Steel Corp.": ("US STEEL", None, None),
    "Acme Foods U.S.A., L.L.C.": ("ACME FOODS USA", None, None),
    "St.Mary's Hosp.": ("SAINT MARYS HOSPITAL", None, None),
    # Legal forms: whole trailing words only, never the only word; PA / PC only after a comma.
    "Smith & Jones, P.A.": ("SMITH AND JONES", None, None),
    "Pediatric Associates, P.C.": ("PEDIATRIC ASSOCIATES", None, None),
    "Smith & Jones, P.A. d/b/a Smith Law #204": ("SMITH AND JONES", "SMITH LAW", "204"),
    "RICHFOOD OF PA": ("RICHFOOD OF PA", None, None),
    "Byte PC": ("BYTE PC", None, None),
    "JOB CORPS": ("JOB CORPS", None, None),
    "MARINE CORPS": ("MARINE CORPS", None, None),
    "ACME STORES": ("ACME STORES", None, None),
    "HOLIDAY IN": ("HOLIDAY IN", None, None),
    "Acme Group": ("ACME GROUP", None, None),
    "Apex Holdings, Inc.": ("APEX HOLDINGS", None, None),
    "Company": ("COMPANY", None, None),
    "The Limited": ("LIMITED", None, None),
}
# raw address -> (house number, standardized street)
ADDRESS_CASES = {
    "1488 Forest Avenue": ("1488", "FOREST AVE"),
    "1488 FOREST AVE.": ("1488", "FOREST AVE"),
    "200 North Main Street, Suite 4B": ("200", "N MAIN ST"),
    "77 Blue Ridge Pkwy #12": ("77", "BLUE RIDGE PKWY"),
    "PO Box 12": (None, "PO BOX 12"),
}


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _compile_inline(sql: str, tmp_path: Path) -> str:
    """The SQL dbt compiles from `sql` with the project's macros (against a throwaway DuckDB file)."""
    env = {**os.environ, "DO_NOT_TRACK": "1", "SHOPFLOOR_WAREHOUSE": str(tmp_path / "compile.duckdb")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "compile", "--quiet", "--inline", sql,
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        capture_output=True, text=True, env=env, check=True,
    )
    return result.stdout


def test_standardization_macros(tmp_path):
    names = ", ".join(f"({_sql_text(name)})" for name in NAME_CASES)
    addresses = ", ".join(f"({_sql_text(address)})" for address in ADDRESS_CASES)
    compiled = _compile_inline(f"""
        select 'name' as kind, raw, {{{{ employer_legal_name_core('raw') }}}} as a,
               {{{{ employer_dba_name_core('raw') }}}} as b, {{{{ employer_store_number_of('raw') }}}} as c
        from (values {names}) as names(raw)
        union all
        select 'address', raw, {{{{ site_street_number(site_address_padded('raw')) }}}},
               {{{{ site_street_name(site_address_padded('raw')) }}}}, {{{{ site_address_key('raw') }}}}
        from (values {addresses}) as addresses(raw)
    """, tmp_path)
    rows = duckdb.connect().execute(compiled).fetchall()
    got_names = {raw: (a, b, c) for kind, raw, a, b, c in rows if kind == "name"}
    got_addresses = {raw: (a, b) for kind, raw, a, b, _ in rows if kind == "address"}
    assert got_names == NAME_CASES
    assert got_addresses == ADDRESS_CASES
    address_keys = {raw: key for kind, raw, _, _, key in rows if kind == "address"}
    assert address_keys["1488 Forest Avenue"] == address_keys["1488 FOREST AVE."] == "1488 FOREST AVE"
    assert address_keys["PO Box 12"] is None


def test_pairwise_scores_on_a_hand_made_case():
    con = duckdb.connect()
    con.execute("create table truth as select * from (values ('a', '1'), ('b', '1'), ('c', '1'), ('d', '2'), "
                "('e', '2'), ('f', '3')) as t(record_key, cluster_id)")
    # f is missing from the prediction: a cluster of its own. 'x' holds a and b; c sits with d, wrongly.
    con.execute("create table predicted as select * from (values ('a', 'x'), ('b', 'x'), ('c', 'y'), ('d', 'y'), "
                "('e', null), ('z', 'x')) as t(record_key, cluster_id)")
    scores = pairwise_scores(con, "predicted", "truth")
    # True pairs: ab ac bc de = 4. Predicted (judged records only): ab cd = 2. Agreed: ab = 1.
    assert (scores["pairs"], scores["predicted_pairs"], scores["agreed_pairs"]) == (4, 2, 1)
    assert scores["precision"] == pytest.approx(0.5)
    assert scores["recall"] == pytest.approx(0.25)
    assert scores["f1"] == pytest.approx(1 / 3)
    perfect = pairwise_scores(con, "truth", "truth")
    assert (perfect["precision"], perfect["recall"], perfect["f1"]) == (1.0, 1.0, 1.0)


def _dbt(args: list[str], warehouse: Path, artifacts: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(artifacts / "target"),
         "--log-path", str(artifacts / "logs")],
        capture_output=True, text=True, env={**os.environ, "DO_NOT_TRACK": "1", "SHOPFLOOR_WAREHOUSE": str(warehouse)},
    )
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.fixture(scope="module")
@builds_warehouse
def small_sample(tmp_path_factory) -> tuple[Path, Path]:
    """The small sample (seed 42), its employer-naming sources loaded, int_employer_mentions built, resolved,
    and the workplace marts built: (landing folder, warehouse file)."""
    from shopfloor.ingest import load_source
    from shopfloor.sample import generate

    root = tmp_path_factory.mktemp("employer_resolution")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    generate(scale="small", seed=42, out=landing)
    with duckdb.connect(str(warehouse)) as con:
        # suppression: staging reads its forgotten keys (macro not_forgotten).
        for source in ("osha", "nlrb", "membership", "grievances", "contacts", "suppression"):
            load_source(con, source, landing)
    # Upstream models and seeds only: their tests belong to other suites.
    _dbt(["build", "--select", "+int_employer_mentions", "--resource-type", "model", "--resource-type", "seed"],
         warehouse, root)
    with duckdb.connect(str(warehouse)) as con:
        resolve_employers(con)
    _dbt(["build", "--select", "stg_resolution__employer_mention_clusters path:models/marts/workplaces",
          "--indirect-selection", "cautious"], warehouse, root)
    return landing, warehouse


@pytest.fixture(scope="module")
def warehouse(small_sample):
    con = duckdb.connect(str(small_sample[1]), read_only=True)
    yield con
    con.close()


def test_quality_targets_on_the_small_sample(small_sample, warehouse):
    quality = employer_resolution_quality(warehouse, small_sample[0] / "_truth")
    for level in ("workplaces", "employers"):
        assert quality[level]["pairs"] > 10_000, level
        assert quality[level]["precision"] >= TARGET_PRECISION, (level, quality[level])
        assert quality[level]["f1"] >= TARGET_F1, (level, quality[level])


def test_asset_metadata_reports_rates_against_truth(sample_env):
    """The whole pipeline (tests/conftest.py) runs the resolution asset between the two dbt steps."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["resolution", "employer_mention_clusters"]))
    metadata = event.asset_materialization.metadata
    assert metadata["workplaces_f1"].value >= TARGET_F1
    assert metadata["employers_precision"].value >= TARGET_PRECISION
    assert metadata["mentions"].value == metadata["dagster/row_count"].value > 0
    assert all(isinstance(value.value, (int, float)) for value in metadata.values())


def test_marts_cover_every_record(warehouse):
    mentions, clusters = warehouse.execute(
        f"select (select count(*) from {MENTIONS_TABLE}), (select count(*) from {CLUSTERS_TABLE})").fetchall()[0]
    assert mentions == clusters > 0
    unlinked_inspections = warehouse.execute("""
        select count(*) from staging.stg_osha__inspections as inspections
        left join marts.workplace_links as links
            on links.source_system = 'osha' and links.source_record_id = cast(inspections.inspection_id as varchar)
        where links.workplace_id is null
    """).fetchall()[0][0]
    assert unlinked_inspections == 0
    workplaces, employers, linked_workplaces = warehouse.execute("""
        select (select count(*) from marts.dim_workplaces), (select count(*) from marts.dim_employers),
               (select count(distinct workplace_id) from marts.workplace_links)
    """).fetchall()[0]
    assert employers < workplaces
    assert linked_workplaces == workplaces


def test_same_mentions_give_the_same_ids(warehouse):
    written = warehouse.sql(f"select * from {CLUSTERS_TABLE} order by mention_id").fetchall()
    con = duckdb.connect()
    # Shuffled: ids must not depend on the order the rows come in.
    con.register("mentions", warehouse.sql(f"select * from {MENTIONS_TABLE} order by md5(mention_id)").to_arrow_table())
    con.execute("create schema intermediate")
    con.execute("create table intermediate.int_employer_mentions as select * from mentions")
    resolve_employers(con)
    assert con.sql(f"select * from {CLUSTERS_TABLE} order by mention_id").fetchall() == written
