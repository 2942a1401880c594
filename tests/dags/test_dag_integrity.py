"""covid_lake_daily parses fast, without AWS, with retries everywhere and SQL that exists and renders."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SQL = ROOT / "include" / "sql"

PROBE = r"""
import json, sys
HEAVY = ("pandas", "pyarrow", "duckdb", "pandera", "altair", "sqlglot", "shapely")
import botocore.client

def refuse(self, operation, params):
    raise SystemExit(f"AWS call at parse time: {operation}")

botocore.client.BaseClient._make_api_call = refuse
from airflow.models.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags.get("covid_lake_daily")
print(json.dumps({
    "errors": {k: str(v)[:500] for k, v in bag.import_errors.items()},
    "tasks": {t.task_id: {"retries": t.retries, "pool": t.pool,
                          "timeout": t.execution_timeout and t.execution_timeout.total_seconds(),
                          "conn": getattr(t, "aws_conn_id", None),
                          "pre_execute": (lambda h: h and f"{h.__module__}.{h.__qualname__}")(
                              getattr(t, "_pre_execute_hook", None)
                              or getattr(t, "partial_kwargs", {}).get("pre_execute"))}
              for t in dag.tasks} if dag else {},
    "dagrun_timeout": dag.dagrun_timeout.total_seconds() if dag and dag.dagrun_timeout else None,
    "stages": {g: sorted(c.task_id if hasattr(c, "task_id") else c.group_id
                         for c in dag.task_group.children[g].children.values())
               if hasattr(dag.task_group.children[g], "children") else None
               for g in dag.task_group.children} if dag else {},
    "heavy_loaded": sorted(m for m in HEAVY if m in sys.modules),
}))
"""


@pytest.fixture(scope="module")
def parsed(airflow):
    done = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "dags")],
                          env=airflow.env(ROOT / "dags"), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_dag_imports_without_errors_or_aws_calls(parsed):
    assert parsed["errors"] == {}
    assert "resolve_run" in parsed["tasks"] and "load" in parsed["tasks"]


def test_the_graph_shows_the_six_stages(parsed):
    """resolve_run and five TaskGroups at the top of the graph, the tasks in them unprefixed."""
    assert parsed["stages"] == {
        "resolve_run": None,
        "landing": ["ensure_bucket", "land"],
        "cataloguing": ["choose_crawl", "crawl", "crawl_not_needed", "prepare_catalog",
                        "read_csv_as_text", "update_crawler"],
        "profile_and_extract": ["check_raw", "extract", "extract_queries", "profile"],
        "star": ["transform_and_publish"],
        "warehouse": ["check_warehouse", "create_tables", "load", "load_arguments",
                      "prune_snapshots", "stage_load_job"],
    }
    assert set(parsed["tasks"]) == {t for ts in parsed["stages"].values() for t in ts or []} | {
        "resolve_run"}


def test_the_load_jobs_arguments_are_what_the_load_script_takes():
    """load_arguments (an XComArg to the Glue operator) gives the script its dates, plan and
    target; the script parses them and accepts the plan."""
    sys.path.insert(0, str(ROOT / "include" / "scripts"))
    import load_redshift

    from covid_lake.domain import layout
    from covid_lake.tasks import settings, warehouse

    cfg = settings.load(lambda key, default: default)
    day = dt.date(2020, 4, 1)
    plan = layout.load_plan("s3://covid-lake/star", day, day, day, {"dimdate": 1, "factcovid": 3})
    published = {"run_date": "2020-04-01", "start_date": "2020-04-01", "end_date": "2020-04-01",
                 "plan": plan, "counts": {}}
    args = warehouse.load_job_arguments(cfg, published)
    assert all(isinstance(v, str) for v in args.values())
    parsed_args = load_redshift.parse_args([a for kv in args.items() for a in kv])
    assert load_redshift.check_plan(json.loads(parsed_args.plan)) == plan
    assert (parsed_args.run_date, parsed_args.workgroup, parsed_args.database) == (
        "2020-04-01", "covid-lake", "dev")
    assert parsed_args.sql_uri == "s3://covid-lake/scripts/sql/load"
    assert parsed_args.poll_seconds == 0.05  # settings' env is local_aws


def test_parsing_does_not_import_the_heavy_pipeline_code(parsed):
    # What the DAG processor pays on every parse; the import's time is in `make bench`.
    assert parsed["heavy_loaded"] == [], "imported at parse time"


def test_every_task_retries(parsed):
    no_retry = [t for t, v in parsed["tasks"].items() if v["retries"] < 1]
    assert no_retry == []


def test_every_task_and_the_run_have_a_timeout(parsed):
    """The failure policy (covid_lake.errors): a hung call fails its task, a hung run its run."""
    from covid_lake.tasks.policy import DAGRUN_TIMEOUT, LONG_WAIT, TASK_TIMEOUT

    timeouts = {t: v["timeout"] for t, v in parsed["tasks"].items()}
    assert all(timeouts.values()), timeouts
    assert {t for t, s in timeouts.items() if s == LONG_WAIT.total_seconds()} == {
        "crawl", "transform_and_publish", "load"}
    assert set(timeouts.values()) == {TASK_TIMEOUT.total_seconds(), LONG_WAIT.total_seconds()}
    assert parsed["dagrun_timeout"] == DAGRUN_TIMEOUT.total_seconds()
    # aws_conn_id once, in default_args: every AWS operator has it
    assert {v["conn"] for v in parsed["tasks"].values() if v["conn"] is not None} == {"aws_default"}


def test_every_task_starts_with_the_gc_policy(parsed):
    """tasks/gc_freeze.py: mapped tasks and the provider's operators included."""
    hooks = {t: v["pre_execute"] for t, v in parsed["tasks"].items()}
    assert set(hooks.values()) == {"covid_lake.tasks.gc_freeze.before_task"}, hooks


