"""The boto3 clients the views use, through the Amazon provider's hooks on `aws_default`, so the
same code reads AWS or local_aws (whose endpoint the connection names)."""

from __future__ import annotations

CONN_ID = "aws_default"


def s3_client():
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    return S3Hook(aws_conn_id=CONN_ID).get_conn()


def redshift_data_client():
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    return AwsBaseHook(aws_conn_id=CONN_ID, client_type="redshift-data").get_conn()
