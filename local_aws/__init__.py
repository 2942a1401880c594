"""local_aws: an offline AWS for one process, moto's server with the data planes made to run.

One folder per AWS service over a small core (docs/local-aws.md is the map, with the AWS pages
each folder follows):

    core/        the running emulator (runtime), worker threads, fault injection, state saved
                 across restarts (persistence), moto's per-service apps (routing)
    s3/          S3 objects for the other data planes, DuckDB's view of them, bucket seeding
    glue/        the Data Catalog, crawlers that crawl, Python shell jobs that run
    athena/      queries run in DuckDB with Trino's semantics, DDL, CTAS, UNLOAD, INSERT, SHOW
    redshift/    the warehouse's SQL on DuckDB files, COPY / UNLOAD, the Data API (data_api/)
    server.py    the process: the services registered with moto, health and fault endpoints
    __main__.py  the command line: python -m local_aws --help

It knows no dataset: buckets are seeded from directories the caller names (--seed-bucket,
--sync-bucket). Point clients at it with endpoint_url (or AWS_ENDPOINT_URL), region us-east-1
and any dummy credentials.
"""
