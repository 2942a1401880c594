-- runAudit: what each run left out, resolved or published, per dataset and rule
-- (include/covid_lake/domain/quality.py). A run replaces its own run_date_key's rows in the load's
-- transaction, so a rerun never duplicates them. Tiny: one slice holds it all.
-- Generated from the contract runaudit (include/covid_lake/domain/contracts.py) by
-- `python -m covid_lake_dev.write_ddl`; tests/include/test_contracts_ddl.py checks it is current.
CREATE TABLE IF NOT EXISTS runaudit (
    run_date_key  INTEGER           NOT NULL,
    dataset       VARCHAR(40)       NOT NULL,  -- a source dataset, or a star table for 'loaded'
    reason        VARCHAR(200)      NOT NULL,
    kind          VARCHAR(6)        NOT NULL,  -- scope | quirk | reject | loaded | tally
    row_count     BIGINT            NOT NULL,
    of_rows       BIGINT            NOT NULL,  -- the dataset's rows the rule was applied to
    share         DOUBLE PRECISION,
    limit_share   DOUBLE PRECISION,  -- quirks and rejects: the run fails above it
    PRIMARY KEY (run_date_key, dataset, reason)
)
DISTSTYLE ALL
SORTKEY (run_date_key);
