-- Replace one run's audit rows (runaudit.sql). Same rules as fact.sql: {table}, {run_key},
-- {source} and {iam_role} are filled in by the load script from values it has validated.
CREATE TEMP TABLE stage_{table} (LIKE {table});
COPY stage_{table} FROM '{source}' IAM_ROLE '{iam_role}' FORMAT AS PARQUET;
DELETE FROM {table} WHERE run_date_key = {run_key};
INSERT INTO {table} SELECT * FROM stage_{table};
