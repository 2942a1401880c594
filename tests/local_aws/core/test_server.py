"""Server core and CLI: start-up message, health check, clean exit on SIGTERM."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from local_aws.__main__ import parse_args
from local_aws.server import DEFAULT_PORT, HEALTH_PATH


def test_health_check_answers_with_the_endpoint(emulator):
    with urllib.request.urlopen(emulator.endpoint_url + HEALTH_PATH, timeout=5) as resp:
        body = json.load(resp)
    assert resp.status == 200
    assert body["status"] == "ok"
    assert body["endpoint"] == emulator.endpoint_url


def test_aws_apis_are_served(emulator, s3):
    s3.create_bucket(Bucket="server-smoke")
    assert "server-smoke" in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_cli_defaults_match_the_documented_port():
    args = parse_args([])
    assert (args.host, args.port, args.seed_bucket, args.sync_bucket) == ("127.0.0.1", DEFAULT_PORT, [], [])
    assert DEFAULT_PORT == 5050
    from covid_lake_dev import emulator as launcher

    assert (launcher.DEFAULT_PORT, launcher.parse_args([]).sample_scale) == (DEFAULT_PORT, "small")


def test_sigterm_saves_state_and_exits_zero(launch, tmp_path):
    emu = launch(tmp_path, "--sample-scale", "none")
    emu.client("s3").create_bucket(Bucket="written-before-sigterm")
    assert emu.stop() == 0
    assert "state saved" in emu.process.stdout.read()
    assert (tmp_path / "s3" / "123456789012" / "written-before-sigterm.meta.json").exists()


def test_busy_port_is_reported_not_raised(emulator, tmp_path):
    import subprocess
    import sys

    port = emulator.endpoint_url.rsplit(":", 1)[1]
    result = subprocess.run([sys.executable, "-m", "local_aws", "--port", port, "--state-dir",
                             str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_an_unusable_state_dir_is_named_not_reported_as_a_port_problem(tmp_path):
    """The compose volume of issue 25 died with 'cannot listen' over a Permission denied. Here the
    state directory's parent is a file, which stops root too (CI runs as root)."""
    import subprocess
    import sys

    parent = tmp_path / "a-file"
    parent.write_text("not a directory")
    result = subprocess.run([sys.executable, "-m", "local_aws", "--port", "0", "--state-dir",
                             str(parent / "aws")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "cannot listen" not in result.stderr
    assert f"local_aws: cannot start: state directory {parent / 'aws'} is not writable" in result.stderr
    assert "Not a directory" in result.stderr
    assert f"{parent} is owned by uid " in result.stderr


@pytest.mark.parametrize(("service", "call", "params", "action"), [
    # JSON protocol (X-Amz-Target) and query protocol (Action=..., XML errors): two actions moto
    # has no implementation of, so they stand for any call the emulator cannot answer.
    ("glue", "get_data_quality_result", {"ResultId": "dqresult-1"}, "GetDataQualityResult"),
    ("iam", "get_organizations_access_report", {"JobId": "j" * 36}, "GetOrganizationsAccessReport"),
])
def test_an_unimplemented_call_is_a_4xx_that_names_it_not_a_retried_500(emulator, service, call,
                                                                         params, action):
    """AWS SDKs retry a 500 (about ten seconds with botocore's defaults, then an HTML page);
    a 400 with an error code is reported at once. Retry rules:
    https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html"""
    client = emulator.client(service)
    with pytest.raises(ClientError) as caught:
        getattr(client, call)(**params)
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RetryAttempts"] == 0
    assert response["Error"]["Code"] == "UnsupportedOperation"
    assert f"local_aws does not support {service} {action}" in response["Error"]["Message"]
