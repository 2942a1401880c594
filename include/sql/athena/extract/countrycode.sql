-- The whole reference table (255 rows), for the report of non-US JHU rows.
SELECT country, "alpha-2 code", "alpha-3 code", "numeric code", latitude, longitude
FROM countrycode