def test_airflow_lint_rules_pass():
    """ruff's Airflow rules (AIR, preview ones included: Airflow 3 imports, explicit
    multiple_outputs, ...) over the DAG and the pipeline package."""
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run([str(ruff), "check", "--no-cache", "--preview", "--select", "AIR",
                           "--output-format", "concise", "dags", "include", "plugins"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_crawl_and_load_are_serialised_by_pools(parsed):
    from covid_lake_dev.local_stack import pools

    assert parsed["tasks"]["crawl"]["pool"] == "covid_lake_crawler"
    assert parsed["tasks"]["load"]["pool"] == "covid_lake_redshift_load"
    # Both tasks defer while they wait: a pool that ignored deferred tasks would let two crawls
    # or two load transactions overlap.
    for name in ("covid_lake_crawler", "covid_lake_redshift_load"):
        assert pools()[name] == {**pools()[name], "slots": 1, "include_deferred": True}


def test_sql_files_exist_and_render():
    from covid_lake.aws import athena_io, redshift_io

    assert (SQL / "athena" / "profile.sql").is_file()
    for table in ("dimdate", "dimregion", "dimhospital", "factcovid", "factcovidcounty"):
        assert "CREATE TABLE IF NOT EXISTS" in (SQL / "redshift" / f"{table}.sql").read_text()
    for name in athena_io.EXTRACTS:
        full = athena_io.render(name, None)
        day = athena_io.render(name, dt.date(2020, 4, 1))
        assert "SELECT" in full and "{" not in day
        if name in athena_io.DAILY:
            assert "WHERE" in day and "2020-04-01" in day.replace("20200401", "2020-04-01")
            assert "WHERE" not in full
    jhu = athena_io.render("enigma_jhu", dt.date(2020, 4, 1))
    assert "'3/31/20 %'" in jhu and "'4/1/20 %'" in jhu  # the day before is extracted too
    for name in ("counts", "integrity"):
        text = redshift_io.sql_file(f"checks/{name}.sql")
        assert ":start_key" in text and ":end_key" in text


def test_load_templates_give_one_transaction_within_the_data_api_limit():
    sys.path.insert(0, str(ROOT / "include" / "scripts"))
    import load_redshift

    from covid_lake.domain import contracts, layout

    templates = {p.stem: p.read_text() for p in (SQL / "redshift" / "load").glob("*.sql")}
    # every statement a template names has its file, and every file is used
    assert {n for names in load_redshift.TEMPLATES.values() for n in names} == set(templates)
    counts = {"dimdate": 1, "dimregion": 42, "dimhospital": 120, "factcovid": 7,
              "factcovidcounty": 26, "runaudit": 12}
    day = dt.date(2020, 4, 1)
    star = "s3://bkt/star"
    daily = load_redshift.statements(layout.load_plan(star, day, day, day, counts), day, day, day,
                                     "arn:aws:iam::123456789012:role/r", templates)
    first = dt.date(2020, 1, 13)
    full = load_redshift.statements(layout.load_plan(star, day, first, day, counts), day, first,
                                    day, "arn:aws:iam::123456789012:role/r", templates)
    assert len(daily) <= 40 and len(full) <= 40  # BatchExecuteStatement's limit
    assert not any("{" in s for s in daily + full)
    assert "DELETE FROM factcovid WHERE date_key BETWEEN 20200401 AND 20200401" in daily
    # dimregion has its own merge (a run's NULL keeps the loaded value), the others the generic one
    assert any(s.startswith("UPDATE stage_dimregion SET") for s in daily)
    # ... over the columns its contract keeps (the plan carries them to the script)
    keep = next(s for s in daily if s.startswith("UPDATE stage_dimregion SET"))
    assert [c for c in contracts.contract("dimregion").column_names
            if f"{c} = COALESCE(stage_dimregion.{c}, kept.{c})" in keep] == list(
        contracts.contract("dimregion").kept_when_null)
    assert len(contracts.contract("dimregion").kept_when_null) == 7
    assert not any(s.startswith("UPDATE stage_dimhospital") for s in daily)
    # the run's audit rows replace its earlier ones, in the same transaction
    assert "DELETE FROM runaudit WHERE run_date_key = 20200401" in daily
    assert "COPY stage_factcovid FROM 's3://bkt/star/factcovid/date=2020-04-01/'" in " ".join(daily)
    with pytest.raises(load_redshift.LoadError, match="not a valid iam_role"):
        load_redshift.main(["--run_date", "2020-04-01", "--plan", "[]",
                            "--sql_uri", "s3://bkt/sql", "--iam_role", "AKIA-not-a-role",
                            "--database", "dev", "--workgroup", "w"])
    # the plan is checked before anything is built from it
    bad = [{"table": "dimdate; DROP TABLE x", "template": "dimension", "source": "", "key": ""}]
    with pytest.raises(load_redshift.LoadError, match="table is not a table name"):
        load_redshift.check_plan(bad)
    with pytest.raises(load_redshift.LoadError, match="template must be one of"):
        load_redshift.check_plan([{"table": "t", "template": "../x"}])
    with pytest.raises(load_redshift.LoadError, match="keep is not a column list"):
        load_redshift.check_plan([{"table": "dimregion", "template": "dimregion",
                                   "key": "fips", "keep": "x = 1; DROP TABLE y"}])


def test_the_layout_names_every_warehouse_table_once():
    from covid_lake.domain import contracts, layout

    assert set(layout.WAREHOUSE) == set(contracts.WAREHOUSE_TABLES)
    assert set(layout.FACTS) == set(contracts.FACT_TABLES)
    assert set(layout.DIMENSIONS) == set(contracts.DIMENSION_TABLES)
    assert len(set(layout.WAREHOUSE)) == len(layout.WAREHOUSE)
