-- dimDate: one row per calendar day. date_key (YYYYMMDD) is what the facts carry.
-- Small and joined by every fact: copied to every node.
-- Generated from the contract dimdate (include/covid_lake/domain/contracts.py) by
-- `python -m covid_lake_dev.write_ddl`; tests/include/test_contracts_ddl.py checks it is current.
CREATE TABLE IF NOT EXISTS dimdate (
    date_key      INTEGER     NOT NULL,
    date          DATE        NOT NULL,
    year          INTEGER     NOT NULL,
    quarter       INTEGER     NOT NULL,
    month         INTEGER     NOT NULL,
    month_name    VARCHAR(9)  NOT NULL,
    day           INTEGER     NOT NULL,
    day_of_week   INTEGER     NOT NULL,  -- ISO: Monday = 1
    day_name      VARCHAR(9)  NOT NULL,
    week_of_year  INTEGER     NOT NULL,  -- ISO week
    is_weekend    BOOLEAN     NOT NULL,
    PRIMARY KEY (date_key)
)
DISTSTYLE ALL
SORTKEY (date_key);
