"""Automation: the daily refresh schedule, the landing-folder sensor, freshness checks and run-failure alerts."""
