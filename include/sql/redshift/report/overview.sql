-- What the warehouse holds: the dates loaded and the rows per table.
SELECT (SELECT min(date_key) FROM factcovid) AS first_date_key,
       (SELECT max(date_key) FROM factcovid) AS last_date_key,
       (SELECT count(*) FROM factcovid) AS factcovid_rows,
       (SELECT count(*) FROM factcovidcounty) AS factcovidcounty_rows,
       (SELECT count(*) FROM dimregion) AS dimregion_rows,
       (SELECT count(*) FROM dimhospital) AS dimhospital_rows,
       (SELECT count(DISTINCT run_date_key) FROM runaudit) AS run_dates
