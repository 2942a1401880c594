-- Testing per state on the latest loaded date (COVID Tracking Project): total test results per
-- 100,000 people and the share of them that were positive.
SELECT f.date_key, r.state_abbr, r.state_name, r.population,
       f.total_test_results, f.positive,
       CAST(f.total_test_results AS DOUBLE PRECISION) * 100000
           / NULLIF(r.population, 0) AS tests_per_100k,
       CAST(f.positive AS DOUBLE PRECISION) / NULLIF(f.total_test_results, 0) AS positivity
FROM factcovid AS f
JOIN dimregion AS r ON r.fips = f.fips
WHERE f.date_key = (SELECT max(date_key) FROM factcovid)
  AND f.total_test_results IS NOT NULL
ORDER BY r.state_abbr
