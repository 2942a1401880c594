-- Hospital capacity per state (dimhospital's staffed and ICU beds, summed over the state's
-- hospitals) per 100,000 people, beside JHU's confirmed cases per 100,000 on the latest date.
WITH beds AS (
    SELECT state_fips, count(*) AS hospitals,
           sum(num_staffed_beds) AS staffed_beds, sum(num_icu_beds) AS icu_beds
    FROM dimhospital
    GROUP BY state_fips
), latest AS (
    SELECT fips, confirmed
    FROM factcovid
    WHERE date_key = (SELECT max(date_key) FROM factcovid)
)
SELECT r.state_abbr, r.state_name, r.population, b.hospitals, b.staffed_beds, b.icu_beds,
       l.confirmed AS cases,
       CAST(b.staffed_beds AS DOUBLE PRECISION) * 100000 / NULLIF(r.population, 0)
           AS staffed_beds_per_100k,
       CAST(b.icu_beds AS DOUBLE PRECISION) * 100000 / NULLIF(r.population, 0)
           AS icu_beds_per_100k,
       CAST(l.confirmed AS DOUBLE PRECISION) * 100000 / NULLIF(r.population, 0)
           AS cases_per_100k
FROM dimregion AS r
JOIN beds AS b ON b.state_fips = r.state_fips
LEFT JOIN latest AS l ON l.fips = r.fips
WHERE r.region_level = 'state'
ORDER BY r.state_abbr
