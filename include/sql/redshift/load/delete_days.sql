-- A fact's days are replaced whole: what an earlier run loaded for them goes, even when the
-- run has no rows for them.
DELETE FROM {table} WHERE date_key BETWEEN {start_key} AND {end_key}
