"""The waits for Athena queries and Redshift statements (botocore waiters, aws/waiters.py)
against a real local_aws: a finished one returns, a failed one names its reason, one still
running past the limit is reported as such."""

from __future__ import annotations

import pytest

from covid_lake.aws import athena_io, redshift_io
from covid_lake.tasks import settings as settings_module
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
