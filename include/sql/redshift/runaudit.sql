-- runAudit: what each run left out, resolved or published, per dataset and rule
-- (include/covid_lake/quality.py). Written by hand against include/covid_lake/contracts.py
-- (RUN_AUDIT); tests/include/test_contracts_ddl.py checks the two agree column by column.
-- A run replaces its own run_date_key's rows in the load's transaction, so a rerun never
-- duplicates them. Tiny: one slice holds it all.
CREATE TABLE IF NOT EXISTS runaudit (
    run_date_key  INTEGER           NOT NULL,
    dataset       VARCHAR(40)       NOT NULL,  -- a source dataset, or a star table for 'loaded'
    reason        VARCHAR(200)      NOT NULL,
    kind          VARCHAR(6)        NOT NULL,  -- scope | quirk | reject | loaded | tally
    row_count     BIGINT            NOT NULL,
    of_rows       BIGINT            NOT NULL,  -- the dataset's rows the rule was applied to
    share         DOUBLE PRECISION,
    limit_share   DOUBLE PRECISION,            -- quirks and rejects: the run fails above it
    PRIMARY KEY (run_date_key, dataset, reason)
)
DISTSTYLE ALL
SORTKEY (run_date_key);
