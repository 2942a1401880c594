"""The settings are one JSON Variable: one lookup per task, and a clear error for a bad one."""

from __future__ import annotations

import json

import pytest

from covid_lake.tasks import settings


def test_a_task_reads_every_setting_in_one_lookup():
    asked = []

    def get(key, default):
        asked.append(key)
        return json.dumps({"bucket": "my-bucket", "env": "aws", "keep_snapshots": 3})

    s = settings.load(get)
    assert asked == ["covid_lake_settings"]
    assert (s.bucket, s.env, s.keep_snapshots) == ("my-bucket", "aws", "3")
    assert s.raw_prefix == settings.DEFAULTS["raw_prefix"]  # not given: the default


def test_no_variable_means_the_local_aws_defaults():
    assert settings.load(lambda key, default: default) == settings.Settings(**settings.DEFAULTS)


@pytest.mark.parametrize("text, problem", [
    ('{"bukcet": "x"}', r"unknown settings \['bukcet'\]"),
    ('{"bucket": ', "is not JSON"),
    ('["bucket"]', "must be a JSON object"),
    ('{"bucket": ["a"]}', r"settings \['bucket'\] must be strings or numbers"),
])
def test_a_bad_variable_is_named_with_its_problem(text, problem):
    with pytest.raises(ValueError, match=problem) as err:
        settings.load(lambda key, default: text)
    assert "covid_lake_settings" in str(err.value)


def test_limits_may_be_objects_and_are_checked_when_used():
    s = settings.load(lambda k, d: '{"quirk_limits": {"countrycode": 0.2}, "max_quirk_share": 0.1}')
    assert s.quirk_limit("countrycode") == 0.2 and s.quirk_limit("us_states") == 0.1


def test_parse_time_settings_come_from_the_environment_variable(monkeypatch):
    monkeypatch.setenv(settings.ENV_VAR, json.dumps({"env": "aws", "redshift_cluster_identifier": "c1"}))
    assert settings.parse_time_env() == "aws"
    assert list(settings.redshift_operator_target()) == ["cluster_identifier"]
    monkeypatch.delenv(settings.ENV_VAR)
    assert settings.parse_time_env() == "local_aws"
    assert list(settings.redshift_operator_target()) == ["workgroup_name"]


def test_environment_writes_the_variable_and_refuses_unknown_names():
    assert settings.environment() == {}
    env = settings.environment(env="aws", bucket="b")
    assert json.loads(env["AIRFLOW_VAR_COVID_LAKE_SETTINGS"]) == {"env": "aws", "bucket": "b"}
    with pytest.raises(ValueError, match="unknown settings"):
        settings.environment(buckit="b")
