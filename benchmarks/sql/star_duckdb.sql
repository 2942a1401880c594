-- The star schema as plain DuckDB SQL over the raw files: the obvious alternative to the pandas
-- build, for `make bench` only. benchmarks/cases.py registers the raw files as views raw_<dataset>
-- (every column text), so this file only transforms. The rules of covid_lake.star, but for
-- matching counties without fips by name: latest JHU report per region per day, a state's JHU
-- figure from all of its rows, no join on a null fips, full keys everywhere.

CREATE OR REPLACE TABLE state_names AS
SELECT DISTINCT lower(State) AS name, left(lpad(Id2, 5, '0'), 2) AS fips FROM raw_countypopulation
UNION
SELECT lower(name), fips FROM (VALUES ('American Samoa', '60'), ('Guam', '66'),
    ('Northern Mariana Islands', '69'), ('Puerto Rico', '72'), ('Virgin Islands', '78')) AS t(name, fips);

-- Every US JHU row placed in its state (from its code, else its province's name): counties,
-- Unassigned / Out of rows (state total only) and state-level rows; cruise ships and the
-- 'Recovered' row have no state. Counties without fips are not matched by name here (the pandas
-- build does): they count in their state's total only.
CREATE OR REPLACE TABLE jhu_latest AS
WITH parsed AS (
    SELECT
        CASE WHEN fips IS NULL THEN NULL
             WHEN length(fips) <= 2 THEN lpad(fips, 2, '0') ELSE lpad(fips, 5, '0') END AS code,
        lower(coalesce(admin2, '')) AS admin2, lower(province_state) AS province,
        coalesce(try_strptime(last_update, '%Y-%m-%d %H:%M:%S'),
                 try_strptime(last_update, '%Y-%m-%dT%H:%M:%S'),
                 try_strptime(last_update, '%m/%d/%y %H:%M')) AS ts,
        CAST(confirmed AS BIGINT) AS confirmed,
        CAST(deaths AS BIGINT) AS deaths,
        CAST(recovered AS BIGINT) AS recovered,
        nullif(CAST(active AS BIGINT), 0) AS active  -- JHU writes 0 on every US row
    FROM raw_enigma_jhu
    WHERE country_region = 'US'
), placed AS (
    SELECT parsed.*,
           CASE WHEN code LIKE '80%' OR code LIKE '90%' THEN substr(code, 4, 2)
                WHEN code IS NOT NULL THEN left(code, 2)
                ELSE (SELECT fips FROM state_names WHERE name = parsed.province) END AS state_fips
    FROM parsed
), known AS (
    SELECT placed.*,
           CASE WHEN length(code) = 5 AND code NOT LIKE '%000' AND code NOT LIKE '80%'
                     AND code NOT LIKE '90%' THEN code END AS county_fips,
           admin2 = '' AND coalesce(code, '') NOT LIKE '80%' AND coalesce(code, '') NOT LIKE '90%'
               AS state_level
    FROM placed
    WHERE state_fips IN (SELECT fips FROM state_names) AND province <> 'recovered'
)
SELECT county_fips, state_fips, state_level, CAST(strftime(ts, '%Y%m%d') AS INTEGER) AS date_key,
       confirmed, deaths, recovered, active
FROM known
QUALIFY row_number() OVER (PARTITION BY coalesce(county_fips, state_fips || '|' || admin2),
                                        CAST(ts AS DATE)
                           ORDER BY ts DESC, confirmed DESC) = 1;

CREATE OR REPLACE TABLE factcovidcounty AS
WITH jhu AS (
    SELECT date_key, county_fips AS fips, confirmed, deaths, recovered, active
    FROM jhu_latest WHERE county_fips IS NOT NULL
), nyt AS (
    SELECT CAST(strftime(CAST(date AS DATE), '%Y%m%d') AS INTEGER) AS date_key,
           lpad(fips, 5, '0') AS fips,
           CAST(cases AS BIGINT) AS nyt_cases, CAST(deaths AS BIGINT) AS nyt_deaths
    FROM raw_us_county
    WHERE fips IS NOT NULL
), joined AS (
    SELECT date_key, fips, jhu.confirmed, jhu.deaths, jhu.recovered, jhu.active,
           nyt.nyt_cases, nyt.nyt_deaths
    FROM jhu FULL OUTER JOIN nyt USING (date_key, fips)
)
SELECT *,
       confirmed - lag(confirmed) OVER w AS new_confirmed,
       deaths - lag(deaths) OVER w AS new_deaths
FROM joined
WINDOW w AS (PARTITION BY fips ORDER BY date_key);

CREATE OR REPLACE TABLE factcovid AS
WITH tracking AS (
    SELECT CAST(date AS INTEGER) AS date_key, lpad(fips, 2, '0') AS fips,
           CAST(positive AS BIGINT) AS positive, CAST(negative AS BIGINT) AS negative,
           CAST(hospitalizedCurrently AS BIGINT) AS hospitalized_currently,
           CAST(hospitalizedCumulative AS BIGINT) AS hospitalized_cumulative,
           CAST(hospitalizedDischarged AS BIGINT) AS hospitalized_discharged,
           CAST(inIcuCurrently AS BIGINT) AS in_icu_currently,
           CAST(onVentilatorCurrently AS BIGINT) AS on_ventilator_currently,
           CAST(death AS BIGINT) AS death,
           CAST(totalTestResults AS BIGINT) AS total_test_results
    FROM raw_states_daily
), jhu AS (
    -- A state-level row is the state's total; otherwise its rows are summed.
    SELECT date_key, state_fips AS fips,
           coalesce(max(confirmed) FILTER (state_level), sum(confirmed)) AS jhu_confirmed,
           coalesce(max(deaths) FILTER (state_level), sum(deaths)) AS jhu_deaths,
           coalesce(max(recovered) FILTER (state_level), sum(recovered)) AS jhu_recovered,
           coalesce(max(active) FILTER (state_level), sum(active)) AS jhu_active
    FROM jhu_latest
    GROUP BY ALL
), nyt AS (
    SELECT CAST(strftime(CAST(date AS DATE), '%Y%m%d') AS INTEGER) AS date_key,
           lpad(fips, 2, '0') AS fips,
           CAST(cases AS BIGINT) AS nyt_cases, CAST(deaths AS BIGINT) AS nyt_deaths
    FROM raw_us_states
)
SELECT * FROM tracking FULL OUTER JOIN jhu USING (date_key, fips) FULL OUTER JOIN nyt USING (date_key, fips);

CREATE OR REPLACE TABLE dimregion AS
WITH abbr AS (
    SELECT State AS state_name, Abbreviation AS state_abbr FROM raw_state_abv
), coords AS (
    SELECT lpad(fips, 5, '0') AS fips, any_value(CAST(latitude AS DOUBLE)) AS latitude,
           any_value(CAST(longitude AS DOUBLE)) AS longitude
    FROM raw_enigma_jhu WHERE fips IS NOT NULL GROUP BY 1
), counties AS (
    SELECT lpad(p.Id2, 5, '0') AS fips, 'county' AS region_level, p.County AS county_name,
           p.State AS state_name, abbr.state_abbr, left(lpad(p.Id2, 5, '0'), 2) AS state_fips,
           'US' AS country_region, coords.latitude, coords.longitude,
           CAST(p."Population Estimate 2018" AS BIGINT) AS population
    FROM raw_countypopulation AS p
    LEFT JOIN abbr ON abbr.state_name = p.State
    LEFT JOIN coords ON coords.fips = lpad(p.Id2, 5, '0')
), territories (fips, state_abbr, state_name) AS (
    -- As covid_lake.star.TERRITORIES: COVID Tracking reports them, state_abv does not list them.
    VALUES ('60', 'AS', 'American Samoa'), ('66', 'GU', 'Guam'),
           ('69', 'MP', 'Northern Mariana Islands'), ('72', 'PR', 'Puerto Rico'),
           ('78', 'VI', 'Virgin Islands')
), states AS (
    SELECT DISTINCT lpad(fips, 2, '0') AS fips, state AS state_abbr FROM raw_states_daily
    UNION
    SELECT fips, state_abbr FROM territories
)
SELECT * FROM counties
UNION ALL
SELECT s.fips, 'state', NULL, coalesce(abbr.state_name, t.state_name, s.state_abbr), s.state_abbr, s.fips, 'US',
       NULL, NULL, (SELECT sum(population) FROM counties AS c WHERE c.state_fips = s.fips)
FROM states AS s LEFT JOIN abbr USING (state_abbr) LEFT JOIN territories AS t USING (fips);

CREATE OR REPLACE TABLE dimdate AS
SELECT CAST(strftime(d, '%Y%m%d') AS INTEGER) AS date_key, CAST(d AS DATE) AS date,
       year(d) AS year, quarter(d) AS quarter, month(d) AS month, monthname(d) AS month_name,
       day(d) AS day, isodow(d) AS day_of_week, dayname(d) AS day_name,
       weekofyear(d) AS week_of_year, isodow(d) >= 6 AS is_weekend
FROM generate_series(
    (SELECT min(strptime(CAST(date_key AS VARCHAR), '%Y%m%d')) FROM factcovid),
    (SELECT max(strptime(CAST(date_key AS VARCHAR), '%Y%m%d')) FROM factcovid),
    INTERVAL 1 DAY) AS t(d);

CREATE OR REPLACE TABLE dimhospital AS
SELECT CAST(objectid AS BIGINT) AS hospital_id, hospital_name, hospital_type,
       hq_address AS address, hq_city AS city, hq_state AS state_abbr, hq_zip_code AS zip_code,
       fips AS county_fips, state_fips,
       CAST(num_licensed_beds AS BIGINT) AS num_licensed_beds,
       CAST(num_staffed_beds AS BIGINT) AS num_staffed_beds,
       CAST(num_icu_beds AS BIGINT) AS num_icu_beds,
       CAST(adult_icu_beds AS BIGINT) AS adult_icu_beds,
       CAST(pedi_icu_beds AS BIGINT) AS pedi_icu_beds,
       CAST(bed_utilization AS DOUBLE) AS bed_utilization,
       CAST(potential_increase_in_bed_capac AS BIGINT) AS potential_increase_in_bed_capac,
       CAST(latitude AS DOUBLE) AS latitude, CAST(longtitude AS DOUBLE) AS longitude
FROM raw_hospital_beds;
