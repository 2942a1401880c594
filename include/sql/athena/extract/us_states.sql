-- NYT state rows of the run date.
SELECT date, state, fips, cases, deaths
FROM us_states
{% if days %}WHERE date IN ({% for d in days %}{% if not loop.first %}, {% endif %}'{{ d.iso }}'{% endfor %}){% endif %}
