"""What covid_lake_daily's tasks run, and Airflow's side of the pipeline: one module per stage
(land, catalog, extract, publish, warehouse), the failure policy, deferral, Assets, settings."""
