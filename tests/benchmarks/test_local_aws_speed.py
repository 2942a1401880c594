"""The local_aws speed cases run end to end (one timed call each here) and report their figures."""

from __future__ import annotations

import pytest

from benchmarks import cases, local_aws_speed


@pytest.mark.parametrize(("case", "figure"), [
    ("local_aws_athena_small_query", "athena_small_query_median_ms"),
    ("local_aws_data_api_statement", "data_api_statement_median_ms"),
    ("local_aws_glue_shell_job", "glue_shell_job_median_ms"),
])
def test_case_reports_its_median(monkeypatch, case, figure):
    monkeypatch.setattr(local_aws_speed, "REPEATS", 1)
    out = cases.CASES[case]()
    assert out["repeats"] == 1 and out[figure] > 0 and out["seconds"] >= out[figure] / 1000
    if case == "local_aws_glue_shell_job":
        assert out["glue_shell_job_s"] > 0 and out["glue_boto3_job_median_ms"] > 0
