-- COVID Tracking rows of the run date; date is YYYYMMDD (typed bigint or text by the crawler).
-- Rows whose date is not a real date come too, in every run: row validation rejects them.
SELECT date, state, fips, positive, negative, hospitalizedcurrently, hospitalizedcumulative,
       hospitalizeddischarged, inicucurrently, onventilatorcurrently, death, totaltestresults
FROM states_daily
{% if days %}WHERE CAST(date AS varchar) IN ({% for d in days %}{% if not loop.first %}, {% endif %}'{{ d.compact }}'{% endfor %})
   OR try(date_parse(CAST(date AS varchar), '%Y%m%d')) IS NULL{% endif %}
