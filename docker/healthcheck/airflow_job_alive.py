"""The compose stack's health check of a job-based Airflow service (triggerer, DAG processor):
exit 0 when this container runs an alive job of the type, else exit 1 with the reason.

It decides as `airflow jobs check --job-type T --hostname H` does (airflow/cli/commands/
jobs_command.py and Job.is_alive in Airflow 3.3.2): the running job of that type and host with
the latest heartbeat is alive when the heartbeat is younger than the type's threshold
([triggerer] triggerer_health_check_threshold, [dag_processor] health_check_threshold; both 30 s
by default). That command imports Airflow and its CLI for each check: 2.5-3 s of CPU, so the
official compose file looks every 30 s, and a restarted triggerer or DAG processor stays
"starting" for 30-60 s. This reads the same row with SQLAlchemy alone (0.3 s of CPU), so it can
look every 10 s. tests/infra/test_airflow_job_alive.py checks that both decide alike.

Usage: airflow_job_alive.py TriggererJob|DagProcessorJob HOSTNAME
"""

from __future__ import annotations

import configparser
import datetime as dt
import os
import sys

# job type -> (config section, option) of its threshold, as airflow.jobs.job.health_check_threshold
THRESHOLDS = {
    "TriggererJob": ("triggerer", "triggerer_health_check_threshold"),
    "DagProcessorJob": ("dag_processor", "health_check_threshold"),
}
DEFAULT_THRESHOLD = 30.0  # both options' default (airflow/config_templates/config.yml)

SQL = ("SELECT latest_heartbeat FROM job WHERE state = 'running' AND job_type = :job_type "
       "AND hostname = :hostname ORDER BY latest_heartbeat DESC LIMIT 1")


def config(section: str, option: str) -> str | None:
    """An option as Airflow's config reads it first: the environment, then airflow.cfg.
    (Its _CMD and _SECRET forms are not read: the compose file sets neither.)"""
    value = os.environ.get(f"AIRFLOW__{section.upper()}__{option.upper()}")
    if value is not None:
        return value
    home = os.environ.get("AIRFLOW_HOME", os.path.expanduser("~/airflow"))
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.environ.get("AIRFLOW_CONFIG", os.path.join(home, "airflow.cfg")))
    return parser.get(section, option, fallback=None)


def is_alive(heartbeat: dt.datetime | None, threshold: float, now: dt.datetime) -> bool:
    if heartbeat is None:
        return False
    if heartbeat.tzinfo is None:  # SQLite hands back naive UTC; Postgres an aware timestamp
        heartbeat = heartbeat.replace(tzinfo=dt.UTC)
    return (now - heartbeat).total_seconds() < threshold


def check(job_type: str, hostname: str, now: dt.datetime | None = None) -> str | None:
    """None when alive, else why not."""
    import sqlalchemy as sa

    if job_type not in THRESHOLDS:
        return f"unknown job type {job_type!r}; known: {', '.join(THRESHOLDS)}"
    url = config("database", "sql_alchemy_conn")
    if not url:
        return "no metadata database: set AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
    threshold = float(config(*THRESHOLDS[job_type]) or DEFAULT_THRESHOLD)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            # typed, so SQLite's text comes back as a datetime too
            query = sa.text(SQL).columns(latest_heartbeat=sa.DateTime())
            heartbeat = conn.execute(query, {"job_type": job_type, "hostname": hostname}).scalar()
    except sa.exc.SQLAlchemyError as err:
        return f"the metadata database did not answer: {type(err).__name__}: {err}".splitlines()[0]
    finally:
        engine.dispose()
    if is_alive(heartbeat, threshold, now or dt.datetime.now(dt.UTC)):
        return None
    if heartbeat is None:
        return f"no running {job_type} on host {hostname}"
    return f"{job_type} on host {hostname}: last heartbeat {heartbeat}, older than {threshold:g} s"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.rsplit("Usage: ", 1)[1].strip(), file=sys.stderr)
        return 2
    why = check(argv[0], argv[1])
    if why:
        print(why, file=sys.stderr)
        return 1
    print("Found one alive job.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
