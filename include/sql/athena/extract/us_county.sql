-- NYT county rows of the run date.
SELECT date, county, state, fips, cases, deaths
FROM us_county
{% if days %}WHERE date IN ({% for d in days %}{% if not loop.first %}, {% endif %}'{{ d.iso }}'{% endfor %}){% endif %}
