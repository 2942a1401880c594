"""python -m covid_lake_dev.query_warehouse [--endpoint URL] "SQL": one query's rows, as a table
(the warehouse of `make run` / `make airflow`, or of AWS with --endpoint '')."""

from __future__ import annotations

from covid_lake.aws.redshift_io import query
from covid_lake.tasks import settings


def main(argv: list[str] | None = None) -> int:
    """python -m covid_lake_dev.query_warehouse [--endpoint URL] "SQL": rows of one query, as a table."""
    import argparse

    import boto3

    p = argparse.ArgumentParser(prog="python -m covid_lake_dev.query_warehouse", description=main.__doc__)
    p.add_argument("sql")
    p.add_argument("--endpoint", default="http://127.0.0.1:5050",
                   help="local_aws endpoint; '' for real AWS (credentials from the environment)")
    args = p.parse_args(argv)
    extra = ({"endpoint_url": args.endpoint, "region_name": "us-east-1",
              "aws_access_key_id": "local", "aws_secret_access_key": "local"}
             if args.endpoint else {})
    client = boto3.client("redshift-data", **extra)
    rows = query(client, args.sql, settings.load(lambda k, d: d).redshift_target())
    if rows:
        import pandas as pd

        print(pd.DataFrame(rows).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
