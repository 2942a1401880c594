"""The emulator's data planes: plain functions over moto's stores (S3 objects, the Glue catalog)
and DuckDB. No HTTP and no API state here; local_aws/services calls them from worker threads."""
