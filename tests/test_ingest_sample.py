"""The raw loader on the sample generator's output: every source, every layout, no rejects."""

from __future__ import annotations

import json

import duckdb

from shopfloor.ingest import load_source
from shopfloor.layouts import sources
from shopfloor.sample import generate
from shopfloor.sample.voters import VOTER_LAYOUTS


def test_generated_sample_loads_every_source_without_rejects(tmp_path):
    landing = tmp_path / "landing"
    generate(scale="small", seed=1, out=landing, voter_layouts=VOTER_LAYOUTS)
    manifest = json.loads((landing / "_truth" / "manifest.json").read_text())
    generated_sources = sorted({relative.split("/")[0] for relative in manifest})
    # Campaign activity follows the experiments' assignments, so it is simulated after a run
    # (shopfloor.sample.campaign; tests/test_experiments_sample.py loads it).
    assert set(sources()) - set(generated_sources) == {"campaign_activity"}

    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        reports = [load_source(con, source, landing) for source in generated_sources]
        loads = con.execute("SELECT source_file, layout, rows_loaded, rows_rejected, status FROM raw._loads").fetchall()

    outcomes = {outcome.source_file: outcome for report in reports for outcome in report.files}
    assert {path: (o.layout, o.rows_loaded) for path, o in outcomes.items()} == {
        path: (entry["layout"], entry["rows"]) for path, entry in manifest.items()}
    assert all(o.rows_rejected == 0 and o.status == "loaded" for o in outcomes.values())
    assert sorted(loads) == sorted((path, o.layout, o.rows_loaded, 0, "loaded") for path, o in outcomes.items())
    assert all(table.rejected_total == 0 for report in reports for table in report.tables.values())
    history = next(r for r in reports if r.source == "voter_files").tables["ohio_voter_history"]
    assert history.rows_loaded > 0
