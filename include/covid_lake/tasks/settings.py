"""Where the pipeline reads and writes, and which AWS resources it uses.

The settings are one Airflow Variable, `covid_lake_settings`: a JSON object whose keys are the
names below (only those that differ from the defaults, which fit local_aws). One Variable, so a
task reads all of them in one lookup (a Variable the worker does not find in its environment is
a call to the API server), and any secrets backend can hold it. Airflow also reads it from the
environment (AIRFLOW_VAR_COVID_LAKE_SETTINGS), so the UI, a .env file and docker-compose set it
the same way. Operators read a setting through the template `template(name)`, tasks through
`load()`: both resolve at run time, so parsing the DAG touches neither the metadata database
nor AWS.

On AWS the CloudFormation stack infra/covid-lake.yaml produces the settings: its output
`stack_output(name)` (CovidLake + the name in CamelCase: bucket -> CovidLakeBucket) is the value
of key <name>, and infra/README.md turns the outputs into the Variable's JSON. The stack
produces every setting except those in NOT_FROM_STACK (tests/infra checks both directions).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields

PREFIX = "covid_lake_"
VARIABLE = "covid_lake_settings"
ENV_VAR = "AIRFLOW_VAR_" + VARIABLE.upper()  # where Airflow finds the Variable in the environment

DEFAULTS: dict[str, str] = {
    "env": "local_aws",  # or "aws": only changes poll intervals and defaults, never code paths
    "source_bucket": "covid19-lake",
    "bucket": "covid-lake",
    "raw_prefix": "raw",
    "star_prefix": "star",
    "scripts_prefix": "scripts",
    "athena_output_prefix": "athena-results",
    "reports_prefix": "reports",  # covid_lake_report's HTML pages (covid_lake.report.build)
    "report_dir": "",  # a folder that also gets the report (offline: .local/report); "" none
    "athena_workgroup": "primary",
    "glue_database": "covid_lake_raw",
    "crawler_name": "covid-lake-raw",
    "crawler_role_arn": "arn:aws:iam::123456789012:role/covid-lake-crawler",
    "classifier_name": "covid-lake-csv",
    "glue_job_name": "covid-lake-load-redshift",
    "glue_job_role_arn": "arn:aws:iam::123456789012:role/covid-lake-glue-job",
    "redshift_workgroup": "covid-lake",
    "redshift_cluster_identifier": "",
    "redshift_database": "dev",
    "redshift_copy_role_arn": "arn:aws:iam::123456789012:role/covid-lake-redshift-copy",
    # Data quality: the largest share of a dataset's rows a known source quirk may touch before
    # the run fails (a fraction), and per-dataset overrides as JSON, e.g. {"countrycode": 0.2}.
    "max_quirk_share": "0.10",
    "quirk_limits": "{}",
    # ... and the largest share of a dataset's extracted rows that row validation may quarantine
    # (covid_lake.domain.validate), with per-dataset overrides as JSON, e.g. {"us_county": 0.01}.
    "max_reject_share": "0.05",
    "reject_limits": "{}",
    # Dimension snapshots (star/<table>/run_date=D/) kept after a successful load: the newest N.
    "keep_snapshots": "7",
}

# Settings infra/covid-lake.yaml does not output, and why: the same value serves both worlds.
NOT_FROM_STACK: dict[str, str] = {
    "source_bucket": "the public AWS COVID-19 data lake (us-east-2), read in place, never provisioned",
    "max_quirk_share": "a data-quality threshold, not a resource: the same on AWS and offline",
    "quirk_limits": "per-dataset data-quality thresholds (JSON), not a resource",
    "max_reject_share": "a data-quality threshold, not a resource: the same on AWS and offline",
    "reject_limits": "per-dataset data-quality thresholds (JSON), not a resource",
    "keep_snapshots": "a retention count, not a resource: the same on AWS and offline",
    "report_dir": "a folder on the Airflow machine (offline .local/report), not an AWS resource",
}


def _share(dataset: str, what: str, default_name: str, default: str, limits_name: str,
           limits: str) -> float:
    import json

    try:
        value = float(json.loads(limits or "{}").get(dataset, default))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{VARIABLE} {default_name}={default!r} / "
                         f"{limits_name}={limits!r}: {exc}") from None
    if not 0 <= value <= 1:
        raise ValueError(f"{what} limit for {dataset} is {value}: a share between 0 and 1")
    return value


@dataclass(frozen=True)
class Settings:
    env: str
    source_bucket: str
    bucket: str
    raw_prefix: str
    star_prefix: str
    scripts_prefix: str
    athena_output_prefix: str
    reports_prefix: str
    report_dir: str
    athena_workgroup: str
    glue_database: str
    crawler_name: str
    crawler_role_arn: str
    classifier_name: str
    glue_job_name: str
    glue_job_role_arn: str
    redshift_workgroup: str
    redshift_cluster_identifier: str
    redshift_database: str
    redshift_copy_role_arn: str
    max_quirk_share: str
    quirk_limits: str
    max_reject_share: str
    reject_limits: str
    keep_snapshots: str

    @property
    def athena_output(self) -> str:
        from covid_lake.domain import layout

        return layout.uri(self.bucket, layout.athena_output(self.athena_output_prefix))

    def quirk_limit(self, dataset: str) -> float:
        """Largest share of `dataset`'s rows a known quirk may touch (settings max_quirk_share,
        quirk_limits); a malformed value is a configuration error named here."""
        return _share(dataset, "quirk", "max_quirk_share", self.max_quirk_share,
                      "quirk_limits", self.quirk_limits)

    def reject_limit(self, dataset: str) -> float:
        """Largest share of `dataset`'s extracted rows row validation may quarantine before the
        run fails (settings max_reject_share, reject_limits)."""
        return _share(dataset, "reject", "max_reject_share", self.max_reject_share,
                      "reject_limits", self.reject_limits)

    def redshift_target(self) -> dict[str, str]:
        """Data API target: a provisioned cluster when one is named, else the serverless workgroup."""
        if self.redshift_cluster_identifier:
            return {"ClusterIdentifier": self.redshift_cluster_identifier,
                    "Database": self.redshift_database}
        return {"WorkgroupName": self.redshift_workgroup, "Database": self.redshift_database}


def load(get: Callable[[str, str], str | None] | None = None) -> Settings:
    """Resolve every setting from the one Variable; `get(key, default)` defaults to Airflow's
    Variable.get."""
    if get is None:
        from airflow.sdk import Variable

        get = lambda key, default: Variable.get(key, default=default)  # noqa: E731
    return Settings(**{**DEFAULTS, **parse(get(VARIABLE, "{}"), VARIABLE)})


def parse(text: str | None, where: str) -> dict[str, str]:
    """The Variable's JSON -> {name: value as text}, refusing what is not a known setting."""
    import json

    try:
        values = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where} is not JSON ({exc}): {(text or '')[:200]!r}") from None
    if not isinstance(values, dict):
        raise ValueError(f"{where} must be a JSON object of settings, not {type(values).__name__}")
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"{where}: unknown settings {unknown}; known: {', '.join(DEFAULTS)}")
    # the per-dataset limits may be given as objects ({"quirk_limits": {"countrycode": 0.2}})
    values = {k: json.dumps(v) if k.endswith("_limits") and isinstance(v, dict) else v
              for k, v in values.items()}
    bad = sorted(k for k, v in values.items()
                 if not isinstance(v, (str, int, float)) or isinstance(v, bool))
    if bad:
        raise ValueError(f"{where}: settings {bad} must be strings or numbers")
    return {k: str(v) for k, v in values.items()}


