"""Entity resolution: employers and workplaces across the agencies' and the union's records (employers),
union members to voter registrations (persons). Plain functions over a DuckDB connection; Dagster only wires them."""
