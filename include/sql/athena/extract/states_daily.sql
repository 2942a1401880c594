-- COVID Tracking rows of the run date; date is YYYYMMDD (typed bigint or text by the crawler).
SELECT date, state, fips, positive, negative, hospitalizedcurrently, hospitalizedcumulative,
       hospitalizeddischarged, inicucurrently, onventilatorcurrently, death, totaltestresults
FROM states_daily
{% if days %}WHERE CAST(date AS varchar) IN ({% for d in days %}{% if not loop.first %}, {% endif %}'{{ d.compact }}'{% endfor %}){% endif %}
