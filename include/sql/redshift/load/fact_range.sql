-- Replace a range of days of a fact table (full refresh): stage every published day, keep the
-- range, then swap the range's rows. Same rules as fact.sql.
CREATE TEMP TABLE stage_{table} (LIKE {table});
COPY stage_{table} FROM '{source}' IAM_ROLE '{iam_role}' FORMAT AS PARQUET;
DELETE FROM stage_{table} WHERE date_key NOT BETWEEN {start_key} AND {end_key};
DELETE FROM {table} WHERE date_key BETWEEN {start_key} AND {end_key};
INSERT INTO {table} SELECT * FROM stage_{table};
