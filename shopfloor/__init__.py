"""Shopfloor: a data platform for workplace organizing."""
