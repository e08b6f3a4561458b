"""Publishing: the ranked target workplaces and their leader candidates, suppressed, minimized and written whole.

config.py      config/publish.yaml: allowlists, ranking, columns never published
lists.py       the lists, built in DuckDB from the warehouse (scores, marts, contacts, experiments)
suppress.py    who may never appear on a list, and why (counts only leave this module)
allowlist.py   each output cut to its allowlist
files.py       CSV, XLSX, Action Network upload; the folder published atomically with owner-only permissions
gating.py      publishing refuses to run unless every upstream blocking check passed
publication.py all of it in one call: publish_lists()
synthetic.py   contract-shaped stand-in inputs at any size, for tests and bench/publish.py

See docs/publishing.md.
"""

from shopfloor.publish.publication import Publication, publish_lists

__all__ = ["Publication", "publish_lists"]
