"""The order xdist hands test files to its workers: the longest first. `make test` runs
`--dist loadfile --no-loadscope-reorder`, so a file goes whole to the next free worker in
collection order, and the wall time is the busiest worker's. Files of minutes started last leave
one worker running them alone at the end (xdist's own reorder, by test count, put the compose
stack and the browser test, few tests each, near the end); started first, the short files fill
the other worker meanwhile. tests/artifacts/timeline.txt (timeline.py) shows the result."""

from __future__ import annotations

# Minutes each on 2 cores (tests/artifacts/timeline.txt); everything else takes well under one.
LONGEST_FIRST = (
    "tests/compose/test_compose_stack.py",
    "tests/e2e/test_airflow_ui.py",
    "tests/dags/test_covid_lake_daily.py",
    "tests/dags/test_real_lake_dag.py",
)


def _rank(nodeid: str) -> int:
    path = nodeid.split("::")[0]
    return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(items) -> None:
    items.sort(key=lambda item: _rank(item.nodeid))  # stable: a file's own order is kept
