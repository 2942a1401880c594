-- Row count, null keys and duplicate keys of every raw table: one row per dataset.
-- The keys are those of include/covid_lake/domain/raw_contract.py; covid_lake.raw_contract.check_profile
-- turns a bad row into an error naming the dataset. Tables are the fixed dataset list.
-- The CSV tables' columns are text (covid_lake/aws/glue_tables.py: why), where an empty field is '' and
-- not NULL: NULLIF makes an empty key count as a missing one.
SELECT 'enigma_jhu' AS dataset, count(*) AS row_count,
       count(*) - count(NULLIF(last_update, '')) AS key_nulls,
       count(NULLIF(last_update, ''))
         - count(DISTINCT concat(coalesce(combined_key, ''), '|', NULLIF(last_update, ''))) AS duplicate_keys
FROM enigma_jhu
UNION ALL
SELECT 'us_county', count(*), count(*) - count(NULLIF(date, '')),
       count(NULLIF(date, ''))
         - count(DISTINCT concat(NULLIF(date, ''), '|', coalesce(state, ''), '|', coalesce(county, '')))
FROM us_county
UNION ALL
SELECT 'us_states', count(*), count(*) - count(NULLIF(date, '')),
       count(NULLIF(date, '')) - count(DISTINCT concat(NULLIF(date, ''), '|', coalesce(state, '')))
FROM us_states
UNION ALL
SELECT 'states_daily', count(*), count(*) - count(NULLIF(date, '')),
       count(NULLIF(date, '')) - count(DISTINCT concat(NULLIF(date, ''), '|', coalesce(state, '')))
FROM states_daily
UNION ALL
SELECT 'us_daily', count(*), count(*) - count(NULLIF(date, '')),
       count(NULLIF(date, '')) - count(DISTINCT NULLIF(date, ''))
FROM us_daily
UNION ALL
SELECT 'us_total_latest', count(*), 0, 0
FROM us_total_latest
UNION ALL
SELECT 'hospital_beds', count(*), count(*) - count(objectid), count(objectid) - count(DISTINCT objectid)
FROM hospital_beds
UNION ALL
SELECT 'countrycode', count(*), count(*) - count(NULLIF("alpha-2 code", '')),
       count(NULLIF("alpha-2 code", '')) - count(DISTINCT NULLIF("alpha-2 code", ''))
FROM countrycode
UNION ALL
SELECT 'countypopulation', count(*), count(*) - count(NULLIF(id2, '')),
       count(NULLIF(id2, '')) - count(DISTINCT NULLIF(id2, ''))
FROM countypopulation
UNION ALL
SELECT 'state_abv', count(*), count(*) - count(NULLIF(abbreviation, '')),
       count(NULLIF(abbreviation, '')) - count(DISTINCT NULLIF(abbreviation, ''))
FROM state_abv
