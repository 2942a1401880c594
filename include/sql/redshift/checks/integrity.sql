-- Every row here must be 0: duplicate keys in any table, fact keys missing from a dimension.
SELECT 'factcovid duplicate (date_key, fips)' AS check_name,
       count(*) - count(DISTINCT CAST(date_key AS VARCHAR) || '|' || fips) AS bad_rows
FROM factcovid
UNION ALL
SELECT 'factcovidcounty duplicate (date_key, fips)',
       count(*) - count(DISTINCT CAST(date_key AS VARCHAR) || '|' || fips)
FROM factcovidcounty
UNION ALL
SELECT 'dimdate duplicate date_key', count(*) - count(DISTINCT date_key) FROM dimdate
UNION ALL
SELECT 'dimregion duplicate fips', count(*) - count(DISTINCT fips) FROM dimregion
UNION ALL
SELECT 'dimhospital duplicate hospital_id', count(*) - count(DISTINCT hospital_id) FROM dimhospital
UNION ALL
SELECT 'factcovid fips not in dimregion', count(*)
FROM factcovid AS f LEFT JOIN dimregion AS r ON r.fips = f.fips
WHERE r.fips IS NULL AND f.date_key BETWEEN :start_key AND :end_key
UNION ALL
SELECT 'factcovid date_key not in dimdate', count(*)
FROM factcovid AS f LEFT JOIN dimdate AS d ON d.date_key = f.date_key
WHERE d.date_key IS NULL AND f.date_key BETWEEN :start_key AND :end_key
UNION ALL
SELECT 'factcovidcounty fips not in dimregion', count(*)
FROM factcovidcounty AS f LEFT JOIN dimregion AS r ON r.fips = f.fips
WHERE r.fips IS NULL AND f.date_key BETWEEN :start_key AND :end_key
UNION ALL
SELECT 'factcovidcounty date_key not in dimdate', count(*)
FROM factcovidcounty AS f LEFT JOIN dimdate AS d ON d.date_key = f.date_key
WHERE d.date_key IS NULL AND f.date_key BETWEEN :start_key AND :end_key
UNION ALL
SELECT 'dimhospital county_fips not in dimregion', count(*)
FROM dimhospital AS h LEFT JOIN dimregion AS r ON r.fips = h.county_fips
WHERE h.county_fips IS NOT NULL AND r.fips IS NULL
