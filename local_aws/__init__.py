"""local_aws: the offline AWS for this project (emulator and synthetic sample lake).

One process serves moto's ThreadedMotoServer (default http://127.0.0.1:5050, see server.py),
with the services the pipeline uses made to really run:

    server.py           the process: moto's dispatcher, health check, fault endpoint
    services/           Athena, Glue and the Redshift Data API as moto-style packages
                        (a backend subclass in models.py, its API in responses.py, urls.py)
    engines/            the data planes they call: DuckDB queries, crawls, job runs, COPY
    persistence.py      S3 objects and the Glue catalog survive restarts (state dir .local/aws)
    seeding.py          s3://covid19-lake: the sample (first start) or a --lake DIR (every start)
    faults.py           make the next N calls of an operation fail or throttle

Start it with `python -m local_aws` (see __main__.py); point clients at it with endpoint_url
(or AWS_ENDPOINT_URL), region us-east-1 and any dummy credentials.
"""
