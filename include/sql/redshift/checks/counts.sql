-- Rows in the warehouse for the run's days (:start_key..:end_key), per table. Facts must equal
-- what the run published; dimdate must hold every day; the other dimensions at least the run's rows.
SELECT 'factcovid' AS table_name, count(*) AS row_count
FROM factcovid WHERE date_key BETWEEN :start_key AND :end_key
UNION ALL
SELECT 'factcovidcounty', count(*)
FROM factcovidcounty WHERE date_key BETWEEN :start_key AND :end_key
UNION ALL
SELECT 'dimdate', count(*) FROM dimdate WHERE date_key BETWEEN :start_key AND :end_key
UNION ALL
SELECT 'dimregion', count(*) FROM dimregion
UNION ALL
SELECT 'dimhospital', count(*) FROM dimhospital
