-- What the last run date left out, resolved or found odd, per dataset and rule (make run's
-- summary; the table is runaudit, filled by every run's load).
SELECT run_date_key, dataset, kind, row_count, of_rows, reason
FROM runaudit
WHERE run_date_key = (SELECT max(run_date_key) FROM runaudit) AND kind <> 'loaded'
ORDER BY dataset, kind, reason
