-- The staged rows into the table.
INSERT INTO {table} SELECT * FROM stage_{table}
