"""A fresh emulator holding the warehouse's empty tables (their DDL from include/sql/redshift/)
and the project bucket: what tests/report and tests/plugins fill by hand."""

from __future__ import annotations

from covid_lake.aws import redshift_io
from covid_lake.domain.layout import WAREHOUSE
from tests.support.emulator import Emulator, start_emulator

TARGET = {"WorkgroupName": "covid-lake", "Database": "dev"}


def warehouse_emulator(tmp_path_factory):
    """Module fixture body (tests/report, tests/plugins): an emulator with the empty warehouse,
    stopped after the module."""
    emu = empty_warehouse(tmp_path_factory.mktemp("warehouse-aws"))
    yield emu
    emu.stop()


def empty_warehouse(state_dir) -> Emulator:
    emu = start_emulator(state_dir, "--sample-scale", "none")
    emu.client("s3").create_bucket(Bucket="covid-lake")
    rsd = emu.client("redshift-data")
    for table in WAREHOUSE:
        redshift_io.query(rsd, redshift_io.sql_file(f"{table}.sql"), TARGET)
    return emu


def values(rows) -> str:
    """Rows as a VALUES list (test literals only: strings quoted, None as NULL)."""
    def literal(v) -> str:
        return "NULL" if v is None else (f"'{v}'" if isinstance(v, str) else repr(v))
    return ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
