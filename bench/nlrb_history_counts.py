"""Every real NLRB file (../shared/real_data/nlrb_history and nlrb) through the raw loader and dbt, counted per file
and per fiscal year; the counts replace the generated part of docs/nlrb_history.md (shopfloor.nlrb_history).

    python bench/nlrb_history_counts.py              # load, build, count, rewrite the doc's tables
    python bench/nlrb_history_counts.py --no-docs    # print only
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from shopfloor import nlrb_history

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "real_data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-docs", action="store_true", help="print the tables, leave the doc as it is")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        started = time.perf_counter()
        warehouse, report = nlrb_history.build(REAL_DATA, work)
        built = time.perf_counter()
        generated = nlrb_history.markdown(nlrb_history.count(warehouse, report, work))
    print(generated)
    print(f"\nloaded and built in {built - started:.0f} s")
    if not args.no_docs:
        nlrb_history.write_doc(generated)
        print(f"wrote {nlrb_history.DOC}")


if __name__ == "__main__":
    main()