def template(name: str) -> str:
    """Jinja expression for an operator's templated field: the Variable's key, else the default."""
    if name not in DEFAULTS:
        raise KeyError(f"unknown setting {name!r}; known: {', '.join(DEFAULTS)}")
    # %-format: Jinja's own braces stay as they are read
    return "{{ var.json.get('%s', {}).get('%s', '%s') }}" % (  # noqa: UP031
        VARIABLE, name, DEFAULTS[name])


def templated() -> Settings:
    """Settings whose values are Jinja templates, for building operator arguments at parse time."""
    return Settings(**{f.name: template(f.name) for f in fields(Settings)})


def environment(**values: str) -> dict[str, str]:
    """The environment variable that sets these settings (the others keep their defaults)."""
    import json

    parse(json.dumps(values), "settings")  # the same refusal as at run time
    return {ENV_VAR: json.dumps(values)} if values else {}


def stack_output(name: str) -> str:
    """The infra/covid-lake.yaml output holding the setting on AWS: bucket -> CovidLakeBucket."""
    return "".join(word.capitalize() for word in (PREFIX + name).split("_"))


def _parse_time(name: str) -> str:
    return parse(os.environ.get(ENV_VAR), ENV_VAR).get(name, DEFAULTS[name])


def parse_time_env() -> str:
    """Settings needed while parsing are read from the environment only (no metadata DB)."""
    return _parse_time("env")


def redshift_operator_target() -> dict[str, str]:
    """RedshiftDataOperator takes exactly one of cluster_identifier / workgroup_name, so the kind
    of target is chosen while parsing: a cluster when AIRFLOW_VAR_COVID_LAKE_SETTINGS names
    redshift_cluster_identifier, else the serverless workgroup. The name itself still resolves
    at run time."""
    if _parse_time("redshift_cluster_identifier"):
        return {"cluster_identifier": template("redshift_cluster_identifier")}
    return {"workgroup_name": template("redshift_workgroup")}


def poll_interval(env: str | None = None) -> int:
    """Seconds between AWS status checks: short on the emulator, sane on AWS."""
    return 1 if (env or parse_time_env()) == "local_aws" else 20
