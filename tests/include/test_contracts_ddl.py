"""The Redshift DDL is generated from the contracts and agrees with them, and the contracts reject
bad frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlglot
from sqlglot import exp

from covid_lake.domain import contracts, star
from covid_lake.domain.contracts import DataContractError, validate

DDL_DIR = Path(__file__).resolve().parents[2] / "include" / "sql" / "redshift"


def _type_sql(dtype: exp.DataType) -> str:
    t = dtype.sql(dialect="redshift").upper()
    return {"INT": "INTEGER", "DOUBLE": "DOUBLE PRECISION", "FLOAT": "DOUBLE PRECISION",
            "BOOL": "BOOLEAN"}.get(t, t)


def parse_ddl(sql: str) -> dict:
    """Table name, columns (name, type, not null) in order, primary key and foreign keys."""
    create = sqlglot.parse_one(sql, read="redshift")
    assert isinstance(create, exp.Create) and create.args.get("exists"), \
        "CREATE TABLE IF NOT EXISTS"
    schema = create.this
    cols, pk, fks = [], [], {}
    for e in schema.expressions:
        if isinstance(e, exp.ColumnDef):
            not_null = any(isinstance(c.kind, exp.NotNullColumnConstraint)
                           for c in e.args.get("constraints") or [])
            cols.append((e.name, _type_sql(e.args["kind"]), not_null))
        elif isinstance(e, exp.PrimaryKey):
            pk = [i.name for i in e.expressions]
        elif isinstance(e, exp.ForeignKey):
            ref = e.args["reference"].this
            for local, remote in zip(e.expressions, ref.expressions, strict=True):
                fks[local.name] = (ref.this.name, remote.name)
    return {"table": schema.this.name, "columns": cols, "key": pk, "references": fks}


def mismatches(sql: str, c: contracts.TableContract) -> list[str]:
    ddl = parse_ddl(sql)
    out = []
    if ddl["table"] != c.name:
        out.append(f"table {ddl['table']} != {c.name}")
    got = [n for n, _, _ in ddl["columns"]]
    if got != c.column_names:
        out.append(f"columns {got} != {c.column_names}")
    for name, sql_type, not_null in ddl["columns"]:
        if name not in c.column_names:
            continue
        col = c.column(name)
        if sql_type != col.redshift_type:
            out.append(f"{name}: {sql_type} != {col.redshift_type}")
        if not_null == col.nullable:
            out.append(f"{name}: NOT NULL={not_null} but contract nullable={col.nullable}")
    if ddl["key"] != list(c.key):
        out.append(f"primary key {ddl['key']} != {list(c.key)}")
    want_refs = {col.name: col.references for col in c.columns if col.references}
    if ddl["references"] != want_refs:
        out.append(f"foreign keys {ddl['references']} != {want_refs}")
    return out


@pytest.mark.parametrize("table", list(contracts.WAREHOUSE_TABLES))
def test_ddl_agrees_with_the_contract_column_by_column(table):
    sql = (DDL_DIR / f"{table}.sql").read_text()
    assert mismatches(sql, contracts.contract(table)) == []


@pytest.mark.parametrize("table", list(contracts.WAREHOUSE_TABLES))
def test_each_ddl_file_is_what_the_contract_generates(table):
    """include/sql/redshift/<table>.sql is warehouse_ddl's output: after a contract changes,
    `python -m covid_lake_dev.write_ddl` writes it again."""
    from covid_lake.domain import warehouse_ddl

    assert (DDL_DIR / f"{table}.sql").read_text() == warehouse_ddl.render(table)


def test_the_generated_ddl_follows_an_edited_contract():
    import dataclasses

    from covid_lake.domain import warehouse_ddl

    c = contracts.contract("dimdate")
    wider = dataclasses.replace(c, columns=tuple(
        dataclasses.replace(col, length=12) if col.name == "month_name" else col
        for col in c.columns))
    sql = warehouse_ddl.render(wider)
    assert "month_name    VARCHAR(12)  NOT NULL" in sql
    assert mismatches(sql, c) == ["month_name: VARCHAR(12) != VARCHAR(9)"]


def test_every_ddl_file_is_a_contract():
    assert sorted(p.stem for p in DDL_DIR.glob("*.sql")) == sorted(contracts.WAREHOUSE_TABLES)


@pytest.mark.parametrize("edit, problem", [
    (("fips            VARCHAR(5)", "fips            REAL"), "fips: REAL != VARCHAR(5)"),
    (("county_name     VARCHAR(100),", "county_name     VARCHAR(100) NOT NULL,"),
     "county_name: NOT NULL=True"),
    (("    population      BIGINT,", ""), "columns"),
    (("PRIMARY KEY (fips)", "PRIMARY KEY (state_fips)"), "primary key"),
])
def test_the_comparison_catches_a_drifted_ddl(edit, problem):
    sql = (DDL_DIR / "dimregion.sql").read_text()
    assert edit[0] in sql
    found = mismatches(sql.replace(*edit), contracts.DIM_REGION)
    assert any(problem in m for m in found), found


def test_fact_ddl_is_distributed_and_sorted():
    for table in contracts.FACT_TABLES:
        create = sqlglot.parse_one((DDL_DIR / f"{table}.sql").read_text(), read="redshift")
        props = {type(p).__name__ for p in create.args["properties"].expressions}
        assert {"DistStyleProperty", "DistKeyProperty", "SortKeyProperty"} <= props


# --- the contracts themselves ----------------------------------------------------------------

@pytest.fixture
def region(hand_lake):
    return star.build_dim_region(hand_lake)


def test_a_valid_table_passes(region):
    assert validate("dimregion", region) is not None


def test_duplicate_key_is_rejected(region):
    dup = pd.concat([region, region.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataContractError, match="dimregion: contract violated"):
        validate("dimregion", dup)


def test_unpadded_fips_is_rejected(region):
    bad = region.copy()
    bad.loc[0, "fips"] = "1"
    with pytest.raises(DataContractError, match=r"column 'fips': str_matches"):
        validate("dimregion", bad)


def test_wrong_type_null_and_column_order_are_rejected(region):
    with pytest.raises(DataContractError, match="population"):
        validate("dimregion", region.assign(population=region["population"].astype("float64")))
    bad = region.copy()
    bad.loc[0, "state_fips"] = None
    with pytest.raises(DataContractError, match="state_fips"):
        validate("dimregion", bad)
    with pytest.raises(DataContractError, match="differ from the contract"):
        validate("dimregion", region[region.columns[::-1]])


def test_varchar_length_is_counted_in_utf8_bytes(region):
    bad = region.copy()
    bad.loc[0, "state_name"] = "ñ" * 31  # 31 characters, 62 bytes > VARCHAR(60)
    with pytest.raises(DataContractError, match=r"state_name.*utf8_bytes<=60"):
        validate("dimregion", bad)


def test_a_repeated_two_column_key_is_reported_beside_other_failures(hand_lake):
    # validate checks the key itself first and leaves pandera's check out when it is unique:
    # a repeated key must still reach pandera, and be reported with whatever else fails
    fact = star.build_day(hand_lake, "2020-04-01")["factcovidcounty"]
    bad = pd.concat([fact, fact.iloc[[0]]], ignore_index=True)
    bad.loc[1, "fips"] = "1"
    with pytest.raises(DataContractError) as err:
        validate("factcovidcounty", bad)
    assert "multiple_fields_uniqueness" in str(err.value)
    assert "column 'fips': str_matches" in str(err.value)
