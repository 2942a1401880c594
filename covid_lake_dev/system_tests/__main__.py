"""python -m covid_lake_dev.system_tests --dags DIR [--only NAME ...]

Starts a fresh local_aws (holding what the DAGs expect to exist: provision.py), migrates an
AIRFLOW_HOME under the scratch folder once, runs each example_*.py of DIR with `airflow dags
test`, and prints one row per DAG.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from covid_lake_dev.system_tests import emulator, runner
from covid_lake_dev.system_tests.environment import airflow_env
from covid_lake_dev.system_tests.provision import provision
from covid_lake_dev.system_tests.table import render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m covid_lake_dev.system_tests")
    parser.add_argument("--dags", type=Path, required=True, help="folder of upstream example_*.py")
    parser.add_argument("--only", action="append", default=[], help="a DAG id (repeatable)")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/systest"))
    parser.add_argument("--timeout", type=float, default=900, help="seconds per DAG")
    args = parser.parse_args(argv)
    dags = args.dags.resolve()
    dag_ids = sorted(p.stem for p in dags.glob("example_*.py"))
    if args.only:
        dag_ids = [d for d in dag_ids if d in args.only]
    if not dag_ids:
        parser.error(f"no DAG to run in {dags}")
    home = args.scratch / "airflow-home"
    emu = emulator.start(args.scratch)
    print(f"local_aws at {emu.endpoint_url} (state {emu.state_dir}, log {emu.log_path})", flush=True)
    try:
        provision(emu.endpoint_url)
        env = airflow_env(emu.endpoint_url, home, dags, emu.state_dir)
        runner.migrate(env, home)
        results = []
        for dag_id in dag_ids:
            print(f"running {dag_id} ...", flush=True)
            results.append(runner.run_dag(dag_id, env, home, args.scratch / "logs", args.timeout))
    finally:
        emu.stop()
    print(render(results))
    return 0 if all(r.state == "success" for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
