"""PyAthena (DB API 2.0 over Athena) against local_aws: connect(s3_staging_dir, region_name,
endpoint_url), queries with and without parameters, the Python types of fetched values, and
the pandas / Arrow cursors, which read the result file from S3 themselves.

PyAthena's S3 client does not take Athena's endpoint_url (pyathena/connection.py,
`_s3_client_kwargs`), so S3 is pointed at the emulator the usual way, AWS_ENDPOINT_URL_S3
(https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).

Not checked: ArrowCursor. It reads results through a pyarrow S3FileSystem built from the
region and credentials only (pyathena/arrow/result_set.py, `_create_s3_file_system`: no
endpoint_override, virtual-hosted addressing), so it cannot be pointed at any endpoint but AWS's
own; a client limitation, not a local_aws difference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.clients.conftest import BUCKET, DATABASE, OUTPUT, TABLE
from tests.support.emulator import REGION

pyathena = pytest.importorskip("pyathena")
from pyathena.error import OperationalError  # noqa: E402 (only once importorskip let pyathena in)


@pytest.fixture(scope="module")
def connect(lake, aws_env, monkeypatch_module):
    monkeypatch_module.setenv("AWS_ENDPOINT_URL_S3", lake.endpoint_url)

    def _connect(**kw):
        return pyathena.connect(s3_staging_dir=OUTPUT, region_name=REGION, schema_name=DATABASE,
                                endpoint_url=lake.endpoint_url, poll_interval=0.05, **kw)

    return _connect


@pytest.fixture(scope="module")
def cursor(connect):
    with connect() as conn:
        yield conn.cursor()


TYPED = ("SELECT 1 AS i, BIGINT '9000000000' AS big, 'a' AS s, DOUBLE '1.5' AS d, DATE '2020-01-02' AS day, "
         "TIMESTAMP '2020-01-02 03:04:05.678' AS ts, true AS b, DECIMAL '1.25' AS dec, "
         "CAST(NULL AS varchar) AS nothing")


def test_fetchall_types__trino_io_docs_current_language_types(cursor):
    """https://trino.io/docs/current/language/types.html: 1 is integer, DECIMAL '1.25' is
    decimal(3,2); PyAthena converts by the result's column type
    (https://laughingman7743.github.io/PyAthena/usage.html#type-conversion)."""
    cursor.execute(TYPED)
    assert cursor.fetchall() == [(1, 9000000000, "a", 1.5, dt.date(2020, 1, 2),
                                  dt.datetime(2020, 1, 2, 3, 4, 5, 678000), True, Decimal("1.25"), None)]
    assert [(d[0], d[1]) for d in cursor.description] == [
        ("i", "integer"), ("big", "bigint"), ("s", "varchar"), ("d", "double"), ("day", "date"),
        ("ts", "timestamp"), ("b", "boolean"), ("dec", "decimal"), ("nothing", "varchar")]
    dec = cursor.description[7]
    assert (dec[4], dec[5]) == (3, 2)  # precision, scale


def test_select_from_a_glue_table(cursor):
    """The table's DDL types come back as Python values: date -> date, bigint -> int."""
    cursor.execute(f"SELECT * FROM {TABLE} ORDER BY date, state")
    assert cursor.fetchall() == [(dt.date(2020, 3, 1), "CA", 4), (dt.date(2020, 3, 1), "NY", 10),
                                 (dt.date(2020, 3, 2), "NY", 25)]
    assert cursor.output_location == f"{OUTPUT}{cursor.query_id}.csv"
    assert cursor.state == "SUCCEEDED"


def test_pyformat_parameters_are_client_side(cursor):
    """https://laughingman7743.github.io/PyAthena/usage.html#query-with-parameters: the default
    paramstyle is pyformat, quoted and substituted by PyAthena."""
    cursor.execute(f"SELECT cases FROM {TABLE} WHERE state = %(state)s AND date = %(day)s ORDER BY cases",
                   {"state": "NY", "day": dt.date(2020, 3, 2)})
    assert cursor.fetchall() == [(25,)]


def test_qmark_parameters_are_execution_parameters__docs_aws_amazon_com_athena_latest_ug_querying_with_prepared_statements(cursor):
    """https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html:
    paramstyle qmark sends the list as ExecutionParameters, each an SQL literal (a string quoted);
    Athena binds them in order."""
    cursor.execute(f"SELECT state, cases FROM {TABLE} WHERE state = ? AND cases > ? ORDER BY cases",
                   ["'NY'", "5"], paramstyle="qmark")
    assert cursor.fetchall() == [("NY", 10), ("NY", 25)]


def test_fetch_many_over_result_pages__docs_aws_amazon_com_athena_latest_APIReference_API_GetQueryResults(cursor):
    """GetQueryResults pages hold at most 1000 rows; PyAthena follows NextToken."""
    cursor.execute("SELECT x FROM UNNEST(sequence(1, 2500)) AS t(x)")
    assert cursor.fetchone() == (1,)
    assert len(cursor.fetchmany(1500)) == 1500
    rest = cursor.fetchall()
    assert len(rest) == 999 and rest[-1] == (2500,)


def test_failed_query_raises_operational_error(cursor):
    """https://peps.python.org/pep-0249/#operationalerror; Athena's reason is TABLE_NOT_FOUND."""
    with pytest.raises(OperationalError, match="TABLE_NOT_FOUND"):
        cursor.execute("SELECT * FROM no_such_table")


def test_ctas_then_select__docs_aws_amazon_com_athena_latest_ug_create_table_as(cursor):
    """https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html: CTAS writes Parquet
    by default and registers the table; its UpdateCount is the rows written."""
    cursor.execute(f"CREATE TABLE ny_cases WITH (external_location = 's3://{BUCKET}/ctas/ny_cases/') "
                   f"AS SELECT date, cases FROM {TABLE} WHERE state = 'NY'")
    assert cursor.rowcount == 2
    cursor.execute("SELECT sum(cases) FROM ny_cases")
    assert cursor.fetchall() == [(35,)]


def test_insert_into_rowcount__docs_aws_amazon_com_athena_latest_ug_insert_into(cursor):
    """https://docs.aws.amazon.com/athena/latest/ug/insert-into.html appends to a Parquet
    table; PyAthena's rowcount is GetQueryResults' UpdateCount for SubstatementType INSERT."""
    cursor.execute(f"CREATE TABLE ca_cases WITH (external_location = 's3://{BUCKET}/ctas/ca_cases/') "
                   f"AS SELECT date, cases FROM {TABLE} WHERE state = 'CA'")
    cursor.execute(f"INSERT INTO ca_cases SELECT date, cases FROM {TABLE} WHERE state = 'NY'")
    assert cursor.rowcount == 2
    cursor.execute("SELECT count(*), sum(cases) FROM ca_cases")
    assert cursor.fetchall() == [(3, 39)]


def test_pandas_cursor_reads_the_result_csv__laughingman7743_github_io_PyAthena_pandas(connect):
    """https://laughingman7743.github.io/PyAthena/pandas.html: PandasCursor reads the result
    CSV from S3 with dtypes from the column types."""
    from pyathena.pandas.cursor import PandasCursor

    with connect(cursor_class=PandasCursor) as conn:
        df = conn.cursor().execute(f"SELECT state, cases, date FROM {TABLE} ORDER BY cases").as_pandas()
    assert df["state"].tolist() == ["CA", "NY", "NY"]
    assert df["cases"].tolist() == [4, 10, 25]
    assert str(df["cases"].dtype) == "Int64"
    assert [d.date() if hasattr(d, "date") else d for d in df["date"]] == [
        dt.date(2020, 3, 1), dt.date(2020, 3, 1), dt.date(2020, 3, 2)]


def test_pandas_cursor_unload__laughingman7743_github_io_PyAthena_pandas_unload(connect):
    """PandasCursor(unload=True) wraps the query in UNLOAD ... WITH (format = 'PARQUET')
    (https://docs.aws.amazon.com/athena/latest/ug/unload.html) and reads the Parquet files."""
    from pyathena.pandas.cursor import PandasCursor

    with connect(cursor_class=PandasCursor, cursor_kwargs={"unload": True}) as conn:
        df = conn.cursor().execute(f"SELECT state, cases FROM {TABLE} ORDER BY cases").as_pandas()
    assert sorted(zip(df["state"], df["cases"], strict=True)) == [("CA", 4), ("NY", 10), ("NY", 25)]


def test_sqlalchemy_inspector_lists_schemas_tables_columns__laughingman7743_github_io_PyAthena_sqlalchemy(lake, aws_env):
    """https://laughingman7743.github.io/PyAthena/sqlalchemy.html: awsathena+rest:// URL;
    the inspector reads the catalog through Athena's metadata calls."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(
        f"awsathena+rest://:@athena.{REGION}.amazonaws.com:443/{DATABASE}",
        connect_args={"s3_staging_dir": OUTPUT, "endpoint_url": lake.endpoint_url, "region_name": REGION,
                      "poll_interval": 0.05})
    inspector = sqlalchemy.inspect(engine)
    assert DATABASE in inspector.get_schema_names()
    assert TABLE in inspector.get_table_names(schema=DATABASE)
    columns = inspector.get_columns(TABLE, schema=DATABASE)
    assert [(c["name"], str(c["type"])) for c in columns] == [("date", "DATE"), ("state", "VARCHAR"),
                                                               ("cases", "BIGINT")]
    with engine.connect() as conn:
        assert conn.execute(sqlalchemy.text(f"SELECT count(*) FROM {TABLE}")).scalar() == 3
