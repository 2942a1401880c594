"""AWS adapters: Athena queries and their results, the Redshift Data API, Glue tables, S3 objects,
Parquet on S3. boto3 and the provider's hooks; no data rules of their own."""
