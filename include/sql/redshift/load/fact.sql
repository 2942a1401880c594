-- Replace one day of a fact table. Run by include/scripts/load_redshift.py inside the load's single
-- transaction (one BatchExecuteStatement). {table}, {start_key}, {end_key}, {source} and {iam_role} are
-- filled in by the script from values it has validated: BatchExecuteStatement takes no
-- parameters. COPY ... PARQUET maps columns by position; the Parquet schema follows the
-- contract, whose column order the DDL matches (tests/include prove it).
CREATE TEMP TABLE stage_{table} (LIKE {table});
COPY stage_{table} FROM '{source}' IAM_ROLE '{iam_role}' FORMAT AS PARQUET;
DELETE FROM {table} WHERE date_key BETWEEN {start_key} AND {end_key};
INSERT INTO {table} SELECT * FROM stage_{table};
