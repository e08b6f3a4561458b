"""Where the real public records are: ../shared/real_data beside the repo, as on developer machines and in CI."""

import os
from pathlib import Path

import pytest

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "real_data"

# Outside CI a checkout without ../shared skips these tests; under CI they run, so a missing folder fails them.
needs_real_data = pytest.mark.skipif(
    not REAL_DATA.is_dir() and not os.environ.get("CI"), reason="../shared/real_data is not beside the repo"
)
