"""End to end inside the emulator: the seeded covid19-lake, crawled with the pipeline's own
crawler and classifier, its CSV tables read as text as the DAG's read_csv_as_text does, and
queried with the pipeline's own Athena extracts."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from covid_lake.aws.athena_io import EXTRACTS, render
from covid_lake.aws.glue_tables import CSV_CLASSIFIER, text_table_input
from covid_lake.domain.datasets import DATASETS, SOURCE_BUCKET

BUCKET = "e2e-lake"
DATABASE = "e2e_raw"


def wait(fetch, done, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not done(value := fetch()):
        assert time.monotonic() < deadline, f"timed out; last: {value}"
        time.sleep(0.05)
    return value


@pytest.fixture(scope="module")
def crawled(emulator):
    s3, glue = emulator.client("s3"), emulator.client("glue")
    s3.create_bucket(Bucket=BUCKET)
    for ds in DATASETS:  # landing, as the DAG does it: one folder per dataset
        s3.copy_object(Bucket=BUCKET, Key=ds.raw_key(), CopySource={"Bucket": SOURCE_BUCKET, "Key": ds.key})
    glue.create_database(DatabaseInput={"Name": DATABASE})
    glue.create_classifier(CsvClassifier={"Name": "e2e-csv", **CSV_CLASSIFIER})
    glue.create_crawler(Name="e2e-crawler", Role="arn:aws:iam::123456789012:role/e2e", DatabaseName=DATABASE,
                        Classifiers=["e2e-csv"], Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/raw/"}]})
    glue.start_crawler(Name="e2e-crawler")
    crawler = wait(lambda: glue.get_crawler(Name="e2e-crawler")["Crawler"], lambda c: c["State"] == "READY")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED", crawler["LastCrawl"]
    read_as_text(glue, DATABASE)
    return emulator.client("athena")


def read_as_text(glue, database: str) -> None:
    """What the DAG's read_csv_as_text does after a crawl (catalog.py: why)."""
    for table in glue.get_tables(DatabaseName=database)["TableList"]:
        table_input = text_table_input(table)
        if table_input is not None:
            glue.update_table(DatabaseName=database, TableInput=table_input)


@pytest.mark.parametrize("extract", EXTRACTS)
def test_every_extract_runs_on_the_crawled_tables(crawled, extract):
    athena = crawled
    qid = athena.start_query_execution(
        QueryString=render(extract, None), QueryExecutionContext={"Database": DATABASE},
        ResultConfiguration={"OutputLocation": f"s3://{BUCKET}/athena/"})["QueryExecutionId"]
    execution = wait(lambda: athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"],
                     lambda e: e["Status"]["State"] not in ("QUEUED", "RUNNING"))
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
    result = athena.get_query_results(QueryExecutionId=qid, MaxResults=5)["ResultSet"]
    assert len(result["Rows"]) > 1, f"{extract} returned no rows"


def test_the_raw_profile_passes_the_pipelines_contract(crawled):
    """include/sql/athena/profile.sql over the crawled sample, checked as the DAG checks it."""
    from covid_lake.aws.athena_io import SQL_DIR, results_frame
    from covid_lake.domain.raw_contract import check_profile

    athena = crawled
    qid = athena.start_query_execution(
        QueryString=(SQL_DIR / "profile.sql").read_text(), QueryExecutionContext={"Database": DATABASE},
        ResultConfiguration={"OutputLocation": f"s3://{BUCKET}/athena/"})["QueryExecutionId"]
    execution = wait(lambda: athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"],
                     lambda e: e["Status"]["State"] not in ("QUEUED", "RUNNING"))
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
    rows = results_frame(athena, qid).to_dict("records")
    assert {r["dataset"] for r in rows} == {d.name for d in DATASETS}
    check_profile(rows)


@pytest.mark.parametrize("extract", ["enigma_jhu", "hospital_beds", "states_daily"])
def test_results_read_from_the_csv_equal_the_paged_results(crawled, emulator, extract):
    """athena_io reads big extracts from the result CSV: same rows, same types as paging
    (text NULLs and empty strings both arrive as missing on that path)."""
    import datetime as dt

    from covid_lake.aws import athena_io

    athena, s3 = crawled, emulator.client("s3")
    qid = athena_io.run_query(athena, render(extract, dt.date(2020, 4, 1)), DATABASE,
                              f"s3://{BUCKET}/athena/", poll=0.05)
    paged = athena_io.results_frame(athena, qid)
    from_csv = athena_io.results_frame(athena, qid, s3)
    assert len(paged) > 0
    for frame in (paged, from_csv):  # empty text and NULL: both missing
        for col in frame.columns:
            if frame[col].dtype == object or str(frame[col].dtype) == "str":
                frame[col] = frame[col].where(frame[col] != "")
    pd.testing.assert_frame_equal(from_csv.reset_index(drop=True), paged.reset_index(drop=True),
                                  check_dtype=True)


