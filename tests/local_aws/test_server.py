"""Server core and CLI: start-up message, health check, clean exit on SIGTERM."""

from __future__ import annotations

import json
import urllib.request

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
    assert (args.host, args.port, args.sample_scale) == ("127.0.0.1", DEFAULT_PORT, "small")
    assert DEFAULT_PORT == 5050


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
                             str(tmp_path), "--sample-scale", "none"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
