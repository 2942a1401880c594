"""The report's queries: one SQL file each in include/sql/redshift/report/, run through the
Redshift Data API (so the report reads the same warehouse on AWS and on local_aws)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# query name -> the columns that are numbers (the Data API returns longs, doubles and strings)
QUERIES: dict[str, tuple[str, ...]] = {
    "overview": ("first_date_key", "last_date_key", "factcovid_rows", "factcovidcounty_rows",
                 "dimregion_rows", "dimhospital_rows", "run_dates"),
    "state_sources": ("jhu_cases", "nyt_cases", "tracking_cases",
                      "jhu_deaths", "nyt_deaths", "tracking_deaths"),
    "county_cases": ("date_key", "population", "cases", "cases_per_100k"),
    "testing": ("date_key", "population", "total_test_results", "positive", "tests_per_100k",
                "positivity"),
    "hospital_capacity": ("population", "hospitals", "staffed_beds", "icu_beds", "cases",
                          "staffed_beds_per_100k", "icu_beds_per_100k", "cases_per_100k"),
    "data_quality": ("run_date_key", "row_count", "of_rows"),
}


@dataclass(frozen=True)
class Result:
    name: str
    sql: str
    frame: pd.DataFrame


def sql(name: str) -> str:
    from covid_lake.aws import redshift_io

    return redshift_io.sql_file(f"report/{name}.sql")


def fetch(client, target: dict[str, str]) -> dict[str, Result]:
    """Every report query's rows as a DataFrame (numbers as floats, NULL as NaN), with its SQL."""
    from covid_lake.aws import redshift_io

    results = {}
    for name, numeric in QUERIES.items():
        text = sql(name)
        frame = pd.DataFrame(redshift_io.query(client, text, target))
        results[name] = Result(name, text, to_frame(frame, numeric))
    return results


def to_frame(frame: pd.DataFrame, numeric: tuple[str, ...]) -> pd.DataFrame:
    for column in numeric:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float64")
    return frame
