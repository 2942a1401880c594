"""The bench's no-op DAG (benchmarks/dags/covid_lake_noop.py) is the daily DAG's shape: the same
task ids, TaskGroups, dependencies and trigger rules, and the same mapped tasks; only the work
is gone. Otherwise the daily run's ratio to it would measure a different graph."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SHAPE = r"""
import json, sys
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk.definitions.mappedoperator import MappedOperator
dag = DagBag(dag_folder=sys.argv[1]).dags[sys.argv[2]]
print(json.dumps({t.task_id: {"upstream": sorted(t.upstream_task_ids), "rule": str(t.trigger_rule),
                              "group": t.task_group.group_id if t.task_group else None,
                              "mapped": isinstance(t, MappedOperator)}
                  for t in dag.tasks}))
"""


def _shape(folder: Path, dag_id: str, tmp_path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", SHAPE, str(folder), dag_id], check=True,
                          capture_output=True, text=True,
                          env={"AIRFLOW_HOME": str(tmp_path / dag_id), "PATH": "/usr/bin",
                               "AIRFLOW__CORE__LOAD_EXAMPLES": "False"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_noop_dag_has_the_daily_dags_graph(tmp_path):
    daily = _shape(ROOT / "dags", "covid_lake_daily", tmp_path)
    noop = _shape(ROOT / "benchmarks" / "dags", "covid_lake_noop", tmp_path)
    assert len(daily) == 20
    assert noop == daily
    assert sorted(t for t, s in noop.items() if s["mapped"]) == ["extract", "land"]