def test_a_day_the_sources_do_not_cover_builds_an_empty_day(crawled, emulator):
    """The scheduled run for a date after the lake's last day: every day-slice extract comes back
    empty, and the build gives that day's date row and no facts (no crash on empty frames)."""
    import datetime as dt

    from covid_lake.aws import athena_io
    from covid_lake.domain import star
    from covid_lake.domain.clean import clean_lake

    athena, s3 = crawled, emulator.client("s3")
    day = dt.date(2026, 11, 23)
    frames = {}
    for extract in EXTRACTS:
        qid = athena_io.run_query(athena, render(extract, day), DATABASE,
                                  f"s3://{BUCKET}/athena/", poll=0.05)
        frames[extract] = athena_io.results_frame(athena, qid, s3)
    assert len(frames["enigma_jhu"]) == 0 and len(frames["us_states"]) == 0
    build = star.build_day(clean_lake(frames), day)
    assert len(build.tables["dimdate"]) == 1
    assert len(build.tables["factcovid"]) == 0 and len(build.tables["factcovidcounty"]) == 0
    assert len(build.tables["dimregion"]) > 0


def test_daily_extracts_bring_every_row_whose_date_is_no_real_date(emulator):
    """A run of 2020-04-01 reads its day, JHU also 03-31, and the rows dated 2020-02-30 /
    20200231 / 2/30/20 whatever day they were meant for (row validation then rejects them: see
    covid_lake.domain.validate); a valid date of another day stays out. Trino's try / try_cast /
    date_parse, as the extracts use them, on local_aws."""
    import datetime as dt
    import io

    s3, glue, athena = emulator.client("s3"), emulator.client("glue"), emulator.client("athena")
    bucket, database = "bad-dates", "bad_dates_raw"
    s3.create_bucket(Bucket=bucket)
    dates = {"us_states": ("date", ["2020-04-01", "2020-02-30", "2020-03-15"]),
             "states_daily": ("date", ["20200401", "20200231", "20200315"]),
             "enigma_jhu": ("last_update", ["4/1/20 10:00", "2020-02-30 10:00:00", "2/30/20 10:00",
                                            "2020-03-15 10:00:00", "2020-03-31T22:00:00"])}
    by_name = {d.name: d for d in DATASETS}
    for name, (column, values) in dates.items():
        ds = by_name[name]
        body = s3.get_object(Bucket=SOURCE_BUCKET, Key=ds.key)["Body"].read()
        frame = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False,
                            compression="gzip" if ds.key.endswith(".gz") else None)
        frame = frame.head(len(values)).assign(**{column: values})
        s3.put_object(Bucket=bucket, Key=f"raw/{name}/{name}.csv",
                      Body=frame.to_csv(index=False).encode())
    glue.create_database(DatabaseInput={"Name": database})
    glue.create_classifier(CsvClassifier={"Name": "bad-dates-csv", **CSV_CLASSIFIER})
    glue.create_crawler(Name="bad-dates", Role="arn:aws:iam::123456789012:role/e2e",
                        DatabaseName=database, Classifiers=["bad-dates-csv"],
                        Targets={"S3Targets": [{"Path": f"s3://{bucket}/raw/"}]})
    glue.start_crawler(Name="bad-dates")
    crawler = wait(lambda: glue.get_crawler(Name="bad-dates")["Crawler"],
                   lambda c: c["State"] == "READY")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED", crawler["LastCrawl"]
    read_as_text(glue, database)
    expected = {"us_states": ["2020-04-01", "2020-02-30"],
                "states_daily": ["20200401", "20200231"],
                "enigma_jhu": ["4/1/20 10:00", "2020-02-30 10:00:00", "2/30/20 10:00",
                               "2020-03-31T22:00:00"]}
    for name, (column, _) in dates.items():
        qid = athena.start_query_execution(
            QueryString=render(name, dt.date(2020, 4, 1)),
            QueryExecutionContext={"Database": database},
            ResultConfiguration={"OutputLocation": f"s3://{bucket}/athena/"})["QueryExecutionId"]
        execution = wait(lambda qid=qid: athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"],
                         lambda e: e["Status"]["State"] not in ("QUEUED", "RUNNING"))
        assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
        rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
        names = [c["VarCharValue"] for c in rows[0]["Data"]]
        got = [r["Data"][names.index(column)].get("VarCharValue") for r in rows[1:]]
        assert sorted(got) == sorted(expected[name]), name
