"""The raw loader: landing files -> schema raw of the warehouse, typed, with lineage, rejects and load history."""

from .detect import detect_layout
from .errors import IngestError, LayoutError
from .loader import load_source
from .report import FileLoadOutcome, SourceLoadReport, TableLoadReport

__all__ = [
    "FileLoadOutcome",
    "IngestError",
    "LayoutError",
    "SourceLoadReport",
    "TableLoadReport",
    "detect_layout",
    "load_source",
]
