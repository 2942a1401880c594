-- Cases and deaths per state and day from the three sources, side by side: JHU (confirmed,
-- deaths), The New York Times (nyt_cases, nyt_deaths) and the COVID Tracking Project (positive
-- tests, death). NULL where a source has no figure for that state and day.
SELECT d.date, r.state_abbr, r.state_name,
       f.confirmed AS jhu_cases, f.nyt_cases, f.positive AS tracking_cases,
       f.deaths AS jhu_deaths, f.nyt_deaths, f.death AS tracking_deaths
FROM factcovid AS f
JOIN dimregion AS r ON r.fips = f.fips
JOIN dimdate AS d ON d.date_key = f.date_key
ORDER BY r.state_name, d.date
