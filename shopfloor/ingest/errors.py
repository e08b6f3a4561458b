"""Errors the raw loader raises. Each message names the file (relative to the landing folder)."""

from __future__ import annotations


class IngestError(ValueError):
    """A file could not be loaded: unreadable, corrupt, or its load failed and was rolled back."""


class LayoutError(IngestError):
    """A file's header matches no layout of its folder, or lacks / renames a layout's required column."""
