"""covid_lake.tasks.preload: after `warm()`, what a task process does first (parse the DAG files,
make its AWS clients) loads nothing more of what warm() is for. Each case runs in a fresh Python
process, as a scheduler starts: a module imported here by another test would hide a miss."""

from __future__ import annotations

import json
import subprocess
import sys

from covid_lake_dev.local_stack import ROOT, airflow_env

# Run in the child: warm(), then parse the DAG folder as a task process does (Airflow's DagBag),
# then make a client of each service through the provider's hook (the session factory the
# stacks set), recording the modules imported and the files opened after warm().
_CHILD = r"""
import json, sys
from covid_lake.tasks import preload
preload.warm()
before = set(sys.modules)
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
for service in preload.SERVICES:
    AwsBaseHook(aws_conn_id="aws_default", client_type=service).get_conn()
print(json.dumps({"dags": sorted(bag.dags), "errors": {k: str(v) for k, v in bag.import_errors.items()},
                  "new": sorted(set(sys.modules) - before),
                  "models": sorted(p for p in opened if "botocore/data" in p)}))
"""
HEAVY = ("covid_lake", "airflow.providers", "boto3", "botocore", "pandas", "pyarrow", "pandera")


def _child(tmp_path, warm: bool) -> dict:
    """_CHILD in a fresh process, with warm() or without it."""
    env = airflow_env("http://127.0.0.1:5050", tmp_path / "airflow")
    child = _CHILD if warm else _CHILD.replace("preload.warm()", "pass")
    done = subprocess.run([sys.executable, "-c", child, str(ROOT / "dags")], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_after_warm_parsing_the_dags_and_making_clients_loads_nothing_heavy(tmp_path):
    got = _child(tmp_path, warm=True)
    assert got["errors"] == {}
    assert {"covid_lake_daily", "covid_lake_report"} <= set(got["dags"])
    assert [m for m in got["new"] if m.split(".")[0] in HEAVY or m.startswith(HEAVY)] == []
    assert got["models"] == []  # every service's model came from the shared loader's memory


def test_without_warm_the_same_parse_does_load_them(tmp_path):
    """The check above can fail: without warm() the parse imports the provider and our packages,
    and each client reads its model files."""
    got = _child(tmp_path, warm=False)
    assert "covid_lake.tasks.deferral" in got["new"]
    assert any(m.startswith("airflow.providers.amazon.aws.operators") for m in got["new"])
    assert any(p.endswith("service-2.json.gz") or p.endswith("service-2.json") for p in got["models"])
