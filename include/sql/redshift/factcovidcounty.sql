-- factCovidCounty: one row per county per day. new_confirmed / new_deaths are JHU day-over-day
-- differences within the county (negative when a cumulative count was corrected downwards).
-- Distributed on fips so a county's days sit on one slice (window functions per county).
-- Generated from the contract factcovidcounty (include/covid_lake/domain/contracts.py) by
-- `python -m covid_lake_dev.write_ddl`; tests/include/test_contracts_ddl.py checks it is current.
CREATE TABLE IF NOT EXISTS factcovidcounty (
    date_key       INTEGER     NOT NULL,
    fips           VARCHAR(5)  NOT NULL,
    confirmed      BIGINT,
    deaths         BIGINT,
    recovered      BIGINT,
    active         BIGINT,
    nyt_cases      BIGINT,
    nyt_deaths     BIGINT,
    new_confirmed  BIGINT,
    new_deaths     BIGINT,
    PRIMARY KEY (date_key, fips),
    FOREIGN KEY (date_key) REFERENCES dimdate (date_key),
    FOREIGN KEY (fips) REFERENCES dimregion (fips)
)
DISTSTYLE KEY
DISTKEY (fips)
COMPOUND SORTKEY (date_key, fips);
