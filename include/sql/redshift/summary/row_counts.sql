-- Rows per warehouse table (make run's summary).
SELECT 'dimdate' AS table_name, count(*) AS row_count FROM dimdate
UNION ALL SELECT 'dimregion', count(*) FROM dimregion
UNION ALL SELECT 'dimhospital', count(*) FROM dimhospital
UNION ALL SELECT 'factcovid', count(*) FROM factcovid
UNION ALL SELECT 'factcovidcounty', count(*) FROM factcovidcounty
UNION ALL SELECT 'runaudit', count(*) FROM runaudit
