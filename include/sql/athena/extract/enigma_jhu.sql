-- JHU reports of the run's days (the run date and the day before it, which the day-over-day
-- differences need). last_update is text in several formats ('2020-03-22 23:45:00',
-- '2020-03-22T23:45:00', '3/22/20 23:45'), so a day is matched in every spelling. Rows whose
-- last_update is no real date in either form come too, in every run: row validation rejects them.
SELECT fips, admin2, province_state, country_region, last_update, latitude, longitude,
       confirmed, deaths, recovered, active, combined_key
FROM enigma_jhu
{% if days %}WHERE {% for d in days %}{% if not loop.first %} OR {% endif %}last_update LIKE '{{ d.iso }} %' OR last_update LIKE '{{ d.iso }}T%' OR last_update LIKE '{{ d.us }} %'{% endfor %}
   OR (last_update IS NOT NULL AND try_cast(substr(last_update, 1, 10) AS date) IS NULL
       AND try(date_parse(regexp_extract(last_update, '^[0-9]+/[0-9]+/[0-9]+'), '%m/%d/%y')) IS NULL){% endif %}
