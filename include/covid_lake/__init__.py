"""covid_lake: the pipeline's Python package, in layers (imports run downwards only; the
contracts in .importlinter keep it so):

    report, warehouse_web   the two consumers: covid_lake_report's page, the Airflow UI's view
    tasks                   Airflow: the task bodies, the failure policy, deferral, Assets, settings
    aws                     AWS adapters: Athena, Redshift Data API, Glue tables, S3, Parquet
    domain                  the data rules: pure pandas + pandera, no boto3, no Airflow

The domain's data logic is plain functions on DataFrames, importable and testable without Airflow.
"""
