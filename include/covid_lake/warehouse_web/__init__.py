"""The "COVID warehouse" web views (an Airflow 3 plugin, registered in plugins/covid_warehouse.py).

A FastAPI app mounted by Airflow's API server under /covid-warehouse, every endpoint behind an
authenticated Airflow user:

    app ............ the routes: the latest report, a covid_lake_daily run's audit, the SQL editor
    auth ........... the dependency that requires an Airflow user (JWT cookie or Bearer token)
    aws ............ the boto3 clients, through the Amazon provider's hooks (aws_default)
    reports ........ the latest report page from S3 (written by covid_lake_report)
    runs ........... which run date a covid_lake_daily run processed (Airflow's metadata DB)
    warehouse ...... the Redshift Data API reads: a run's runaudit rows, a guarded SELECT
    sql_guard ...... what the SQL editor accepts: exactly one read-only SELECT (sqlglot)
    pages .......... the HTML pages

Nothing here does I/O at import time; Airflow imports the plugin in every component.
"""
