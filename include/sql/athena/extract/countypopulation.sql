-- The whole reference table (3.2k rows).
SELECT id, id2, county, state, "population estimate 2018"
FROM countypopulation
