"""Stand-in for Airflow's `system.amazon.aws.utils`: the test context task and log pruning.

Upstream reads per-DAG variables from SSM or the environment and makes an ENV_ID that prefixes
every resource a DAG creates; here the variables come from the environment (or DEFAULTS) and
ENV_ID is a short random lowercase id, so reruns against one emulator never collide.
"""

from __future__ import annotations

import logging
import os
import random
import string

import boto3
from airflow.sdk import TriggerRule, task
from botocore.exceptions import ClientError

log = logging.getLogger(__name__)

ENV_ID_KEY = "ENV_ID"
# Values used when the environment does not name one. The role is created in the emulator by
# covid_lake_dev/system_tests/provision.py. RedshiftCreateClusterOperator leaves an empty
# CLUSTER_SUBNET_GROUP out (it sends truthy values only); an empty SECURITY_GROUP is sent as
# VpcSecurityGroupIds [""], which moto's Redshift stores without checking.
DEFAULTS = {
    "ROLE_ARN": "arn:aws:iam::123456789012:role/systest",
    "SECURITY_GROUP": "",
    "CLUSTER_SUBNET_GROUP": "",
}


def new_env_id(length: int = 8) -> str:
    """Lowercase letters only: valid in bucket, Glue, Athena and Redshift names alike."""
    return "st" + "".join(random.choices(string.ascii_lowercase, k=length - 2))


class SystemTestContextBuilder:
    """builder.add_variable(name).build() -> a @task returning {ENV_ID, name: value, ...}."""

    def __init__(self) -> None:
        self.variables: list[str] = []

    def add_variable(self, name: str, **_ignored: object) -> SystemTestContextBuilder:
        self.variables.append(name)
        return self

    def build(self):
        names = list(self.variables)

        @task(task_id="variable_fetcher", multiple_outputs=True)
        def variable_fetcher() -> dict[str, str]:
            context = {ENV_ID_KEY: os.environ.get("SYSTEM_TESTS_ENV_ID") or new_env_id()}
            for name in names:
                context[name] = os.environ.get(name, DEFAULTS.get(name, ""))
            return context

        return variable_fetcher


@task
def get_role_name(arn: str) -> str:
    """The role name at the end of an IAM role ARN (newer example_glue gets it this way)."""
    return arn.split("/")[-1]


@task(trigger_rule=TriggerRule.ALL_DONE)
def prune_logs(logs: list[tuple[str, str | None]], delete_log_groups: bool = True, **_ignored: object) -> None:
    """Delete the log streams starting with each prefix (a group with no prefix is left alone),
    then the group itself if asked and empty. Missing groups are fine: not every run writes logs."""
    client = boto3.client("logs")
    for group, prefix in logs:
        if not prefix:
            continue
        try:
            streams = client.describe_log_streams(logGroupName=group, logStreamNamePrefix=prefix)
            for stream in streams.get("logStreams", []):
                client.delete_log_stream(logGroupName=group, logStreamName=stream["logStreamName"])
            if delete_log_groups and not client.describe_log_streams(logGroupName=group)["logStreams"]:
                client.delete_log_group(logGroupName=group)
        except ClientError as err:
            if err.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            log.info("no log group %s", group)
