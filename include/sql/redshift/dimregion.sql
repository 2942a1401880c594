-- dimRegion: one row per US state/territory (2-digit fips) or county (5-digit fips).
-- VARCHAR lengths are bytes in Redshift: names such as 'Doña Ana County' need 2 for the ñ.
-- Generated from the contract dimregion (include/covid_lake/domain/contracts.py) by
-- `python -m covid_lake_dev.write_ddl`; tests/include/test_contracts_ddl.py checks it is current.
CREATE TABLE IF NOT EXISTS dimregion (
    fips            VARCHAR(5)        NOT NULL,
    region_level    VARCHAR(6)        NOT NULL,  -- 'state' or 'county'
    county_name     VARCHAR(100),
    state_name      VARCHAR(60),
    state_abbr      CHAR(2),
    state_fips      CHAR(2)           NOT NULL,
    country_region  VARCHAR(40)       NOT NULL,
    latitude        DOUBLE PRECISION,
    longitude       DOUBLE PRECISION,
    population      BIGINT,  -- counties: 2018 estimate; states: sum of counties
    PRIMARY KEY (fips)
)
DISTSTYLE ALL
SORTKEY (fips);
