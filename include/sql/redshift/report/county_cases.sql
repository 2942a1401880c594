-- Cases per 100,000 people per county on the latest loaded date: JHU's confirmed count, NYT's
-- where JHU has none, over the county's 2018 population estimate.
SELECT f.date_key, f.fips, r.county_name, r.state_abbr, r.population,
       COALESCE(f.confirmed, f.nyt_cases) AS cases,
       CAST(COALESCE(f.confirmed, f.nyt_cases) AS DOUBLE PRECISION) * 100000
           / NULLIF(r.population, 0) AS cases_per_100k
FROM factcovidcounty AS f
JOIN dimregion AS r ON r.fips = f.fips
WHERE f.date_key = (SELECT max(date_key) FROM factcovidcounty)
ORDER BY f.fips
