"""What the provider's CI account holds before its system tests run, made in the fresh emulator.

Upstream, ROLE_ARN names an IAM role that already exists (example_glue's GlueJobOperator looks it
up with iam:GetRole before creating the job). The shim's default ARN names a role that this
module creates, so the DAG meets the same precondition it meets on AWS.
"""

from __future__ import annotations

import json
import os

import boto3

from covid_lake_dev.system_tests.shims.system.amazon.aws.utils import DEFAULTS

GLUE_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def provision(endpoint: str) -> None:
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    role_arn = os.environ.get("ROLE_ARN", DEFAULTS["ROLE_ARN"])
    iam.create_role(RoleName=role_arn.rsplit("/", 1)[-1], AssumeRolePolicyDocument=json.dumps(GLUE_TRUST))
