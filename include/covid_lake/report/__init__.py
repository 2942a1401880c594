"""The analysts' report on the warehouse (the covid_lake_report DAG): one self-contained HTML page.

    data.py      the report's queries (include/sql/redshift/report/) through the Data API
    figures.py   plain pandas on their results: long form, source disagreements, data quality
    counties.py  county boundaries from a packaged Census shapefile (plotly-geo), simplified
    charts.py    the Vega-Lite charts (altair)
    page.py      the page: charts, reading notes, SQL and data, Vega's JavaScript inline
    build.py     query, render, write to S3 (latest and one per warehouse update) and a local copy
"""
