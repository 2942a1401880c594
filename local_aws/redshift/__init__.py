"""Redshift: the warehouse's SQL engine on DuckDB (engine, sql, unload, options, metadata) and the
Redshift Data API that runs statements on it (data_api/, a moto-style package)."""
