-- One statement of the load's single transaction (include/scripts/load_redshift.py TEMPLATES
-- says which statements each table's load runs, in order). The placeholders in braces (table,
-- source, key, keep_values, start_key, end_key, run_key, iam_role) are filled in by the script from values
-- it has validated: BatchExecuteStatement takes no parameters.
-- A staging table shaped like the target, gone at the end of the session.
CREATE TEMP TABLE stage_{table} (LIKE {table})
