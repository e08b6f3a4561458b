"""docs/quality.md is written by several scripts, each owning one '## ' section of it."""

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
