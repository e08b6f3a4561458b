"""What the resolution-quality scripts share: a warehouse built for one model, and their sections of
docs/quality.md, each script owning one '## ' section."""

from __future__ import annotations

import re
from pathlib import Path

QUALITY_DOC = Path(__file__).resolve().parents[1] / "docs" / "quality.md"


def write_section(title: str, text: str, doc: Path = QUALITY_DOC) -> None:
    """Replace the section headed `title` (up to the next '## ') with text, or append it."""
    existing = doc.read_text() if doc.exists() else "# Quality\n"
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: text + "\n", existing, count=1)
    else:
        updated = existing.rstrip("\n") + "\n\n" + text
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(updated.rstrip("\n") + "\n")


def prepare_warehouse(landing: Path, warehouse: Path, dbt_artifacts: Path, sources: tuple[str, ...],
                      model: str) -> None:
    """Load `sources` from landing into a fresh warehouse and dbt-build `model` with everything upstream of it."""
    import duckdb

    from shopfloor.dbt_cli import run_dbt
    from shopfloor.ingest import load_source
    from shopfloor.ingest.tables import ensure_raw_schema

    warehouse.unlink(missing_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        for source in sources:
            load_source(con, source, landing)
        # Staging reads the suppression list's forgotten keys (macro not_forgotten), empty if none landed.
        ensure_raw_schema(con, "suppression")
    # cautious: leave out tests that also need models not built here (e.g. voter history).
    run_dbt(["build", "--select", f"+{model}", "--indirect-selection", "cautious"], warehouse, dbt_artifacts)
