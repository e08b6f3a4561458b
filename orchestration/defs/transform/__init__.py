"""The dbt project (dbt_project/) as Dagster assets: every model and seed an asset, every dbt test a check."""
