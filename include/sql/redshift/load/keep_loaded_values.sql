-- dimregion: a run's NULL never erases a value an earlier run loaded. A daily run knows a
-- county's coordinates (and, for a region missing from countypopulation, its names) only from
-- that day's reports; without this rule a day with no report (a gap, or a date after the
-- lake's last) would blank them, and the warehouse would depend on the order in which a
-- backfill's runs happen to finish. {keep_values}: one `column = COALESCE(stage.column,
-- kept.column)` per column the table's contract marks kept_when_null (the plan's `keep`).
UPDATE stage_{table} SET
    {keep_values}
FROM {table} AS kept
WHERE kept.{key} = stage_{table}.{key}
