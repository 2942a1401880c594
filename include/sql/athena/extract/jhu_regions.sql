-- Where JHU puts each US region, over every report (not only the run's days): dimregion takes a
-- county's coordinates from its latest report that has them, so every run of a backfill gives
-- the same dimregion whatever day it builds and whatever order the runs finish in (JHU revised
-- some coordinates between reports, e.g. Navajo AZ on 2020-04-01).
SELECT fips, admin2, province_state, country_region, last_update, latitude, longitude
FROM enigma_jhu
WHERE country_region = 'US'
