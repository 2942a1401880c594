"""The SQL editor's guard: exactly one read-only SELECT passes, everything else is refused with a
message naming the problem (covid_lake/warehouse_web/sql_guard.py)."""

from __future__ import annotations

import pytest

from covid_lake.warehouse_web.sql_guard import RefusedSQL, check_read_only

ACCEPTED = [
    "SELECT 1",
    "select count(*) from factcovid where date_key = 20200402;",
    "WITH s AS (SELECT fips, max(confirmed) AS c FROM factcovid GROUP BY fips) SELECT * FROM s",
    "SELECT 1 UNION ALL SELECT 2",
    "(SELECT 1)",
    "-- a comment\nSELECT state_name FROM dimregion /* trailing */",
    "SELECT 'drop table factcovid; delete from runaudit' AS text",  # words in a string
    ("SELECT r.state_name, f.confirmed FROM factcovid f JOIN dimregion r ON r.fips = f.fips "
     "WHERE f.date_key = (SELECT max(date_key) FROM factcovid) ORDER BY 2 DESC LIMIT 5"),
]

REFUSED = [  # (statement, words the message must hold)
    ("", "empty input"),
    ("   \n  ", "empty input"),
    (";", "empty input"),
    ("-- only a comment", "empty input"),
    ("DROP TABLE factcovid", "DROP TABLE"),
    ("drop table if exists runaudit", "DROP TABLE"),
    ("CREATE TABLE t AS SELECT 1", "CREATE TABLE"),
    ("CREATE TABLE t (a int)", "CREATE TABLE"),
    ("ALTER TABLE factcovid ADD COLUMN x INT", "ALTER"),
    ("TRUNCATE factcovid", "TRUNCATE"),
    ("INSERT INTO runaudit SELECT * FROM runaudit", "INSERT"),
    ("UPDATE factcovid SET confirmed = 0", "UPDATE"),
    ("DELETE FROM factcovid", "DELETE"),
    ("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "INSERT"),
    ("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", "MERGE"),
    ("COPY factcovid FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r' FORMAT AS PARQUET", "COPY"),
    ("UNLOAD ('SELECT * FROM factcovid') TO 's3://b/out/' IAM_ROLE 'arn:aws:iam::1:role/r'",
     "UNLOAD"),
    ("SELECT * INTO newtable FROM factcovid", "SELECT INTO"),
    ("SELECT * FROM factcovid FOR UPDATE", "FOR UPDATE"),
    ("SELECT 1; SELECT 2", "2 statements"),
    ("SELECT 1; DROP TABLE factcovid", "2 statements"),
    ("GRANT SELECT ON factcovid TO bob", "GRANT"),
    ("SET search_path TO public", "SET"),
    ("BEGIN", "TRANSACTION"),
    ("VACUUM factcovid", "VACUUM"),
    ("ANALYZE factcovid", "ANALYZE"),
    ("EXPLAIN SELECT 1", "EXPLAIN"),
    ("CALL refresh_all()", "CALL"),
    ("SELECT pg_terminate_backend(123)", "pg_terminate_backend"),
    ("SELEC 1", "not valid SQL"),
]


@pytest.mark.parametrize("sql", ACCEPTED)
def test_one_read_only_select_is_accepted_as_written(sql):
    assert check_read_only(sql) == sql.strip()  # never rewritten, never wrapped


@pytest.mark.parametrize("sql, words", REFUSED)
def test_anything_else_is_refused_naming_the_problem(sql, words):
    with pytest.raises(RefusedSQL) as refused:
        check_read_only(sql)
    assert words.lower() in str(refused.value).lower(), str(refused.value)
