"""Shopfloor's Dagster code location. Definitions live in defs/; the logic they call lives in shopfloor/."""
