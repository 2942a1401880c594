-- A dimension is upserted: the run's rows replace those with the same key; other rows stay.
DELETE FROM {table} USING stage_{table} WHERE {table}.{key} = stage_{table}.{key}
