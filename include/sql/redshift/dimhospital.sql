-- dimHospital: one row per hospital; hospital_id is the source objectid.
-- county_fips is empty for the territory hospitals the source gives no fips (reported by the build).
-- Generated from the contract dimhospital (include/covid_lake/domain/contracts.py) by
-- `python -m covid_lake_dev.write_ddl`; tests/include/test_contracts_ddl.py checks it is current.
CREATE TABLE IF NOT EXISTS dimhospital (
    hospital_id                      BIGINT            NOT NULL,
    hospital_name                    VARCHAR(200),
    hospital_type                    VARCHAR(100),
    address                          VARCHAR(300),
    city                             VARCHAR(100),
    state_abbr                       CHAR(2),
    zip_code                         VARCHAR(10),
    county_fips                      VARCHAR(5),
    state_fips                       CHAR(2),
    num_licensed_beds                BIGINT,
    num_staffed_beds                 BIGINT,
    num_icu_beds                     BIGINT,
    adult_icu_beds                   BIGINT,
    pedi_icu_beds                    BIGINT,
    bed_utilization                  DOUBLE PRECISION,
    potential_increase_in_bed_capac  BIGINT,
    latitude                         DOUBLE PRECISION,
    longitude                        DOUBLE PRECISION,  -- the source's 'longtitude'
    PRIMARY KEY (hospital_id),
    FOREIGN KEY (county_fips) REFERENCES dimregion (fips)
)
DISTSTYLE ALL
SORTKEY (hospital_id);
