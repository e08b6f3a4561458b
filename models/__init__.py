"""Targeting models (pure Python, no Dagster): the win model at filing on twenty years of NLRB elections
(nlrb_win), the warehouse's win and leader models (win_warehouse, leader_model) and their evaluation."""
