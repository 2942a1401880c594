"""local_aws: the offline AWS for this project (emulator and synthetic sample lake).

One process serves moto's ThreadedMotoServer (default http://127.0.0.1:5050, see server.py),
with the services the pipeline uses made to really run:

    persistence.py    S3 objects and the Glue catalog survive restarts (state dir .local/aws)
    seeding.py        s3://covid19-lake: the sample (first start) or a --lake DIR (every start)
    athena.py         queries run in DuckDB (athena_sql.py, athena_ddl.py, glue_catalog.py)
    redshift_data.py  statements run in DuckDB files (redshift_sql.py translates the dialect)
    glue_crawler.py   crawls read the S3 objects and write catalog tables
    glue_jobs.py      job runs execute their script in a subprocess
    faults.py         make the next N calls of an operation fail or throttle

Start it with `python -m local_aws` (see __main__.py); point clients at it with endpoint_url
(or AWS_ENDPOINT_URL), region us-east-1 and any dummy credentials.
"""
