-- A fact table with no rows for the days: still remove what an earlier run loaded for them.
DELETE FROM {table} WHERE date_key BETWEEN {start_key} AND {end_key};
