-- Upsert a dimension: the run's rows replace those with the same key; other rows stay.
CREATE TEMP TABLE stage_{table} (LIKE {table});
COPY stage_{table} FROM '{source}' IAM_ROLE '{iam_role}' FORMAT AS PARQUET;
DELETE FROM {table} USING stage_{table} WHERE {table}.{key} = stage_{table}.{key};
INSERT INTO {table} SELECT * FROM stage_{table};
