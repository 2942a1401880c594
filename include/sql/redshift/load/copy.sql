-- The run's Parquet for the table. COPY ... PARQUET maps columns by position; the Parquet schema
-- follows the contract, whose column order the DDL matches (tests/include prove it).
COPY stage_{table} FROM '{source}' IAM_ROLE '{iam_role}' FORMAT AS PARQUET
