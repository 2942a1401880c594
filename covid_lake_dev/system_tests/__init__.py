"""Run the Amazon provider's own system-test DAGs, unmodified, against local_aws.

The DAGs (upstream files, kept outside this repository, e.g. in /tmp/systest/dags) import helpers
from Airflow's test tree: `shims/` holds stand-ins written for what those DAGs need, and
`python -m covid_lake_dev.system_tests --dags DIR` runs each DAG with `airflow dags test` against
a fresh emulator and prints what passed. Why: the provider's examples are a second, independent
opinion on how AWS behaves, so running them keeps local_aws honest beyond the project's own DAG.
"""

from pathlib import Path

SHIMS = Path(__file__).resolve().parent / "shims"
