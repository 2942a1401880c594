"""The data rules: source files and rows checked, cleaned, built into the star's rows, their
contracts, the run's quality report. Pure pandas + pandera: no boto3, no Airflow."""
