-- dimregion: a run's NULL never erases a value an earlier run loaded. A daily run knows a
-- county's coordinates (and, for a region missing from countypopulation, its names) only from
-- that day's reports; without this rule a day with no report (a gap, or a date after the
-- lake's last) would blank them, and the warehouse would depend on the order in which a
-- backfill's runs happen to finish.
UPDATE stage_{table} SET
    county_name    = COALESCE(stage_{table}.county_name, kept.county_name),
    state_name     = COALESCE(stage_{table}.state_name, kept.state_name),
    state_abbr     = COALESCE(stage_{table}.state_abbr, kept.state_abbr),
    country_region = COALESCE(stage_{table}.country_region, kept.country_region),
    latitude       = COALESCE(stage_{table}.latitude, kept.latitude),
    longitude      = COALESCE(stage_{table}.longitude, kept.longitude),
    population     = COALESCE(stage_{table}.population, kept.population)
FROM {table} AS kept
WHERE kept.{key} = stage_{table}.{key}
