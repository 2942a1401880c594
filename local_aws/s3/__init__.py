"""S3: moto serves the API itself; this folder holds what the other services' data planes read and
write through (objects), DuckDB's view of the emulator's S3 (duckdb_fs), and seeding buckets."""
