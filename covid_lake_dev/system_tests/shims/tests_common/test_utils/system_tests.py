"""Stand-in for `tests_common.test_utils.system_tests`: get_test_run wraps a DAG for pytest
upstream; the runner uses `airflow dags test` instead, so it only needs to exist."""

from __future__ import annotations


def get_test_run(dag):
    def test_run():
        return dag.test()

    return test_run
