-- The run's audit rows in the warehouse: must equal what the run published.
SELECT count(*) AS row_count FROM runaudit WHERE run_date_key = :run_key
