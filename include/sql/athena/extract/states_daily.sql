-- COVID Tracking rows of the run date; date is YYYYMMDD text, as every column of a CSV table.
-- Rows whose date is not a real date come too, in every run: row validation rejects them.
SELECT date, state, fips, positive, negative, hospitalizedcurrently, hospitalizedcumulative,
       hospitalizeddischarged, inicucurrently, onventilatorcurrently, death, totaltestresults
FROM states_daily
{% if days %}WHERE date IN ({% for d in days %}{% if not loop.first %}, {% endif %}'{{ d.compact }}'{% endfor %})
   OR try(date_parse(date, '%Y%m%d')) IS NULL{% endif %}
