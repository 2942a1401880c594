-- The whole reference table (51 rows).
SELECT state, abbreviation
FROM state_abv
