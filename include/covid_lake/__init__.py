"""covid_lake: the pipeline's Python package (datasets, cleaning, star schema, settings).

Plain functions on DataFrames, importable and testable without Airflow.
"""
