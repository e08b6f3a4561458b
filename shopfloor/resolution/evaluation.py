"""Pairwise precision and recall of a clustering against a true one, counted in DuckDB.

Two records are a predicted pair when they share a predicted cluster and a true pair when they share a true
cluster. Pairs are never listed: a cluster of n records holds n*(n-1)/2 pairs, and the pairs both clusterings
agree on are the pairs within each (predicted, true) cluster intersection.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from shopfloor.resolution.employers import CLUSTERS_TABLE, EmployerResolutionSummary


def pairwise_scores(con: duckdb.DuckDBPyConnection, predicted: str, truth: str) -> dict[str, float | int]:
    """precision, recall, f1 and pair counts of `predicted` against `truth`.

    Both are table names or parenthesised queries with columns (record_key, cluster_id). Only the records in
    `truth` are judged; one missing from `predicted`, or with a NULL cluster_id, is a cluster of its own.
    """
    predicted_pairs, true_pairs, agreed_pairs = con.execute(f"""
        with judged as (
            select truth.record_key, truth.cluster_id as true_cluster,
                   coalesce(predicted.cluster_id, 'record:' || truth.record_key) as predicted_cluster
            from {truth} as truth
            left join {predicted} as predicted on predicted.record_key = truth.record_key
        ),
        by_predicted as (select count(*) as n from judged group by predicted_cluster),
        by_truth as (select count(*) as n from judged group by true_cluster),
        by_both as (select count(*) as n from judged group by predicted_cluster, true_cluster)
        select
            (select coalesce(sum(n * (n - 1) // 2), 0) from by_predicted),
            (select coalesce(sum(n * (n - 1) // 2), 0) from by_truth),
            (select coalesce(sum(n * (n - 1) // 2), 0) from by_both)
    """).fetchall()[0]
    precision = agreed_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = agreed_pairs / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": int(true_pairs),
            "predicted_pairs": int(predicted_pairs), "agreed_pairs": int(agreed_pairs)}


def employer_resolution_quality(con: duckdb.DuckDBPyConnection, truth_dir: Path | str) -> dict[str, dict]:
    """Scores of resolution.employer_mention_clusters against a sample's _truth folder, for workplaces and
    employers. The truth maps each source record naming an employer (source_map.parquet) to its workplace,
    and each workplace to its employer (workplaces.parquet)."""
    truth_dir = Path(truth_dir)
    source_map = str(truth_dir / "source_map.parquet").replace("'", "''")
    workplaces = str(truth_dir / "workplaces.parquet").replace("'", "''")
    truth_records = f"""(
        select source_map.source_table || ':' || source_map.record_id
                   || coalesce(':' || source_map.unit_id, '') as record_key,
               source_map.workplace_id, workplaces.employer_id
        from read_parquet('{source_map}') as source_map
        join read_parquet('{workplaces}') as workplaces using (workplace_id)
    )"""
    return {
        "workplaces": pairwise_scores(
            con, f"(select mention_id as record_key, workplace_id as cluster_id from {CLUSTERS_TABLE})",
            f"(select record_key, workplace_id as cluster_id from {truth_records})"),
        "employers": pairwise_scores(
            con, f"(select mention_id as record_key, employer_id as cluster_id from {CLUSTERS_TABLE})",
            f"(select record_key, employer_id as cluster_id from {truth_records})"),
    }


def employer_resolution_metadata(con: duckdb.DuckDBPyConnection, summary: EmployerResolutionSummary,
                                 truth_dir: Path | str) -> dict[str, int | float]:
    """The run's counts, plus pairwise precision, recall and F1 of workplaces and employers when `truth_dir`
    holds a sample's truth: counts and rates only, never names."""
    metadata: dict[str, int | float] = dict(summary.as_metadata())
    if (Path(truth_dir) / "source_map.parquet").exists():
        for level, scores in employer_resolution_quality(con, truth_dir).items():
            for measure in ("precision", "recall", "f1"):
                metadata[f"{level}_{measure}"] = round(scores[measure], 4)
            metadata[f"{level}_true_pairs"] = scores["pairs"]
    return metadata
