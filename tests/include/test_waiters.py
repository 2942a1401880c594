"""The waits for Athena queries and Redshift statements (botocore waiters, aws/waiters.py)
against a real local_aws: a finished one returns, a failed one names its reason, one still
running past the limit is reported as such. And create_tables' wait
(deferral.RedshiftStatementsOperator): statements done within the settle time complete in the
worker, not deferred; a failed one fails there with the provider's own error; one still running
defers to the provider's RedshiftDataTrigger, its first look delayed (FirstLookAfter)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from airflow.providers.amazon.aws.hooks.redshift_data import RedshiftDataQueryFailedError
from airflow.providers.amazon.aws.triggers.redshift_data import RedshiftDataTrigger
from airflow.sdk.exceptions import TaskDeferred
from botocore.exceptions import ClientError, WaiterError

from covid_lake.aws import athena_io, redshift_io
from covid_lake.tasks import settings as settings_module
from covid_lake.tasks.deferral import (
    FirstLookAfter,
    GlueCrawlOperator,
    RedshiftStatementsOperator,
    trigger_class,
)
from tests.support.emulator import start_emulator


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    emu = start_emulator(tmp_path_factory.mktemp("waiters-aws"), "--sample-scale", "none")
    emu.client("s3").create_bucket(Bucket="covid-lake")
    yield emu
    emu.stop()


OUTPUT = "s3://covid-lake/athena-results/"


def test_an_athena_query_is_waited_for_and_its_rows_read(emulator):
    athena = emulator.client("athena")
    qid = athena_io.run_query(athena, "SELECT 1 AS one, 'x' AS letter", "default", OUTPUT,
                              poll=0.05, timeout=30)
    assert athena.get_query_execution(QueryExecutionId=qid)[
        "QueryExecution"]["Status"]["State"] == "SUCCEEDED"
    assert athena_io.results_frame(athena, qid).to_dict("records") == [{"one": 1, "letter": "x"}]


def test_several_results_are_read_at_once_each_as_alone(emulator):
    """transform_and_publish reads its nine results on threads (athena_io.results_frames): each
    frame as results_frame gives it alone, in the order asked; an unknown id fails the read, and
    of two failures the first in that order is the one raised."""
    athena, s3 = emulator.client("athena"), emulator.client("s3")
    ids = {f"q{n}": athena_io.run_query(athena, f"SELECT {n} AS n, 'v{n}' AS v", "default",
                                        OUTPUT, poll=0.05, timeout=30) for n in range(6)}
    got = athena_io.results_frames(athena, ids, s3, workers=3)
    assert list(got) == list(ids)
    for name, qid in ids.items():
        assert got[name].equals(athena_io.results_frame(athena, qid, s3))
        assert got[name].to_dict("records") == [{"n": int(name[1:]), "v": f"v{name[1:]}"}]
    bad = {"a": ids["q0"], "first": "no-such-query-1", "second": "no-such-query-2"}
    with pytest.raises(ClientError, match="no-such-query-1"):
        athena_io.results_frames(athena, bad, s3)


def test_a_failed_athena_query_names_its_state_and_reason(emulator):
    athena = emulator.client("athena")
    with pytest.raises(athena_io.AthenaQueryError, match=r"Athena query \S+ FAILED: .+"):
        athena_io.run_query(athena, "SELECT * FROM no_such_table_here", "default", OUTPUT,
                            poll=0.05, timeout=30)


def test_a_redshift_statement_is_waited_for_and_a_failed_one_names_its_error(emulator):
    client = emulator.client("redshift-data")
    target = settings_module.load(lambda key, default: default).redshift_target()
    assert redshift_io.query(client, "SELECT 2 AS two", target, poll=0.05, timeout=30) == [
        {"two": 2}]
    with pytest.raises(redshift_io.RedshiftQueryError, match=r"Redshift statement \S+ FAILED: "):
        redshift_io.query(client, "SELECT * FROM no_such_table_here", target, poll=0.05,
                          timeout=30)


def test_a_statement_still_running_at_the_limit_is_reported_not_waited_for(emulator):
    client = emulator.client("redshift-data")
    target = settings_module.load(lambda key, default: default).redshift_target()
    sid = client.execute_statement(
        Sql="SELECT count(*) FROM range(20000000) a, range(20) b", **target)["Id"]
    desc = redshift_io.wait(client, sid, poll=0.01, timeout=0.02)
    assert desc["Id"] == sid and desc["Status"] in ("SUBMITTED", "PICKED", "STARTED")
    assert redshift_io.wait(client, sid, poll=0.1, timeout=60)["Status"] == "FINISHED"


TARGET = {"WorkgroupName": "covid-lake", "Database": "dev"}


@pytest.fixture
def aws_default(monkeypatch, emulator):
    from covid_lake_dev.local_stack import aws_connection

    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(aws_connection(emulator.endpoint_url)))


def _operator(sql, **overrides) -> RedshiftStatementsOperator:
    op = RedshiftStatementsOperator(task_id=f"t{uuid.uuid4().hex[:6]}", sql=sql,
                                    database=TARGET["Database"],
                                    workgroup_name=TARGET["WorkgroupName"], poll_interval=1,
                                    wait_for_completion=True, deferrable=True)
    for name, value in overrides.items():
        setattr(op, name, value)
    return op


def test_statements_done_within_the_settle_time_complete_here(emulator, aws_default):
    table = f"qs_{uuid.uuid4().hex[:8]}"
    op = _operator([f"CREATE TABLE {table} (x int)", f"INSERT INTO {table} VALUES (1), (2)"])
    ids = op.execute({})  # a TaskDeferred here would fail the test
    assert ids == [f"{op.statement_id}:1", f"{op.statement_id}:2"]  # the batch's sub-statements
    rows = redshift_io.query(emulator.client("redshift-data"), f"SELECT count(*) AS n FROM {table}",
                             TARGET)
    assert rows == [{"n": 2}]


def test_a_failed_statement_fails_here_with_the_providers_error(aws_default):
    op = _operator("SELECT * FROM no_such_table_here")
    with pytest.raises(RedshiftDataQueryFailedError, match=r"terminated with status FAILED"):
        op.execute({})


def test_statements_still_running_after_the_settle_time_defer_to_the_providers_trigger(
        emulator, aws_default):
    op = _operator("SELECT count(*) FROM range(20000000) a, range(20) b", _settle_seconds=0.0)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute({})
    trigger = deferred.value.trigger
    assert isinstance(trigger, FirstLookAfter)
    inner = trigger_class(trigger.trigger_classpath)(**trigger.trigger_kwargs)
    assert isinstance(inner, RedshiftDataTrigger) and inner.statement_id == op.statement_id
    assert deferred.value.method_name == "execute_complete"
    client = emulator.client("redshift-data")
    try:  # nothing left running after the test
        client.cancel_statement(Id=op.statement_id)
    except client.exceptions.ValidationException as exc:
        # it ended since the look (a CI run saw it FINISHED): Redshift refuses to cancel then
        assert "FINISHED" in str(exc), exc


def _crawler(emulator, configuration: str | None = None) -> str:
    """A crawler of one small CSV table in the emulator's bucket; an invalid Configuration makes
    its crawl fail (local_aws reports that as Glue does: LastCrawl FAILED with the message).
    (A crawl still running when the settle time ends defers as a statement does, above: local_aws
    crawls even a thousand tables within the first look, so no test here can hold one running.)"""
    name = f"c{uuid.uuid4().hex[:8]}"
    s3, glue = emulator.client("s3"), emulator.client("glue")
    s3.put_object(Bucket="covid-lake", Key=f"{name}/t0/part.csv", Body=b"a,b\n1,x\n2,y\n")
    glue.create_database(DatabaseInput={"Name": name})
    extra = {"Configuration": configuration} if configuration else {}
    glue.create_crawler(Name=name, Role="arn:aws:iam::123456789012:role/crawler",
                        DatabaseName=name, Targets={"S3Targets": [{"Path": f"s3://covid-lake/{name}/"}]},
                        **extra)
    return name


def _crawl(name: str) -> GlueCrawlOperator:
    return GlueCrawlOperator(task_id=f"t{uuid.uuid4().hex[:6]}", crawler_name=name,
                             poll_interval=1, deferrable=True, fail_on_already_running=False)


def test_a_crawl_done_within_the_settle_time_completes_here(emulator, aws_default):
    name = _crawler(emulator)
    assert _crawl(name).execute({}) == name  # a TaskDeferred here would fail the test
    glue = emulator.client("glue")
    assert glue.get_crawler(Name=name)["Crawler"]["LastCrawl"]["Status"] == "SUCCEEDED"
    assert [t["Name"] for t in glue.get_tables(DatabaseName=name)["TableList"]] == ["t0"]


def test_a_failed_crawl_fails_here_with_the_providers_waiter_error(emulator, aws_default):
    with pytest.raises(WaiterError, match="crawler_ready.*terminal failure state"):
        _crawl(_crawler(emulator, configuration="not json")).execute({})


def test_ready_from_an_earlier_crawl_is_not_this_tasks_crawl(emulator, aws_default):
    """GetCrawler right after StartCrawler may still show the last crawl's outcome: READY whose
    last crawl began before the task asked for one is not taken as done (the provider's trigger
    decides once the settle time is over)."""
    name = _crawler(emulator)
    assert _crawl(name).execute({}) == name  # a crawl that ends: the crawler is READY, SUCCEEDED
    later = _crawl(name)
    later._asked_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=10)  # asked after it ended
    assert later._state() == "READY (an earlier crawl)"
    later._asked_at = dt.datetime.now(dt.UTC)
    assert later._state() == "SUCCEEDED"  # within the clock-skew allowance: this task's crawl
