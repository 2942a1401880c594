"""Waiting for Athena queries and Redshift Data API statements, with botocore waiters.

Athena: the Amazon provider's own `query_complete` waiter (its waiters/athena.json, through
AthenaHook.get_waiter on our client). The Redshift Data API has no waiter, in boto3 or in the
provider (RedshiftDataHook.wait_for_results is a sleep loop without a time limit), so
`statement_finished` below is one, in botocore's waiter model. Both are run on the clients the
tasks pass in, with the caller's poll interval and time limit; a WaiterError's last response
says what the work's state was, for the caller's own message.
"""

from __future__ import annotations

import math
from typing import Any

from botocore.waiter import Waiter, WaiterModel, create_waiter_with_client

STATEMENT_FINISHED = WaiterModel({
    "version": 2,
    "waiters": {
        "statement_finished": {
            "operation": "DescribeStatement",
            "delay": 1,
            "maxAttempts": 600,
            "acceptors": [
                {"matcher": "path", "argument": "Status", "expected": "FINISHED", "state": "success"},
                {"matcher": "path", "argument": "Status", "expected": "FAILED", "state": "failure"},
                {"matcher": "path", "argument": "Status", "expected": "ABORTED", "state": "failure"},
            ],
        },
    },
})


def config(poll: float, timeout: float) -> dict[str, Any]:
    """WaiterConfig for a poll interval and a time limit (in seconds)."""
    return {"Delay": poll, "MaxAttempts": max(1, math.ceil(timeout / poll))}


def athena_query_complete(client: Any) -> Waiter:
    from airflow.providers.amazon.aws.hooks.athena import AthenaHook

    return AthenaHook(aws_conn_id=None).get_waiter("query_complete", client=client)


def statement_finished(client: Any) -> Waiter:
    return create_waiter_with_client("statement_finished", STATEMENT_FINISHED, client)
