-- A full refresh stages every published day: keep the range being replaced.
DELETE FROM stage_{table} WHERE date_key NOT BETWEEN {start_key} AND {end_key}
