-- Per run date, what the run loaded (kind 'loaded': rows per star table) and what it left out
-- or resolved (scope, quirk, reject: rows per dataset and reason), from runaudit.
SELECT run_date_key, dataset, kind, reason, row_count, of_rows
FROM runaudit
ORDER BY run_date_key, kind, dataset, reason
