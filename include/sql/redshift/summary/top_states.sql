-- The five states with the most JHU confirmed cases on the last loaded date (make run's summary).
SELECT f.date_key, r.state_name, f.confirmed, f.nyt_cases, f.positive
FROM factcovid AS f
JOIN dimregion AS r ON r.fips = f.fips
WHERE f.date_key = (SELECT max(date_key) FROM factcovid)
ORDER BY f.confirmed DESC NULLS LAST, r.state_name
LIMIT 5
