"""Stand-in for `tests_common.test_utils.version_compat`: the flags the DAGs branch on."""

from __future__ import annotations

from airflow import __version__ as _version

_major = int(_version.split(".")[0])
AIRFLOW_V_3_0_PLUS = _major >= 3
