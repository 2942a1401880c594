-- factCovid: one row per state per day that any source has data for. A measure a source lacks
-- is NULL, never 0. Redshift does not enforce keys: the build asserts them, and loads
-- replace a day's rows (delete + insert) so reruns never duplicate.
-- Small (~56 states x days): the dimensions are ALL, so KEY on fips only spreads the rows;
-- queries filter on dates, hence the date_key sort key.
-- Generated from the contract factcovid (include/covid_lake/domain/contracts.py) by
-- `python -m covid_lake_dev.write_ddl`; tests/include/test_contracts_ddl.py checks it is current.
CREATE TABLE IF NOT EXISTS factcovid (
    date_key                 INTEGER  NOT NULL,
    fips                     CHAR(2)  NOT NULL,
    -- COVID Tracking (states_daily)
    positive                 BIGINT,
    negative                 BIGINT,
    hospitalized_currently   BIGINT,
    hospitalized_cumulative  BIGINT,
    hospitalized_discharged  BIGINT,
    in_icu_currently         BIGINT,
    on_ventilator_currently  BIGINT,
    death                    BIGINT,
    total_test_results       BIGINT,
    -- JHU: the state's regions summed (latest report per region per day)
    confirmed                BIGINT,
    deaths                   BIGINT,
    recovered                BIGINT,
    active                   BIGINT,
    -- NYT state totals
    nyt_cases                BIGINT,
    nyt_deaths               BIGINT,
    PRIMARY KEY (date_key, fips),
    FOREIGN KEY (date_key) REFERENCES dimdate (date_key),
    FOREIGN KEY (fips) REFERENCES dimregion (fips)
)
DISTSTYLE KEY
DISTKEY (fips)
COMPOUND SORTKEY (date_key, fips);
