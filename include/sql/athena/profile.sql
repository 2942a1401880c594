-- Row count, null keys and duplicate keys of every raw table: one row per dataset.
-- The keys are those of include/covid_lake/raw_contract.py; covid_lake.raw_contract.check_profile
-- turns a bad row into an error naming the dataset. Tables are the fixed dataset list.
SELECT 'enigma_jhu' AS dataset, count(*) AS row_count,
       count(*) - count(last_update) AS key_nulls,
       count(last_update) - count(DISTINCT concat(coalesce(combined_key, ''), '|', last_update)) AS duplicate_keys
FROM enigma_jhu
UNION ALL
SELECT 'us_county', count(*), count(*) - count(date),
       count(date) - count(DISTINCT concat(date, '|', coalesce(state, ''), '|', coalesce(county, '')))
FROM us_county
UNION ALL
SELECT 'us_states', count(*), count(*) - count(date),
       count(date) - count(DISTINCT concat(date, '|', coalesce(state, '')))
FROM us_states
UNION ALL
SELECT 'states_daily', count(*), count(*) - count(date),
       count(date) - count(DISTINCT concat(CAST(date AS varchar), '|', coalesce(state, '')))
FROM states_daily
UNION ALL
SELECT 'us_daily', count(*), count(*) - count(date), count(date) - count(DISTINCT date)
FROM us_daily
UNION ALL
SELECT 'us_total_latest', count(*), 0, 0
FROM us_total_latest
UNION ALL
SELECT 'hospital_beds', count(*), count(*) - count(objectid), count(objectid) - count(DISTINCT objectid)
FROM hospital_beds
UNION ALL
SELECT 'countrycode', count(*), count(*) - count("alpha-2 code"),
       count("alpha-2 code") - count(DISTINCT "alpha-2 code")
FROM countrycode
UNION ALL
SELECT 'countypopulation', count(*), count(*) - count(id2), count(id2) - count(DISTINCT id2)
FROM countypopulation
UNION ALL
SELECT 'state_abv', count(*), count(*) - count(abbreviation),
       count(abbreviation) - count(DISTINCT abbreviation)
FROM state_abv
