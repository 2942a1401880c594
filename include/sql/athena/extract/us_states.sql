-- NYT state rows of the run date, and every row whose date is not a real date (row validation
-- rejects those, in every run, instead of the day's figure going missing without a word).
SELECT date, state, fips, cases, deaths
FROM us_states
{% if days %}WHERE date IN ({% for d in days %}{% if not loop.first %}, {% endif %}'{{ d.iso }}'{% endfor %}) OR try_cast(date AS date) IS NULL{% endif %}
