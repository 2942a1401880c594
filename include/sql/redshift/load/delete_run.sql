-- A run's audit rows replace that run's earlier ones.
DELETE FROM {table} WHERE run_date_key = {run_key}
