-- What one run date loaded and left out (the COVID warehouse plugin's per-run view,
-- covid_lake.warehouse_web): kind 'loaded' = rows loaded per star table; scope / quirk / reject
-- = rows left out or resolved per dataset and rule. :run_key is the run date as YYYYMMDD.
SELECT kind, dataset, reason, row_count, of_rows, share, limit_share
FROM runaudit
WHERE run_date_key = :run_key
ORDER BY CASE WHEN kind = 'loaded' THEN 0 ELSE 1 END, dataset, kind, reason
