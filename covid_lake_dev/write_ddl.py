"""python -m covid_lake_dev.write_ddl: write include/sql/redshift/<table>.sql for every warehouse
table from its contract (covid_lake.domain.warehouse_ddl); run it after changing a contract.
tests/include/test_contracts_ddl.py fails while a file is not what this writes."""

from __future__ import annotations

from pathlib import Path

from covid_lake.domain.contracts import WAREHOUSE_TABLES
from covid_lake.domain.warehouse_ddl import render

DDL_DIR = Path(__file__).resolve().parents[1] / "include" / "sql" / "redshift"


def main() -> int:
    for table in WAREHOUSE_TABLES:
        path = DDL_DIR / f"{table}.sql"
        text = render(table)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
